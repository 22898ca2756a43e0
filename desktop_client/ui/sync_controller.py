"""The window's side of the background sync: owns the worker's thread, turns the
worker's signals into one connection state for the status bar, and announces "data
changed" after every sync (a failed one may have applied some messages before failing).

Requests go to the worker as queued signals, so the GUI thread never waits for the
network; only ``cancel`` is a direct call, which the engine allows from any thread.
"""
from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass
from pathlib import Path

from desktop_client import services
from desktop_client.qt import QObject, QRunnable, QThread, QThreadPool, Signal
from desktop_client.sync import (
    CertificateInvalid,
    HttpTransport,
    NetworkUnavailable,
    NodeRevoked,
    NotRegistered,
    RetryPolicy,
    SyncError,
    SyncProgress,
    SyncReport,
)
from desktop_client.sync.transport import normalize_server_url
from desktop_client.ui.context import AppContext
from desktop_client.ui.sync_worker import (
    WINDOW_RETRY_POLICY,
    CodeRegistration,
    PasswordRegistration,
    SyncWorker,
    TransportFactory,
    close_transport,
)

logger = logging.getLogger(__name__)

MINUTE_MS = 60_000


class ConnectionState(enum.Enum):
    NOT_CONNECTED = "not_connected"  # never registered
    WAITING = "waiting"  # registered, no sync yet in this session
    SYNCING = "syncing"
    ONLINE = "online"  # the last sync went through
    OFFLINE = "offline"  # the last sync could not reach the server
    ERROR = "error"  # the server answered with a failure, or a bug
    REVOKED = "revoked"  # an admin revoked this computer: syncing stopped


@dataclass(frozen=True)
class ConnectionCheck:
    server_url: str
    ok: bool
    error: Exception | None = None


