"""Putting records into a test's store and reading them back, each in its own transaction
as the application would."""
from __future__ import annotations

from sqlalchemy import func, select

from desktop_client.store import applying_server_changes
from desktop_client.store.sync_tables import OutboxEntry, SyncState


def add_local(store, record):
    """A record the user created on this computer."""
    with store.transaction() as session:
        session.add(record)
    return record


def add_from_server(store, record, *, version: int):
    """A record as if it had arrived from the server at ``version``."""
    record.version = version
    with store.transaction() as session, applying_server_changes(session):
        session.add(record)
    return record


def edit(store, model, record_id, **values) -> None:
    with store.transaction() as session:
        record = session.get(model, record_id)
        for name, value in values.items():
            setattr(record, name, value)


def get(store, model, record_id):
    with store.reading() as session:
        record = session.get(model, record_id)
        if record is not None and hasattr(record, "lines"):
            list(record.lines)  # loaded while the session is open
        return record


def count(store, model) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(model))


def outbox(store) -> list[OutboxEntry]:
    with store.reading() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def state_of(store) -> SyncState:
    with store.reading() as session:
        return SyncState.load(session)
