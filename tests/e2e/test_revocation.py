"""A revoked node stops cleanly and keeps its data: revoked by the admin's action or by
``manage.py sync_revoke``, its next sync exits 4 with the server's reason, later syncs
refuse without asking the server, and every local record and unsent change stays — to be
sent once the computer is registered again."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

from apps.estimates.models import Estimate, WorkSpecification
from apps.sync.models import SyncNode
from apps.sync.services.nodes import connection_code_make, node_create
from apps.timesheets.models import Timesheet
from desktop_client import services
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.sync import HttpTransport, NodeRevoked
from desktop_client.sync.engine import REVOKED_DETAIL
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user
from tests.live_server import ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)

SERVER_SAYS = "error[node_revoked]: This computer's access was revoked by an administrator. Register it again."


class CountingTransport(HttpTransport):
    def __init__(self, server_url: str) -> None:
        super().__init__(server_url)
        self.exchanges = 0

    def exchange(self, body, *, token):
        self.exchanges += 1
        return super().exchange(body, token=token)


def manage(*args: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "project.settings_test"}
    return subprocess.run([sys.executable, "manage.py", *args], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env=environment)


def test_nodes_revoked_in_the_admin_and_by_command_stop_and_keep_their_data(server_url, new_node, clerk):
    data = office_data()
    by_admin, by_command = new_node(), new_node()
    admin_node_id = by_admin.register_by_password(server_url, field_user().username, PASSWORD, name="lost laptop")
    command_node, token = node_create(owner=field_user(), name="stolen laptop")
    by_command.register_by_code(connection_code_make(node_id=command_node.node_id, token=token,
                                                     server_url=server_url))
    for node in (by_admin, by_command):
        node.sync()

    # Offline work on both, not yet sent.
    spec = by_admin.call(services.record_create, record_type="work_specification",
                         values={"code": "LOST-1", "name": "Scaffolding", "unit": "m2", "unit_price": "120.00"})
    by_admin.call(services.record_update, record_type="estimate", record_id=str(data["estimate"].uuid),
                  values={"title": "Foundation (lost laptop)"})
    timesheet = by_command.call(
        services.record_create, record_type="timesheet",
        values={"date": "2026-11-26", "worker": str(data["worker"].uuid), "site": "Block 3", "hours": "3.00",
                "work_specification": None, "note": "Written on the stolen laptop"})

    # The admin's action (confirmation, then "Yes"), and the command for the other node.
    changelist = reverse("admin:sync_syncnode_changelist")
    selected = {"action": "revoke_selected", "_selected_action": [SyncNode.objects.get(node_id=admin_node_id).pk]}
    assert clerk.post(changelist, {**selected, "index": 0}).status_code == 200
    done = clerk.post(changelist, {**selected, "confirmed": "yes"}, follow=True)
    assert "Revoked the access of 1 computer" in done.content.decode()
    revoked = manage("sync_revoke", str(command_node.node_id))
    assert revoked.returncode == 0, revoked.stderr
    assert "Revoked the access of stolen laptop" in revoked.stdout
    assert SyncNode.objects.filter(revoked_at__isnull=False).count() == 2

    for node in (by_admin, by_command):
        before = node.records()
        first = node.cli("sync", "--once")
        assert first.returncode == ExitCode.REVOKED == 4, first.stderr
        assert first.stderr.strip().splitlines()[-1] == SERVER_SAYS
        assert first.stdout == ""
        # Refused again from what the node knows, without asking the server.
        transport = CountingTransport(server_url)
        with pytest.raises(NodeRevoked) as refused:
            node.sync(transport=transport)
        assert transport.exchanges == 0 and refused.value.detail == REVOKED_DETAIL
        again = node.cli("sync", "--once")
        assert again.returncode == ExitCode.REVOKED
        assert again.stderr.strip().splitlines()[-1] == f"error[node_revoked]: {REVOKED_DETAIL}"
        # Everything local is still there.
        assert node.records() == before == node.export_cli()
        status = node.status()
        assert status.revoked and status.registered

    assert by_admin.status().pending_changes == 2 and by_command.status().pending_changes == 1
    assert by_admin.records()[("work_specification", spec.id)]["version"] == 0
    assert by_admin.call(services.record_get, record_type="estimate",
                         record_id=str(data["estimate"].uuid)).values["title"] == "Foundation (lost laptop)"
    assert by_command.call(services.record_get, record_type="timesheet",
                           record_id=timesheet.id).values["note"] == "Written on the stolen laptop"
    # And nothing of it reached the server.
    assert not WorkSpecification.all_objects.filter(code="LOST-1").exists()
    assert not Timesheet.all_objects.filter(uuid=timesheet.id).exists()

    # The laptop turns up again: registered anew, it sends what it kept and takes the full
    # state, dropping what the office deleted meanwhile.
    data["report"].delete()
    new_node_id = by_admin.register_by_password(server_url, field_user().username, PASSWORD, name="found laptop")
    assert new_node_id != admin_node_id
    assert by_admin.sync_cli().startswith("synced: 2 sent (2 applied, 0 conflicts, 0 rejected)")
    assert WorkSpecification.objects.get(code="LOST-1").name == "Scaffolding"
    assert Estimate.objects.get(uuid=data["estimate"].uuid).title == "Foundation (lost laptop)"
    assert by_admin.export_cli() == server_records()
    assert ("daily_report", str(data["report"].uuid)) not in by_admin.records()
    assert not by_admin.status().revoked
