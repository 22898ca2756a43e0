"""Tombstones are purged only once every active node has them; stale nodes get a reset."""
from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange, SyncNode, SyncState
from apps.sync.services.purge import log_purge
from tests.factories import WorkSpecificationFactory
from tests.server.sync_helpers import Node, spec_record

pytestmark = pytest.mark.django_db


def tombstones() -> int:
    return SyncChange.objects.filter(op="delete").count()


def test_purge_waits_for_every_active_node_to_acknowledge_the_tombstone():
    first, second = Node("first"), Node("second")
    first.pull_all()
    second.pull_all()
    spec = WorkSpecificationFactory()
    first.pull_all()
    second.pull_all()
    spec.delete()
    first.pull_all()  # only the first node has acknowledged the tombstone
    assert log_purge().removed == 0
    assert tombstones() == 1
    second.pull_all()
    outcome = log_purge()
    assert outcome.removed == 1 and tombstones() == 0
    assert SyncState.objects.get().purged_through == outcome.purged_through > 0
    # The record itself is kept, deleted, for the admin to restore.
    assert WorkSpecification.all_objects.get(pk=spec.pk).is_deleted


def test_a_stale_node_stops_holding_the_purge_and_gets_a_reset_with_the_full_state():
    keeper, stale = Node("keeper"), Node("stale")
    doomed = WorkSpecificationFactory()
    survivor = WorkSpecificationFactory()
    keeper.pull_all()
    stale.pull_all()
    doomed.delete()
    keeper.pull_all()
    SyncNode.objects.filter(pk=stale.model.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=31))
    assert log_purge().removed == 1

    outcome = stale.exchange()
    assert outcome.reset is True
    ids = {record["id"] for record in outcome.changes}
    assert str(survivor.uuid) in ids and str(doomed.uuid) not in ids
    assert all(record["op"] == "upsert" for record in outcome.changes)
    # After the pass the node is an ordinary node again.
    assert stale.exchange().reset is False


def test_a_reset_spanning_several_pages_continues_instead_of_starting_over():
    keeper, stale = Node("keeper"), Node("stale")
    WorkSpecificationFactory.create_batch(12)
    stale.pull_all()
    doomed = WorkSpecificationFactory()
    doomed.delete()
    keeper.pull_all()
    SyncNode.objects.filter(pk=stale.model.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=40))
    log_purge()

    received, pages, flags = set(), 0, []
    while True:
        outcome = stale.exchange(max_changes=5)
        pages += 1
        flags.append(outcome.reset)
        received |= {record["id"] for record in outcome.changes}
        assert pages < 20, "the reset pass never ends"
        if not outcome.more:
            break
    assert flags[0] is True and pages >= 3
    live = set(map(str, WorkSpecification.objects.values_list("uuid", flat=True)))
    assert live <= received


def test_a_lost_reset_response_is_answered_again_by_the_retry():
    keeper, stale = Node("keeper"), Node("stale")
    WorkSpecificationFactory.create_batch(3)
    stale.pull_all()
    gone = WorkSpecificationFactory()
    gone.delete()
    keeper.pull_all()
    SyncNode.objects.filter(pk=stale.model.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=40))
    log_purge()
    old_ack = stale.ack
    first = stale.exchange()
    stale.ack = old_ack  # the response never arrived: the node retries the same message
    retry = stale.exchange(resend=True)
    assert retry.reset is True
    assert {r["id"] for r in retry.changes} == {r["id"] for r in first.changes}


def test_a_fresh_node_bootstrapping_over_pages_is_not_reset_by_an_earlier_purge():
    keeper = Node("keeper")
    WorkSpecificationFactory.create_batch(9)
    gone = WorkSpecificationFactory()
    keeper.pull_all()
    gone.delete()
    keeper.pull_all()
    log_purge()
    assert SyncState.objects.get().purged_through > 0
    fresh = Node("fresh")
    flags = []
    while True:
        outcome = fresh.exchange(max_changes=3)
        flags.append(outcome.reset)
        if not outcome.more:
            break
        assert len(flags) < 20
    assert not any(flags)


def test_a_node_mid_bootstrap_holds_back_the_purge():
    fresh = Node("fresh")
    spec = WorkSpecificationFactory()
    WorkSpecificationFactory.create_batch(4)
    fresh.exchange(max_changes=2)  # first page only: ack is still 0 on the server
    spec.delete()
    assert log_purge().removed == 0


