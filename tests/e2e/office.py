"""The server's side of the end-to-end tests: what the server holds, as a node should end up
holding it, and the office's ways of changing it (the ORM, the real admin)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.test import Client

from apps.sync.models import SyncChange
from apps.sync.serializer import LogEntry, records_to_wire
from tests.e2e.desktop import RecordKey, by_key
from tests.factories import (
    DailyReportFactory,
    DailyReportLineFactory,
    EstimateFactory,
    EstimateLineFactory,
    TimesheetFactory,
    UserFactory,
    WorkSpecificationFactory,
)


def server_records() -> dict[RecordKey, dict]:
    """Every live record on the server, rendered as the server sends it from its change log."""
    entries = [
        LogEntry(record_type=change.record_type, record_uuid=change.record_uuid, version=change.version,
                 op=change.op, changed_at=change.changed_at)
        for change in SyncChange.objects.order_by("version")
    ]
    return by_key(record for record in records_to_wire(entries) if record["op"] == "upsert")


def office_data() -> dict:
    """What an office has before any laptop connects: the catalogue, an estimate, a daily
    report and a timesheet, each record type with its lines."""
    worker = UserFactory(full_name="Pyotr Sidorov")
    excavation = WorkSpecificationFactory(code="EXC-01", name="Excavation", unit="m3", unit_price=Decimal("450.00"))
    concrete = WorkSpecificationFactory(code="CON-01", name="Concrete", unit="m3", unit_price=Decimal("5200.00"))
    estimate = EstimateFactory(number="E-1", title="Foundation")
    EstimateLineFactory(estimate=estimate, position=1, work_specification=excavation, quantity=Decimal("120.000"),
                        unit_price=Decimal("450.00"))
    EstimateLineFactory(estimate=estimate, position=2, work_specification=concrete, quantity=Decimal("30.500"),
                        unit_price=Decimal("5200.00"))
    report = DailyReportFactory(author=worker, date=dt.date(2026, 11, 24), site="Block 3")
    DailyReportLineFactory(report=report, work_specification=excavation, quantity=Decimal("40.000"))
    timesheet = TimesheetFactory(worker=worker, work_specification=concrete, hours=Decimal("7.50"))
    return {"worker": worker, "excavation": excavation, "concrete": concrete, "estimate": estimate,
            "report": report, "timesheet": timesheet}


def admin_form_data(response) -> dict:
    """The POST data of an admin change form exactly as the page shows it (fields, inlines
    and their management forms), for a test to change a few values and submit."""
    data: dict = {}

    def take(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    take(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            take(form)  # blank extra forms carry their initial values, so they count as unchanged
    return data


def admin_submit(client: Client, url: str, changes: dict) -> None:
    page = client.get(url)
    assert page.status_code == 200, url
    response = client.post(url, admin_form_data(page) | changes)
    errors = getattr(response, "context", None) and response.context.get("errors")
    assert response.status_code == 302, f"the admin refused the form: {errors}"