class SyncController(QObject):
    state_changed = Signal()
    progress_changed = Signal(object)  # SyncProgress
    sync_finished = Signal(object)  # SyncReport
    sync_failed = Signal(object)  # the error
    registered = Signal(object)  # NodeIdentity
    registration_failed = Signal(object)
    connection_checked = Signal(object)  # ConnectionCheck

    # Requests to the worker; queued, since the worker lives in another thread.
    _sync_requested = Signal()
    _registration_requested = Signal(object)
    _interval_requested = Signal(int)
    _stop_requested = Signal()

    def __init__(
        self,
        context: AppContext,
        *,
        transport_factory: TransportFactory = HttpTransport,
        retry_policy: RetryPolicy = WINDOW_RETRY_POLICY,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._transport_factory = transport_factory
        self.state = self._resting_state()
        self.last_error: Exception | None = None
        self.last_report: SyncReport | None = None
        self.progress: SyncProgress | None = None
        self.syncing_since: dt.datetime | None = None
        self._checks = QThreadPool(self)
        self._thread = QThread(self)
        self._thread.setObjectName("sync")
        self._worker = SyncWorker(
            Path(context.store.path),
            interval_ms=context.settings.sync_interval_minutes * MINUTE_MS,
            transport_factory=transport_factory,
            retry_policy=retry_policy,
        )
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.start)
        self._sync_requested.connect(self._worker.sync_now)
        self._registration_requested.connect(self._worker.register)
        self._interval_requested.connect(self._worker.set_interval)
        self._stop_requested.connect(self._worker.stop)
        self._worker.sync_started.connect(self._on_sync_started)
        self._worker.progress.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self._worker.failed.connect(self._on_failed)
        self._worker.registered.connect(self._on_registered)
        self._worker.registration_failed.connect(self.registration_failed)
        self._running = False

    # --- life --------------------------------------------------------------------

    def start(self, *, sync_at_once: bool = True) -> None:
        self._thread.start()
        self._running = True
        if sync_at_once and self.state not in (ConnectionState.NOT_CONNECTED, ConnectionState.REVOKED):
            self.sync_now()

    def shutdown(self) -> None:
        """Stop syncing and end the thread; a sync in progress stops after its message."""
        if self._running:
            self._running = False
            self._worker.cancel()
            self._stop_requested.emit()
            self._thread.wait()
        self._checks.waitForDone()

    # --- requests ----------------------------------------------------------------

    @property
    def is_syncing(self) -> bool:
        return self.state is ConnectionState.SYNCING

    def sync_now(self) -> None:
        if self._running and not self.is_syncing:
            self._sync_requested.emit()

    def set_interval_minutes(self, minutes: float) -> None:
        self._interval_requested.emit(max(1, round(minutes * MINUTE_MS)))

    def register(self, request: PasswordRegistration | CodeRegistration) -> None:
        self._worker.cancel()  # registering waits for no retry loop
        self._registration_requested.emit(request)

    def check_connection(self, server_url: str) -> None:
        """GET /api/health on a pool thread; the answer comes as ``connection_checked``."""
        self._checks.start(_HealthCheck(server_url, self._transport_factory, self.connection_checked))

    # --- worker signals ----------------------------------------------------------

    def _on_sync_started(self) -> None:
        self.progress = None
        self.syncing_since = dt.datetime.now(dt.UTC)
        self._set_state(ConnectionState.SYNCING)

    def _on_progress(self, progress: SyncProgress) -> None:
        self.progress = progress
        self.progress_changed.emit(progress)

    def _on_finished(self, report: SyncReport) -> None:
        self.last_report = report
        self.last_error = None
        self.syncing_since = None
        self._set_state(ConnectionState.ONLINE)
        self._context.notify_data_changed()
        self.sync_finished.emit(report)

    def _on_failed(self, error: Exception) -> None:
        self.last_error = error
        self.syncing_since = None
        self._set_state(_state_after(error))
        self._context.notify_data_changed()
        self.sync_failed.emit(error)

    def _on_registered(self, identity) -> None:
        self.last_error = None
        self._set_state(ConnectionState.WAITING)
        self._context.notify_data_changed()
        self.registered.emit(identity)
        self.sync_now()

    def _set_state(self, state: ConnectionState) -> None:
        self.state = state
        self.state_changed.emit()

    def _resting_state(self) -> ConnectionState:
        status = services.sync_status(self._context.store)
        if not status.registered:
            return ConnectionState.NOT_CONNECTED
        if status.revoked:
            return ConnectionState.REVOKED
        return ConnectionState.WAITING


def _state_after(error: Exception) -> ConnectionState:
    if isinstance(error, NodeRevoked):
        return ConnectionState.REVOKED
    if isinstance(error, NotRegistered):
        return ConnectionState.NOT_CONNECTED
    if isinstance(error, NetworkUnavailable) and not isinstance(error, CertificateInvalid):
        return ConnectionState.OFFLINE
    return ConnectionState.ERROR


class _HealthCheck(QRunnable):
    def __init__(self, server_url: str, transport_factory: TransportFactory, done: Signal) -> None:
        super().__init__()
        self._server_url = server_url
        self._transport_factory = transport_factory
        self._done = done

    def run(self) -> None:
        transport = None
        try:
            transport = self._transport_factory(normalize_server_url(self._server_url))
            health = getattr(transport, "health", None)
            if health is not None:  # a stand-in transport without one has nothing to check
                health()
            result = ConnectionCheck(self._server_url, ok=True)
        except (SyncError, ValueError) as error:
            result = ConnectionCheck(self._server_url, ok=False, error=error)
        except Exception as error:  # noqa: BLE001 - reported, never raised into Qt's pool
            logger.exception("Connection check failed unexpectedly")
            result = ConnectionCheck(self._server_url, ok=False, error=error)
        finally:
            if transport is not None:
                close_transport(transport)
        # Emitted from a pool thread; Qt queues it to the controller's (GUI) thread.
        self._done.emit(result)
