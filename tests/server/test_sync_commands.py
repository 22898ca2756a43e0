"""The sync management commands: revoke, status, purge — their output and exit codes."""
from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.db import connections

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange, SyncState
from apps.sync.services.nodes import node_for_token, node_revoke
from tests.factories import WorkSpecificationFactory
from tests.server.sync_helpers import Node, spec_record, timesheet_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(capsys, monkeypatch):
    """Run a command the way manage.py does (errors become exit codes); return the exit
    code, standard output and standard error."""
    # run_from_argv closes every connection when it ends, which would end the test's
    # transaction (and with it the test's data) too.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run_command(name: str, *args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        command = load_command_class("apps.sync", name)  # its output goes to the captured streams
        try:
            command.run_from_argv(["manage.py", name, *args])
            code = 0
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return run_command


# --- sync_revoke ------------------------------------------------------------------------------


def test_sync_revoke_revokes_the_node_and_its_token_is_refused_next_time(run):
    node, other = Node("lost laptop"), Node("kept laptop")
    code, out, err = run("sync_revoke", str(node.model.node_id))
    assert (code, err) == (0, "")
    assert "Revoked the access of lost laptop" in out
    assert node_for_token(node.token).is_revoked
    assert not node_for_token(other.token).is_revoked


def test_sync_revoke_says_so_when_the_node_was_revoked_already(run):
    node = Node("lost laptop")
    node_revoke(node=node.model)
    node.model.refresh_from_db()
    code, out, _ = run("sync_revoke", str(node.model.node_id))
    assert code == 0
    assert "lost laptop" in out and "was revoked already, on" in out
    node.model.refresh_from_db()
    assert node_for_token(node.token).revoked_at == node.model.revoked_at  # not revoked a second time


@pytest.mark.parametrize("node_id", [str(uuid.uuid4()), "not-a-node-id"])
def test_sync_revoke_of_an_unknown_node_fails_with_a_clear_error(run, node_id):
    node = Node()
    code, out, err = run("sync_revoke", node_id)
    assert code == 1
    assert out == ""
    assert f"No computer has the node id {node_id}." in err
    assert not node_for_token(node.token).is_revoked


def test_sync_revoke_without_a_node_id_is_a_usage_error(run):
    code, _, err = run("sync_revoke")
    assert code == 2
    assert "node_id" in err


# --- sync_status ------------------------------------------------------------------------------


def test_sync_status_lists_every_node_with_its_lag_and_open_conflicts(run):
    behind, current = Node("behind laptop"), Node("current laptop")
    current.pull_all()
    current.exchange([timesheet_record(uuid.uuid4())])  # rejected: an open conflict-log entry
    node_revoke(node=behind.model)
    behind.model.refresh_from_db()
    behind_lag = SyncChange.objects.exclude(origin_node=behind.model).count()  # never acknowledged anything

    code, out, _ = run("sync_status")

    assert code == 0
    header, rule, *rows = out.splitlines()
    assert header.split() == ["Name", "Owner", "Node", "id", "Last", "seen", "Lag", "Open", "conflicts", "Revoked"]
    assert set(rule) == {"-", " "}
    by_name = {row.split("  ")[0].strip(): row for row in rows}
    assert list(by_name) == ["behind laptop", "current laptop"]
    behind_row, current_row = by_name["behind laptop"], by_name["current laptop"]
    assert behind.model.owner.username in behind_row and str(behind.model.node_id) in behind_row
    assert behind_row.split()[-4:-2] == [str(behind_lag), "0"]
    assert "never" in behind_row  # never seen
    assert behind_row.endswith(behind.model.revoked_at.strftime("%Y-%m-%d %H:%M"))
    assert current_row.split()[-3:] == ["0", "1", "no"]
    # Columns line up: every row is as wide as the rule, or narrower where it ends in spaces.
    assert all(len(row) <= len(rule) for row in rows)


def test_sync_status_with_no_nodes_says_so(run):
    code, out, _ = run("sync_status")
    assert (code, out.strip()) == (0, "No computers are registered.")


# --- sync_purge -------------------------------------------------------------------------------


def test_sync_purge_removes_acknowledged_tombstones_and_reports_how_far(run):
    node = Node()
    node.exchange([spec_record(code="GONE")])
    WorkSpecification.objects.get(code="GONE").delete()
    tombstone = SyncChange.objects.get(op=SyncChange.Op.DELETE)
    node.pull_all()  # the only active node acknowledges the deletion

    code, out, _ = run("sync_purge")

    assert code == 0
    assert out.strip() == f"Removed 1 tombstone; the change log is purged through version {tombstone.version}."
    assert not SyncChange.objects.filter(op=SyncChange.Op.DELETE).exists()
    assert SyncState.objects.get(pk=1).purged_through == tombstone.version


def test_sync_purge_keeps_tombstones_an_active_node_has_not_acknowledged(run):
    node = Node()
    node.pull_all()
    WorkSpecificationFactory(code="GONE").delete()
    node.exchange()  # seen recently, but its ack predates the deletion
    out = StringIO()
    call_command("sync_purge", stdout=out)
    assert out.getvalue().strip() == "Removed 0 tombstones; the change log is purged through version 0."
    assert SyncChange.objects.filter(op=SyncChange.Op.DELETE).count() == 1
