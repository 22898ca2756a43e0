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
