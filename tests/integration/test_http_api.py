"""The sync API over real HTTP against a gunicorn process: every rule and error code."""
from __future__ import annotations

import concurrent.futures
import json
import uuid

import pytest
import requests

from apps.estimates.models import WorkSpecification
from apps.sync.models import SyncConflict, SyncNode
from apps.sync.services.nodes import node_revoke, token_hash
from tests.factories import WorkSpecificationFactory
from tests.integration.http import PASSWORD, HttpNode, field_user, register
from tests.live_server import server_start
from tests.server.sync_helpers import spec_record

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def url(live_sync_server):
    return live_sync_server.url


def error_of(response: requests.Response) -> str:
    body = response.json()
    assert set(body) >= {"error", "detail"} and body["detail"].strip()
    return body["error"]


# --- register -------------------------------------------------------------------------------------


def test_register_creates_a_node_and_stores_only_the_token_hash(url):
    user = field_user()
    response = register(url, user.username, name="Block 3 laptop", app_version="1.2.0")
    assert response.status_code == 201
    body = response.json()
    assert body["protocol"] == 1 and body["server_time"].endswith("Z")
    node = SyncNode.objects.get(node_id=body["node_id"])
    assert node.owner == user and node.name == "Block 3 laptop" and node.app_version == "1.2.0"
    assert node.token_hash == token_hash(body["token"]) and body["token"] not in node.token_hash


def test_register_with_a_wrong_password_is_refused(url):
    user = field_user()
    response = register(url, user.username, password="wrong")
    assert response.status_code == 401 and error_of(response) == "invalid_credentials"
    assert not SyncNode.objects.exists()


def test_register_without_the_permission_is_refused(url):
    user = field_user(may_register=False)
    response = register(url, user.username)
    assert response.status_code == 403 and error_of(response) == "not_allowed"
    assert not SyncNode.objects.exists()


def test_members_of_field_users_may_register(url):
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name="Field users")
    group.permissions.add(Permission.objects.get(codename="register_node"))
    user = field_user(may_register=False)
    user.groups.add(group)
    assert register(url, user.username).status_code == 201


def test_register_is_throttled(tmp_path, live_sync_server):
    from django.core.cache import cache

    cache.clear()  # counts live in the shared database cache; start from none
    server = server_start(tmp_path, workers=2, env={"SYNC_REGISTER_RATE": "3/minute"})
    try:
        user = field_user()
        statuses = [register(server.url, user.username, password="wrong").status_code for _ in range(6)]
        assert statuses[:3] == [401, 401, 401]
        limited = register(server.url, user.username)
        assert limited.status_code == 429 and error_of(limited) == "rate_limited"
        assert int(limited.headers["Retry-After"]) > 0
        assert not SyncNode.objects.exists()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"protocol": 1, "username": "x", "password": "y"}, "invalid_request"),
        ({"protocol": 2, "username": "x", "password": "y", "name": "n"}, "unsupported_protocol"),
        ({"protocol": 1, "username": 5, "password": "y", "name": "n"}, "invalid_request"),
        ([1, 2, 3], "invalid_request"),
    ],
)
def test_bad_register_requests_name_their_problem(url, body, code):
    response = requests.post(f"{url}/api/sync/register", json=body, timeout=30)
    assert response.status_code == 400 and error_of(response) == code


def test_register_body_that_is_not_json(url):
    response = requests.post(
        f"{url}/api/sync/register", data=b"{not json", headers={"Content-Type": "application/json"}, timeout=30
    )
    assert response.status_code == 400 and error_of(response) == "invalid_json"


# --- exchange ---------------------------------------------------------------------------------------


@pytest.fixture
def node(url):
    return HttpNode(url)


def test_first_exchange_gets_the_full_state_and_applies_changes(node):
    WorkSpecificationFactory(code="OFFICE-1")
    payload = node.exchange([spec_record(code="NODE-1")])
    assert payload["protocol"] == 1 and payload["message_no"] == 1
    assert payload["results"][0]["status"] == "applied" and payload["results"][0]["version"] > 0
    codes = {record["data"].get("code") for record in payload["changes"] if record["type"] == "work_specification"}
    assert "OFFICE-1" in codes
    assert payload["more"] is False and payload["reset"] is False and payload["server_time"].endswith("Z")
    assert WorkSpecification.objects.filter(code="NODE-1").exists()


def test_a_retry_over_http_is_answered_without_applying_twice(node):
    record = spec_record(code="RETRY")
    first = node.exchange([record])
    again = node.exchange([record], resend=True)
    assert again["results"] == first["results"]
    assert WorkSpecification.all_objects.filter(code="RETRY").count() == 1


