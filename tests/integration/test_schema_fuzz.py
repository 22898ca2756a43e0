"""schemathesis generates requests from the OpenAPI schema and sends them to a live server:
none may end in a server error."""
from __future__ import annotations

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from apps.sync.services.nodes import node_create
from tests.factories import UserFactory

SCHEMA = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture
def node_token(db):
    _node, token = node_create(owner=UserFactory(), name="fuzzed node")
    return token


@pytest.mark.django_db(transaction=True)
@SCHEMA.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_generated_request_makes_the_server_fail(case, live_sync_server, node_token):
    response = case.call_and_validate(
        base_url=live_sync_server.url,
        headers={"Authorization": f"Token {node_token}"},
        checks=[not_a_server_error],
        excluded_checks=[check for check in schemathesis.checks.CHECKS.get_all() if check is not not_a_server_error],
    )
    assert response.status_code < 500
