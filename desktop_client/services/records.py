"""Reading and editing records: the calls behind the window's lists and forms.

Every edit runs in one store transaction, so its outbox entry is written with it.
Values come in keyed by wire field name, either as wire values (``"12.50"``,
``"2026-11-20"``) as a form's text fields produce them, or as Python values (``Decimal``,
``date``, ``UUID``). Lines are given as a list of mappings; a line without ``id`` is new,
a line left out is deleted. Invalid input raises ``InvalidRecordData`` with every reason
per field and per line; nothing is written then.
"""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from desktop_client.store import Store
from desktop_client.store.record_data import InvalidRecordData, RecordValues, decode_record_data, decode_record_id
from desktop_client.store.records import (
    DailyReport,
    Estimate,
    Record,
    Timesheet,
    User,
    WorkSpecification,
    line_model,
    record_model,
    references_of,
)
from desktop_client.store.sync_tables import OutboxEntry
from desktop_client.store.wire import record_data_to_wire, write_record
from desktop_client.services.errors import NotFound, ReadOnlyRecordType, RecordChanged, UnknownRecordType
from desktop_client.services.views import RecordView, record_view
from sync_protocol import catalogue

RecordExists = Callable[[str, str], bool]
"""``exists(record_type, record_id)``: whether a referenced record is (or will be) there."""

_LIST_ORDER = {
    "user": (User.username, User.id),
    "work_specification": (WorkSpecification.code, WorkSpecification.id),
    "estimate": (Estimate.date.desc(), Estimate.number, Estimate.id),
    "daily_report": (DailyReport.date.desc(), DailyReport.site, DailyReport.id),
    "timesheet": (Timesheet.date.desc(), Timesheet.site, Timesheet.id),
}


def record_type_named(name: str) -> catalogue.RecordType:
    record_type = catalogue.find(name)
    if record_type is None:
        raise UnknownRecordType(f"{name!r} is not a record type; use one of: {', '.join(catalogue.type_names())}.")
    return record_type


def editable_record_type(name: str) -> catalogue.RecordType:
    record_type = record_type_named(name)
    if record_type.read_only:
        raise ReadOnlyRecordType(
            f"{_label(name).capitalize()} records are managed on the server and cannot be changed on this computer."
        )
    return record_type


# --- reading ---------------------------------------------------------------------------

def record_list(store: Store, *, record_type: str, limit: int | None = None, offset: int = 0) -> list[RecordView]:
    """Records of one type in the order a list shows them (newest dates first)."""
    kind = record_type_named(record_type)
    model = record_model(kind.name)
    query = select(model).order_by(*_LIST_ORDER[kind.name]).offset(offset).limit(limit)
    if kind.has_lines:
        query = query.options(selectinload(model.lines))
    with store.reading() as session:
        unsent = set(session.scalars(select(OutboxEntry.record_id).where(OutboxEntry.record_type == kind.name)))
        return [record_view(record, has_unsent_change=record.id in unsent) for record in session.scalars(query)]


def record_get(store: Store, *, record_type: str, record_id: str) -> RecordView:
    kind = record_type_named(record_type)
    with store.reading() as session:
        return _view(session, _stored(session, kind, record_id))


# --- editing ---------------------------------------------------------------------------

def record_create(
    store: Store,
    *,
    record_type: str,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] = (),
    record_id: str | None = None,
) -> RecordView:
    kind = editable_record_type(record_type)
    new_id = _new_record_id(record_id)
    data = input_to_wire(kind, values, lines if kind.has_lines else None)
    with store.transaction() as session:
        if session.get(record_model(kind.name), new_id) is not None:
            raise InvalidRecordData(fields={"id": ["A record with this id already exists."]})
        decoded = validate_record_data(session, kind, data, lines_required=kind.has_lines, record_id=new_id)
        record = write_record(session, record_model(kind.name), new_id, decoded)
        return _view(session, record)


