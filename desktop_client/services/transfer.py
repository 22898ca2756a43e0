"""Export and import of records as JSON lines, one record per line in the protocol's
record format (PROTOCOL.md, "A record on the wire").

Export writes every record with its ``version`` (0: not yet confirmed by the server).
Import applies the file's records as local edits, in one transaction: either every line
is valid and all of them are applied (and sent with the next sync), or nothing is, and
every bad line is reported with its number.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_client.store import Store
from desktop_client.store.record_data import InvalidRecordData, RecordValues, decode_record_id
from desktop_client.store.records import record_model
from desktop_client.store.sync_tables import OP_DELETE, OP_UPSERT, WireRecord
from desktop_client.store.wire import record_data_to_wire, record_to_wire, write_record
from desktop_client.services.errors import ReadOnlyRecordType, UnknownRecordType
from desktop_client.services.records import editable_record_type, record_type_named, validate_record_data
from sync_protocol import catalogue

# Keys of a record line; version-like keys are accepted (an export can be imported
# back) and ignored: an import is a local edit on top of whatever this computer has.
_RECORD_KEYS = {"type", "id", "op", "data"}
_IGNORED_KEYS = {"version", "base_version", "updated_at"}


@dataclass(frozen=True)
class ImportProblem:
    line_no: int
    messages: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line_no}: " + "; ".join(self.messages)


class ImportRejected(ValueError):
    """The file has invalid lines; nothing of it was applied."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.problems = problems
        count = len(problems)
        super().__init__(f"{count} invalid line{'s' if count != 1 else ''}; nothing was imported.")


@dataclass(frozen=True)
class ImportReport:
    created: int
    updated: int
    deleted: int
    unchanged: int


def records_export(store: Store, *, record_type: str | None = None) -> Iterator[WireRecord]:
    """Every record (of ``record_type``, or of every type in catalogue order) by id."""
    kinds = [record_type_named(record_type)] if record_type is not None else list(catalogue.RECORD_TYPES)
    with store.reading() as session:
        for kind in kinds:
            model = record_model(kind.name)
            query = select(model).order_by(model.id)
            if kind.has_lines:
                query = query.options(selectinload(model.lines))
            for record in session.scalars(query):
                yield record_to_wire(record)


@dataclass
class _Line:
    line_no: int
    record_type: catalogue.RecordType | None = None
    record_id: str | None = None
    op: str | None = None
    data: Any = None
    values: RecordValues | None = None
    problems: list[str] = field(default_factory=list)


def records_import(store: Store, lines: Iterable[str]) -> ImportReport:
    """Apply JSON-lines records as local edits, all or nothing; ``ImportRejected`` lists
    every bad line."""
    with store.transaction() as session:
        parsed = [_parse(line_no, text) for line_no, text in enumerate(lines, start=1) if text.strip()]
        _check_duplicates(parsed)
        planned = {(item.record_type.name, item.record_id): item.op for item in parsed if not item.problems}

        found_here: dict[tuple[str, str], bool] = {}  # many lines refer to the same few records

        def exists(ref_type: str, ref_id: str) -> bool:
            key = (ref_type, ref_id)
            if key in planned:
                return planned[key] == OP_UPSERT
            if key not in found_here:
                found_here[key] = session.get(record_model(ref_type), ref_id) is not None
            return found_here[key]

        for item in parsed:
            if not item.problems and item.op == OP_UPSERT:
                try:
                    item.values = validate_record_data(
                        session, item.record_type, item.data, lines_required=item.record_type.has_lines,
                        record_id=item.record_id, exists=exists,
                    )
                except InvalidRecordData as errors:
                    item.problems.extend(f"data.{message}" for message in errors.messages())
        problems = [ImportProblem(item.line_no, tuple(item.problems)) for item in parsed if item.problems]
        if problems:
            raise ImportRejected(problems)
        return _apply(session, parsed)


def _parse(line_no: int, text: str) -> _Line:
    item = _Line(line_no)
    try:
        raw = json.loads(text)
    except ValueError as error:
        item.problems.append(f"Not valid JSON ({getattr(error, 'msg', error)}).")
        return item
    if not isinstance(raw, dict):
        item.problems.append("Each line must be a JSON object describing one record.")
        return item
    for key in sorted(set(raw) - _RECORD_KEYS - _IGNORED_KEYS):
        item.problems.append(f"Unknown key {key!r}; a record line has type, id, op and data.")
    try:
        item.record_type = editable_record_type(raw["type"]) if "type" in raw else None
        if item.record_type is None:
            item.problems.append("type is required.")
    except (UnknownRecordType, ReadOnlyRecordType) as error:
        item.problems.append(str(error))
    except TypeError:
        item.problems.append("type must be a record type name.")
    try:
        item.record_id = decode_record_id(raw.get("id"))
    except ValueError as error:
        item.problems.append(f"id: {error}")
    item.op = raw.get("op")
    if item.op not in (OP_UPSERT, OP_DELETE):
        item.problems.append('op must be "upsert" or "delete".')
    elif item.op == OP_UPSERT and "data" not in raw:
        item.problems.append("data is required for an upsert.")
    elif item.op == OP_DELETE and "data" in raw:
        item.problems.append("A delete carries no data.")
    item.data = raw.get("data")
    return item


def _check_duplicates(parsed: list[_Line]) -> None:
    first_seen: dict[tuple[str, str], int] = {}
    for item in parsed:
        if item.record_type is None or item.record_id is None:
            continue
        key = (item.record_type.name, item.record_id)
        if key in first_seen:
            item.problems.append(f"This record already appeared on line {first_seen[key]}.")
        else:
            first_seen[key] = item.line_no


def _apply(session: Session, parsed: list[_Line]) -> ImportReport:
    created = updated = deleted = unchanged = 0
    with session.no_autoflush:  # one flush at the end captures every edit at once
        for item in parsed:
            counted = _apply_one(session, item)
            created += counted == "created"
            updated += counted == "updated"
            deleted += counted == "deleted"
            unchanged += counted == "unchanged"
    session.flush()
    return ImportReport(created=created, updated=updated, deleted=deleted, unchanged=unchanged)


def _apply_one(session: Session, item: _Line) -> str:
    assert item.record_type is not None and item.record_id is not None
    model = record_model(item.record_type.name)
    existing = session.get(model, item.record_id)
    if item.op == OP_DELETE:
        if existing is None:
            return "unchanged"  # already gone: importing the same file twice changes nothing
        session.delete(existing)
        return "deleted"
    assert item.values is not None
    before = record_data_to_wire(existing) if existing is not None else None
    record = write_record(session, model, item.record_id, item.values)
    if before is None:
        return "created"
    return "updated" if record_data_to_wire(record) != before else "unchanged"
