"""Fixtures of the desktop client's tests: a real SQLite file per test, and records.

These tests never touch Django's database; they run in the same pytest session as the
server's tests, so they must not depend on (or disturb) its configuration.
"""
from __future__ import annotations

import pytest

from desktop_client.store import Store, open_store
from desktop_client.store.sync_tables import SyncState
from tests.client.builders import NODE_ID, SERVER_URL, TOKEN


@pytest.fixture
def database_path(tmp_path):
    return tmp_path / "node.sqlite3"


@pytest.fixture
def store(database_path) -> Store:
    opened = open_store(database_path)
    yield opened
    opened.close()


@pytest.fixture
def registered_store(store) -> Store:
    with store.transaction() as session:
        state = SyncState.load(session)
        state.server_url = SERVER_URL
        state.node_id = NODE_ID
        state.token = TOKEN
    return store
