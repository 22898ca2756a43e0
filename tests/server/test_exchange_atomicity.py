"""A failure while applying a message rolls all of it back: nothing applied, number not consumed."""
from __future__ import annotations

import pytest
from django.test import Client

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange, SyncNode
from apps.sync.services import apply
from tests.server.sync_helpers import Node, spec_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_server_error_in_the_middle_of_a_message_applies_none_of_it(monkeypatch):
    node = Node("laptop")
    real_write = apply._upserts_write

    def failing_after_writing(*args, **kwargs):
        real_write(*args, **kwargs)  # the rows are written: the rollback must undo them
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply, "_upserts_write", failing_after_writing)
    entries_before = SyncChange.objects.count()
    body = {"protocol": 1, "node_id": str(node.model.node_id), "message_no": 1, "ack": 0,
            "changes": [spec_record(code="FIRST"), spec_record(code="SECOND"), spec_record(code="THIRD")]}
    client = Client(raise_request_exception=False)
    response = client.post("/api/sync/exchange", body, content_type="application/json",
                           HTTP_AUTHORIZATION=f"Token {node.token}")
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
    assert not WorkSpecification.all_objects.filter(code__in=["FIRST", "SECOND", "THIRD"]).exists()
    assert SyncChange.objects.count() == entries_before
    assert SyncNode.objects.get(pk=node.model.pk).last_message_no == 0

    monkeypatch.setattr(apply, "_upserts_write", real_write)
    retry = client.post("/api/sync/exchange", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Token {node.token}")
    assert retry.status_code == 200
    assert [r["status"] for r in retry.json()["results"]] == ["applied"] * 3
