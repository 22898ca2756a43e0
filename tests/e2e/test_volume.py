"""5,000 records made offline — every editable type, estimates and reports with lines —
go to the server in one ``sync``; the outbox is empty afterwards and the server has all."""
from __future__ import annotations

import json
import uuid
from collections import Counter

import pytest

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.sync.models import SyncChange
from apps.timesheets.models import Timesheet
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)

SPECS, ESTIMATES, REPORTS, TIMESHEETS = 500, 1500, 1500, 1500
ESTIMATE_LINES, REPORT_LINES = 3, 2


def offline_records(worker_id: str) -> list[dict]:
    records = []
    spec_ids = []
    for n in range(SPECS):
        spec_ids.append(str(uuid.uuid4()))
        records.append({"type": "work_specification", "id": spec_ids[-1], "op": "upsert",
                        "data": {"code": f"VOL-{n:04d}", "name": f"Work item {n}", "unit": "m3",
                                 "unit_price": f"{100 + n}.50"}})
    for n in range(ESTIMATES):
        records.append({"type": "estimate", "id": str(uuid.uuid4()), "op": "upsert",
                        "data": {"number": f"VOL-E-{n:05d}", "title": f"Estimate {n}", "site": "Block 7",
                                 "date": "2026-11-26", "status": "draft",
                                 "lines": [{"id": str(uuid.uuid4()), "position": position,
                                            "work_specification": spec_ids[(n + position) % SPECS],
                                            "description": f"Line {position}", "unit": "m3",
                                            "quantity": f"{position}.250", "unit_price": "99.90"}
                                           for position in range(1, ESTIMATE_LINES + 1)]}})
    for n in range(REPORTS):
        records.append({"type": "daily_report", "id": str(uuid.uuid4()), "op": "upsert",
                        "data": {"date": "2026-11-26", "site": f"Site {n}", "author": worker_id, "notes": "",
                                 "lines": [{"id": str(uuid.uuid4()), "work_specification": spec_ids[n % SPECS],
                                            "description": f"Task {k}", "quantity": "1.000", "workers": 2,
                                            "hours": "7.50"} for k in range(REPORT_LINES)]}})
    for n in range(TIMESHEETS):
        records.append({"type": "timesheet", "id": str(uuid.uuid4()), "op": "upsert",
                        "data": {"date": "2026-11-26", "worker": worker_id, "site": f"Site {n}", "hours": "8.00",
                                 "work_specification": spec_ids[n % SPECS] if n % 2 else None, "note": ""}})
    return records


def test_five_thousand_offline_records_go_through_one_sync(server_url, new_node, tmp_path):
    data = office_data()
    node = new_node()
    node.register_by_password(server_url, field_user().username, PASSWORD)
    node.sync()
    records = offline_records(str(data["worker"].uuid))
    assert len(records) == 5000
    import_file = tmp_path / "offline.jsonl"
    import_file.write_text("".join(json.dumps(record) + "\n" for record in records))
    assert node.cli_ok("import", str(import_file)).startswith("imported: 5000 created")
    assert node.status().pending_changes == 5000

    summary = node.sync_cli()

    assert summary.startswith("synced: 5000 sent (5000 applied, 0 conflicts, 0 rejected)"), summary
    status = node.status()
    assert (status.pending_changes, status.message_in_flight, status.rejections) == (0, None, 0)
    assert node.query("SELECT count(*) FROM outbox") == [(0,)]
    sent_ids = {record["id"] for record in records}
    on_server = {str(uuid_) for uuid_ in SyncChange.objects.filter(op="upsert").values_list("record_uuid", flat=True)}
    assert sent_ids <= on_server
    assert WorkSpecification.objects.filter(code__startswith="VOL-").count() == SPECS
    assert Estimate.objects.filter(number__startswith="VOL-E-").count() == ESTIMATES
    assert EstimateLine.objects.filter(estimate__number__startswith="VOL-E-").count() == ESTIMATES * ESTIMATE_LINES
    assert DailyReport.objects.filter(site__startswith="Site ").count() == REPORTS
    assert DailyReportLine.objects.filter(report__site__startswith="Site ").count() == REPORTS * REPORT_LINES
    assert Timesheet.objects.filter(site__startswith="Site ").count() == TIMESHEETS
    expected = server_records()
    assert node.export_cli() == expected
    assert Counter(record_type for record_type, _ in expected) >= Counter(record["type"] for record in records)
