"""A response lost after the server committed the message: the node sends the same message
again (same number, same bytes) and the server applies it once — no duplicate anywhere."""
from __future__ import annotations

import io
import json

import pytest
import requests

from apps.estimates.models import Estimate, EstimateLine
from apps.sync.models import SyncChange, SyncNode, SyncState
from apps.timesheets.models import Timesheet
from desktop_client import services
from desktop_client.cli import main
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.sync import HttpTransport, NetworkUnavailable
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)


class AnswerLostOnce(requests.Session):
    """The real HTTP session, except that the first exchange carrying changes reaches the
    server, which commits and answers, and then the connection "drops": the answer never
    reaches the client, which sees the network error it treats as the network being down."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[bytes] = []
        self.lost: requests.Response | None = None

    def request(self, method, url, *args, **kwargs):
        response = super().request(method, url, *args, **kwargs)
        if url.endswith("/api/sync/exchange"):
            body = kwargs["data"]
            self.exchanges.append(body)
            if self.lost is None and json.loads(body)["changes"]:
                assert response.status_code == 200, response.text  # committed on the server
                self.lost = response
                raise requests.ConnectionError("Connection reset by peer while reading the answer")
        return response


def offline_edits(node, data) -> dict[str, str]:
    estimate = node.call(
        services.record_create, record_type="estimate",
        values={"number": "E-LOST", "title": "Drainage", "site": "Block 3", "date": "2026-11-26", "status": "draft"},
        lines=[{"position": position, "work_specification": str(data["excavation"].uuid), "description": "Trench",
                "unit": "m3", "quantity": "5.000", "unit_price": "450.00"} for position in (1, 2)])
    timesheet = node.call(
        services.record_create, record_type="timesheet",
        values={"date": "2026-11-26", "worker": str(data["worker"].uuid), "site": "Block 3", "hours": "8.00",
                "work_specification": None, "note": ""})
    return {"estimate": estimate.id, "timesheet": timesheet.id}


def test_a_lost_answer_is_resent_by_the_next_sync_and_applied_once(server_url, new_node):
    data = office_data()
    node = new_node()
    node_id = node.register_by_password(server_url, field_user().username, PASSWORD)
    node.sync()
    created = offline_edits(node, data)
    session = AnswerLostOnce()

    with pytest.raises(NetworkUnavailable):
        node.sync(transport=HttpTransport(server_url, session=session))

    # The server has it all; the node does not know yet and keeps its outbox and message.
    server_node = SyncNode.objects.get(node_id=node_id)
    [lost_body] = session.exchanges
    lost_message = json.loads(lost_body)
    assert server_node.last_message_no == lost_message["message_no"]
    assert Estimate.objects.filter(uuid=created["estimate"]).count() == 1
    # The office edits the estimate before the node comes back: applying the message again
    # would overwrite this edit (or report a conflict); applied once, it stays.
    office_copy = Estimate.objects.get(uuid=created["estimate"])
    office_copy.title = "Drainage, checked by the office"
    office_copy.save()
    versions_then = dict(SyncChange.objects.values_list("record_uuid", "version"))
    last_version_then = SyncState.objects.get().last_version
    status = node.status()
    assert status.message_in_flight == lost_message["message_no"] and status.pending_changes == 2

    report = node.sync(transport=HttpTransport(server_url, session=session))

    resent = session.exchanges[1]
    assert resent == lost_body, "the retry must be the same message, byte for byte"
    assert (report.applied, report.conflicts, report.rejected) == (2, 0, 0)
    # Applied once: one row each, the office's edit intact, no new version for anything.
    estimate = Estimate.all_objects.get(uuid=created["estimate"])
    assert estimate.title == "Drainage, checked by the office"
    assert Estimate.all_objects.filter(number="E-LOST").count() == 1
    assert EstimateLine.all_objects.filter(estimate=estimate).count() == 2
    assert estimate.history.count() == 2  # the node's creation and the office's edit
    assert Timesheet.all_objects.filter(uuid=created["timesheet"]).count() == 1
    assert dict(SyncChange.objects.values_list("record_uuid", "version")) == versions_then
    assert SyncState.objects.get().last_version == last_version_then
    server_node.refresh_from_db()
    assert server_node.last_message_no == lost_message["message_no"]
    # The node settled the message from the server's stored results: nothing left to send.
    status = node.status()
    assert (status.pending_changes, status.message_in_flight, status.conflicts, status.rejections) == (0, None, 0, 0)
    assert node.query("SELECT count(*) FROM outbox") == [(0,)]
    assert node.records()[("estimate", created["estimate"])]["data"]["title"] == "Drainage, checked by the office"
    assert node.export_cli() == server_records()


def test_the_cli_retries_a_lost_answer_within_the_same_run(server_url, new_node):
    data = office_data()
    node = new_node()
    node.register_by_password(server_url, field_user().username, PASSWORD)
    node.sync()
    created = offline_edits(node, data)
    session = AnswerLostOnce()
    waits: list[float] = []
    stdout, stderr = io.StringIO(), io.StringIO()

    code = main(["--db", str(node.path), "sync", "--once"],
                transport_factory=lambda url: HttpTransport(url, session=session),
                sleep=waits.append, stdout=stdout, stderr=stderr)

    assert code == ExitCode.OK, stderr.getvalue()
    assert len(waits) == 1 and "Trying again in" in stderr.getvalue()
    first, retry = session.exchanges[:2]
    assert retry == first
    assert stdout.getvalue().startswith("synced: 2 sent (2 applied, 0 conflicts, 0 rejected)")
    assert Estimate.all_objects.filter(number="E-LOST").count() == 1
    assert Estimate.all_objects.get(uuid=created["estimate"]).history.count() == 1
    assert node.status().pending_changes == 0
    assert node.export_cli() == server_records()
