"""A fresh node joins: registered by password or by a connection code, its first sync
leaves it with exactly the server's records — every type, every line, every version."""
from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from apps.sync.models import SyncNode
from apps.sync.services.nodes import connection_code_make, node_create
from sync_protocol import catalogue
from tests.e2e.office import office_data, server_records
from tests.integration.http import PASSWORD, field_user

pytestmark = pytest.mark.django_db(transaction=True)

CODE_IN_PAGE = re.compile(r'<textarea id="connection-code"[^>]*>([^<]+)</textarea>')


def test_node_registered_by_password_through_the_cli_gets_exactly_the_servers_records(server_url, new_node):
    office_data()
    foreman = field_user()
    node = new_node()

    node_id = node.register_by_password(server_url, foreman.username, PASSWORD, name="Block 3 laptop")
    summary = node.sync_cli()

    server_node = SyncNode.objects.get(node_id=node_id)
    assert server_node.owner == foreman and server_node.name == "Block 3 laptop"
    expected = server_records()
    assert {record_type for record_type, _ in expected} == set(catalogue.type_names())
    assert node.export_cli() == expected
    assert f"{len(expected)} received" in summary
    status = node.status_cli()
    assert status["registered"] and status["pending_changes"] == 0 and not status["reset_in_progress"]
    assert status["node_id"] == node_id and "token" not in status
    # Caught up: the next sync brings nothing new and changes nothing.
    assert "0 received" in node.sync_cli()
    assert node.records() == expected


def test_node_registered_by_a_connection_code_pages_through_the_full_state(server_url, new_node):
    office_data()
    server_node, token = node_create(owner=field_user(), name="Block 4 laptop")
    code = connection_code_make(node_id=server_node.node_id, token=token, server_url=server_url)
    node = new_node()

    assert node.register_by_code(code) == str(server_node.node_id)
    # Two records a page: the full state comes over several messages, applied as one reset.
    report = node.sync(max_changes=2)

    expected = server_records()
    assert report.messages > len(expected) // 2 and report.received == len(expected)
    assert node.records() == expected
    assert node.export_cli() == expected
    server_node.refresh_from_db()
    status = node.status()
    assert server_node.last_message_no == status.last_message_no == report.messages
    assert not status.reset_in_progress and status.message_in_flight is None


def test_node_added_in_the_real_admin_joins_with_the_code_the_page_shows(server_url, new_node, clerk):
    office_data()
    owner = field_user()
    page = clerk.post(reverse("admin:sync_syncnode_add"), {"owner": owner.pk, "name": "Office-issued laptop"})
    assert page.status_code == 200
    code = html.unescape(CODE_IN_PAGE.search(page.content.decode()).group(1)).strip()
    node = new_node()

    # The admin's page names the server as the test client saw it; --server wins over it.
    out = node.cli_ok("register", "--code", code, "--server", server_url)
    node.sync_cli()

    assert str(SyncNode.objects.get(name="Office-issued laptop").node_id) in out
    assert node.export_cli() == server_records()
