"""Any valid record of any type goes in through an exchange and comes out equal."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.sync.models import SyncChange
from apps.sync.serializer import LogEntry, records_to_wire
from sync_protocol import catalogue
from tests.contract.strategies import record_data
from tests.factories import UserFactory, WorkSpecificationFactory
from tests.server.sync_helpers import Node

pytestmark = pytest.mark.django_db

# Values that must be unique get one derived from the record's fresh id: hypothesis
# replays examples, and the database keeps what earlier examples stored.
UNIQUE_FIELDS = {"work_specification": "code", "estimate": "number"}
WRITABLE = [record_type for record_type in catalogue.RECORD_TYPES if not record_type.read_only]


def stored_wire(type_name: str, record_id: str) -> dict:
    entry = SyncChange.objects.get(record_type=type_name, record_uuid=record_id)
    return records_to_wire([LogEntry(type_name, entry.record_uuid, entry.version, entry.op, entry.changed_at)])[0]


def expected_lines(record_type, lines):
    if record_type.name == "estimate":
        return sorted(lines, key=lambda line: line["position"])  # stable: equal positions keep their order
    return lines


@pytest.fixture
def refs(db):
    return {
        "user": [str(user.uuid) for user in UserFactory.create_batch(2)],
        "work_specification": [str(spec.uuid) for spec in WorkSpecificationFactory.create_batch(2)],
    }


@pytest.mark.parametrize("record_type", WRITABLE, ids=lambda record_type: record_type.name)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_records_round_trip_through_apply_and_collect(record_type, refs, data):
    node = Node()
    wire_data = data.draw(record_data(record_type, refs))
    record_id = str(uuid.uuid4())
    if record_type.name in UNIQUE_FIELDS:
        wire_data[UNIQUE_FIELDS[record_type.name]] = f"U-{record_id[:20]}"
    for line in wire_data.get("lines", ()):
        line["id"] = str(uuid.uuid4())
    outcome = node.exchange([{"type": record_type.name, "id": record_id, "op": "upsert", "base_version": 0,
                              "data": wire_data}])
    assert outcome.results[0]["status"] == "applied", outcome.results[0]
    out = stored_wire(record_type.name, record_id)
    assert out["version"] == outcome.results[0]["version"]
    if record_type.has_lines:
        wire_data = {**wire_data, "lines": expected_lines(record_type, wire_data["lines"])}
    assert out["data"] == wire_data
