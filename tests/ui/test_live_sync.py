"""The window against a real server: gunicorn on the test database, real HTTP.

Connecting in the settings (by logging in, with a connection code), syncing a report
written offline, a conflict settled both ways, a rejected change corrected or dropped,
and a revoked computer."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from apps.estimates.models import Estimate
from apps.reports.models import DailyReport
from apps.sync.models import SyncNode
from apps.sync.services.nodes import connection_code_make, node_create, node_revoke
from desktop_client import services
from desktop_client.qt import QDialog, QLabel, QLineEdit, Qt, QWidget
from desktop_client.store.sync_tables import SyncState
from desktop_client.sync import HttpTransport, register_with_password
from desktop_client.ui.review_dialog import marked_rows
from desktop_client.ui.sync_controller import ConnectionState
from tests.factories import DailyReportFactory, DailyReportLineFactory, EstimateFactory, WorkSpecificationFactory
from tests.integration.http import PASSWORD, field_user
from tests.ui.driving import add_line, choose, type_into

pytestmark = pytest.mark.django_db(transaction=True)

SYNC_TIMEOUT_MS = 30_000


@pytest.fixture
def foreman():
    user = field_user()
    user.full_name = "Sergei Ivanov"
    user.save()
    return user


@pytest.fixture
def connected(qtbot, live_sync_server, make_desktop, node_store, foreman):
    """A window on a computer already connected (by the core, over HTTP) and synced once."""
    WorkSpecificationFactory(code="CO-02", name="Concrete pour", unit="m3", unit_price=Decimal("5400.00"))
    register_with_password(node_store, HttpTransport(live_sync_server.url), server_url=live_sync_server.url,
                           username=foreman.username, password=PASSWORD, node_name="Site laptop")
    desktop = make_desktop()
    sync(qtbot, desktop)
    return desktop


def sync(qtbot, desktop):
    """Press "Sync now" and wait for the outcome; return the report."""
    with qtbot.waitSignal(desktop.controller.sync_finished, timeout=SYNC_TIMEOUT_MS) as finished:
        desktop.window.sync_action.trigger()
    return finished.args[0]


def node_id(store) -> str:
    return services.sync_status(store).node_id


def every_text(*roots: QWidget) -> str:
    """Everything a person could read (or copy) in these windows."""
    texts = []
    for root in roots:
        for widget in [root, *root.findChildren(QWidget)]:
            for reader in ("text", "toolTip", "windowTitle", "placeholderText"):
                value = getattr(widget, reader, None)
                if callable(value) and (reader != "text" or isinstance(widget, (QLabel, QLineEdit))):
                    texts.append(str(value()))
    return "\n".join(texts)


# --- connecting ------------------------------------------------------------------------

def test_logging_in_in_the_settings_connects_syncs_and_never_shows_the_token(
    qtbot, live_sync_server, make_desktop, node_store, foreman
):
    desktop = make_desktop()
    window = desktop.window
    assert desktop.controller.state is ConnectionState.NOT_CONNECTED and window.notice.isVisible()

    settings = window.open_settings()
    qtbot.keyClicks(settings.server_address, live_sync_server.url)
    qtbot.keyClicks(settings.username, foreman.username)
    qtbot.keyClicks(settings.password, PASSWORD)
    settings.computer_name.setText("Laptop 7")
    with qtbot.waitSignal(desktop.controller.registered, timeout=SYNC_TIMEOUT_MS):
        settings.login_button.click()
    with qtbot.waitSignal(desktop.controller.sync_finished, timeout=SYNC_TIMEOUT_MS):
        pass  # connecting starts the first sync by itself
    assert settings.register_result.text() == "Connected. The first sync starts now."
    assert settings.connection_label.text() == f"Connected to {live_sync_server.url} as “Laptop 7”."
    assert settings.password.text() == ""
    assert desktop.controller.state is ConnectionState.ONLINE and not window.notice.isVisible()
    node = SyncNode.objects.get(node_id=node_id(node_store))
    assert (node.owner, node.name) == (foreman, "Laptop 7")
    assert desktop.context.references.person_label(str(foreman.uuid)) == "Sergei Ivanov"

    with node_store.reading() as session:
        token = SyncState.load(session).token
    assert token and token not in every_text(window, settings)


def test_a_connection_code_from_the_office_connects_this_computer(
    qtbot, live_sync_server, make_desktop, node_store, foreman
):
    node, token = node_create(owner=foreman, name="Laptop 9")
    code = connection_code_make(node_id=node.node_id, token=token, server_url=live_sync_server.url)
    desktop = make_desktop()
    settings = desktop.window.open_settings()
    settings.connect_tabs.setCurrentIndex(1)
    assert settings.connection_code.echoMode() == QLineEdit.Password

    qtbot.keyClicks(settings.connection_code, "not a code")
    with qtbot.waitSignal(desktop.controller.registration_failed, timeout=SYNC_TIMEOUT_MS):
        settings.code_button.click()
    assert settings.register_result.text() == "This connection code is not valid. Copy it again, in full."

    settings.connection_code.setText(code)
    with qtbot.waitSignals([desktop.controller.registered, desktop.controller.sync_finished],
                           timeout=SYNC_TIMEOUT_MS):
        settings.code_button.click()
    assert node_id(node_store) == str(node.node_id)
    assert settings.connection_code.text() == ""
    assert settings.server_address.text() == live_sync_server.url
    assert desktop.controller.state is ConnectionState.ONLINE


def test_a_wrong_password_is_said_plainly(qtbot, live_sync_server, make_desktop, foreman):
    settings = make_desktop().window.open_settings()
    settings.server_address.setText(live_sync_server.url)
    settings.username.setText(foreman.username)
    settings.password.setText("not the password")
    with qtbot.waitSignal(settings.controller.registration_failed, timeout=SYNC_TIMEOUT_MS):
        settings.login_button.click()
    assert settings.register_result.text() == "Wrong username or password."
    assert settings.login_button.isEnabled()


def test_test_connection_asks_the_servers_health_check(qtbot, live_sync_server, make_desktop):
    settings = make_desktop().window.open_settings()
    settings.server_address.setText(live_sync_server.url)
    with qtbot.waitSignal(settings.controller.connection_checked, timeout=SYNC_TIMEOUT_MS):
        settings.test_button.click()
    assert settings.test_result.text() == "The server answers."

    settings.server_address.setText("http://127.0.0.1:9")  # the discard port: nobody answers
    with qtbot.waitSignal(settings.controller.connection_checked, timeout=SYNC_TIMEOUT_MS):
        settings.test_button.click()
    assert settings.test_result.text() == ("The server cannot be reached. Check the network connection and the "
                                           "server address.")
    settings.server_address.setText("sync.example.com")
    settings.test_button.click()
    assert settings.test_result.text().startswith("This is not a server address")


# --- syncing ---------------------------------------------------------------------------

def test_a_report_written_offline_reaches_the_server_with_its_lines(qtbot, connected, foreman):
    window, controller = connected.window, connected.controller
    concrete = next(item for item in connected.context.references.work_items() if item.code == "CO-02")
    editor = window.new_record()
    type_into(qtbot, editor, "site", "Riverside block 3")
    choose(editor, "author", str(foreman.uuid))
    add_line(editor, work_specification=concrete.id, quantity="12,5", workers="4", hours="8")
    add_line(editor, description="Cleaning up", quantity="1", workers="2", hours="1,5")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert window.status.pending_label.text() == "Not sent: 1"

    states = []
    controller.state_changed.connect(lambda: states.append(controller.state))
    report = sync(qtbot, connected)
    assert states == [ConnectionState.SYNCING, ConnectionState.ONLINE]
    assert (report.sent, report.applied) == (1, 1)
    assert window.status.pending_label.text() == "Not sent: 0"
    assert window.status.last_sync_label.text().startswith("Last sync: ")
    assert window.status.state_label.text() == "Online"

    stored = DailyReport.objects.get(site="Riverside block 3")
    assert stored.author == foreman and stored.date == dt.date.today()
    assert sorted((line.description, line.quantity, line.workers, line.hours) for line in stored.lines.all()) == [
        ("Cleaning up", Decimal("1.000"), 2, Decimal("1.50")),
        ("Concrete pour", Decimal("12.500"), 4, Decimal("8.00")),
    ]


def _conflict_on_notes(qtbot, desktop, foreman):
    """The office and the foreman both change the notes of the same report."""
    report = DailyReportFactory(author=foreman, notes="Dry weather.", site="Block 3")
    DailyReportLineFactory(report=report, description="Pit", quantity=Decimal("4.000"))
    sync(qtbot, desktop)
    report.notes = "Client asked to pause the pour."
    report.save()
    window = desktop.window
    assert window.show_page("daily_report").select_record(str(report.uuid))
    editor = window.edit_record()
    editor.form.inputs["notes"].setPlainText("Pour finished, 12 m3.")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    outcome = sync(qtbot, desktop)
    assert outcome.conflicts == 1
    return report


def test_a_conflict_shows_both_versions_and_keeping_the_servers_drops_mine(qtbot, connected, foreman, answers):
    report = _conflict_on_notes(qtbot, connected, foreman)
    window = connected.window
    assert window.status.review_button.isVisible() and window.status.review_button.text() == "To review: 1"
    page = window.show_page("daily_report")
    assert page.model.index(page.model.row_of(str(report.uuid)), 0).data(Qt.ToolTipRole).startswith("Conflict")

    review = window.open_review()
    assert review.conflict_list.count() == 1
    assert marked_rows(review.conflict_table) == ["Notes"]
    notes_row = next(row for row in range(review.conflict_table.rowCount())
                     if review.conflict_table.item(row, 0).text() == "≠ Notes")
    assert (review.conflict_table.item(notes_row, 1).text(), review.conflict_table.item(notes_row, 2).text()) == (
        "Pour finished, 12 m3.", "Client asked to pause the pour.")

    answers.confirmations = [True]
    review.keep_server_button.click()
    assert review.conflict_list.count() == 0
    assert not window.status.review_button.isVisible()
    local = services.record_get(connected.context.store, record_type="daily_report", record_id=str(report.uuid))
    assert local.values["notes"] == "Client asked to pause the pour." and not local.has_unsent_change
    sync(qtbot, connected)
    report.refresh_from_db()
    assert report.notes == "Client asked to pause the pour."


def test_re_applying_my_version_of_a_conflict_sends_it_over_the_servers(qtbot, connected, foreman):
    report = _conflict_on_notes(qtbot, connected, foreman)
    review = connected.window.open_review()
    review.reapply_button.click()
    assert review.conflict_list.count() == 0
    assert connected.window.status.pending_label.text() == "Not sent: 1"
    outcome = sync(qtbot, connected)
    assert (outcome.applied, outcome.conflicts) == (1, 0)
    report.refresh_from_db()
    assert report.notes == "Pour finished, 12 m3."
    assert [line.description for line in report.lines.all()] == ["Pit"]


def _rejected_estimate(qtbot, desktop):
    """The foreman numbers a new estimate like one the office already has."""
    EstimateFactory(number="E-1", title="Foundation")
    sync(qtbot, desktop)
    window = desktop.window
    window.show_page("estimate")
    editor = window.new_record()
    type_into(qtbot, editor, "number", "E-1")
    type_into(qtbot, editor, "title", "Extra excavation")
    add_line(editor, description="Pit", unit="m3", quantity="48", unit_price="650")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    outcome = sync(qtbot, desktop)
    assert outcome.rejected == 1
    return editor


def test_a_rejected_change_is_corrected_beside_the_servers_reason_and_sent_again(qtbot, connected):
    _rejected_estimate(qtbot, connected)
    review = connected.window.open_review()
    assert review.tabs.currentIndex() == 1  # nothing in conflict: the rejections are shown
    assert "Number" in review.reasons_label.text()
    assert marked_rows(review.rejection_table) == ["Number"]

    editor = review.edit_rejected()
    assert editor.rejection_notice.isVisible()
    assert editor.form.error_text("number") == "Another record on the server already has this value."
    type_into(qtbot, editor, "number", "E-2")
    qtbot.waitUntil(lambda: editor.form.error_text("number") == "")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert review.rejection_list.count() == 0
    outcome = sync(qtbot, connected)
    assert outcome.applied == 1
    assert Estimate.objects.get(number="E-2").title == "Extra excavation"


def test_a_rejected_change_can_be_discarded(qtbot, connected, answers):
    _rejected_estimate(qtbot, connected)
    review = connected.window.open_review()
    answers.confirmations = [True]
    review.discard_button.click()
    assert review.rejection_list.count() == 0
    numbers = [view.values["number"] for view in services.record_list(connected.context.store,
                                                                         record_type="estimate")]
    assert numbers == ["E-1"]  # the rejected creation is gone; the office's estimate stays
    assert connected.window.status.pending_label.text() == "Not sent: 0"


# --- revocation ------------------------------------------------------------------------

def test_a_revoked_computer_stops_syncing_and_keeps_everything(qtbot, connected, live_sync_server, foreman):
    window, controller = connected.window, connected.controller
    store = connected.context.store
    node_revoke(node=SyncNode.objects.get(node_id=node_id(store)))
    editor = window.new_record()
    type_into(qtbot, editor, "site", "Block 5")
    choose(editor, "author", str(foreman.uuid))
    with qtbot.waitSignal(editor.saved):
        editor.save()

    with qtbot.waitSignal(controller.sync_failed, timeout=SYNC_TIMEOUT_MS) as failed:
        window.sync_action.trigger()
    assert failed.args[0].code == "node_revoked"
    assert controller.state is ConnectionState.REVOKED
    assert window.status.state_label.text() == "Access revoked"
    assert "revoked" in window.status.state_label.toolTip()
    assert window.notice.isVisible() and window.notice.button.text() == "Connect again…"
    assert not window.sync_action.isEnabled()
    assert not controller._worker._timer.isActive()  # the timer no longer asks the server
    # Nothing was lost: the report is listed and still waits to be sent.
    assert [view.values["site"] for view in services.record_list(store, record_type="daily_report")] == ["Block 5"]
    assert window.status.pending_label.text() == "Not sent: 1"

    # Connecting again (a new computer key) sends what waited.
    window.notice.button.click()
    settings = window.findChild(QDialog, "settingsDialog")
    settings.username.setText(foreman.username)
    settings.password.setText(PASSWORD)
    with qtbot.waitSignals([controller.registered, controller.sync_finished], timeout=SYNC_TIMEOUT_MS):
        settings.login_button.click()
    assert controller.state is ConnectionState.ONLINE and not window.notice.isVisible()
    assert DailyReport.objects.filter(site="Block 5").exists()
