"""On PostgreSQL: concurrent writers and a concurrent collector; no change is ever skipped,
none is delivered twice in one pass (PROTOCOL.md rule 6)."""
from __future__ import annotations

import random
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections, transaction

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange
from tests.server.sync_helpers import Node

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

WRITERS = 4
WRITES_PER_WRITER = 25


def writer(number: int, failures: list) -> None:
    rng = random.Random(number)
    try:
        for index in range(WRITES_PER_WRITER):
            with transaction.atomic():
                spec = WorkSpecification.objects.create(
                    code=f"W{number}-{index}", name="first", unit="m", unit_price=Decimal("1")
                )
                # Hold the transaction open a little so commits land out of start order.
                time.sleep(rng.random() * 0.004)
                spec.name = f"final {number}-{index}"
                spec.save()
            if index % 5 == 0:
                WorkSpecification.objects.filter(code=f"W{number}-{index - 1}").delete()
    except Exception as error:  # noqa: BLE001 - reported to the main thread
        failures.append(error)
    finally:
        connections.close_all()


def test_concurrent_writers_and_collector_never_skip_or_repeat_a_change():
    node = Node("collector")
    failures: list = []
    threads = [threading.Thread(target=writer, args=(number, failures)) for number in range(WRITERS)]
    delivered: dict[str, list[int]] = {}
    latest: dict[str, dict] = {}
    acks = []

    def collect_once() -> bool:
        outcome = node.exchange(max_changes=17)
        ids = [record["id"] for record in outcome.changes]
        assert len(ids) == len(set(ids)), "a record came twice in one response"
        for record in outcome.changes:
            if record["type"] != "work_specification":
                continue
            delivered.setdefault(record["id"], []).append(record["version"])
            latest[record["id"]] = record
        acks.append(outcome.next_ack)
        return outcome.more or bool(outcome.changes)

    for thread in threads:
        thread.start()
    while any(thread.is_alive() for thread in threads):
        collect_once()
    for thread in threads:
        thread.join()
    assert not failures, failures
    for _ in range(200):
        if not collect_once():
            break

    assert acks == sorted(acks), "next_ack went backwards"
    for record_id, versions in delivered.items():
        assert versions == sorted(set(versions)), f"{record_id} delivered out of order or twice: {versions}"
    final = {str(row.record_uuid): row for row in SyncChange.objects.filter(record_type="work_specification")}
    assert set(final) == set(latest), "some record's change never reached the node"
    for record_id, row in final.items():
        assert latest[record_id]["version"] == row.version
        assert latest[record_id]["op"] == row.op
        if row.op == "upsert":
            assert latest[record_id]["data"]["name"].startswith("final")
    assert len(final) == WRITERS * WRITES_PER_WRITER
