"""Fixtures of the end-to-end tests: a live server, nodes on real SQLite files, a clerk in
the real admin."""
from __future__ import annotations

import itertools

import pytest

from tests.e2e.desktop import DesktopNode


@pytest.fixture
def server_url(live_sync_server) -> str:
    return live_sync_server.url


@pytest.fixture
def new_node(tmp_path):
    """``new_node()`` -> a node on its own fresh database file."""
    numbers = itertools.count(1)

    def make() -> DesktopNode:
        return DesktopNode(tmp_path / f"node-{next(numbers)}.sqlite3")

    return make


@pytest.fixture
def clerk(client, admin_user):
    """The office's admin, logged in through Django's test client."""
    client.force_login(admin_user)
    return client
