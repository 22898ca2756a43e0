"""kill -9 of the server in the middle of an exchange: after a restart the node's retry is
applied exactly once, and nothing of the interrupted attempt is left half-written."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from apps.estimates.models import Estimate, EstimateLine
from apps.sync.models import SyncNode
from tests.integration.http import HttpNode
from tests.live_server import server_start
from tests.server.sync_helpers import estimate_line, estimate_record

pytestmark = pytest.mark.django_db(transaction=True)

# The most a message may carry (SYNC_MAX_MESSAGE_CHANGES): applying it takes the server
# seconds, so the kill below lands in the middle of it.
RECORDS = 5000


def test_server_killed_mid_exchange_then_retried_applies_once(tmp_path):
    server = server_start(tmp_path, workers=1)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        node = HttpNode(server.url)
        node.exchange()
        changes = [estimate_record(lines=[estimate_line(), estimate_line(position=2)]) for _ in range(RECORDS)]
        node.message_no += 1
        body = node.body(changes)
        outcome = {}

        def send():
            try:
                outcome["response"] = node.post(body)
            except requests.RequestException as error:
                outcome["error"] = error

        sender = threading.Thread(target=send)
        sender.start()
        # Kill while the server is busy with the message (it takes well over this to apply).
        time.sleep(0.6)
        server.kill()
        sender.join(timeout=120)
        # The kill came before any answer: the connection broke.
        assert "error" in outcome, "the server answered before it was killed; the test proved nothing"
        applied_before_retry = Estimate.objects.count()
        assert applied_before_retry in (0, RECORDS), "a message was applied in part"

        server = server_start(tmp_path, workers=1, port=port)
        retry = node.post(body)
        assert retry.status_code == 200, retry.text
        assert {result["status"] for result in retry.json()["results"]} == {"applied"}
        assert Estimate.objects.count() == RECORDS
        assert EstimateLine.objects.count() == 2 * RECORDS
        assert SyncNode.objects.get(node_id=node.node_id).last_message_no == node.message_no
    finally:
        server.stop()
