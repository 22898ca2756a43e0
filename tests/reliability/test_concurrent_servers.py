"""On PostgreSQL: several nodes exchanging at once through two app servers (gunicorn, two
workers each) on one database while the office edits; every node ends equal to the server,
with nothing missed, doubled or lost."""
from __future__ import annotations

import random
import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connections, transaction

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange
from apps.sync.serializer import LogEntry, records_to_wire
from tests.integration.http import HttpNode
from tests.live_server import server_start
from tests.server.sync_helpers import spec_record

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

NODES = 4
ROUNDS = 12


class Replica:
    """What a node holds: the records it received or had applied, by id."""

    def __init__(self, node: HttpNode):
        self.node = node
        self.records: dict[str, dict] = {}
        self.mine: list[str] = []

    def sync(self, changes=()) -> dict:
        payload = self.node.exchange(list(changes))
        for sent, result in zip(changes, payload["results"], strict=True):
            if result["status"] == "applied":
                self.records[sent["id"]] = {"version": result["version"], "data": sent["data"]}
            elif result["status"] == "conflict":
                self.records[sent["id"]] = {"version": result["version"], "data": result["server"].get("data")}
        for record in payload["changes"]:
            if record["type"] != "work_specification":
                continue
            if record["op"] == "delete":
                self.records.pop(record["id"], None)
            else:
                self.records[record["id"]] = {"version": record["version"], "data": record["data"]}
        return payload

    def settle(self) -> None:
        for _ in range(100):
            payload = self.sync()
            if not payload["more"] and not payload["changes"]:
                return
        raise AssertionError("the node never settled")


def node_work(replica: Replica, seed: int, failures: list) -> None:
    rng = random.Random(seed)
    try:
        for round_no in range(ROUNDS):
            changes = [spec_record(code=f"N{seed}-{round_no}-{i}", name="new") for i in range(3)]
            if replica.mine:
                record_id = rng.choice(replica.mine)
                held = replica.records.get(record_id)
                if held and held["data"]:
                    changes.append({"type": "work_specification", "id": record_id, "op": "upsert",
                                    "base_version": held["version"],
                                    "data": held["data"] | {"name": f"edited by {seed} in {round_no}"}})
            replica.sync(changes)
            replica.mine += [change["id"] for change in changes[:3]]
    except Exception as error:  # noqa: BLE001 - reported to the main thread
        failures.append(error)
    finally:
        connections.close_all()


def office_work(stop: threading.Event, failures: list) -> None:
    rng = random.Random(99)
    try:
        while not stop.is_set():
            with transaction.atomic():
                spec = WorkSpecification.objects.create(code=f"O-{uuid.uuid4().hex[:10]}", name="office",
                                                        unit="m", unit_price=Decimal("1"))
            others = list(WorkSpecification.objects.order_by("?").values_list("pk", flat=True)[:3])
            for pk in others:
                with transaction.atomic():
                    target = WorkSpecification.objects.select_for_update().get(pk=pk)
                    target.unit_price = Decimal(rng.randint(1, 999))
                    target.save()
            if rng.random() < 0.3:
                spec.delete()
    except Exception as error:  # noqa: BLE001
        failures.append(error)
    finally:
        connections.close_all()


def test_nodes_through_two_app_servers_converge_with_office_edits(tmp_path):
    servers = [server_start(tmp_path, workers=2), server_start(tmp_path, workers=2)]
    try:
        replicas = [Replica(HttpNode(servers[index % 2].url)) for index in range(NODES)]
        for replica in replicas:
            replica.settle()
        failures: list = []
        stop = threading.Event()
        office = threading.Thread(target=office_work, args=(stop, failures))
        workers = [threading.Thread(target=node_work, args=(replica, seed, failures))
                   for seed, replica in enumerate(replicas)]
        office.start()
        for thread in workers:
            thread.start()
        for thread in workers:
            thread.join(timeout=300)
        stop.set()
        office.join(timeout=60)
        assert not failures, failures
        for replica in replicas:
            replica.settle()
    finally:
        for server in servers:
            server.stop()

    entries = SyncChange.objects.filter(record_type="work_specification", op="upsert")
    server_state = {
        record["id"]: {"version": record["version"], "data": record["data"]}
        for record in records_to_wire([LogEntry(e.record_type, e.record_uuid, e.version, e.op, e.changed_at)
                                       for e in entries])
    }
    assert WorkSpecification.objects.count() == len(server_state)
    created_by_nodes = {f"N{seed}-{r}-{i}" for seed in range(NODES) for r in range(ROUNDS) for i in range(3)}
    codes = set(WorkSpecification.objects.values_list("code", flat=True))
    assert created_by_nodes <= codes, "a node's new record was lost"
    assert len(codes) == WorkSpecification.all_objects.count() - WorkSpecification.all_objects.filter(
        is_deleted=True).count()
    for replica in replicas:
        held = {key: value for key, value in replica.records.items()}
        assert set(held) == set(server_state), "a node does not hold exactly the server's records"
        for record_id, record in server_state.items():
            assert held[record_id]["data"] == record["data"], f"{record_id} differs on a node"
