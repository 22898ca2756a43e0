"""Export and import as JSON lines: the protocol's record format, all or nothing."""
from __future__ import annotations

import json

import pytest

from desktop_client import services
from desktop_client.services import ImportRejected
from desktop_client.store import open_store
from desktop_client.store.records import DailyReport, Estimate, Timesheet
from tests.client import builders
from tests.client.store_actions import add_from_server, add_local, count, get, outbox

WORKER = "5b9f0d6e-1111-4000-8000-000000000001"


def timesheet_line(record_id=None, **data):
    return json.dumps({"type": "timesheet", "id": record_id or builders.new_id(), "op": "upsert", "data": {
        "date": "2026-11-21", "worker": WORKER, "site": "Riverside", "hours": "8.00", "work_specification": None,
        "note": ""} | data})


@pytest.fixture
def node(store):
    add_from_server(store, builders.user(id=WORKER), version=1)
    return store


def test_export_writes_protocol_records_with_versions_and_nested_lines(node):
    record = add_from_server(node, builders.estimate(lines=2), version=8)
    add_local(node, builders.timesheet(worker_id=WORKER))
    exported = list(services.records_export(node, record_type="estimate"))
    [item] = exported
    assert (item["type"], item["id"], item["op"], item["version"]) == ("estimate", record.id, "upsert", 8)
    assert item["updated_at"].endswith("Z")
    assert [line["id"] for line in item["data"]["lines"]] == [line.id for line in record.lines]
    assert item["data"]["lines"][0]["quantity"] == "12.500"
    every_type = [item["type"] for item in services.records_export(node)]
    assert every_type == ["user", "estimate", "timesheet"]  # catalogue order


def test_an_export_imports_into_another_node_as_local_edits(node, tmp_path):
    add_from_server(node, builders.estimate(lines=2), version=8)
    add_from_server(node, builders.daily_report(author_id=WORKER, lines=1), version=9)
    lines = [json.dumps(item) for item in services.records_export(node) if item["type"] != "user"]

    other = open_store(tmp_path / "other.sqlite3")
    add_from_server(other, builders.user(id=WORKER), version=1)
    report = services.records_import(other, lines)
    assert (report.created, report.updated, report.deleted, report.unchanged) == (2, 0, 0, 0)
    exported_again = [item for item in services.records_export(other) if item["type"] != "user"]
    assert [item["data"] for item in exported_again] == [json.loads(line)["data"] for line in lines]
    assert all(item["version"] == 0 for item in exported_again)
    assert len(outbox(other)) == 2
    other.close()


def test_import_creates_updates_and_deletes_in_one_go(node):
    existing = add_from_server(node, builders.timesheet(worker_id=WORKER), version=3)
    doomed = add_from_server(node, builders.estimate(lines=1), version=4)
    report = services.records_import(node, [
        timesheet_line(existing.id, hours="6.00"),
        timesheet_line(),
        "",
        json.dumps({"type": "estimate", "id": doomed.id, "op": "delete"}),
    ])
    assert (report.created, report.updated, report.deleted, report.unchanged) == (1, 1, 1, 0)
    assert str(get(node, Timesheet, existing.id).hours) == "6.00"
    assert get(node, Estimate, doomed.id) is None
    assert sorted((entry.op, entry.base_version) for entry in outbox(node)) == [
        ("delete", 4), ("upsert", 0), ("upsert", 3)]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(node):
    lines = [timesheet_line(), json.dumps({"type": "timesheet", "id": builders.new_id(), "op": "delete"})]
    services.records_import(node, lines)
    report = services.records_import(node, lines)
    assert (report.created, report.updated, report.deleted, report.unchanged) == (0, 0, 0, 2)


def test_a_file_with_bad_lines_reports_every_one_and_applies_nothing(node):
    good = timesheet_line()
    with pytest.raises(ImportRejected) as raised:
        services.records_import(node, [
            good,
            "{not json",
            json.dumps({"type": "user", "id": builders.new_id(), "op": "upsert", "data": {}}),
            timesheet_line(hours="30.00", worker=builders.new_id()),
            json.dumps({"type": "timesheet", "id": "42", "op": "replace", "colour": "red"}),
            good,
        ])
    problems = {problem.line_no: problem.messages for problem in raised.value.problems}
    assert set(problems) == {2, 3, 4, 5, 6}
    assert problems[2][0].startswith("Not valid JSON")
    assert "managed on the server" in problems[3][0]
    assert set(problems[4]) == {"data.hours: Must be at most 24.",
                                "data.worker: There is no user with this id on this computer."}
    assert len(problems[5]) == 3  # unknown key, bad id, bad op
    assert problems[6] == ("This record already appeared on line 1.",)
    assert str(raised.value) == "5 invalid lines; nothing was imported."
    assert count(node, Timesheet) == 0 and outbox(node) == []


def test_references_may_point_at_records_later_in_the_same_file(node):
    spec_id, report_id = builders.new_id(), builders.new_id()
    services.records_import(node, [
        json.dumps({"type": "daily_report", "id": report_id, "op": "upsert", "data": {
            "date": "2026-11-21", "site": "S", "author": WORKER, "notes": "", "lines": [
                {"id": builders.new_id(), "work_specification": spec_id, "description": "", "quantity": "1.000",
                 "workers": 2, "hours": "8.00"}]}}),
        json.dumps({"type": "work_specification", "id": spec_id, "op": "upsert", "data": {
            "code": "WS-9", "name": "Digging", "unit": "m3", "unit_price": "10.00"}}),
    ])
    assert get(node, DailyReport, report_id).lines[0].work_specification_id == spec_id


def test_a_reference_to_a_record_the_file_deletes_is_refused(node):
    spec = add_from_server(node, builders.work_specification(), version=2)
    with pytest.raises(ImportRejected) as raised:
        services.records_import(node, [
            json.dumps({"type": "work_specification", "id": spec.id, "op": "delete"}),
            timesheet_line(work_specification=spec.id),
        ])
    [problem] = raised.value.problems
    assert problem.line_no == 2 and "no work specification" in problem.messages[0]