def test_revoked_nodes_do_not_hold_back_the_purge():
    from apps.sync.services.nodes import node_revoke

    laggard = Node("lost laptop")
    laggard.pull_all()
    spec = WorkSpecificationFactory()
    spec.delete()
    node_revoke(node=laggard.model)
    assert log_purge().removed == 1


def test_a_node_own_change_arriving_during_its_bootstrap_is_delivered_back():
    WorkSpecificationFactory.create_batch(4)
    fresh = Node("fresh")
    first = fresh.exchange(max_changes=2)
    assert first.more
    mine = spec_record(code="MID-PASS")
    fresh.exchange([mine], max_changes=2)
    received = fresh.pull_all(max_changes=2)
    assert mine["id"] in received  # during a pass nothing is held back as an echo


def test_an_old_edit_of_a_record_whose_tombstone_was_purged_conflicts_instead_of_reviving_it():
    keeper, foreman = Node("keeper"), Node("foreman")
    spec = WorkSpecificationFactory(code="GONE-AFTER-PURGE")
    keeper.pull_all()
    base = foreman.pull_all()[str(spec.uuid)]["version"]
    spec.delete()
    keeper.pull_all()
    foreman.pull_all()
    assert log_purge().removed == 1
    outcome = foreman.exchange([spec_record(spec.uuid, base, code="GONE-AFTER-PURGE", name="edited late")])
    result = outcome.results[0]
    assert result["status"] == "conflict" and result["server"]["op"] == "delete"
    assert WorkSpecification.all_objects.get(pk=spec.pk).is_deleted
    # Re-applying on top of what the conflict said (the tombstone's version) brings it back.
    again = foreman.exchange([spec_record(spec.uuid, result["version"], code="GONE-AFTER-PURGE", name="yes, keep it")])
    assert again.results[0]["status"] == "applied"
    assert WorkSpecification.objects.get(pk=spec.pk).name == "yes, keep it"


def test_a_node_left_out_mid_pass_gets_a_reset_instead_of_continuing_past_purged_tombstones():
    keeper, sleeper = Node("keeper"), Node("sleeper")
    specs = WorkSpecificationFactory.create_batch(6)
    first_page = sleeper.exchange(max_changes=3)  # the pass has begun
    assert first_page.more
    keeper.pull_all()
    specs[0].delete()
    keeper.pull_all()
    SyncNode.objects.filter(pk=sleeper.model.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=40))
    assert log_purge().removed == 1
    back = sleeper.exchange(max_changes=3)
    assert back.reset is True
    assert min(record["version"] for record in back.changes) <= min(r["version"] for r in first_page.changes)


def test_the_last_page_of_a_pass_is_no_reason_to_hold_the_purge():
    node = Node("done")
    WorkSpecificationFactory.create_batch(3)
    node.pull_all()
    assert SyncNode.objects.get(pk=node.model.pk).pass_message_no is None


def test_a_retry_of_the_last_page_of_a_reset_is_answered_as_that_page_with_the_nodes_own_records():
    """The last page's response is lost and the node sends the same message again: the
    answer must still be that reset page, the node's own records included (an incremental
    answer would hold them back as echoes, and the node would drop them at the end of
    its reset)."""
    keeper, stale = Node("keeper"), Node("stale")
    WorkSpecificationFactory.create_batch(6)
    own = spec_record(code="OWN-1")
    stale.exchange([own])  # the node's own record: the newest version, so on the last page
    stale.pull_all()
    gone = WorkSpecificationFactory()
    gone.delete()
    keeper.pull_all()
    SyncNode.objects.filter(pk=stale.model.pk).update(last_seen_at=timezone.now() - dt.timedelta(days=40))
    log_purge()

    pages = []
    while True:
        ack_sent = stale.ack
        pages.append(stale.exchange(max_changes=3))
        if not pages[-1].more:
            break
    assert len(pages) >= 2 and all(page.reset for page in pages)
    last = pages[-1]
    assert own["id"] in {record["id"] for record in last.changes}
    stale.ack = ack_sent  # the last response never arrived
    retry = stale.exchange(max_changes=3, resend=True)
    assert retry.reset is True and not retry.more
    assert {record["id"] for record in retry.changes} == {record["id"] for record in last.changes}
    # The next message ends the pass: an ordinary node again, its own changes not echoed.
    after = stale.exchange()
    assert after.reset is False and after.changes == []
    assert SyncNode.objects.get(pk=stale.model.pk).pass_message_no is None