def test_concurrent_copies_of_one_message_apply_it_once(node):
    record = spec_record(code="RACE")
    node.message_no = 1
    body = node.body([record])
    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        responses = list(pool.map(lambda _: node.post(body), range(5)))
    assert [response.status_code for response in responses] == [200] * 5
    results = [response.json()["results"] for response in responses]
    assert all(result == results[0] for result in results)
    assert WorkSpecification.all_objects.filter(code="RACE").count() == 1


def test_stale_message_number_is_409_and_changes_nothing(node):
    node.exchange()
    node.exchange()
    response = node.post(node.body([spec_record(code="STALE")], message_no=1))
    assert response.status_code == 409 and error_of(response) == "stale_message"
    assert not WorkSpecification.objects.filter(code="STALE").exists()
    assert SyncNode.objects.get(node_id=node.node_id).last_message_no == 2


def test_missing_token_is_auth_required(node):
    response = requests.post(f"{node.url}/api/sync/exchange", json=node.body(), timeout=30)
    assert response.status_code == 401 and error_of(response) == "auth_required"


def test_unknown_token_is_invalid_token(node):
    response = node.post(node.body(message_no=1), token="made-up-token")
    assert response.status_code == 401 and error_of(response) == "invalid_token"


def test_malformed_authorization_header_is_invalid_token(node):
    response = node.post(node.body(message_no=1), headers={"Authorization": "Bearer x y"})
    assert response.status_code == 401 and error_of(response) == "invalid_token"


def test_revoked_node_gets_node_revoked_on_its_next_request(node):
    node.exchange()
    node_revoke(node=SyncNode.objects.get(node_id=node.node_id))
    node.message_no += 1
    response = node.post(node.body([spec_record(code="AFTER-REVOKE")]))
    assert response.status_code == 401 and error_of(response) == "node_revoked"
    assert not WorkSpecification.objects.filter(code="AFTER-REVOKE").exists()


def test_using_another_nodes_id_is_node_mismatch(url, node):
    other = HttpNode(url)
    response = node.post(node.body([spec_record(code="FORGED")], message_no=1, node_id=other.node_id))
    assert response.status_code == 403 and error_of(response) == "node_mismatch"
    assert not WorkSpecification.objects.filter(code="FORGED").exists()
    assert SyncNode.objects.get(node_id=other.node_id).last_message_no == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"message_no": 0}, "message_no"),
        ({"message_no": "1"}, "message_no"),
        ({"ack": -1}, "ack"),
        ({"ack": 1.5}, "ack"),
        ({"changes": {"not": "a list"}}, "changes"),
        ({"node_id": "nope"}, "node_id"),
        ({"max_changes": 0}, "max_changes"),
    ],
)
def test_invalid_exchange_fields_are_named(node, overrides, field):
    response = node.post(node.body([spec_record(code="NEVER")], message_no=1) | overrides)
    assert response.status_code == 400 and error_of(response) == "invalid_request"
    assert field in response.json()["fields"]
    assert not WorkSpecification.objects.filter(code="NEVER").exists()


def test_wrong_protocol_version_is_unsupported_protocol(node):
    response = node.post(node.body(message_no=1, protocol=7))
    assert response.status_code == 400 and error_of(response) == "unsupported_protocol"


def test_broken_json_is_invalid_json(node):
    response = requests.post(
        f"{node.url}/api/sync/exchange", data=b'{"protocol": 1, "changes": [',
        headers={"Authorization": f"Token {node.token}", "Content-Type": "application/json"}, timeout=30,
    )
    assert response.status_code == 400 and error_of(response) == "invalid_json"


def test_too_large_a_body_is_413(tmp_path, live_sync_server):
    server = server_start(tmp_path, env={"SYNC_MAX_REQUEST_BYTES": "20000"})
    try:
        node = HttpNode(server.url)
        records = [spec_record(code=f"BIG-{i}", name="x" * 200) for i in range(100)]
        node.message_no = 1
        response = node.post(node.body(records))
        assert response.status_code == 413 and error_of(response) == "payload_too_large"
        assert not WorkSpecification.objects.filter(code__startswith="BIG-").exists()
    finally:
        server.stop()


def test_too_many_changes_in_one_message_is_413(tmp_path, live_sync_server):
    server = server_start(tmp_path, env={"SYNC_MAX_MESSAGE_CHANGES": "3"})
    try:
        node = HttpNode(server.url)
        node.message_no = 1
        response = node.post(node.body([spec_record(code=f"MANY-{i}") for i in range(4)]))
        assert response.status_code == 413 and error_of(response) == "payload_too_large"
        assert not WorkSpecification.objects.filter(code__startswith="MANY-").exists()
    finally:
        server.stop()


