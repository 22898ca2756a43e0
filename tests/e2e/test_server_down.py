"""The node keeps working while the server is down: local edits succeed, ``sync`` says the
network is down (exit code 3) and keeps every unsent change; once the server is back, the
same changes arrive, once."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from apps.estimates.models import Estimate, WorkSpecification
from apps.sync.models import SyncNode
from apps.timesheets.models import Timesheet
from desktop_client import services
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.sync import NetworkUnavailable
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user
from tests.live_server import ROOT, server_start

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what} after {timeout} s")


def test_a_node_works_offline_while_the_server_is_down_and_catches_up_when_it_is_back(tmp_path, new_node):
    data = office_data()
    server = server_start(tmp_path, workers=1)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        node = new_node()
        node.register_by_password(server.url, field_user().username, PASSWORD)
        node.sync_cli()
        server.stop()

        # Everything local still works.
        estimate = node.call(
            services.record_create, record_type="estimate",
            values={"number": "E-OFF", "title": "Fence", "site": "Block 3", "date": "2026-11-26", "status": "draft"},
            lines=[{"position": 1, "work_specification": str(data["excavation"].uuid), "description": "Posts",
                    "unit": "m3", "quantity": "2.000", "unit_price": "450.00"}])
        node.call(services.record_update, record_type="work_specification", record_id=str(data["concrete"].uuid),
                  values={"unit_price": "5250.00"})
        node.call(services.record_delete, record_type="timesheet", record_id=str(data["timesheet"].uuid))
        assert node.status().pending_changes == 3

        # sync, with the CLI's waits between retries cut to nothing: all retries fail.
        down = node.cli("sync", "--once", fast_clock=True)
        assert down.returncode == ExitCode.NETWORK_UNREACHABLE == 3, down.stderr
        assert down.stderr.count("Trying again in") == 5  # the documented five retries
        assert down.stderr.strip().splitlines()[-1].startswith(
            f"error[network_unreachable]: Could not reach the server {server.url}")
        assert down.stdout == ""
        frozen = node.status().message_in_flight
        assert frozen is not None
        # The in-process engine says the same, and tries the same frozen message: being
        # down consumes no message numbers and loses no change.
        with pytest.raises(NetworkUnavailable):
            node.sync()
        status = node.status()
        assert (status.pending_changes, status.message_in_flight, status.last_message_no) == (3, frozen, frozen)
        assert node.records()[("estimate", estimate.id)]["version"] == 0

        # A real sync (real backoff) started while the server is down carries on once it is back.
        log = tmp_path / "sync-stderr.log"
        with open(log, "w") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-m", "desktop_client", "--db", str(node.path), "sync", "--once"],
                stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=ROOT)
        try:
            wait_for(lambda: "Trying again in" in log.read_text(), timeout=30, what="the first failed attempt")
            server = server_start(tmp_path, workers=1, port=port)
            out, _ = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=15)
        assert process.returncode == ExitCode.OK, log.read_text()
        assert out.startswith("synced: 3 sent (3 applied, 0 conflicts, 0 rejected)"), out

        assert Estimate.objects.get(uuid=estimate.id).lines.count() == 1
        assert Estimate.all_objects.filter(number="E-OFF").count() == 1
        assert str(WorkSpecification.objects.get(uuid=data["concrete"].uuid).unit_price) == "5250.00"
        assert Timesheet.all_objects.get(uuid=data["timesheet"].uuid).is_deleted
        status = node.status()
        assert (status.pending_changes, status.message_in_flight) == (0, None)
        assert SyncNode.objects.get(node_id=status.node_id).last_message_no == status.last_message_no
        assert node.export_cli() == server_records()
    finally:
        server.stop()
