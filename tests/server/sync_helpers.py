"""Helpers for engine tests: nodes, wire records, exchanges."""
from __future__ import annotations

import uuid

from apps.sync.models import SyncChange
from apps.sync.services.exchange import exchange_run
from apps.sync.services.nodes import node_create
from tests.factories import UserFactory


class Node:
    """A node as a test drives it: numbers its messages and remembers its ack."""

    def __init__(self, name: str = "laptop"):
        owner = UserFactory()
        self.model, self.token = node_create(owner=owner, name=name)
        self.message_no = 0
        self.ack = 0

    def exchange(self, changes=(), *, max_changes=None, resend=False, ack=None):
        if not resend:
            self.message_no += 1
        outcome = exchange_run(
            node=self.model,
            message_no=self.message_no,
            ack=self.ack if ack is None else ack,
            changes=list(changes),
            max_changes=max_changes,
        )
        self.ack = outcome.next_ack
        return outcome

    def pull_all(self, max_changes=None) -> dict:
        """Exchange until a response brings nothing new, so the server also holds the
        node's acknowledgement of everything; the records received, by id (last wins)."""
        received = {}
        for _ in range(1000):
            outcome = self.exchange(max_changes=max_changes)
            for record in outcome.changes:
                received[record["id"]] = record
            if not outcome.more and not outcome.changes:
                return received
        raise AssertionError("the server kept sending changes")


def version_of(record) -> int:
    return SyncChange.objects.get(record_uuid=record.uuid).version


def spec_record(record_id=None, base_version=0, **data):
    values = {"code": "EX-01", "name": "Excavation", "unit": "m3", "unit_price": "450.00"} | data
    return {
        "type": "work_specification", "id": str(record_id or uuid.uuid4()), "op": "upsert",
        "base_version": base_version, "data": values,
    }


def estimate_record(record_id=None, base_version=0, lines=(), **data):
    values = {
        "number": f"E-{uuid.uuid4().hex[:8]}", "title": "Foundation", "site": "Block 3",
        "date": "2026-11-20", "status": "draft", "lines": list(lines),
    } | data
    return {"type": "estimate", "id": str(record_id or uuid.uuid4()), "op": "upsert",
            "base_version": base_version, "data": values}


def estimate_line(spec_id=None, line_id=None, **data):
    return {
        "id": str(line_id or uuid.uuid4()), "position": 1,
        "work_specification": str(spec_id) if spec_id else None,
        "description": "Digging", "unit": "m3", "quantity": "12.500", "unit_price": "1500.00",
    } | data


def report_record(author_id, record_id=None, base_version=0, lines=(), **data):
    values = {"date": "2026-11-25", "site": "Block 3", "author": str(author_id), "notes": "", "lines": list(lines)}
    return {"type": "daily_report", "id": str(record_id or uuid.uuid4()), "op": "upsert",
            "base_version": base_version, "data": values | data}


def report_line(spec_id=None, line_id=None, **data):
    return {
        "id": str(line_id or uuid.uuid4()), "work_specification": str(spec_id) if spec_id else None,
        "description": "Pouring", "quantity": "4.000", "workers": 3, "hours": "8.00",
    } | data


def timesheet_record(worker_id, record_id=None, base_version=0, **data):
    values = {"date": "2026-11-25", "worker": str(worker_id), "site": "Block 3", "hours": "8.00",
              "work_specification": None, "note": ""}
    return {"type": "timesheet", "id": str(record_id or uuid.uuid4()), "op": "upsert",
            "base_version": base_version, "data": values | data}


def delete_record(type_name, record_id, base_version):
    return {"type": type_name, "id": str(record_id), "op": "delete", "base_version": base_version}
