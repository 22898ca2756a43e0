"""The sync engine: exchanges messages with the server until both sides are caught up.

One ``sync()`` run: freeze a message (or take the one already frozen), send it with
bounded retries, apply its response in one local transaction, and go on while the server
has more changes or the outbox has more entries. The headless CLI and the window's
background worker both run this; ``cancel()`` may be called from another thread.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select

from desktop_client.store import Store
from desktop_client.store.sync_tables import OutboxEntry, SyncState
from desktop_client.sync.apply import ResponseOutcome, apply_response
from desktop_client.sync.errors import NodeRevoked, NotRegistered, ServerRefused, StaleMessage, SyncError
from desktop_client.sync.messages import (
    OutgoingMessage,
    abandon_inflight_message,
    current_or_new_message,
    withdraw_oversized_message,
)
from desktop_client.sync.responses import ExchangeResponse, parse_exchange_response
from desktop_client.sync.retry import RetryPolicy
from desktop_client.sync.transport import Transport
from sync_protocol import errors as codes
from sync_protocol import gc_pause

logger = logging.getLogger(__name__)

DEFAULT_BATCH_SIZE = 200  # local changes per message
DEFAULT_MAX_CHANGES = 1000  # server changes asked for per response (the server caps it)

NOT_REGISTERED_DETAIL = "This computer is not connected to a server yet; register it first."
REVOKED_DETAIL = (
    "An administrator revoked this computer's access to the server. Your data and unsent changes are kept; "
    "register this computer again to continue syncing."
)
STALE_DETAIL = (
    "The server has already received newer messages from this computer than it remembers; its database was "
    "probably restored from an older copy. Your unsent changes are kept; register this computer again to continue."
)


@dataclass(frozen=True)
class SyncProgress:
    """Where a running sync stands; sent to the progress callback."""

    messages: int
    sent: int  # local changes the server has answered for
    received: int  # server changes written locally
    pending: int  # local changes still waiting to be sent
    more_on_server: bool
    retry_in: float | None = None  # seconds until the next attempt, after a failure
    retry_reason: str | None = None


@dataclass
class SyncReport:
    """What a whole ``sync()`` run did."""

    messages: int = 0
    sent: int = 0
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    received: int = 0
    kept_local: int = 0
    resets_finished: int = 0
    dropped_by_reset: int = 0
    cancelled: bool = False

    def add(self, outcome: ResponseOutcome) -> None:
        self.messages += 1
        self.sent += outcome.settled
        self.applied += outcome.applied
        self.conflicts += outcome.conflicts
        self.rejected += outcome.rejected
        self.received += outcome.received
        self.kept_local += outcome.kept_local
        self.resets_finished += int(outcome.reset_finished)
        self.dropped_by_reset += outcome.dropped_by_reset


ProgressCallback = Callable[[SyncProgress], None]


class _Cancelled(Exception):
    """cancel() was called while waiting to send again."""


class SyncEngine:
    def __init__(
        self,
        store: Store,
        transport: Transport,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        max_changes: int = DEFAULT_MAX_CHANGES,
        retry_policy: RetryPolicy = RetryPolicy(),
        sleep: Callable[[float], object] | None = None,
    ) -> None:
        self.store = store
        self.transport = transport
        self.batch_size = batch_size
        self.max_changes = max_changes
        self.retry_policy = retry_policy
        self._cancelled = threading.Event()
        # Waiting on the event lets cancel() cut a backoff wait short.
        self._sleep = sleep or self._cancelled.wait

    def cancel(self) -> None:
        """Stop after the message in hand; safe to call from any thread."""
        self._cancelled.set()

    def sync(self, on_progress: ProgressCallback | None = None) -> SyncReport:
        """Exchange messages until caught up; raise ``SyncError`` on a failure that
        retrying did not cure. Everything applied before the failure stays applied."""
        self._cancelled.clear()
        token = self._check_can_sync()
        report = SyncReport()
        notify = on_progress or (lambda progress: None)
        batch_size = self.batch_size
        while True:
            if self._cancelled.is_set():
                report.cancelled = True
                return report
            with self.store.transaction() as session, gc_pause.collection_paused():
                message = current_or_new_message(session, batch_size=batch_size, max_changes=self.max_changes)
            try:
                raw = self._send(message, token, report, notify)
            except _Cancelled:
                report.cancelled = True  # the frozen message goes out with the next sync
                return report
            except ServerRefused as error:
                if error.code != codes.PAYLOAD_TOO_LARGE or not message.changes:
                    raise
                with self.store.transaction() as session:
                    withdraw_oversized_message(session, message, reason=error.detail)
                batch_size = max(1, len(message.changes) // 2)
                continue
            with gc_pause.collection_paused():  # a page's bulk work (sync_protocol.gc_pause)
                response = parse_exchange_response(raw, message_no=message.message_no)
                with self.store.transaction() as session:
                    outcome = apply_response(session, message, response)
            report.add(outcome)
            pending = self.pending_count()
            notify(self._progress(report, pending, response))
            if not self._should_continue(message, response, outcome, pending):
                return report

    def pending_count(self) -> int:
        with self.store.reading() as session:
            return session.scalar(select(func.count()).select_from(OutboxEntry).where(OutboxEntry.message_no.is_(None)))

    def _check_can_sync(self) -> str:
        with self.store.reading() as session:
            state = SyncState.load(session)
            if not state.is_registered:
                raise NotRegistered(NOT_REGISTERED_DETAIL)
            if state.revoked:
                raise NodeRevoked(REVOKED_DETAIL, code=codes.NODE_REVOKED, status=401)
            assert state.token is not None
            return state.token

    def _send(self, message: OutgoingMessage, token: str, report: SyncReport, notify: ProgressCallback) -> dict:
        delays = self.retry_policy.delays()
        attempt = 0
        while True:
            try:
                with gc_pause.collection_paused():  # reading a page of JSON is bulk work too
                    return self.transport.exchange(message.body, token=token)
            except NodeRevoked:
                self._mark_revoked()
                raise
            except StaleMessage as error:
                with self.store.transaction() as session:
                    abandon_inflight_message(session)
                raise StaleMessage(STALE_DETAIL, code=error.code, status=error.status) from error
            except SyncError as error:
                if not error.retryable or attempt >= len(delays):
                    raise
                if self._cancelled.is_set():
                    raise _Cancelled from error
                wait = delays[attempt]
                retry_after = getattr(error, "retry_after", None)
                if retry_after is not None:
                    wait = min(max(wait, retry_after), self.retry_policy.max_delay)
                attempt += 1
                logger.info(
                    "Sending message %s failed (%s); retry %s in %.1f s.", message.message_no, error, attempt, wait
                )
                notify(
                    SyncProgress(
                        messages=report.messages,
                        sent=report.sent,
                        received=report.received,
                        pending=self.pending_count(),
                        more_on_server=False,
                        retry_in=wait,
                        retry_reason=error.detail,
                    )
                )
                self._sleep(wait)
                if self._cancelled.is_set():
                    raise _Cancelled from error

    def _mark_revoked(self) -> None:
        with self.store.transaction() as session:
            SyncState.load(session).revoked = True

    @staticmethod
    def _should_continue(
        message: OutgoingMessage, response: ExchangeResponse, outcome: ResponseOutcome, pending: int
    ) -> bool:
        if response.more:
            return True
        if pending == 0:
            return False
        # Local changes are waiting. Go on, unless this message carried changes and the
        # server settled none of them: asking again at once would only spin.
        return not message.changes or outcome.settled > 0

    @staticmethod
    def _progress(report: SyncReport, pending: int, response: ExchangeResponse) -> SyncProgress:
        return SyncProgress(
            messages=report.messages,
            sent=report.sent,
            received=report.received,
            pending=pending,
            more_on_server=response.more,
        )
