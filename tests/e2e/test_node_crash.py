"""kill -9 of the node while it takes in a large full state: every page it applied is whole,
its database is intact, and the next sync finishes the job — nothing doubled, nothing missing."""
from __future__ import annotations

import datetime as dt
import random
import signal
import subprocess
import sys
import threading
import time
from decimal import Decimal

import pytest
from django.db import transaction

from apps.estimates.models import Estimate, EstimateLine
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user
from tests.live_server import ROOT

pytestmark = pytest.mark.django_db(transaction=True)

ESTIMATES = 3000  # with two lines each: three full pages of 1000 and a bit
ATTEMPTS = 4


def large_office_state() -> None:
    with transaction.atomic():
        estimates = Estimate.objects.bulk_create(
            Estimate(number=f"BIG-{n:05d}", title=f"Estimate {n}", site="Block 9", date=dt.date(2026, 11, 20),
                     status="draft")
            for n in range(ESTIMATES)
        )
        EstimateLine.objects.bulk_create(
            EstimateLine(estimate=estimate, position=position, description=f"Work {position}", unit="m3",
                         quantity=Decimal("2.500"), unit_price=Decimal("100.00"))
            for estimate in estimates for position in (1, 2)
        )


class SyncProcess:
    """``python -m desktop_client sync --once`` with its progress lines read as they come."""

    def __init__(self, node) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desktop_client", "--db", str(node.path), "sync", "--once"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def pages_applied(self) -> int:
        return sum(line.startswith("sync: ") for line in self.lines)

    def kill_while_applying(self, node, rng: random.Random, timeout: float = 60) -> bool:
        """SIGKILL once a page is in and the next one is being applied (the node holds its
        write transaction); False if the run ended first."""
        deadline = time.monotonic() + timeout
        while self.process.poll() is None:
            if time.monotonic() > deadline:
                self.process.kill()
                raise AssertionError("the node never got to apply a second page")
            # Applying a page holds the write lock for a while; freezing a message only for
            # a moment, so two sightings in a row mean a page is being applied.
            if self.pages_applied() >= 1 and node.in_write_transaction():
                time.sleep(rng.uniform(0.0, 0.03))
                if node.in_write_transaction() and self.process.poll() is None:
                    self.process.send_signal(signal.SIGKILL)
                    self.process.wait(timeout=15)
                    self._reader.join(timeout=15)
                    return self.process.returncode == -signal.SIGKILL
            time.sleep(0.005)
        return False


def test_node_killed_while_applying_a_large_full_state_recovers_on_the_next_sync(server_url, new_node):
    office_data()
    large_office_state()
    foreman = field_user()
    expected = server_records()
    rng = random.Random(2026)

    for _attempt in range(ATTEMPTS):
        node = new_node()
        node.register_by_password(server_url, foreman.username, PASSWORD)
        run = SyncProcess(node)
        if run.kill_while_applying(node, rng):
            break
    else:
        pytest.fail(f"the sync finished before it could be killed, {ATTEMPTS} times")

    # Killed mid-page: the page being applied left nothing; the pages before it are here
    # whole — exactly the records up to the node's ack, each with all its lines.
    assert node.integrity() == "ok"
    status = node.status()
    assert status.reset_in_progress and status.message_in_flight is not None
    assert 0 < status.ack < max(record["version"] for record in expected.values())
    assert node.records() == {key: record for key, record in expected.items() if record["version"] <= status.ack}

    summary = node.sync_cli()

    assert node.integrity() == "ok"
    assert node.export_cli() == expected
    assert node.query("SELECT count(*) FROM estimates") == [(ESTIMATES + 1,)]
    assert node.query("SELECT count(*) FROM estimate_lines") == [(2 * ESTIMATES + 2,)]
    assert node.query("SELECT count(*) FROM reset_deliveries") == [(0,)]
    status = node.status()
    assert not status.reset_in_progress and status.message_in_flight is None and status.pending_changes == 0
    assert summary.startswith("synced: 0 sent")
