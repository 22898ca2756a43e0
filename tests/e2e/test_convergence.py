"""Offline edits on two nodes and in the office (the ORM and the real admin) converge: once
everyone has synced, every node's export equals the server's records."""
from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport
from apps.sync.services.nodes import connection_code_make, node_create
from apps.timesheets.models import Timesheet
from desktop_client import services
from tests.e2e.office import admin_submit, office_data, server_records
from tests.factories import EstimateFactory, EstimateLineFactory, WorkSpecificationFactory
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)


def line_input(line) -> dict:
    """A line of a record view as a form would give it back unchanged."""
    return {"id": line.id, **line.values}


def test_offline_edits_on_two_nodes_and_in_the_office_converge(server_url, new_node, tmp_path, clerk):
    data = office_data()
    worker, excavation, concrete = data["worker"], data["excavation"], data["concrete"]
    office_estimate = EstimateFactory(number="E-9", title="Roof")
    office_lines = [
        EstimateLineFactory(estimate=office_estimate, position=position, work_specification=concrete,
                            quantity=Decimal(f"{position}.000"), unit_price=Decimal("100.00"))
        for position in (1, 2, 3)
    ]

    foreman_a, foreman_b = field_user(), field_user()

    node_a = new_node()
    node_a.register_by_password(server_url, foreman_a.username, PASSWORD, name="A")
    node_a.sync_cli()
    server_node, token = node_create(owner=foreman_b, name="B")
    node_b = new_node()
    node_b.register_by_code(connection_code_make(node_id=server_node.node_id, token=token, server_url=server_url))
    node_b.sync()
    assert node_a.records() == node_b.records() == server_records()

    # --- everyone edits, nobody syncs -----------------------------------------------------
    # Node A, through the services the window calls: a new work specification, an estimate
    # with two lines using it, a timesheet's hours.
    spec_a = node_a.call(services.record_create, record_type="work_specification",
                         values={"code": "NODE-A-1", "name": "Formwork", "unit": "m2", "unit_price": "310.00"})
    estimate_a = node_a.call(
        services.record_create, record_type="estimate",
        values={"number": "E-A-1", "title": "Retaining wall", "site": "Block 3", "date": "2026-11-26",
                "status": "draft"},
        lines=[{"position": 1, "work_specification": spec_a.id, "description": "Formwork", "unit": "m2",
                "quantity": "55.000", "unit_price": "310.00"},
               {"position": 2, "work_specification": None, "description": "Cleanup", "unit": "",
                "quantity": "1.000", "unit_price": "5000.00"}])
    node_a.call(services.record_update, record_type="timesheet", record_id=str(data["timesheet"].uuid),
                values={"hours": "9.25"})

    # Node B: E-1 retitled, its first line removed, its second changed and a third added;
    # then, through the CLI's import, a daily report with two lines and a timesheet.
    e1 = node_b.call(services.record_get, record_type="estimate", record_id=str(data["estimate"].uuid))
    kept = line_input(e1.lines[1]) | {"quantity": Decimal("31.250")}
    node_b.call(services.record_update, record_type="estimate", record_id=e1.id, values={"title": "Foundation, revised"},
                lines=[kept, {"position": 3, "work_specification": str(excavation.uuid), "description": "Backfill",
                              "unit": "m3", "quantity": "80.000", "unit_price": "300.00"}])
    report_b, timesheet_b = str(uuid.uuid4()), str(uuid.uuid4())
    import_file = tmp_path / "from-b.jsonl"
    import_file.write_text("\n".join(json.dumps(line) for line in [
        {"type": "daily_report", "id": report_b, "op": "upsert",
         "data": {"date": "2026-11-26", "site": "Block 4", "author": str(worker.uuid), "notes": "Rain after 3 pm.",
                  "lines": [{"id": str(uuid.uuid4()), "work_specification": str(concrete.uuid),
                             "description": "Slab", "quantity": "12.000", "workers": 5, "hours": "6.50"},
                            {"id": str(uuid.uuid4()), "work_specification": None,
                             "description": "Rebar delivery", "quantity": "2.000", "workers": 2, "hours": "1.00"}]}},
        {"type": "timesheet", "id": timesheet_b, "op": "upsert",
         "data": {"date": "2026-11-26", "worker": str(worker.uuid), "site": "Block 4", "hours": "6.50",
                  "work_specification": str(concrete.uuid), "note": "Slab"}},
    ]) + "\n")
    assert node_b.cli_ok("import", str(import_file)).startswith("imported: 2 created")

    # The office: a new specification and a report's notes through the ORM ...
    office_spec = WorkSpecificationFactory(code="OFF-1", name="Crane hire", unit="h", unit_price=Decimal("9000.00"))
    report = DailyReport.objects.get(pk=data["report"].pk)
    report.notes = "Checked by the engineer."
    report.save()
    # ... and through the real admin: a specification's price, and E-9's lines edited
    # inline (line 1 changed, line 3 deleted, a new line added in the blank form).
    admin_submit(clerk, reverse("admin:estimates_workspecification_change", args=[excavation.pk]),
                 {"unit_price": "475.00", "name": "Excavation, machine"})
    admin_submit(clerk, reverse("admin:estimates_estimate_change", args=[office_estimate.pk]), {
        "title": "Roof, revised",
        "lines-0-quantity": "1.500",
        "lines-2-DELETE": "on",
        "lines-3-position": "4", "lines-3-work_specification": str(office_spec.pk), "lines-3-description": "Crane",
        "lines-3-unit": "h", "lines-3-quantity": "6.000", "lines-3-unit_price": "9000.00",
    })

    # --- everyone syncs: A, B (CLI), A again (CLI), B again ------------------------------
    first_a = node_a.sync()
    assert (first_a.sent, first_a.applied, first_a.conflicts, first_a.rejected) == (3, 3, 0, 0)
    assert node_b.sync_cli().startswith("synced: 3 sent (3 applied, 0 conflicts, 0 rejected)")
    node_a.sync_cli()
    node_b.sync()

    expected = server_records()
    assert node_a.export_cli() == expected
    assert node_b.export_cli() == expected
    for node in (node_a, node_b):
        status = node.status()
        assert (status.pending_changes, status.conflicts, status.rejections) == (0, 0, 0)

    # The server holds each side's edit, not just "something equal".
    assert WorkSpecification.objects.get(code="NODE-A-1").unit_price == Decimal("310.00")
    assert Estimate.objects.get(number="E-A-1").lines.count() == 2
    assert Timesheet.objects.get(uuid=data["timesheet"].uuid).hours == Decimal("9.25")
    e1_lines = EstimateLine.objects.filter(estimate__number="E-1").order_by("position")
    assert [(line.position, line.quantity) for line in e1_lines] == [(2, Decimal("31.250")), (3, Decimal("80.000"))]
    assert Estimate.objects.get(number="E-1").title == "Foundation, revised"
    assert DailyReport.objects.get(uuid=report_b).lines.count() == 2
    assert Timesheet.objects.filter(uuid=timesheet_b).exists()
    assert WorkSpecification.objects.get(pk=excavation.pk).unit_price == Decimal("475.00")
    e9 = Estimate.objects.get(pk=office_estimate.pk)
    assert e9.title == "Roof, revised"
    assert [(line.position, line.quantity) for line in e9.lines.order_by("position")] == [
        (1, Decimal("1.500")), (2, Decimal("2.000")), (4, Decimal("6.000"))]
    assert EstimateLine.all_objects.get(pk=office_lines[2].pk).is_deleted
    assert ("work_specification", str(office_spec.uuid)) in expected


def test_lines_the_office_reorders_arrive_in_the_servers_order(server_url, new_node, clerk):
    data = office_data()
    estimate = data["estimate"]
    nodes = [new_node(), new_node()]
    for node, user in zip(nodes, (field_user(), field_user()), strict=True):
        node.register_by_password(server_url, user.username, PASSWORD)
        node.sync()

    # The clerk moves the first line to the end in the admin (positions 1, 2 -> 3, 2).
    admin_submit(clerk, reverse("admin:estimates_estimate_change", args=[estimate.pk]), {"lines-0-position": "3"})
    for node in nodes:
        node.sync()

    expected = server_records()
    key = ("estimate", str(estimate.uuid))
    assert [line["position"] for line in expected[key]["data"]["lines"]] == [2, 3]
    for node in nodes:
        view = node.call(services.record_get, record_type="estimate", record_id=key[1])
        assert [line.values["position"] for line in view.lines] == [2, 3]
        assert node.export_cli() == expected
