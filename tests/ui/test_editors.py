"""Editing offline: reports and estimates with their lines, timesheets, the reasons shown
beside the fields, and the questions asked before anything is lost."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop_client import services
from desktop_client.qt import Qt
from desktop_client.ui.editors.record_editor import REVALIDATE_AFTER_MS
from desktop_client.ui.record_table import MARKER_COLUMN
from tests.ui.driving import add_line, cell_text, choose, column, seed_site, set_cell, type_into


@pytest.fixture
def site(node_store):
    return seed_site(node_store)


@pytest.fixture
def window(make_desktop, site):
    return make_desktop().window


def test_a_report_with_lines_is_written_offline_and_counted_as_not_sent(qtbot, window, site, node_store):
    window.show_page("daily_report")
    editor = window.new_record()
    type_into(qtbot, editor, "site", "Riverside block 3")
    choose(editor, "author", site.foreman)
    add_line(editor, work_specification=site.concrete, quantity="12,5", workers="4", hours="8")
    add_line(editor, description="Cleaning up", quantity="1", workers="2", hours="1,5")

    assert editor.lines_editor.total_label.text() == "Man-hours: 35"
    with qtbot.waitSignal(editor.saved):
        editor.save_button.click()

    [report] = services.record_list(node_store, record_type="daily_report")
    assert report.values["site"] == "Riverside block 3" and report.values["author"] == site.foreman
    assert report.values["date"] == dt.date.today()
    assert [(line.values["description"], line.values["quantity"], line.values["workers"], line.values["hours"])
            for line in report.lines] == [("Concrete pour", Decimal("12.5"), 4, Decimal("8")),
                                          ("Cleaning up", Decimal("1"), 2, Decimal("1.5"))]
    assert window.status.pending_label.text() == "Not sent: 1"
    page = window.current_page()
    assert page.selected_record().id == report.id
    assert "not sent" in page.model.index(0, MARKER_COLUMN).data(Qt.ToolTipRole)


def test_lines_are_reordered_removed_and_saved_in_the_order_shown(qtbot, window, site, node_store):
    window.show_page("estimate")
    editor = window.new_record()
    type_into(qtbot, editor, "number", "E-7")
    type_into(qtbot, editor, "title", "Pump station")
    for name in ("first", "second", "third"):
        add_line(editor, description=name, quantity="1", unit_price="10")
    editor.lines_editor.table.selectRow(2)
    editor.lines_editor.up_button.click()  # third before second
    editor.lines_editor.table.selectRow(0)
    editor.lines_editor.remove_button.click()  # first goes
    with qtbot.waitSignal(editor.saved):
        editor.save()
    [estimate] = services.record_list(node_store, record_type="estimate")
    assert [(line.values["description"], line.values["position"]) for line in estimate.lines] == [
        ("third", 1), ("second", 2)]


def test_estimate_shows_each_line_total_and_the_sum_as_typed(qtbot, window, site):
    window.show_page("estimate")
    editor = window.new_record()
    row = add_line(editor, work_specification=site.excavation, quantity="120")
    # Picking the work item filled in what the line was missing.
    assert (cell_text(editor, row, "description"), cell_text(editor, row, "unit"),
            cell_text(editor, row, "unit_price")) == ("Excavation", "m3", "650")
    assert cell_text(editor, row, "line_total") == "78,000.00"
    add_line(editor, description="Rebar", unit="t", quantity="4,2", unit_price="38 000")
    assert cell_text(editor, 1, "line_total") == "159,600.00"
    assert editor.lines_editor.total_label.text() == "Estimate total: 237,600.00"
    set_cell(editor, 1, "quantity", "4.")  # half typed: counted as what it reads so far
    assert editor.lines_editor.total_label.text() == "Estimate total: 230,000.00"
    set_cell(editor, 1, "quantity", "four")
    assert cell_text(editor, 1, "line_total") == "—"


def test_reasons_appear_beside_fields_and_lines_and_go_away_as_they_are_fixed(qtbot, window, site, node_store):
    window.show_page("daily_report")
    editor = window.new_record()
    add_line(editor, quantity="abc", workers="3", hours="25")
    assert editor.save() is False

    assert editor.form.error_text("site") == "Fill in this field."
    assert editor.form.error_text("author") == "Fill in this field."
    assert editor.lines_model.rows[0].errors.keys() == {"quantity", "hours"}
    assert editor.lines_editor.errors_label.text().splitlines() == [
        "Line 1, Quantity: Enter a number, such as 12.5.",
        "Line 1, Hours: Must be at most 24.",
    ]
    hours_cell = editor.lines_model.index(0, column(editor, "hours"))
    assert hours_cell.data(Qt.ToolTipRole) == "Must be at most 24."
    assert services.record_list(node_store, record_type="daily_report") == []

    type_into(qtbot, editor, "site", "Riverside")
    qtbot.waitUntil(lambda: editor.form.error_text("site") == "", timeout=REVALIDATE_AFTER_MS * 10)
    assert editor.form.error_text("author") == "Fill in this field."
    set_cell(editor, 0, "hours", "7,5")
    qtbot.waitUntil(lambda: "hours" not in editor.lines_model.rows[0].errors, timeout=REVALIDATE_AFTER_MS * 10)
    assert "quantity" in editor.lines_model.rows[0].errors


def test_a_timesheet_has_no_lines_and_remembers_site_and_worker_for_the_next_one(qtbot, window, site, node_store):
    window.show_page("timesheet")
    editor = window.new_record()
    assert editor.lines_editor is None
    choose(editor, "worker", site.worker)
    type_into(qtbot, editor, "site", "School No. 12")
    type_into(qtbot, editor, "hours", "10,5")
    choose(editor, "work_specification", site.concrete)
    with qtbot.waitSignal(editor.saved):
        editor.save()
    [timesheet] = services.record_list(node_store, record_type="timesheet")
    assert (timesheet.values["worker"], timesheet.values["hours"]) == (site.worker, Decimal("10.5"))

    following = window.new_record()
    assert following.values()["site"] == "School No. 12"
    assert following.values()["worker"] == site.worker


def test_opening_a_record_edits_it_in_place(qtbot, window, site, node_store):
    created = services.record_create(node_store, record_type="estimate", values={
        "number": "E-1", "title": "Roof", "site": "", "date": "2026-11-20", "status": "draft"}, lines=[
        {"position": 1, "work_specification": None, "description": "Sheets", "unit": "m2", "quantity": "10",
         "unit_price": "100"}])
    window.context.notify_data_changed()
    page = window.show_page("estimate")
    assert page.select_record(created.id)
    editor = window.edit_record()
    assert editor.values()["title"] == "Roof" and cell_text(editor, 0, "line_total") == "1,000.00"
    choose(editor, "status", "approved")
    set_cell(editor, 0, "quantity", "12")
    with qtbot.waitSignal(editor.saved):
        editor.save()
    stored = services.record_get(node_store, record_type="estimate", record_id=created.id)
    assert stored.values["status"] == "approved"
    assert [line.id for line in stored.lines] == [line.id for line in created.lines]  # the same line, changed
    assert stored.lines[0].values["quantity"] == Decimal("12")


def test_a_change_made_meanwhile_is_asked_about_not_overwritten(qtbot, window, site, node_store, answers):
    created = services.record_create(node_store, record_type="timesheet", values={
        "date": "2026-11-20", "worker": site.worker, "site": "A", "hours": "8", "work_specification": None,
        "note": ""})
    window.context.notify_data_changed()
    window.show_page("timesheet").select_record(created.id)
    editor = window.edit_record()
    # A sync (or another window) changes the record while the form is open.
    services.record_update(node_store, record_type="timesheet", record_id=created.id, values={"note": "by sync"})
    type_into(qtbot, editor, "site", "B")

    answers.confirmations = [False]
    assert editor.save() is False and editor.isVisible()
    assert "changed by a sync" in answers.asked[-1]
    answers.confirmations = [True]
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert services.record_get(node_store, record_type="timesheet", record_id=created.id).values["site"] == "B"


def test_closing_an_edited_form_asks_before_dropping_the_edits(qtbot, window, site, answers):
    window.show_page("daily_report")
    editor = window.new_record()
    type_into(qtbot, editor, "site", "Riverside")
    answers.confirmations = [False]
    editor.reject()
    assert editor.isVisible()
    answers.confirmations = [True]
    editor.reject()
    assert not editor.isVisible()


def test_deleting_asks_first_and_a_no_keeps_the_record(qtbot, window, site, node_store, answers):
    created = services.record_create(node_store, record_type="daily_report", values={
        "date": "2026-11-20", "site": "Riverside", "author": site.foreman, "notes": ""}, lines=[])
    window.context.notify_data_changed()
    window.show_page("daily_report").select_record(created.id)

    answers.confirmations = [False]
    assert window.delete_selected() is False
    assert "Riverside" in answers.asked[-1]
    assert len(services.record_list(node_store, record_type="daily_report")) == 1

    answers.confirmations = [True]
    assert window.delete_selected() is True
    assert services.record_list(node_store, record_type="daily_report") == []
    assert window.current_page().model.rowCount() == 0
    assert window.current_page().stack.currentWidget() is window.current_page().empty_label
