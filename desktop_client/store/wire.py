"""Local records <-> records in the protocol's wire format."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_client.store.column_types import utc_now
from desktop_client.store.record_data import LineValues, RecordValues, decode_record_data
from desktop_client.store.records import Line, Record, attribute_name, line_model, record_model
from desktop_client.store.sync_tables import OP_DELETE, OP_UPSERT, WireRecord
from sync_protocol import catalogue, codecs


def record_to_wire(record: Record) -> WireRecord:
    """The record as the server would send it: with ``version`` and nested lines."""
    return {
        "type": record.record_type.name,
        "id": record.id,
        "op": OP_UPSERT,
        "version": record.version,
        "updated_at": codecs.datetime_to_wire(record.updated_at),
        "data": record_data_to_wire(record),
    }


def record_data_to_wire(record: Record) -> dict[str, Any]:
    record_type = record.record_type
    data = _fields_to_wire(record_type.fields, lambda name: getattr(record, name))
    if record_type.has_lines:
        data["lines"] = [line_to_wire(record_type, line) for line in record.lines]
    return data


def line_to_wire(record_type: catalogue.RecordType, line: Line) -> dict[str, Any]:
    return {"id": line.id, **_fields_to_wire(record_type.line_fields or (), lambda name: getattr(line, name))}


def deleted_record_wire(record_type: str, record_id: str) -> WireRecord:
    return {"type": record_type, "id": record_id, "op": OP_DELETE}


def read_stored_record(session: Session, model: type[Record], record_id: str) -> WireRecord | None:
    """The record as stored in the database right now, bypassing the session's objects.

    Inside ``before_flush`` the objects already hold the user's new values while the
    database still holds the state before them; this reads the latter.
    """
    record_type = model.record_type
    stored = stored_records(session, [(record_type.name, record_id)]).get((record_type.name, record_id))
    if stored is None:
        return None
    return {
        "type": record_type.name,
        "id": record_id,
        "op": OP_UPSERT,
        "version": stored["version"],
        "updated_at": codecs.datetime_to_wire(stored["updated_at"]),
        "data": stored["data"],
    }


def stored_records(session: Session, keys: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, Any]]:
    """``{"version", "updated_at", "data"}`` of the stored records named by ``(type, id)`` keys, data in
    wire form with lines in their order; read as rows, a query per type and 500 ids (and as
    many for lines), bypassing the session's objects. Missing records are left out."""
    ids_by_type: dict[str, list[str]] = {}
    for record_type, record_id in keys:
        ids_by_type.setdefault(record_type, []).append(record_id)
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for type_name, ids in ids_by_type.items():
        model = record_model(type_name)
        record_type = model.record_type
        table = model.__table__
        lines_model = line_model(model)
        for start in range(0, len(ids), _READ_CHUNK):
            chunk = ids[start:start + _READ_CHUNK]
            for row in session.execute(select(table).where(table.c.id.in_(chunk))).mappings():
                found[(type_name, row["id"])] = {
                    "version": row["version"], "updated_at": row["updated_at"],
                    "data": _fields_to_wire(record_type.fields, row.__getitem__),
                }
            if lines_model is None:
                continue
            for row in _found_in(found, type_name, chunk):
                row["data"]["lines"] = []
            lines_table = lines_model.__table__
            parent = lines_table.c[lines_model.parent_key]
            rows = session.execute(
                select(lines_table).where(parent.in_(chunk)).order_by(parent, lines_table.c.sort_index, lines_table.c.id)
            ).mappings()
            line_fields = record_type.line_fields or ()
            for line in rows:
                record = found.get((type_name, line[lines_model.parent_key]))
                if record is not None:
                    record["data"]["lines"].append({"id": line["id"], **_fields_to_wire(line_fields, line.__getitem__)})
    return found


def _found_in(found: dict, type_name: str, ids: list[str]):
    return [found[(type_name, record_id)] for record_id in ids if (type_name, record_id) in found]


def references_in_data(record_type: catalogue.RecordType, data: dict[str, Any]) -> set[tuple[str, str]]:
    """``(record type, id)`` of every record that wire ``data`` (and its lines) refer to."""
    found: set[tuple[str, str]] = set()
    sources = [(data, record_type.fields)]
    sources += [(line, record_type.line_fields or ()) for line in data.get("lines", ())]
    for source, fields in sources:
        for item in fields:
            if item.kind == catalogue.REF and item.ref is not None and source.get(item.name) is not None:
                found.add((item.ref, source[item.name]))
    return found


_READ_CHUNK = 500  # ids per IN (...), well below SQLite's parameter limit


def write_record(
    session: Session,
    model: type[Record],
    record_id: str,
    values: RecordValues,
    *,
    version: int | None = None,
    updated_at: dt.datetime | None = None,
) -> Record:
    """Create or update the record ``record_id`` with ``values``; lines are replaced
    when given: matched by id, new ones added, missing ones deleted."""
    record = session.get(model, record_id)
    if record is None:
        record = model(id=record_id, version=0, updated_at=updated_at or utc_now())
        session.add(record)
    for name, value in values.values.items():
        setattr(record, name, value)
    if version is not None:
        record.version = version
    if updated_at is not None:
        record.updated_at = updated_at
    if values.lines is not None:
        replace_lines(record, values.lines)
    return record


def replace_lines(record: Record, lines: tuple[LineValues, ...]) -> None:
    lines_model = line_model(type(record))
    assert lines_model is not None, f"{record.record_type.name} has no lines"
    existing: dict[str, Line] = {line.id: line for line in record.lines}
    ordered: list[Line] = []
    for item in lines:
        line = existing.pop(item.id, None) or lines_model(id=item.id)
        for name, value in item.values.items():
            setattr(line, name, value)
        ordered.append(line)
    # Lines left out become orphans, which the relationship's cascade deletes.
    record.lines = ordered
    # Assigning a list numbers only the lines new to it; lines the record already had
    # would keep their old place (the office's reordering would never show here).
    record.lines.reorder()


def write_server_record(session: Session, wire: WireRecord) -> Record | None:
    """Make the local record equal to the server's record ``wire`` (an upsert with
    ``version``, or a delete); return it, or None after a delete.

    Raises ``InvalidRecordData`` when the data does not fit the record type. The caller
    runs this inside ``applying_server_changes``: it is the server's change, not ours.
    """
    model = record_model(wire["type"])
    if wire["op"] == OP_DELETE:
        record = session.get(model, wire["id"])
        if record is not None:
            session.delete(record)
        return None
    values = decode_record_data(model.record_type, wire.get("data"), unknown_fields_allowed=True)
    try:
        updated_at = codecs.datetime_from_wire(wire.get("updated_at"))
    except ValueError:
        updated_at = utc_now()  # a server that omits it: the time we learnt of the change
    return write_record(session, model, wire["id"], values, version=wire["version"], updated_at=updated_at)


def _fields_to_wire(fields: tuple[catalogue.Field, ...], read) -> dict[str, Any]:
    return {item.name: encode(read(attribute_name(item))) for item, encode in codecs.field_encoders(fields)}
