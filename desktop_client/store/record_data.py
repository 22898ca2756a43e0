"""Record data in the protocol's shape, decoded into Python values field by field.

Both incoming server records and local edits go through ``decode_record_data``, which
uses ``sync_protocol.codecs.decode`` (its per-field quick form) for every value and collects one message list per
field, so a person sees every problem at once rather than the first.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_client.store.records import attribute_name
from sync_protocol import catalogue, codecs

REQUIRED = "This field is required."
UNKNOWN_FIELD = "This field is not part of this record type."

FieldErrors = dict[str, list[str]]


@dataclass(frozen=True)
class LineValues:
    id: str
    values: dict[str, Any]  # model attribute -> Python value


@dataclass(frozen=True)
class RecordValues:
    values: dict[str, Any]  # model attribute -> Python value
    lines: tuple[LineValues, ...] | None  # None: the type has no lines, or they were not given


@dataclass
class InvalidRecordData(ValueError):
    """Record data that does not fit its record type, with every reason per field."""

    fields: FieldErrors = field(default_factory=dict)
    lines: dict[int, FieldErrors] = field(default_factory=dict)  # by position in ``lines``

    def __bool__(self) -> bool:
        return bool(self.fields or self.lines)

    def add(self, name: str, message: str, *, line: int | None = None) -> None:
        target = self.fields if line is None else self.lines.setdefault(line, {})
        target.setdefault(name, []).append(message)

    def extend(self, other: InvalidRecordData) -> None:
        for name, items in other.fields.items():
            self.fields.setdefault(name, []).extend(items)
        for index, line_errors in other.lines.items():
            for name, items in line_errors.items():
                self.lines.setdefault(index, {}).setdefault(name, []).extend(items)

    def messages(self) -> list[str]:
        """Every reason as ``field: message`` or ``lines[N].field: message`` (N from 1)."""
        result = [f"{name}: {message}" for name, items in self.fields.items() for message in items]
        for index in sorted(self.lines):
            for name, items in self.lines[index].items():
                result.extend(f"lines[{index + 1}].{name}: {message}" for message in items)
        return result

    def __str__(self) -> str:
        return "; ".join(self.messages())


def decode_record_data(
    record_type: catalogue.RecordType,
    data: object,
    *,
    unknown_fields_allowed: bool,
    lines_required: bool = True,
) -> RecordValues:
    """Decode ``data`` (wire values) of ``record_type``; raise ``InvalidRecordData``.

    ``unknown_fields_allowed``: the server may send fields this client does not know
    (PROTOCOL.md lets implementations add optional ones); a local edit naming an unknown
    field is a mistake worth telling. ``lines_required=False`` lets an edit leave the
    lines alone by not giving them.
    """
    errors = InvalidRecordData()
    if not isinstance(data, Mapping):
        errors.add("data", "Must be an object with the record's fields.")
        raise errors
    values = _decode_fields(record_type.fields, data, errors, line=None, unknown_allowed=unknown_fields_allowed)
    lines: tuple[LineValues, ...] | None = None
    if record_type.has_lines:
        if "lines" in data:
            lines = _decode_lines(record_type, data["lines"], errors, unknown_allowed=unknown_fields_allowed)
        elif lines_required:
            errors.add("lines", REQUIRED)
    elif "lines" in data and not unknown_fields_allowed:
        errors.add("lines", "This record type has no lines.")
    if errors:
        raise errors
    return RecordValues(values=values, lines=lines)


def _decode_lines(
    record_type: catalogue.RecordType, raw_lines: object, errors: InvalidRecordData, *, unknown_allowed: bool
) -> tuple[LineValues, ...]:
    if not isinstance(raw_lines, list):
        errors.add("lines", "Must be a list of lines.")
        return ()
    decoded: list[LineValues] = []
    seen_ids: set[str] = set()
    for index, raw_line in enumerate(raw_lines):
        if not isinstance(raw_line, Mapping):
            errors.add("line", "Must be an object with the line's fields.", line=index)
            continue
        line_id = _decode_id(raw_line.get("id"), errors, line=index)
        if line_id is not None:
            if line_id in seen_ids:
                errors.add("id", "Another line of this record has the same id.", line=index)
            seen_ids.add(line_id)
        values = _decode_fields(
            record_type.line_fields or (),
            raw_line,
            errors,
            line=index,
            unknown_allowed=unknown_allowed,
            extra=frozenset({"id"}),
        )
        if line_id is not None:
            decoded.append(LineValues(id=line_id, values=values))
    return tuple(decoded)


def _decode_fields(
    fields: tuple[catalogue.Field, ...],
    data: Mapping[str, Any],
    errors: InvalidRecordData,
    *,
    line: int | None,
    unknown_allowed: bool,
    extra: frozenset[str] = frozenset({"lines"}),
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, attribute, decode in _plan(fields):
        if name not in data:
            errors.add(name, REQUIRED, line=line)
            continue
        try:
            values[attribute] = decode(data[name])
        except ValueError as error:
            errors.add(name, str(error), line=line)
    if not unknown_allowed:
        known = {item.name for item in fields} | set(extra)
        for name in data:
            if name not in known:
                errors.add(str(name), UNKNOWN_FIELD, line=line)
    return values


_PLANS: dict[int, tuple[tuple[catalogue.Field, ...], list[tuple[str, str, Any]]]] = {}


def _plan(fields: tuple[catalogue.Field, ...]) -> list[tuple[str, str, Any]]:
    """(wire name, model attribute, decoder) per field, worked out once per field tuple of
    the catalogue; references decode to the UUID text the store keeps."""
    cached = _PLANS.get(id(fields))
    if cached is not None and cached[0] is fields:
        return cached[1]
    plan = [(item.name, attribute_name(item), _ref_text_decoder(item) if item.kind == catalogue.REF
             else codecs.field_decoder(item)) for item in fields]
    _PLANS[id(fields)] = (fields, plan)
    return plan


def _ref_text_decoder(item: catalogue.Field):
    decode = codecs.field_decoder(item)

    def decode_ref_text(value: object) -> str | None:
        if value.__class__ is str and codecs.UUID_RE.match(value):
            return value.lower()
        decoded = decode(value)
        return None if decoded is None else str(decoded)

    return decode_ref_text


def _decode_id(value: object, errors: InvalidRecordData, *, line: int | None) -> str | None:
    if value is None:
        errors.add("id", REQUIRED, line=line)
        return None
    try:
        return codecs.uuid_text_from_wire(value)
    except ValueError as error:
        errors.add("id", str(error), line=line)
        return None


def decode_record_id(value: object) -> str:
    """A record id from the wire as the store keeps it: lower-case UUID string."""
    return codecs.uuid_text_from_wire(value)
