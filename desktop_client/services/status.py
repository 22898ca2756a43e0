"""Where this computer stands with its server, for the status bar and ``status``."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from desktop_client.store import Store
from desktop_client.store.sync_tables import Conflict, OutboxEntry, Rejection, SyncState


@dataclass(frozen=True)
class SyncStatus:
    registered: bool
    server_url: str | None
    node_id: str | None
    node_name: str | None
    revoked: bool
    pending_changes: int  # records with a local change the server has not confirmed
    conflicts: int
    rejections: int
    last_sync_at: dt.datetime | None
    last_message_no: int
    message_in_flight: int | None  # frozen, waiting for its response
    ack: int
    reset_in_progress: bool


def pending_change_count(store: Store) -> int:
    """Records with a local change the server has not confirmed yet."""
    with store.reading() as session:
        return _pending_change_count(session)


def sync_status(store: Store) -> SyncStatus:
    with store.reading() as session:
        state = SyncState.load(session)
        return SyncStatus(
            registered=state.is_registered,
            server_url=state.server_url,
            node_id=state.node_id,
            node_name=state.node_name,
            revoked=state.revoked,
            pending_changes=_pending_change_count(session),
            conflicts=session.scalar(select(func.count()).select_from(Conflict)),
            rejections=session.scalar(select(func.count()).select_from(Rejection)),
            last_sync_at=state.last_sync_at,
            last_message_no=state.last_message_no,
            message_in_flight=state.inflight_message_no,
            ack=state.ack,
            reset_in_progress=state.reset_in_progress,
        )


def _pending_change_count(session: Session) -> int:
    # A record may have an entry in flight and a newer pending one: it counts once.
    records = select(OutboxEntry.record_type, OutboxEntry.record_id).distinct().subquery()
    return session.scalar(select(func.count()).select_from(records))
