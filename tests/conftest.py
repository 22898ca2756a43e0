"""Suite-wide configuration.

The suite runs twice, on SQLite and on PostgreSQL (``DATABASE_URL``). Tests of properties
only PostgreSQL has (row locks across connections, concurrent writers) carry the mark
``postgres_only``; on SQLite they are deselected, not skipped, so nothing counts as passing
that did not run.
"""
from __future__ import annotations

import pytest
from django.db import connection


def pytest_collection_modifyitems(config, items):
    if connection.vendor == "postgresql":
        return
    kept, deselected = [], []
    for item in items:
        (deselected if item.get_closest_marker("postgres_only") else kept).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_report_header(config):
    return f"database: {connection.vendor} ({connection.settings_dict['NAME']})"


@pytest.fixture
def admin_user(db):
    from tests.factories import UserFactory

    return UserFactory(username="clerk", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture(scope="session")
def live_sync_server(django_db_setup, django_db_blocker, tmp_path_factory):
    """gunicorn (two workers) serving the test database over real HTTP, for the session."""
    from tests.live_server import server_start

    server = server_start(tmp_path_factory.mktemp("server"))
    yield server
    server.stop()
