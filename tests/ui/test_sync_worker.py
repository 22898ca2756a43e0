"""The background sync without a real server: it runs on its own thread with its own
store, reports by signals, never blocks the window, and follows its timer."""
from __future__ import annotations

import socket
import threading

import pytest

from desktop_client import services
from desktop_client.qt import QThread
from desktop_client.sync import ConnectionCode, register_with_code
from desktop_client.ui.sync_controller import ConnectionState
from tests.client.builders import NODE_ID, SERVER_URL, TOKEN, wire_user
from tests.client.scripted_transport import ScriptedTransport, answer, apply_everything
from tests.ui.driving import add_line, choose, seed_site, type_into


@pytest.fixture
def registered(node_store):
    register_with_code(node_store, code=ConnectionCode(node_id=NODE_ID, token=TOKEN, server=SERVER_URL))
    return node_store


class GatedTransport(ScriptedTransport):
    """Holds every exchange until the test opens the gate; notes the thread it ran on."""

    def __init__(self, *steps):
        super().__init__(*steps)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.threads: list[int] = []

    def exchange(self, body, *, token):
        self.threads.append(threading.get_ident())
        self.entered.set()
        assert self.gate.wait(20), "the test never opened the gate"
        return super().exchange(body, token=token)


def test_the_window_works_on_while_a_sync_waits_for_the_server(qtbot, make_desktop, registered):
    site = seed_site(registered)
    transport = GatedTransport(
        apply_everything(first_version=50, changes=[wire_user(site.worker, version=60, username="petrova2")]),
        apply_everything(first_version=61),  # what was typed during the wait goes in the same run
    )
    desktop = make_desktop(transport_factory=lambda url: transport)
    window, controller = desktop.window, desktop.controller
    window.status._long_sync_timer.setInterval(10)

    with qtbot.waitSignal(controller.state_changed):
        controller.sync_now()
    assert controller.state is ConnectionState.SYNCING
    assert transport.entered.wait(10)
    qtbot.waitUntil(window.status.progress_bar.isVisible)  # a long sync shows its progress
    assert window.status.state_label.text() == "Syncing…"
    assert not window.sync_action.isEnabled()

    # Meanwhile the foreman writes a report: the GUI thread is free and the store is not locked.
    window.show_page("daily_report")
    editor = window.new_record()
    type_into(qtbot, editor, "site", "Riverside")
    choose(editor, "author", site.foreman)
    add_line(editor, quantity="1", workers="1", hours="1")
    with qtbot.waitSignal(editor.saved, timeout=5000):
        editor.save()
    assert window.status.pending_label.text() == "Not sent: 1"

    with qtbot.waitSignal(controller.sync_finished, timeout=10000):
        transport.gate.set()
    assert controller.state is ConnectionState.ONLINE
    assert [change["type"] for change in transport.requests[1]["changes"]] == ["daily_report"]
    assert window.status.pending_label.text() == "Not sent: 0"
    assert not window.status.progress_bar.isVisible()
    assert window.status.state_label.text() == "Online"
    assert threading.get_ident() not in transport.threads  # the exchange ran off the GUI thread
    assert desktop.controller._worker._store is not registered  # with a store of its own
    assert desktop.controller._thread.isRunning() and desktop.controller._thread is not QThread.currentThread()


def test_an_unreachable_server_is_offline_and_the_work_stays_here(qtbot, make_desktop, node_store):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        address = f"http://127.0.0.1:{probe.getsockname()[1]}"
    register_with_code(node_store, code=ConnectionCode(node_id=NODE_ID, token=TOKEN, server=address))
    site = seed_site(node_store)
    services.record_create(node_store, record_type="timesheet", values={
        "date": "2026-11-25", "worker": site.worker, "site": "A", "hours": "8", "work_specification": None,
        "note": ""})
    desktop = make_desktop()
    with qtbot.waitSignal(desktop.controller.sync_failed, timeout=20000) as failed:
        desktop.controller.sync_now()
    assert failed.args[0].code == "network_unreachable"
    assert desktop.controller.state is ConnectionState.OFFLINE
    status = desktop.window.status
    assert status.state_label.text() == "Offline"
    assert "cannot be reached" in status.state_label.toolTip()
    assert status.pending_label.text() == "Not sent: 1"
    assert desktop.window.sync_action.isEnabled()  # offline is no reason to stop trying