def record_update(
    store: Store,
    *,
    record_type: str,
    record_id: str,
    values: Mapping[str, Any] | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
    expected_updated_at: dt.datetime | None = None,
) -> RecordView:
    """Change the given fields (others keep their values); ``lines``, when given, is the
    record's complete new list of lines. ``expected_updated_at``: the ``updated_at`` of
    the view the form was filled from; if the record changed since, ``RecordChanged``."""
    kind = editable_record_type(record_type)
    with store.transaction() as session:
        record = _stored(session, kind, record_id)
        _check_unchanged(record, expected_updated_at)
        data = merged_wire_data(record, kind, values or {}, lines)
        decoded = validate_record_data(session, kind, data, lines_required=False, record_id=record.id,
                                       exists=_existing_or_kept_references(session, record))
        write_record(session, type(record), record.id, decoded)
        return _view(session, record)


def record_delete(
    store: Store, *, record_type: str, record_id: str, expected_updated_at: dt.datetime | None = None
) -> None:
    kind = editable_record_type(record_type)
    with store.transaction() as session:
        record = _stored(session, kind, record_id)
        _check_unchanged(record, expected_updated_at)
        session.delete(record)


def record_validate(
    store: Store,
    *,
    record_type: str,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None = None,
    record_id: str | None = None,
) -> InvalidRecordData | None:
    """Check a form without saving it: the reasons, or None when it would be accepted.
    With ``record_id`` the values are checked as an update of that record."""
    kind = editable_record_type(record_type)
    with store.reading() as session:
        try:
            if record_id is None:
                data = input_to_wire(kind, values, lines if kind.has_lines else None)
                new_id = str(uuid.uuid4())
                validate_record_data(session, kind, data, lines_required=kind.has_lines, record_id=new_id)
            else:
                record = _stored(session, kind, record_id)
                data = merged_wire_data(record, kind, values, lines)
                validate_record_data(session, kind, data, lines_required=False, record_id=record.id,
                                     exists=_existing_or_kept_references(session, record))
        except InvalidRecordData as errors:
            return errors
    return None


# --- shared with import and review ----------------------------------------------------

def validate_record_data(
    session: Session,
    record_type: catalogue.RecordType,
    data: Mapping[str, Any],
    *,
    lines_required: bool,
    record_id: str | None = None,
    exists: RecordExists | None = None,
) -> RecordValues:
    """Decode wire-shaped ``data`` and check that every reference points at a record on
    this computer (the server rejects references to records it does not have) and,
    given the ``record_id`` the data is for, that no line belongs to another record.
    All reasons are reported together, format and references alike."""
    exists = exists or (lambda ref_type, ref_id: session.get(record_model(ref_type), ref_id) is not None)
    reference_errors = InvalidRecordData()
    _check_references(record_type.fields, data, exists, reference_errors, line=None)
    raw_lines = data.get("lines")
    for index, line in enumerate(raw_lines if isinstance(raw_lines, list) else ()):
        if isinstance(line, Mapping):
            _check_references(record_type.line_fields or (), line, exists, reference_errors, line=index)
    if record_id is not None and record_type.has_lines and isinstance(raw_lines, list):
        _check_line_ownership(session, record_type, record_id, raw_lines, reference_errors)
    try:
        decoded = decode_record_data(record_type, data, unknown_fields_allowed=False, lines_required=lines_required)
    except InvalidRecordData as errors:
        errors.extend(reference_errors)
        raise
    if reference_errors:
        raise reference_errors
    return decoded


def input_to_wire(
    record_type: catalogue.RecordType, values: Mapping[str, Any], lines: Sequence[Mapping[str, Any]] | None
) -> dict[str, Any]:
    """Form input as wire data: Python values encoded, new lines given fresh ids."""
    fields = {field.name: field for field in record_type.fields}
    data = {name: _to_wire(fields.get(name), value) for name, value in values.items()}
    if lines is not None:
        line_fields = {field.name: field for field in record_type.line_fields or ()}
        data["lines"] = [
            {"id": line.get("id") or str(uuid.uuid4())}
            | {name: _to_wire(line_fields.get(name), value) for name, value in line.items() if name != "id"}
            for line in lines
        ]
    return data


