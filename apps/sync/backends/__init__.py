"""Database backends for the server: Django's own, plus what change capture needs to
defer a transaction's change-log entries (``apps.sync.capture``).

Saving a thousand records in one transaction used to write a thousand log entries one
statement at a time. Once a transaction holds the version lock, a save now only notes
its record here; the notes are written together, with one statement, before anything
else is read or written through the connection, before every commit, and whenever
``PENDING_LIMIT`` records wait. A rolled-back savepoint takes back the notes made
after it (and the lock, when the lock was taken after it), as the database does.

``project.settings`` swaps Django's PostgreSQL and SQLite engines for the two below.
With any other engine capture still works, one entry per save, as before.
"""
from __future__ import annotations

from collections.abc import Callable

# Records noted before the notes are written on their own, mid-transaction.
PENDING_LIMIT = 1000


class TransactionCapture:
    """Change capture's state for the transaction open on one connection."""

    # Set by apps.sync.capture: writes the notes (and empties them) for a connection alias.
    write: Callable[[str], None] | None = None

    def __init__(self) -> None:
        self.quiet = 0  # > 0 while a save's own statements run, or while the notes are written
        self.reset()

    def reset(self) -> None:
        """The transaction ended: no lock held, nothing noted."""
        self.locked = False
        self.entries: dict[tuple[str, object], bool] = {}  # (type, uuid) -> deletion mark
        self.origin: int | None = None
        self.savepoints: dict[str, tuple[bool, dict, int | None]] = {}

    def before_statement(self, alias: str) -> None:
        if self.entries and not self.quiet:
            self.write_now(alias)

    def write_now(self, alias: str) -> None:
        if self.entries and self.write is not None:
            self.quiet += 1
            try:
                self.write(alias)
            finally:
                self.quiet -= 1


class CaptureAwareDatabaseWrapper:
    """Mixed into a Django ``DatabaseWrapper`` ahead of it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sync_capture = TransactionCapture()

    def cursor(self):
        self.sync_capture.before_statement(self.alias)
        return super().cursor()

    def chunked_cursor(self):
        self.sync_capture.before_statement(self.alias)
        return super().chunked_cursor()

    def _commit(self):
        state = self.sync_capture
        try:
            try:
                state.write_now(self.alias)
            except Exception as error:
                from django.db import DatabaseError

                if isinstance(error, DatabaseError):
                    raise
                # Anything else still has to make the caller roll the transaction back.
                raise DatabaseError(f"The change log could not be written before commit: {error!r}") from error
            return super()._commit()
        finally:
            state.reset()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.sync_capture.reset()

    def close(self):
        try:
            return super().close()
        finally:
            self.sync_capture.reset()

    def _savepoint(self, sid):
        state = self.sync_capture
        state.quiet += 1
        try:
            super()._savepoint(sid)
        finally:
            state.quiet -= 1
        state.savepoints[sid] = (state.locked, dict(state.entries), state.origin)

    def _savepoint_rollback(self, sid):
        state = self.sync_capture
        state.quiet += 1
        try:
            super()._savepoint_rollback(sid)
        finally:
            state.quiet -= 1
        if sid in state.savepoints:
            locked, entries, origin = state.savepoints[sid]
            state.locked, state.entries, state.origin = locked, dict(entries), origin

    def _savepoint_commit(self, sid):
        state = self.sync_capture
        state.quiet += 1
        try:
            super()._savepoint_commit(sid)
        finally:
            state.quiet -= 1
        state.savepoints.pop(sid, None)
