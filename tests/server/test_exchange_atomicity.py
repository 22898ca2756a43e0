"""A failure while applying a message rolls all of it back: nothing applied, number not consumed."""
from __future__ import annotations

import pytest
from django.test import Client

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncChange, SyncNode
from apps.sync.services import exchange
from tests.server.sync_helpers import Node, spec_record

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_server_error_in_the_middle_of_a_message_applies_none_of_it(monkeypatch):
    node = Node("laptop")
    real_apply = exchange._record_apply
    calls = {"count": 0}

    def failing_on_the_second_record(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("disk full")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(exchange, "_record_apply", failing_on_the_second_record)
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

    monkeypatch.setattr(exchange, "_record_apply", real_apply)
    retry = client.post("/api/sync/exchange", body, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Token {node.token}")
    assert retry.status_code == 200
    assert [r["status"] for r in retry.json()["results"]] == ["applied"] * 3
