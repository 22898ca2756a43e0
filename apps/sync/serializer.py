"""One serializer for every synced type, driven by the registry and the protocol catalogue.

- ``records_to_wire``: records as the server sends them (``version``, nested ``lines``,
  references as uuids), read with two queries per type whatever the page size.
- ``record_parse``: a record a node sent, checked against the catalogue, values decoded;
  ``RecordError`` carries per-field reasons (``lines.2.quantity`` for a line's field).
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from apps.sync import bulk_sql, registry
from sync_protocol import catalogue, codecs
from sync_protocol import errors as codes


@dataclass(frozen=True)
class LogEntry:
    """What the serializer needs of a change-log entry."""

    record_type: str
    record_uuid: uuid.UUID | str  # either: the serializer writes it out as text
    version: int
    op: str
    changed_at: dt.datetime


def _ref_lookup(name: str) -> str:
    return f"{name}__uuid"


def _columns(fields: Iterable[catalogue.Field]) -> list[str]:
    return [_ref_lookup(item.name) if item.kind == catalogue.REF else item.name for item in fields]


def _encoders(fields: tuple[catalogue.Field, ...]) -> list[tuple[str, object]]:
    return [(item.name, encode) for item, encode in codecs.field_encoders(fields)]


def _envelope(entry: LogEntry, op: str) -> dict:
    return {
        "type": entry.record_type,
        "id": str(entry.record_uuid),
        "op": op,
        "version": entry.version,
        "updated_at": codecs.datetime_to_wire(entry.changed_at),
    }


def records_to_wire(entries: list[LogEntry], using: str = "default") -> list[dict]:
    """Wire records for log entries, in the order given. A record deleted since its entry
    was read goes out as a tombstone."""
    by_type: dict[str, list[LogEntry]] = {}
    for entry in entries:
        by_type.setdefault(entry.record_type, []).append(entry)
    rendered: dict[tuple[str, uuid.UUID], dict] = {}
    for type_name, type_entries in by_type.items():
        options = registry.options_for_type(type_name)
        upserts = [entry for entry in type_entries if entry.op == codes.UPSERT]
        rows = _rows(options, [entry.record_uuid for entry in upserts], using)
        for entry in type_entries:
            row = rows.get(str(entry.record_uuid))
            if entry.op == codes.DELETE or row is None or row["is_deleted"]:
                rendered[(type_name, entry.record_uuid)] = _envelope(entry, codes.DELETE)
            else:
                record = _envelope(entry, codes.UPSERT)
                record["data"] = row["data"]
                rendered[(type_name, entry.record_uuid)] = record
    return [rendered[(entry.record_type, entry.record_uuid)] for entry in entries]


def _rows(options: registry.SyncOptions, uuids: list, using: str) -> dict[str, dict]:
    """Records by uuid text: deletion mark and wire data (lines included). Uuids are read
    as text where the database allows (``rows_of``): they are only written out."""
    if not uuids:
        return {}
    record_type = options.record_type
    model = options.model
    rows = {}
    by_pk = {}
    encoders = _encoders(record_type.fields)
    query = model.all_objects.using(using).filter(uuid__any_of=uuids).values_list(
        "pk", "uuid", "is_deleted", *_columns(record_type.fields)
    )
    for pk, record_uuid, is_deleted, *values in bulk_sql.rows_of(query, uuids_as_text=True):
        entry = {"is_deleted": is_deleted,
                 "data": {name: encode(value) for (name, encode), value in zip(encoders, values)}}
        rows[str(record_uuid)] = entry
        by_pk[pk] = entry
    if options.lines is not None:
        lines = options.lines
        for entry in by_pk.values():
            entry["data"]["lines"] = []
        parent_column = f"{lines.parent_field}_id"
        line_encoders = _encoders(record_type.line_fields)
        line_query = (
            lines.model.all_objects.using(using)
            .filter(**{f"{parent_column}__any_of": list(by_pk), "is_deleted": False})
            .order_by(parent_column, *(lines.model._meta.ordering or ["pk"]))
            .values_list(parent_column, "uuid", *_columns(record_type.line_fields))
        )
        for parent, line_uuid, *values in bulk_sql.rows_of(line_query, uuids_as_text=True):
            data = {"id": str(line_uuid)}
            data.update((name, encode(value)) for (name, encode), value in zip(line_encoders, values))
            by_pk[parent]["data"]["lines"].append(data)
    return rows


# --- incoming ---------------------------------------------------------------------------


class RecordError(Exception):
    """A record a node sent cannot be applied; ``fields`` says why, per field."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


