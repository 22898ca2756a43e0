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

import contextlib
from collections.abc import Callable, Iterator

# Records noted before the notes are written on their own, mid-transaction.
PENDING_LIMIT = 1000


class TransactionCapture:
    """Change capture's state for the transaction open on one connection."""

    # Set by apps.sync.capture: writes the notes (and empties them) for a connection alias;
    # with trust_marks=False it reads the records' deletion marks (and existence) afresh.
    write: Callable[..., None] | None = None

    def __init__(self, in_transaction: Callable[[], bool]) -> None:
        self.in_transaction = in_transaction  # whether the driver has a transaction open
        self.quiet = 0  # > 0 while a save's own statements run, or while the notes are written
        self.reset()

    def reset(self) -> None:
        """The transaction ended: no lock held, nothing noted."""
        self.locked = False
        self.entries: dict[tuple[str, object], bool] = {}  # (type, uuid) -> deletion mark
        self.origin: int | None = None
        self.savepoints: dict[str, tuple[bool, dict, int | None]] = {}

    def before_statement(self, alias: str) -> None:
        if self.quiet:
            return
        if self.locked:
            self.holds_lock(alias)
        if self.entries:
            self.write_now(alias)

    def holds_lock(self, alias: str) -> bool:
        """Whether the open transaction holds the version lock, as far as capture saw it
        taken; checked against the driver, in case the transaction was ended through the
        driver itself, behind Django's back (the lock went with it)."""
        if self.locked and not self.in_transaction():
            self.locked = False
            self.savepoints.clear()
            # Committed or rolled back, capture cannot tell: the notes are written in what
            # runs next (a new transaction, the write taking the lock first) for the records
            # as they now are; rows that were rolled back get no entry.
            self.write_now(alias, trust_marks=False)
        return self.locked

    def write_now(self, alias: str, *, trust_marks: bool = True) -> None:
        if self.entries and self.write is not None:
            with self.quietly():
                self.write(alias, trust_marks=trust_marks)

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Statements run inside do not write the notes first."""
        self.quiet += 1
        try:
            yield
        finally:
            self.quiet -= 1


class CaptureAwareDatabaseWrapper:
    """Mixed into a Django ``DatabaseWrapper`` ahead of it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sync_capture = TransactionCapture(self._sync_in_transaction)
        # Every statement run through Django's cursors, held ones included, writes the notes first.
        self.execute_wrappers.append(self._sync_notes_first)

    def _sync_in_transaction(self) -> bool:
        raise NotImplementedError

    def _sync_notes_first(self, execute, sql, params, many, context):
        self.sync_capture.before_statement(self.alias)
        return execute(sql, params, many, context)

    def _commit(self):
        from django.db import DatabaseError

        state = self.sync_capture
        try:
            state.write_now(self.alias)
        except BaseException as error:
            # Nothing of the transaction may be committed without its entries, whatever the
            # caller does next (Django's atomic only rolls back on a database error).
            try:
                super()._rollback()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            finally:
                state.reset()
            if isinstance(error, Exception) and not isinstance(error, DatabaseError):
                raise DatabaseError(f"The change log could not be written before commit: {error!r}") from error
            raise
        try:
            return super()._commit()
        finally:
            state.reset()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self.sync_capture.reset()

    def _set_autocommit(self, autocommit):
        state = self.sync_capture
        if autocommit:
            state.write_now(self.alias)  # a driver may commit what is open when autocommit goes on
        super()._set_autocommit(autocommit)
        if autocommit:
            state.reset()

    def close(self):
        try:
            return super().close()
        finally:
            if self.connection is None or self.closed_in_transaction:  # (in-memory SQLite stays open)
                self.sync_capture.reset()

    def _savepoint(self, sid):
        state = self.sync_capture
        with state.quietly():
            super()._savepoint(sid)
        state.savepoints[sid] = (state.locked, dict(state.entries), state.origin)

    def _savepoint_rollback(self, sid):
        state = self.sync_capture
        with state.quietly():
            super()._savepoint_rollback(sid)
        if sid in state.savepoints:
            locked, entries, origin = state.savepoints[sid]
            state.locked, state.entries, state.origin = locked, dict(entries), origin

    def _savepoint_commit(self, sid):
        state = self.sync_capture
        with state.quietly():
            super()._savepoint_commit(sid)
        state.savepoints.pop(sid, None)