def test_the_timer_syncs_on_its_own_and_each_sync_refreshes_the_screens(qtbot, make_desktop, registered):
    site = seed_site(registered)
    steps = [answer(changes=[wire_user(site.worker, version=70 + n, username=f"petrova{n}")], next_ack=70 + n)
             for n in range(10)]
    desktop = make_desktop(transport_factory=lambda url: transport)
    transport = ScriptedTransport(*steps)
    refreshed, finished = [], []
    desktop.context.data_changed.connect(lambda: refreshed.append(True))
    desktop.controller.sync_finished.connect(finished.append)
    desktop.controller.set_interval_minutes(0.001)  # 60 ms
    qtbot.waitUntil(lambda: len(finished) >= 2, timeout=10000)
    desktop.controller.set_interval_minutes(60)
    assert len(transport.bodies) >= 2
    assert len(refreshed) >= 2
    assert desktop.context.references.person_label(site.worker) == "Ivan Petrov"  # the name the server sent


def test_a_sync_without_a_server_says_not_connected(qtbot, make_desktop):
    desktop = make_desktop()
    assert desktop.controller.state is ConnectionState.NOT_CONNECTED
    assert desktop.window.notice.isVisible()
    assert "not connected" in desktop.window.notice.text.text()
    assert not desktop.window.sync_action.isEnabled()


def test_closing_during_a_retry_wait_does_not_wait_for_the_retry(qtbot, make_desktop, registered):
    from desktop_client.sync import NetworkUnavailable, RetryPolicy

    transport = ScriptedTransport(NetworkUnavailable("down"), NetworkUnavailable("down"))
    desktop = make_desktop(transport_factory=lambda url: transport,
                           retry_policy=RetryPolicy(retries=1, first_delay=30, jitter=0))
    with qtbot.waitSignal(desktop.controller.progress_changed, timeout=5000) as waiting:
        desktop.controller.sync_now()
    assert waiting.args[0].retry_in == 30
    qtbot.waitUntil(lambda: "trying again in 30 s" in desktop.window.status.progress_label.text())
    desktop.shutdown()  # returns once the worker has stopped: well before 30 s
    assert not desktop.controller._thread.isRunning()


def test_a_server_failure_is_a_sync_error_with_its_reason_and_the_timer_goes_on(qtbot, make_desktop, registered):
    from desktop_client.sync import ServerUnavailable

    transport = ScriptedTransport(ServerUnavailable("Bad gateway.", status=502))
    desktop = make_desktop(transport_factory=lambda url: transport)
    with qtbot.waitSignal(desktop.controller.sync_failed, timeout=5000):
        desktop.controller.sync_now()
    status = desktop.window.status
    assert desktop.controller.state is ConnectionState.ERROR
    assert status.state_label.text() == "Sync error"
    assert "The server is having trouble right now" in status.state_label.toolTip()
    assert desktop.controller._worker._timer.isActive()


def test_a_refused_key_stops_the_timer_until_the_computer_connects_again(qtbot, make_desktop, registered):
    from desktop_client.sync.errors import refused_error_class

    refusal = refused_error_class(401, "invalid_token")("Invalid token.", code="invalid_token", status=401)
    desktop = make_desktop(transport_factory=lambda url: ScriptedTransport(refusal))
    with qtbot.waitSignal(desktop.controller.sync_failed, timeout=5000):
        desktop.controller.sync_now()
    assert desktop.controller.state is ConnectionState.ERROR
    assert "no longer accepts this computer's key" in desktop.window.status.state_label.toolTip()
    assert not desktop.controller._worker._timer.isActive()