@dataclass
class IncomingLine:
    id: uuid.UUID
    values: dict


@dataclass
class IncomingRecord:
    type_name: str
    id: uuid.UUID
    op: str
    base_version: int
    values: dict = field(default_factory=dict)
    lines: list[IncomingLine] | None = None
    raw: dict = field(default_factory=dict)


def record_identity(raw: object) -> tuple[object, object]:
    """(type, id) as the node sent them, for echoing back in a result."""
    if isinstance(raw, dict):
        return raw.get("type"), raw.get("id")
    return None, None


def record_parse(raw: object) -> IncomingRecord:
    """Check a record a node sent against the catalogue and decode its values."""
    if not isinstance(raw, dict):
        raise RecordError({"record": ["Each change must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    record_type = None
    type_name = raw.get("type")
    if not isinstance(type_name, str) or catalogue.find(type_name) is None:
        errors["type"] = [f"Unknown record type. Known types: {', '.join(catalogue.type_names())}."]
    else:
        record_type = catalogue.get(type_name)
        if record_type.read_only:
            errors["type"] = [f"Records of type {type_name!r} are read-only for nodes."]
    record_id = _decode_into(errors, "id", lambda: codecs.uuid_from_wire(raw.get("id")))
    op = raw.get("op")
    if op not in (codes.UPSERT, codes.DELETE):
        errors["op"] = ['Must be "upsert" or "delete".']
    base_version = raw.get("base_version")
    if isinstance(base_version, bool) or not isinstance(base_version, int) or not 0 <= base_version < 2**63:
        errors["base_version"] = ["Must be a whole number, 0 or greater."]

    values: dict = {}
    lines: list[IncomingLine] | None = None
    if op == codes.UPSERT and record_type is not None and not record_type.read_only:
        data = raw.get("data")
        if not isinstance(data, dict):
            errors["data"] = ["An upsert must carry its data as a JSON object."]
        else:
            values = _decode_fields(errors, record_type.fields, data, prefix="")
            if record_type.has_lines:
                lines = _decode_lines(errors, record_type, data.get("lines", _MISSING))
    if errors:
        raise RecordError(errors)
    return IncomingRecord(
        type_name=type_name, id=record_id, op=op, base_version=base_version, values=values, lines=lines, raw=raw
    )


_MISSING = object()


def _decode_into(errors: dict, key: str, decode):
    try:
        return decode()
    except ValueError as error:
        errors[key] = [str(error)]
        return None


def _decode_fields(errors: dict, fields, data: dict, prefix: str) -> dict:
    values = {}
    for item, decode in codecs.field_decoders(fields):
        if item.name not in data:
            errors[f"{prefix}{item.name}"] = ["This field is required."]
            continue
        try:
            values[item.name] = decode(data[item.name])
        except ValueError as error:
            errors[f"{prefix}{item.name}"] = [str(error)]
            values[item.name] = None
    return values


def _decode_lines(errors: dict, record_type: catalogue.RecordType, raw_lines) -> list[IncomingLine]:
    if raw_lines is _MISSING:
        errors["lines"] = ["This field is required: send every line of the record (an empty list for none)."]
        return []
    if not isinstance(raw_lines, list):
        errors["lines"] = ["Must be a list of lines."]
        return []
    if len(raw_lines) > MAX_LINES:
        errors["lines"] = [f"A record may have at most {MAX_LINES} lines."]
        return []
    lines = []
    seen: set[uuid.UUID] = set()
    for index, raw_line in enumerate(raw_lines):
        prefix = f"lines.{index}."
        if not isinstance(raw_line, dict):
            errors[f"lines.{index}"] = ["Each line must be a JSON object."]
            continue
        line_id = _decode_into(errors, f"{prefix}id", lambda raw_line=raw_line: codecs.uuid_from_wire(raw_line.get("id")))
        if line_id is not None and line_id in seen:
            errors[f"{prefix}id"] = ["The same line appears twice in this record."]
        seen.add(line_id)
        values = _decode_fields(errors, record_type.line_fields, raw_line, prefix=prefix)
        lines.append(IncomingLine(id=line_id, values=values))
    return lines


MAX_LINES = 2000