def merged_wire_data(
    record: Record,
    record_type: catalogue.RecordType,
    values: Mapping[str, Any],
    lines: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    current = record_data_to_wire(record)
    current.pop("lines", None)
    return current | input_to_wire(record_type, values, lines)


def _existing_or_kept_references(session: Session, record: Record) -> RecordExists:
    """References the record already holds came from the server, which has their
    targets; only a new reference has to point at a record on this computer."""
    kept = references_of(record)
    return lambda ref_type, ref_id: (ref_type, ref_id) in kept or (
        session.get(record_model(ref_type), ref_id) is not None
    )


def _check_references(
    fields: tuple[catalogue.Field, ...],
    data: Mapping[str, Any],
    exists: RecordExists,
    errors: InvalidRecordData,
    *,
    line: int | None,
) -> None:
    for field in fields:
        if field.kind != catalogue.REF or field.ref is None:
            continue
        try:
            target = decode_record_id(data[field.name]) if data.get(field.name) is not None else None
        except ValueError:
            continue  # not an id at all: decoding reports that
        if target is not None and not exists(field.ref, target):
            errors.add(field.name, f"There is no {_label(field.ref)} with this id on this computer.", line=line)


def _check_line_ownership(
    session: Session,
    record_type: catalogue.RecordType,
    record_id: str,
    raw_lines: list[Any],
    errors: InvalidRecordData,
) -> None:
    lines_model = line_model(record_model(record_type.name))
    assert lines_model is not None
    positions: dict[str, int] = {}
    for index, line in enumerate(raw_lines):
        try:
            positions[decode_record_id(line.get("id"))] = index
        except (AttributeError, ValueError):
            continue  # not a line or not an id: decoding reports that
    if not positions:
        return
    parent = getattr(lines_model, lines_model.parent_key)
    taken = session.execute(
        select(lines_model.id).where(lines_model.id.in_(list(positions)), parent != record_id)
    ).scalars()
    for line_id in taken:
        errors.add("id", "This line belongs to another record.", line=positions[line_id])


def _to_wire(field: catalogue.Field | None, value: Any) -> Any:
    if field is None or value is None or isinstance(value, bool):
        return value  # unknown names and booleans are left for validation to judge
    if field.kind == catalogue.DECIMAL and isinstance(value, (Decimal, int)):
        return format(Decimal(value), "f")  # not rounded: too many places is the user's to fix
    if field.kind == catalogue.DATE and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value.isoformat()
    if field.kind == catalogue.REF and isinstance(value, uuid.UUID):
        return str(value)
    return value


def _check_unchanged(record: Record, expected_updated_at: dt.datetime | None) -> None:
    if expected_updated_at is not None and record.updated_at != expected_updated_at:
        raise RecordChanged(
            f"This {_label(record.record_type.name)} was changed after you opened it (by a sync or in another "
            "window). Reopen it to see the changes, then make yours again."
        )


def _stored(session: Session, record_type: catalogue.RecordType, record_id: str) -> Record:
    try:
        key = decode_record_id(record_id)
    except ValueError:
        raise NotFound(f"{record_id!r} is not a record id.") from None
    record = session.get(record_model(record_type.name), key)
    if record is None:
        raise NotFound(f"There is no {_label(record_type.name)} with id {key} on this computer.")
    return record


def _new_record_id(record_id: str | None) -> str:
    if record_id is None:
        return str(uuid.uuid4())
    try:
        return decode_record_id(record_id)
    except ValueError as error:
        raise InvalidRecordData(fields={"id": [str(error)]}) from None


def _view(session: Session, record: Record) -> RecordView:
    session.flush()  # the outbox entry of an edit in this transaction exists only after it
    entry = session.scalar(
        select(OutboxEntry.id)
        .where(OutboxEntry.record_type == record.record_type.name, OutboxEntry.record_id == record.id)
        .limit(1)
    )
    return record_view(record, has_unsent_change=entry is not None)


def _label(type_name: str) -> str:
    return type_name.replace("_", " ")