def test_per_record_outcomes_over_http(node):
    spec = WorkSpecificationFactory(code="SHARED", name="office")
    first = node.exchange()
    version = next(r["version"] for r in first["changes"] if r["id"] == str(spec.uuid))
    spec.name = "office again"
    spec.save()
    bad = spec_record(code="BAD", unit_price="-5.00")
    payload = node.exchange([spec_record(spec.uuid, version, code="SHARED", name="mine"), bad, spec_record(code="OK")])
    statuses = [result["status"] for result in payload["results"]]
    assert statuses == ["conflict", "rejected", "applied"]
    assert payload["results"][0]["server"]["data"]["name"] == "office again"
    assert "unit_price" in payload["results"][1]["fields"]
    assert SyncConflict.objects.filter(outcome="conflict").count() == 1
    assert SyncConflict.objects.filter(outcome="rejected").count() == 1


def test_paging_with_max_changes(node):
    WorkSpecificationFactory.create_batch(9)
    pages = []
    while True:
        payload = node.exchange(max_changes=4)
        pages.append(len(payload["changes"]))
        if not payload["more"]:
            break
    assert pages[0] == 4 and sum(pages) >= 9


def test_responses_are_gzipped_when_asked(node):
    WorkSpecificationFactory.create_batch(20)
    node.message_no = 1
    response = node.post(node.body(), headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == "gzip"
    assert len(response.json()["changes"]) >= 20  # requests decompresses transparently


def test_health_answers_for_load_balancers(url):
    response = requests.get(f"{url}/api/health", timeout=10)
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


def test_schema_describes_both_endpoints(url):
    response = requests.get(f"{url}/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"}, timeout=30)
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert {"/api/sync/register", "/api/sync/exchange"} <= set(schema["paths"])
    exchange = schema["paths"]["/api/sync/exchange"]["post"]
    assert {"200", "400", "401", "403", "409", "413", "429"} <= set(exchange["responses"])


def test_node_record_passwords_never_leave_the_server(node):
    payload = node.exchange()
    users = [record for record in payload["changes"] if record["type"] == "user"]
    assert users and all(set(record["data"]) == {"username", "full_name", "is_active"} for record in users)
    assert PASSWORD not in json.dumps(payload)
    assert "pbkdf2" not in json.dumps(payload) and "md5$" not in json.dumps(payload)


def test_unknown_paths_answer_json_404(url):
    response = requests.post(f"{url}/api/sync/nothing", json={}, timeout=30)
    assert response.status_code == 404 and error_of(response) == "not_found"


def test_exchange_requires_post(node):
    response = requests.get(f"{node.url}/api/sync/exchange", headers={"Authorization": f"Token {node.token}"},
                            timeout=30)
    assert response.status_code == 405 and error_of(response) == "method_not_allowed"


def test_changes_that_are_not_objects_are_rejected_individually(node):
    payload = node.exchange(["just a string", 42, spec_record(code="FINE")])
    assert [result["status"] for result in payload["results"]] == ["rejected", "rejected", "applied"]


def test_record_ids_echo_back_in_results(node):
    record_id = str(uuid.uuid4())
    payload = node.exchange([spec_record(record_id, code="ECHO-ID")])
    assert payload["results"][0]["id"] == record_id and payload["results"][0]["type"] == "work_specification"


def test_api_docs_page_is_served_without_outside_assets(url):
    response = requests.get(f"{url}/api/docs/", timeout=30)
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
    assert "cdn." not in response.text and "jsdelivr" not in response.text


def test_the_schema_validates_without_warnings():
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_own_changes_are_not_echoed_but_others_are(url, node):
    other = HttpNode(url)
    node.exchange()
    other.exchange()
    mine = spec_record(code="MINE-ECHO")
    node.exchange([mine])
    theirs = spec_record(code="THEIRS-ECHO")
    other.exchange([theirs])
    received = {record["id"] for record in node.exchange()["changes"]}
    assert theirs["id"] in received and mine["id"] not in received


def test_a_stale_node_gets_reset_over_http(url, node):
    import datetime as dt

    from django.utils import timezone

    from apps.sync.services.purge import log_purge

    keeper = HttpNode(url)
    survivor = WorkSpecificationFactory()
    doomed = WorkSpecificationFactory()
    node.exchange()
    keeper.exchange()
    doomed.delete()
    keeper.exchange()
    keeper.exchange()  # acknowledges the tombstone
    SyncNode.objects.filter(node_id=node.node_id).update(last_seen_at=timezone.now() - dt.timedelta(days=60))
    assert log_purge().removed == 1
    payload = node.exchange()
    assert payload["reset"] is True
    ids = {record["id"] for record in payload["changes"]}
    assert str(survivor.uuid) in ids and str(doomed.uuid) not in ids
