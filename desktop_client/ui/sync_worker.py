"""The background sync: a ``QObject`` moved to its own ``QThread`` (Spyder's
``utils/workers.py`` pattern), running the same ``SyncEngine`` as ``python -m
desktop_client sync``.

It reports only by signals, with results and errors as signal data; it never touches a
widget. SQLite connections belong to the thread that made them, so the worker opens its
own ``Store`` on the node's database when its thread starts and closes it when it stops.
Registration runs here too, so that it can never interleave with a sync of the same
database.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop_client import services
from desktop_client.qt import QCoreApplication, QObject, QThread, QTimer, Signal, Slot
from desktop_client.store import Store, open_store
from desktop_client.sync import (
    AuthenticationFailed,
    HttpTransport,
    NodeRevoked,
    NotRegistered,
    RetryPolicy,
    StaleMessage,
    SyncEngine,
    SyncError,
    Transport,
    register_with_code,
    register_with_password,
)
from desktop_client.sync.engine import NOT_REGISTERED_DETAIL

logger = logging.getLogger(__name__)

TransportFactory = Callable[[str], Transport]

# The window retries on its own timer, so a sync gives up on a dead network after a few
# seconds and the status bar says "offline" instead of "syncing" for half a minute.
WINDOW_RETRY_POLICY = RetryPolicy(retries=2, first_delay=2.0, max_delay=10.0)

# After these the server will not talk to this computer until it registers again, so
# asking it every few minutes would only repeat the refusal.
_STOPS_SCHEDULE = (NodeRevoked, AuthenticationFailed, StaleMessage, NotRegistered)


@dataclass(frozen=True)
class PasswordRegistration:
    server_url: str
    username: str
    password: str = field(repr=False)
    node_name: str


@dataclass(frozen=True)
class CodeRegistration:
    code: str = field(repr=False)  # carries the token
    server_url: str | None = None


class SyncWorker(QObject):
    sync_started = Signal()
    progress = Signal(object)  # SyncProgress
    finished = Signal(object)  # SyncReport
    failed = Signal(object)  # SyncError, or any other exception (a bug) as data
    registered = Signal(object)  # NodeIdentity
    registration_failed = Signal(object)  # SyncError or ValueError

    def __init__(
        self,
        database_path: Path,
        *,
        interval_ms: int,
        transport_factory: TransportFactory = HttpTransport,
        retry_policy: RetryPolicy = WINDOW_RETRY_POLICY,
    ) -> None:
        super().__init__()
        self._database_path = database_path
        self._interval_ms = interval_ms
        self._transport_factory = transport_factory
        self._retry_policy = retry_policy
        self._store: Store | None = None
        self._timer: QTimer | None = None
        self._engine: SyncEngine | None = None

    # --- in the worker's thread --------------------------------------------------------

    @Slot()
    def start(self) -> None:
        """Connected to the thread's ``started``: everything made here lives in that thread."""
        self._store = open_store(self._database_path)
        self._timer = QTimer(self)
        self._timer.setInterval(self._interval_ms)
        self._timer.timeout.connect(self.sync_now)
        status = services.sync_status(self._store)
        if status.registered and not status.revoked:
            self._timer.start()

    @Slot(int)
    def set_interval(self, interval_ms: int) -> None:
        self._interval_ms = interval_ms
        if self._timer is not None:
            self._timer.setInterval(interval_ms)  # a running timer restarts with it

    @Slot()
    def sync_now(self) -> None:
        if self._store is None:
            return
        self.sync_started.emit()
        try:
            report = self._sync(self._store)
        except Exception as error:  # noqa: BLE001 - every failure goes to the window as data
            if not isinstance(error, SyncError):
                logger.exception("Sync failed unexpectedly")
            if isinstance(error, _STOPS_SCHEDULE) and self._timer is not None:
                self._timer.stop()
            self.failed.emit(error)
            return
        self.finished.emit(report)

    @Slot(object)
    def register(self, request: PasswordRegistration | CodeRegistration) -> None:
        if self._store is None:
            return
        try:
            if isinstance(request, PasswordRegistration):
                transport = self._transport_factory(request.server_url)
                try:
                    identity = register_with_password(
                        self._store,
                        transport,
                        server_url=request.server_url,
                        username=request.username,
                        password=request.password,
                        node_name=request.node_name,
                    )
                finally:
                    close_transport(transport)
            else:
                identity = register_with_code(self._store, code=request.code, server_url=request.server_url)
        except (SyncError, ValueError) as error:
            self.registration_failed.emit(error)
            return
        except Exception as error:  # noqa: BLE001 - a bug, reported like a failure
            logger.exception("Registration failed unexpectedly")
            self.registration_failed.emit(error)
            return
        if self._timer is not None:
            self._timer.start()
        self.registered.emit(identity)

    @Slot()
    def stop(self) -> None:
        """The last call: stop the timer, close the store, end the thread."""
        if self._timer is not None:
            self._timer.stop()
        if self._store is not None:
            self._store.close()
            self._store = None
        thread = QThread.currentThread()
        # Hand the worker back to the main thread, so that whoever deletes it later does
        # so from the thread it belongs to.
        self.moveToThread(QCoreApplication.instance().thread())
        thread.quit()

    # --- from any thread -----------------------------------------------------------

    def cancel(self) -> None:
        """Stop a running sync after the message in hand (cuts a retry wait short)."""
        engine = self._engine
        if engine is not None:
            engine.cancel()

    # --- helpers -------------------------------------------------------------------

    def _sync(self, store: Store):
        status = services.sync_status(store)
        if not status.registered or status.server_url is None:
            raise NotRegistered(NOT_REGISTERED_DETAIL)
        transport = self._transport_factory(status.server_url)
        self._engine = SyncEngine(store, transport, retry_policy=self._retry_policy)
        try:
            return self._engine.sync(on_progress=self.progress.emit)
        finally:
            self._engine = None
            close_transport(transport)


def close_transport(transport: object) -> None:
    close = getattr(transport, "close", None)
    if callable(close):
        close()
