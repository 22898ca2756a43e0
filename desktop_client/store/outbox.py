"""Change capture: every local edit of a record, or of one of its lines, lands in the
outbox in the same transaction as the edit.

One ``before_flush`` listener on the session factory reads ``session.new``, ``dirty`` and
``deleted`` (the approach of SQLAlchemy's ``examples/versioned_history``). Changes the
sync engine applies from the server run inside ``applying_server_changes(session)`` and
are not captured: they are the server's, not this node's.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, attributes, sessionmaker

from desktop_client.store.column_types import utc_now
from desktop_client.store.records import Line, Record
from desktop_client.store.sync_tables import OP_DELETE, OP_UPSERT, OutboxEntry, Rejection, WireRecord
from desktop_client.store.wire import read_stored_record

_APPLYING_SERVER_CHANGES = "site_sync.applying_server_changes"


def install_change_capture(session_factory: sessionmaker[Session]) -> None:
    event.listen(session_factory, "before_flush", _capture_local_changes)


@contextmanager
def applying_server_changes(session: Session) -> Iterator[Session]:
    """Apply changes that came from the server: they stay out of the outbox.

    Flushes on the way in, so local edits made before are captured as local edits, and
    on the way out, so everything done inside is flushed while the flag still holds.
    """
    session.flush()
    previous = session.info.get(_APPLYING_SERVER_CHANGES, False)
    session.info[_APPLYING_SERVER_CHANGES] = True
    try:
        yield session
        session.flush()
    finally:
        session.info[_APPLYING_SERVER_CHANGES] = previous


def is_applying_server_changes(session: Session) -> bool:
    return bool(session.info.get(_APPLYING_SERVER_CHANGES))


def pending_entry(session: Session, record_type: str, record_id: str) -> OutboxEntry | None:
    """The entry still open for edits of this record, if any."""
    return session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.record_type == record_type,
            OutboxEntry.record_id == record_id,
            OutboxEntry.message_no.is_(None),
        )
    ).first()


def in_flight_entry(session: Session, record_type: str, record_id: str) -> OutboxEntry | None:
    """The entry of this record frozen into the message waiting for its response, if any."""
    return session.scalars(
        select(OutboxEntry).where(
            OutboxEntry.record_type == record_type,
            OutboxEntry.record_id == record_id,
            OutboxEntry.message_no.is_not(None),
        )
    ).first()


def note_local_change(
    session: Session,
    *,
    record_type: str,
    record_id: str,
    op: str,
    current_version: int,
    server_record: WireRecord | None,
) -> None:
    """Open (or update) the record's pending outbox entry although no column changed,
    e.g. to send a rejected change again as it is. ``server_record`` is the server's
    state of the record as far as this node knows."""
    session.flush()
    lookup = _OutboxLookup.for_one(session, record_type, record_id)
    _note_local_change(
        session, record_type, record_id, op, current_version, lookup=lookup, server_record=server_record
    )
    session.flush()


_READ_FROM_DATABASE: Any = object()
_LOOKUP_CHUNK = 500  # ids per IN (...) query, well below SQLite's parameter limit


class _OutboxLookup:
    """The outbox entries and open rejections of a set of records, loaded at once: one
    flush may carry thousands of changed records (an import)."""

    def __init__(self, session: Session, keys: list[tuple[str, str]]) -> None:
        self.pending: dict[tuple[str, str], OutboxEntry] = {}
        self.in_flight: dict[tuple[str, str], OutboxEntry] = {}
        self.rejections: dict[tuple[str, str], Rejection] = {}
        wanted = set(keys)
        ids = sorted({record_id for _, record_id in wanted})
        for start in range(0, len(ids), _LOOKUP_CHUNK):
            chunk = ids[start:start + _LOOKUP_CHUNK]
            for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.record_id.in_(chunk))):
                key = (entry.record_type, entry.record_id)
                if key in wanted:
                    (self.pending if entry.message_no is None else self.in_flight)[key] = entry
            for rejection in session.scalars(
                select(Rejection).where(Rejection.record_id.in_(chunk)).order_by(Rejection.id)
            ):
                key = (rejection.record_type, rejection.record_id)
                if key in wanted:
                    self.rejections[key] = rejection  # the newest one wins

    @classmethod
    def for_one(cls, session: Session, record_type: str, record_id: str) -> _OutboxLookup:
        return cls(session, [(record_type, record_id)])


def _note_local_change(
    session: Session,
    record_type: str,
    record_id: str,
    op: str,
    current_version: int,
    *,
    lookup: _OutboxLookup,
    server_record: WireRecord | None = _READ_FROM_DATABASE,
    model: type[Record] | None = None,
) -> None:
    key = (record_type, record_id)
    pending = lookup.pending.get(key)
    in_flight = lookup.in_flight.get(key)
    never_sent = current_version == 0 and in_flight is None
    if pending is not None:
        if op == OP_DELETE and never_sent and pending.base_version == 0:
            session.delete(pending)  # created and deleted before the server heard of it
        else:
            pending.op = op
        return
    if op == OP_DELETE and never_sent:
        return
    if in_flight is not None:
        # The in-flight message's result will rebase this entry (see sync.apply).
        base_version = in_flight.base_version
        server_copy = in_flight.server_record
    else:
        base_version = current_version
        server_copy = server_record
        if server_copy is _READ_FROM_DATABASE:
            server_copy = _server_copy_before_edit(session, lookup.rejections.get(key), record_id, current_version,
                                                   model)
    session.add(
        OutboxEntry(
            record_type=record_type,
            record_id=record_id,
            op=op,
            base_version=base_version,
            server_record=server_copy,
            created_at=utc_now(),
        )
    )


def _server_copy_before_edit(
    session: Session, rejection: Rejection | None, record_id: str, current_version: int, model: type[Record] | None
) -> WireRecord | None:
    if current_version == 0:
        return None
    # A change the server rejected stays in the record; the rejection knows the server's.
    if rejection is not None:
        return rejection.server_record
    assert model is not None
    return read_stored_record(session, model, record_id)


def _capture_local_changes(session: Session, flush_context: object, instances: object) -> None:
    if is_applying_server_changes(session):
        return
    changed: dict[tuple[type[Record], str], tuple[Record, str]] = {}

    def note(record: Record, op: str) -> None:
        key = (type(record), record.id)
        if op == OP_DELETE or key not in changed:
            changed[key] = (record, op)

    for obj in session.new:
        if isinstance(obj, Record):
            note(obj, OP_UPSERT)
        elif isinstance(obj, Line) and (parent := _parent_of(session, obj)) is not None:
            note(parent, OP_UPSERT)
    for obj in session.dirty:
        if not isinstance(obj, (Record, Line)) or not session.is_modified(obj):
            continue
        if isinstance(obj, Record):
            note(obj, OP_UPSERT)
        elif (parent := _parent_of(session, obj)) is not None:
            note(parent, OP_UPSERT)
    for obj in session.deleted:
        if isinstance(obj, Record):
            note(obj, OP_DELETE)
        elif isinstance(obj, Line) and (parent := _parent_of(session, obj)) is not None:
            note(parent, OP_DELETE if parent in session.deleted else OP_UPSERT)

    if not changed:
        return
    now = utc_now()
    with session.no_autoflush:
        lookup = _OutboxLookup(session, [(model.record_type.name, record_id) for model, record_id in changed])
        for (model, record_id), (record, op) in changed.items():
            if op == OP_UPSERT:
                record.updated_at = now
            _note_local_change(
                session, model.record_type.name, record_id, op, record.version or 0, lookup=lookup, model=model
            )


def _parent_of(session: Session, line: Line) -> Record | None:
    """The record a line belongs (or belonged, for a line being removed) to."""
    parent = getattr(line, line.parent_relationship)
    if parent is not None:
        return parent
    history = attributes.get_history(line, line.parent_key)
    for parent_id in (*history.added, *history.unchanged, *history.deleted):
        if parent_id is not None:
            return session.get(line.parent_model, parent_id)
    return None
