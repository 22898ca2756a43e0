"""Conflicts and rejections: listing them and acting on them.

A conflict: the server had a newer change by someone else, so this computer took the
server's record and kept mine beside it. The user keeps the server's (the conflict is
closed) or re-applies mine (mine becomes a new local edit on top of the server's
version, sent with the next sync).

A rejection: the server found my change invalid. The user discards it (the record goes
back to the server's state) or edits and retries it (it becomes a new local edit).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop_client.store import Store, applying_server_changes
from desktop_client.store.outbox import note_local_change, pending_entry
from desktop_client.store.record_data import InvalidRecordData, decode_record_data
from desktop_client.store.records import record_model
from desktop_client.store.sync_tables import OP_DELETE, OP_UPSERT, Conflict, Rejection
from desktop_client.store.wire import write_record, write_server_record
from desktop_client.services.errors import NotFound
from desktop_client.services.records import input_to_wire, validate_record_data
from desktop_client.services.views import ConflictView, RecordView, RejectionView, differing_fields, record_view


def conflict_list(store: Store) -> list[ConflictView]:
    """Open conflicts, oldest first."""
    with store.reading() as session:
        return [_conflict_view(item) for item in session.scalars(select(Conflict).order_by(Conflict.id))]


def conflict_keep_server(store: Store, *, conflict_id: int) -> None:
    """Accept the server's record, which this computer already shows; mine is dropped."""
    with store.transaction() as session:
        session.delete(_conflict(session, conflict_id))


def conflict_reapply_mine(store: Store, *, conflict_id: int) -> RecordView | None:
    """Make my losing version a new local edit on top of the server's current version.

    Returns the record as it now is, or None when mine was a delete.
    """
    with store.transaction() as session:
        conflict = _conflict(session, conflict_id)
        model = record_model(conflict.record_type)
        record = session.get(model, conflict.record_id)
        mine = conflict.mine
        session.delete(conflict)
        if mine.get("op") == OP_DELETE:
            if record is not None:
                session.delete(record)
            return None
        # Mine was valid when it was typed; the catalogue may not have changed since,
        # but fields it no longer knows are ignored rather than blocking the user.
        values = decode_record_data(model.record_type, mine["data"], unknown_fields_allowed=True)
        version = None
        if record is None:
            # The server deleted it; mine re-creates it on top of that deletion's version.
            version = conflict.server.get("version", 0)
        record = write_record(session, model, conflict.record_id, values, version=version)
        session.flush()
        return record_view(record, has_unsent_change=pending_entry(session, record.record_type.name, record.id)
                           is not None)


def rejection_list(store: Store) -> list[RejectionView]:
    """Open rejections, oldest first."""
    with store.reading() as session:
        return [_rejection_view(item) for item in session.scalars(select(Rejection).order_by(Rejection.id))]


def rejection_discard(store: Store, *, rejection_id: int) -> None:
    """Give up the rejected change: the record returns to the server's state.

    If the user has edited the record again since, that newer edit stands and is sent;
    only the rejection is closed.
    """
    with store.transaction() as session:
        rejection = _rejection(session, rejection_id)
        if pending_entry(session, rejection.record_type, rejection.record_id) is None:
            with applying_server_changes(session):
                _restore_server_state(session, rejection)
        session.delete(rejection)


def rejection_retry(
    store: Store,
    *,
    rejection_id: int,
    values: Mapping[str, Any] | None = None,
    lines: Sequence[Mapping[str, Any]] | None = None,
) -> RecordView | None:
    """Send the rejected change again, with the corrections given (fields as in
    ``record_update``; ``lines`` replaces the change's lines). Returns the record, or
    None when the change was a delete."""
    with store.transaction() as session:
        rejection = _rejection(session, rejection_id)
        model = record_model(rejection.record_type)
        record_type = model.record_type
        change = rejection.change
        if change.get("op") == OP_DELETE:
            record = session.get(model, rejection.record_id)
            if record is not None:
                session.delete(record)
                session.flush()
            note_local_change(
                session,
                record_type=rejection.record_type,
                record_id=rejection.record_id,
                op=OP_DELETE,
                current_version=change.get("base_version", 0),
                server_record=rejection.server_record,
            )
            session.delete(rejection)
            return None
        data = dict(change["data"]) | input_to_wire(record_type, values or {}, lines)
        decoded = validate_record_data(session, record_type, data, lines_required=record_type.has_lines,
                                       record_id=rejection.record_id)
        record = write_record(session, model, rejection.record_id, decoded)
        session.flush()
        # Sent again even when nothing was corrected (e.g. a missing reference now exists).
        note_local_change(
            session,
            record_type=rejection.record_type,
            record_id=rejection.record_id,
            op=OP_UPSERT,
            current_version=record.version,
            server_record=rejection.server_record,
        )
        session.delete(rejection)
        return record_view(record, has_unsent_change=True)


def _restore_server_state(session: Session, rejection: Rejection) -> None:
    server = rejection.server_record
    if server is None:
        # The server never had the record: it exists only here, as the rejected change.
        record = session.get(record_model(rejection.record_type), rejection.record_id)
        if record is not None:
            session.delete(record)
        return
    try:
        write_server_record(session, server)
    except InvalidRecordData:  # pragma: no cover - it was stored from a checked response
        raise NotFound("The server's copy of this record could not be restored; sync to fetch it again.") from None


def _conflict(session: Session, conflict_id: int) -> Conflict:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFound("This conflict was already resolved.")
    return conflict


def _rejection(session: Session, rejection_id: int) -> Rejection:
    rejection = session.get(Rejection, rejection_id)
    if rejection is None:
        raise NotFound("This rejected change was already dealt with.")
    return rejection


def _conflict_view(conflict: Conflict) -> ConflictView:
    return ConflictView(
        id=conflict.id,
        record_type=conflict.record_type,
        record_id=conflict.record_id,
        base_version=conflict.base_version,
        mine=conflict.mine,
        server=conflict.server,
        differing_fields=differing_fields(conflict.mine, conflict.server),
        detected_at=conflict.detected_at,
    )


def _rejection_view(rejection: Rejection) -> RejectionView:
    return RejectionView(
        id=rejection.id,
        record_type=rejection.record_type,
        record_id=rejection.record_id,
        change=rejection.change,
        reasons=rejection.reasons,
        rejected_at=rejection.rejected_at,
    )


__all__ = [
    "conflict_keep_server",
    "conflict_list",
    "conflict_reapply_mine",
    "rejection_discard",
    "rejection_list",
    "rejection_retry",
]
