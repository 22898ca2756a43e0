"""The main window's lists: filters, sorting, the read-only catalogue, and screens that
follow the data."""
from __future__ import annotations

import datetime as dt

import pytest

from desktop_client import services
from desktop_client.qt import Qt
from tests.ui.driving import seed_site


@pytest.fixture
def site(node_store):
    return seed_site(node_store)


def _report(store, author, *, day: int, site: str, notes: str = "") -> str:
    return services.record_create(store, record_type="daily_report", values={
        "date": dt.date(2026, 11, day), "site": site, "author": author, "notes": notes}, lines=[]).id


@pytest.fixture
def reports(node_store, site):
    return {
        "a": _report(node_store, site.foreman, day=21, site="Riverside", notes="Pump station pit"),
        "b": _report(node_store, site.foreman, day=22, site="School No. 12", notes="Walls"),
        "c": _report(node_store, site.worker, day=24, site="Riverside", notes="Roof"),
    }


def _shown_ids(page) -> list[str]:
    return [view.id for view in page.visible_records()]


def test_search_site_and_dates_narrow_the_list_together(qtbot, make_desktop, reports):
    page = make_desktop().window.show_page("daily_report")
    assert _shown_ids(page) == [reports["c"], reports["b"], reports["a"]]  # newest first
    assert page.filters.count_label.text() == "Records: 3"

    qtbot.keyClicks(page.filters.search, "pump")
    assert _shown_ids(page) == [reports["a"]]
    assert page.filters.count_label.text() == "Shown: 1 of 3"
    page.filters.search.clear()
    qtbot.keyClicks(page.filters.search, "anna riverside")  # every word, anywhere in the row
    assert _shown_ids(page) == [reports["c"]]
    page.filters.search.clear()

    page.filters.choose_site("Riverside")
    assert _shown_ids(page) == [reports["c"], reports["a"]]
    page.filters.set_dates(dt.date(2026, 11, 22), None)
    assert _shown_ids(page) == [reports["c"]]
    page.filters.choose_site(None)
    page.filters.set_dates(dt.date(2026, 11, 21), dt.date(2026, 11, 22))
    assert _shown_ids(page) == [reports["b"], reports["a"]]

    page.filters.reset_button.click()
    assert len(_shown_ids(page)) == 3


def test_clicking_a_header_sorts_by_that_columns_values(make_desktop, reports):
    page = make_desktop().window.show_page("daily_report")
    site_column = 1 + [column.key for column in page.model.columns].index("site")
    page.table.sortByColumn(site_column, Qt.AscendingOrder)
    assert [view.values["site"] for view in page.visible_records()] == ["Riverside", "Riverside", "School No. 12"]
    date_column = 1 + [column.key for column in page.model.columns].index("date")
    page.table.sortByColumn(date_column, Qt.AscendingOrder)
    assert _shown_ids(page) == [reports["a"], reports["b"], reports["c"]]


def test_the_site_filter_offers_the_sites_of_the_list(make_desktop, reports, node_store, site):
    window = make_desktop().window
    page = window.show_page("daily_report")
    offered = [page.filters.site.itemData(i) for i in range(page.filters.site.count())]
    assert offered == [None, "Riverside", "School No. 12"]
    page.filters.choose_site("School No. 12")
    _report(node_store, site.foreman, day=25, site="Depot")
    window.context.notify_data_changed()
    assert page.filters.selected_site == "School No. 12"  # kept across the refresh
    assert page.filters.site.findData("Depot") > 0


def test_the_work_catalogue_is_read_only(make_desktop, site):
    window = make_desktop().window
    page = window.show_page("work_specification")
    assert [view.values["code"] for view in page.visible_records()] == ["CO-02", "EX-01"]
    page.table.selectRow(0)
    assert not window.new_action.isEnabled()
    assert not window.edit_action.isEnabled() and not window.delete_action.isEnabled()
    assert window.new_record() is None and window.edit_record() is None
    assert not page.filters.site.isVisible()
    assert page.model.index(0, 4).data() == "5,400.00"


def test_lists_follow_changes_made_elsewhere_and_keep_the_selection(make_desktop, reports, node_store, site):
    window = make_desktop().window
    page = window.show_page("daily_report")
    page.select_record(reports["b"])
    services.record_update(node_store, record_type="daily_report", record_id=reports["b"], values={"notes": "Late"})
    _report(node_store, site.foreman, day=26, site="Depot")
    window.context.notify_data_changed()
    assert page.model.rowCount() == 4
    assert page.selected_record().id == reports["b"] and page.selected_record().values["notes"] == "Late"
    assert window.status.pending_label.text() == "Not sent: 4"


def test_an_empty_list_says_what_to_do(make_desktop):
    page = make_desktop().window.show_page("estimate")
    assert page.stack.currentWidget() is page.empty_label
    assert "New" in page.empty_label.text()


def test_changing_the_language_rebuilds_the_window_in_it(qtbot, make_desktop, site):
    desktop = make_desktop()
    old = desktop.window
    settings = old.open_settings()
    settings.language.setCurrentIndex(settings.language.findData("ru"))
    settings.accept()
    qtbot.waitUntil(lambda: desktop.window is not old)
    assert not old.isVisible() and desktop.window.isVisible()
    assert desktop.window.tabs.tabText(0) == "Ежедневные отчёты"
    assert desktop.context.settings.language == "ru"


def test_only_the_list_in_view_is_read_after_a_change_the_others_when_shown(make_desktop, node_store, site):
    window = make_desktop().window
    window.show_page("daily_report")
    services.record_create(node_store, record_type="timesheet", values={
        "date": "2026-11-20", "worker": site.worker, "site": "A", "hours": "8", "work_specification": None,
        "note": ""})
    window.context.notify_data_changed()
    timesheets = window.pages["timesheet"]
    assert timesheets.stale and timesheets.model.rowCount() == 0
    window.show_page("timesheet")
    assert not timesheets.stale and timesheets.model.rowCount() == 1
