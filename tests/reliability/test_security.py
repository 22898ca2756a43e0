"""Secrets and access: hashed tokens, revocation, no password hashes leave, admin behind login."""
from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import connection
from django.urls import reverse

from apps.sync.models import SyncNode
from apps.sync.services.nodes import node_create, node_for_token, node_revoke, token_hash
from tests.factories import EstimateLineFactory, UserFactory
from tests.server.sync_helpers import Node

pytestmark = pytest.mark.django_db


def test_tokens_are_stored_only_as_hashes_anywhere_in_the_database():
    node, token = node_create(owner=UserFactory(), name="laptop")
    assert SyncNode.objects.get(pk=node.pk).token_hash == token_hash(token)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                assert not any(isinstance(value, str) and token in value for value in row), table


def test_a_revoked_token_finds_a_revoked_node_and_the_exchange_refuses_it():
    node = Node("lost laptop")
    node_revoke(node=node.model)
    assert node_for_token(node.token).is_revoked
    from apps.sync import errors

    with pytest.raises(errors.ProtocolError) as refused:
        node.exchange()
    assert refused.value.code == "node_revoked"


def test_tokens_differ_per_node_and_are_long():
    tokens = {node_create(owner=UserFactory(), name=f"n{i}")[1] for i in range(5)}
    assert len(tokens) == 5 and all(len(token) >= 40 for token in tokens)


def test_user_records_sent_to_nodes_hold_no_password_hash_or_permission():
    user = UserFactory(is_superuser=True, is_staff=True)
    node = Node()
    received = node.pull_all()[str(user.uuid)]
    assert set(received["data"]) == {"username", "full_name", "is_active"}
    assert user.password not in str(received)


def test_every_admin_page_requires_login(client):
    line = EstimateLineFactory()
    urls = [reverse("admin:index")]
    for model, _model_admin in admin.site._registry.items():
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    urls.append(reverse("admin:estimates_estimate_change", args=[line.estimate.pk]))
    urls.append(reverse("admin:estimates_estimate_history", args=[line.estimate.pk]))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url
    response = client.post(reverse("admin:estimates_estimate_changelist"),
                           {"action": "delete_selected", "_selected_action": [line.estimate.pk], "post": "yes"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    line.estimate.refresh_from_db()
    assert not line.estimate.is_deleted


def test_staff_without_permissions_cannot_see_records(client):
    clerk = UserFactory(is_staff=True)
    client.force_login(clerk)
    assert client.get(reverse("admin:estimates_estimate_changelist")).status_code == 403
