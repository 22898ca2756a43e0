"""Deletes travel with their lines: a record deleted on a node is soft-deleted on the server
with its lines and disappears from the other node; an office delete reaches every node."""
from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from apps.estimates.models import Estimate, EstimateLine
from apps.reports.models import DailyReport, DailyReportLine
from apps.sync.models import SyncChange
from apps.timesheets.models import Timesheet
from desktop_client import services
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_estimate_with_lines_deleted_on_a_node_is_gone_everywhere(server_url, new_node, tmp_path):
    data = office_data()
    users = field_user(), field_user()
    node_a, node_b = new_node(), new_node()
    for node, user in zip((node_a, node_b), users, strict=True):
        node.register_by_password(server_url, user.username, PASSWORD)
    node_a.sync()
    estimate_id = str(uuid.uuid4())
    line_ids = [str(uuid.uuid4()) for _ in range(3)]
    node_a.call(
        services.record_create, record_type="estimate", record_id=estimate_id,
        values={"number": "E-DEL", "title": "Temporary road", "site": "Block 5", "date": "2026-11-26",
                "status": "draft"},
        lines=[{"id": line_id, "position": position, "work_specification": str(data["excavation"].uuid),
                "description": f"Stage {position}", "unit": "m3", "quantity": "10.000", "unit_price": "450.00"}
               for position, line_id in enumerate(line_ids, start=1)])
    node_a.sync_cli()
    node_b.sync()
    assert node_b.query("SELECT count(*) FROM estimate_lines WHERE estimate_id = ?", estimate_id) == [(3,)]

    # Deleted on A through the CLI's import, offline; then A syncs, then B.
    delete_file = tmp_path / "delete.jsonl"
    delete_file.write_text(json.dumps({"type": "estimate", "id": estimate_id, "op": "delete"}) + "\n")
    assert node_a.cli_ok("import", str(delete_file)).startswith("imported: 0 created, 0 updated, 1 deleted")
    assert node_a.status().pending_changes == 1
    assert node_a.query("SELECT count(*) FROM estimate_lines WHERE estimate_id = ?", estimate_id) == [(0,)]
    assert node_a.sync_cli().startswith("synced: 1 sent (1 applied")
    node_b.sync_cli()

    estimate = Estimate.all_objects.get(uuid=estimate_id)
    assert estimate.is_deleted
    lines = EstimateLine.all_objects.filter(estimate=estimate)
    assert sorted(str(line.uuid) for line in lines) == sorted(line_ids)
    assert all(line.is_deleted for line in lines)
    assert SyncChange.objects.get(record_uuid=estimate_id).op == "delete"
    assert node_b.query("SELECT count(*) FROM estimates WHERE id = ?", estimate_id) == [(0,)]
    assert node_b.query("SELECT count(*) FROM estimate_lines WHERE estimate_id = ?", estimate_id) == [(0,)]
    expected = server_records()
    assert ("estimate", estimate_id) not in expected
    assert node_a.export_cli() == node_b.export_cli() == expected


def test_office_deletes_in_the_admin_and_the_orm_reach_both_nodes(server_url, new_node, clerk):
    data = office_data()
    report, timesheet = data["report"], data["timesheet"]
    users = field_user(), field_user()
    node_a, node_b = new_node(), new_node()
    for node, user in zip((node_a, node_b), users, strict=True):
        node.register_by_password(server_url, user.username, PASSWORD)
        node.sync()
        assert ("daily_report", str(report.uuid)) in node.records()

    # The clerk deletes the daily report in the admin (confirmation page, then "Yes");
    # a bulk delete in the office deletes the timesheet.
    url = reverse("admin:reports_dailyreport_delete", args=[report.pk])
    assert clerk.get(url).status_code == 200
    assert clerk.post(url, {"post": "yes"}).status_code == 302
    assert Timesheet.objects.filter(pk=timesheet.pk).delete()[0] == 1
    assert DailyReport.all_objects.get(pk=report.pk).is_deleted
    assert all(line.is_deleted for line in DailyReportLine.all_objects.filter(report=report))

    node_a.sync_cli()
    node_b.sync()

    expected = server_records()
    for node in (node_a, node_b):
        assert node.query("SELECT count(*) FROM daily_reports WHERE id = ?", str(report.uuid)) == [(0,)]
        assert node.query("SELECT count(*) FROM daily_report_lines WHERE daily_report_id = ?",
                          str(report.uuid)) == [(0,)]
        assert node.query("SELECT count(*) FROM timesheets") == [(0,)]
        assert node.export_cli() == expected
        assert node.status().pending_changes == 0
