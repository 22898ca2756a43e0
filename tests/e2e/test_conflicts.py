"""A conflicting edit is never lost: the losing version stays visible on its node, and the
user either re-applies it (every side ends with it) or keeps the server's. A rejected
change is not lost either: it stays visible with the server's reasons until corrected."""
from __future__ import annotations

from decimal import Decimal

import pytest

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.sync.models import SyncConflict
from apps.timesheets.models import Timesheet
from desktop_client import services
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)


def synced_nodes(server_url, new_node, count=2):
    users = [field_user() for _ in range(count)]
    nodes = []
    for name, user in zip("AB", users, strict=False):
        node = new_node()
        node.register_by_password(server_url, user.username, PASSWORD, name=name)
        node.sync()
        nodes.append(node)
    expected = server_records()
    assert all(node.records() == expected for node in nodes)
    return nodes


def test_the_losing_edit_stays_visible_and_reapplied_reaches_every_side(server_url, new_node):
    data = office_data()
    node_a, node_b = synced_nodes(server_url, new_node)
    concrete, timesheet = str(data["concrete"].uuid), str(data["timesheet"].uuid)

    # Both nodes change the same specification; the office changes a timesheet node A deletes.
    node_a.call(services.record_update, record_type="work_specification", record_id=concrete,
                values={"name": "Concrete B25 (A)", "unit_price": "5300.00"})
    node_b.call(services.record_update, record_type="work_specification", record_id=concrete,
                values={"name": "Concrete B30 (B)"})
    node_a.call(services.record_delete, record_type="timesheet", record_id=timesheet)
    office_copy = Timesheet.objects.get(uuid=timesheet)
    office_copy.hours = Decimal("4.00")
    office_copy.save()

    assert node_b.sync().applied == 1
    summary = node_a.sync_cli()

    assert summary.startswith("synced: 2 sent (0 applied, 2 conflicts, 0 rejected)"), summary
    assert summary.rstrip().endswith("open: 2 conflicts, 0 rejected changes")
    # The server won: node A shows the server's records, and lists what it had.
    assert node_a.records() == server_records()
    conflicts = {item.record_type: item for item in node_a.call(services.conflict_list)}
    spec_conflict, timesheet_conflict = conflicts["work_specification"], conflicts["timesheet"]
    assert spec_conflict.mine["data"]["name"] == "Concrete B25 (A)"
    assert spec_conflict.server["data"]["name"] == "Concrete B30 (B)"
    assert set(spec_conflict.differing_fields) == {"name", "unit_price"}
    assert timesheet_conflict.mine["op"] == "delete" and timesheet_conflict.server["data"]["hours"] == "4.00"
    # The office can read both in its conflict log.
    logged = SyncConflict.objects.filter(node__name="A", outcome=SyncConflict.Outcome.CONFLICT)
    assert {entry.record_uuid for entry in logged} == {concrete, timesheet}

    # The user re-applies both of theirs; they go out as new edits on the server's versions.
    mine = node_a.call(services.conflict_reapply_mine, conflict_id=spec_conflict.id)
    assert mine.values["name"] == "Concrete B25 (A)" and mine.has_unsent_change
    assert node_a.call(services.conflict_reapply_mine, conflict_id=timesheet_conflict.id) is None
    report = node_a.sync()
    assert (report.sent, report.applied, report.conflicts) == (2, 2, 0)
    node_b.sync_cli()

    spec = WorkSpecification.objects.get(uuid=concrete)
    assert (spec.name, spec.unit_price) == ("Concrete B25 (A)", Decimal("5300.00"))
    assert Timesheet.all_objects.get(uuid=timesheet).is_deleted
    expected = server_records()
    assert node_a.export_cli() == node_b.export_cli() == expected
    assert ("timesheet", timesheet) not in expected
    assert node_a.call(services.conflict_list) == [] and node_a.status().pending_changes == 0


def test_keeping_the_servers_version_closes_the_conflict_and_sends_nothing(server_url, new_node):
    data = office_data()
    node_a, node_b = synced_nodes(server_url, new_node)
    estimate_id = str(data["estimate"].uuid)

    # Node A rewrites the estimate's lines while the office changes one of them.
    view = node_a.call(services.record_get, record_type="estimate", record_id=estimate_id)
    node_a.call(services.record_update, record_type="estimate", record_id=estimate_id, values={"status": "approved"},
                lines=[{"id": view.lines[0].id, **view.lines[0].values, "quantity": Decimal("999.000")}])
    office_line = EstimateLine.objects.get(estimate=data["estimate"], position=2)
    office_line.quantity = Decimal("33.000")
    office_line.save()

    report = node_a.sync()
    assert (report.sent, report.conflicts) == (1, 1)
    [conflict] = node_a.call(services.conflict_list)
    assert conflict.mine["data"]["status"] == "approved" and len(conflict.mine["data"]["lines"]) == 1
    assert [line["quantity"] for line in conflict.server["data"]["lines"]] == ["120.000", "33.000"]

    node_a.call(services.conflict_keep_server, conflict_id=conflict.id)
    again = node_a.sync()
    node_b.sync()

    assert again.sent == 0
    assert node_a.call(services.conflict_list) == [] and node_a.status().pending_changes == 0
    estimate = Estimate.objects.get(uuid=estimate_id)
    assert estimate.status == "draft"
    assert [line.quantity for line in estimate.lines.order_by("position")] == [Decimal("120.000"), Decimal("33.000")]
    expected = server_records()
    assert node_a.export_cli() == node_b.export_cli() == expected


def test_a_rejected_change_stays_visible_with_the_reasons_and_goes_through_once_corrected(server_url, new_node):
    office_data()
    [node] = synced_nodes(server_url, new_node, count=1)
    # The code is taken on the server (the office's "EXC-01"); only the server can tell.
    spec = node.call(services.record_create, record_type="work_specification",
                     values={"code": "EXC-01", "name": "Excavation by hand", "unit": "m3", "unit_price": "900.00"})

    summary = node.sync_cli()

    assert summary.startswith("synced: 1 sent (0 applied, 0 conflicts, 1 rejected)"), summary
    [rejection] = node.call(services.rejection_list)
    assert rejection.record_id == spec.id and list(rejection.reasons) == ["code"]
    assert node.call(services.record_get, record_type="work_specification", record_id=spec.id).values["code"] == "EXC-01"
    assert SyncConflict.objects.filter(outcome=SyncConflict.Outcome.REJECTED, record_uuid=spec.id).exists()

    node.call(services.rejection_retry, rejection_id=rejection.id, values={"code": "EXC-02"})
    report = node.sync()

    assert (report.sent, report.applied) == (1, 1)
    assert WorkSpecification.objects.get(uuid=spec.id).code == "EXC-02"
    assert node.call(services.rejection_list) == [] and node.status().pending_changes == 0
    assert node.export_cli() == server_records()
