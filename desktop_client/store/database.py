"""The node's SQLite database: engine settings, sessions and the transaction helper."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from desktop_client.store.outbox import install_change_capture

# Execution option telling the "begin" hook which kind of transaction to start.
_BEGIN_MODE = "site_sync_begin_mode"


def create_node_engine(path: Path, *, foreign_keys: bool = True) -> Engine:
    """An engine on the file ``path`` with the settings every connection needs.

    SQLAlchemy emits BEGIN itself (the sqlite3 module's own transaction handling skips
    it for SELECTs, which would break read consistency), so a writer can ask for
    ``BEGIN IMMEDIATE``: it takes the write lock up front and waits for another writer
    (the window while a sync runs) instead of failing half-way with "database is locked".
    """
    engine = create_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def configure_connection(dbapi_connection, connection_record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" hook emits BEGIN
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            # FULL: a committed edit survives a power cut, not just an application crash.
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
            cursor.execute("PRAGMA busy_timeout=10000")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def begin_transaction(connection) -> None:
        mode = connection.get_execution_options().get(_BEGIN_MODE, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


class Store:
    """The local database of this node.

    ``transaction()`` for writes: one atomic unit, committed on success, rolled back on
    any exception. ``reading()`` for reads. Every session captures local edits into the
    outbox (see ``store.outbox``).
    """

    def __init__(self, engine: Engine, path: Path) -> None:
        self.engine = engine
        self.path = path
        # Objects stay readable after commit: services copy them into plain views, and
        # nothing relies on them refreshing themselves across transactions.
        self._sessions: sessionmaker[Session] = sessionmaker(engine, expire_on_commit=False)
        install_change_capture(self._sessions)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            session.connection(execution_options={_BEGIN_MODE: "IMMEDIATE"})
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
