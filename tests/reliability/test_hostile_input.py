"""A corpus of malformed and malicious requests against a live server: each is answered with
its protocol code, and none changes anything in the database."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
import requests

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.sync.models import SyncChange, SyncConflict, SyncNode
from apps.sync.services.nodes import node_create, node_revoke
from apps.timesheets.models import Timesheet
from tests.factories import UserFactory, WorkSpecificationFactory
from tests.live_server import server_start
from tests.server.sync_helpers import estimate_line, estimate_record, spec_record, timesheet_record

pytestmark = pytest.mark.django_db(transaction=True)

SYNCED = [User, WorkSpecification, Estimate, EstimateLine, DailyReport, DailyReportLine, Timesheet]


@dataclass
class Case:
    name: str
    status: int
    code: str  # an error code, or "rejected" for a per-record rejection inside a 200
    body: object = None  # JSON-encodable body, or bytes sent as they are
    auth: str | None = "valid"  # "valid", "none", "revoked", "other", or a literal header value
    endpoint: str = "exchange"
    method: str = "POST"
    content_type: str = "application/json"


def envelope(**overrides):
    def build(ctx):
        body = {"protocol": 1, "node_id": ctx["node_id"], "message_no": 1, "ack": 0, "changes": []}
        for key, value in overrides.items():
            body[key] = value(ctx) if callable(value) else value
        return body

    return build


def one_change(change):
    return envelope(changes=lambda ctx: [change(ctx) if callable(change) else change])


def deep(levels: int) -> bytes:
    return b"[" * levels + b"]" * levels


def spec_with(**data):
    return lambda ctx: spec_record(code=f"HOSTILE-{uuid.uuid4().hex[:6]}") | (
        {"data": spec_record()["data"] | data}
    )


CORPUS: list[Case] = [
    # Broken JSON
    Case("truncated JSON", 400, "invalid_json", b'{"protocol": 1, "changes": ['),
    Case("trailing comma", 400, "invalid_json", b'{"protocol": 1,}'),
    Case("NaN literal", 400, "invalid_json", b'{"protocol": NaN}'),
    Case("Infinity literal", 400, "invalid_json", b'{"protocol": 1, "ack": Infinity}'),
    Case("single quotes", 400, "invalid_json", b"{'protocol': 1}"),
    Case("empty body", 400, "invalid_json", b""),
    Case("comment in JSON", 400, "invalid_json", b'{"protocol": 1 /* hi */}'),
    Case("not UTF-8", 400, "invalid_json", b'{"protocol": 1, "x": "\xff\xfe"}'),
    Case("overlong UTF-8", 400, "invalid_json", b'{"protocol": 1, "x": "\xc0\xaf"}'),
    Case("5000-digit number", 400, "invalid_json", b'{"protocol": 1, "ack": ' + b"9" * 5000 + b"}"),
    Case("nesting 100000 deep", 400, "invalid_json", deep(100_000)),
    # Wrong shapes and types
    Case("body is a list", 400, "invalid_request", [1, 2, 3]),
    Case("body is a string", 400, "invalid_request", "hello"),
    Case("body is a number", 400, "invalid_request", 42),
    Case("body is null", 400, "invalid_request", None),
    Case("protocol as a string", 400, "unsupported_protocol", envelope(protocol="1")),
    Case("protocol 2", 400, "unsupported_protocol", envelope(protocol=2)),
    Case("protocol 0", 400, "unsupported_protocol", envelope(protocol=0)),
    Case("protocol null", 400, "unsupported_protocol", envelope(protocol=None)),
    Case("protocol true", 400, "unsupported_protocol", envelope(protocol=True)),
    Case("message_no as float", 400, "invalid_request", envelope(message_no=1.0)),
    Case("message_no as bool", 400, "invalid_request", envelope(message_no=True)),
    Case("message_no zero", 400, "invalid_request", envelope(message_no=0)),
    Case("message_no 2**70", 400, "invalid_request", envelope(message_no=2**70)),
    Case("ack as string", 400, "invalid_request", envelope(ack="0")),
    Case("ack 10**30", 400, "invalid_request", envelope(ack=10**30)),
    Case("ack beyond the server", 400, "invalid_request", envelope(ack=2**62)),
    Case("changes null", 400, "invalid_request", envelope(changes=None)),
    Case("changes an object", 400, "invalid_request", envelope(changes={"a": 1})),
    Case("node_id a number", 400, "invalid_request", envelope(node_id=123)),
    Case("node_id SQL", 400, "invalid_request", envelope(node_id="1'; DROP TABLE sync_syncnode; --")),
    Case("max_changes negative", 400, "invalid_request", envelope(max_changes=-5)),
    Case("message_no missing", 400, "invalid_request",
         lambda ctx: {k: v for k, v in envelope()(ctx).items() if k != "message_no"}),
    Case("text/plain body", 400, "invalid_request", envelope(), content_type="text/plain"),
    # Authentication and identity
    Case("no token", 401, "auth_required", envelope(), auth="none"),
    Case("Bearer scheme", 401, "invalid_token", envelope(), auth="Bearer abc"),
    Case("Token without a value", 401, "invalid_token", envelope(), auth="Token"),
    Case("Token with two values", 401, "invalid_token", envelope(), auth="Token a b"),
    # (Headers beyond 8 kB are refused by gunicorn itself with 431, before the application.)
    Case("8 kB token", 401, "invalid_token", envelope(), auth="Token " + "A" * 8_000),
    Case("SQL in token", 401, "invalid_token", envelope(), auth="Token ' OR '1'='1"),
    Case("revoked node's token", 401, "node_revoked", envelope(), auth="revoked"),
    Case("another node's id", 403, "node_mismatch", envelope(node_id=lambda ctx: ctx["other_node_id"])),
    Case("a random node id", 403, "node_mismatch", envelope(node_id=lambda ctx: str(uuid.uuid4()))),
    Case("GET instead of POST", 405, "method_not_allowed", None, method="GET"),
    # Records the server must refuse one by one
    Case("record of unknown type", 200, "rejected", one_change(lambda ctx: spec_record() | {"type": "invoice"})),
    Case("read-only user record", 200, "rejected", one_change(
        lambda ctx: {"type": "user", "id": ctx["user_id"], "op": "upsert", "base_version": 0,
                     "data": {"username": "root", "full_name": "", "is_active": True}})),
    Case("delete of a user", 200, "rejected", one_change(
        lambda ctx: {"type": "user", "id": ctx["user_id"], "op": "delete", "base_version": 0})),
    Case("id with SQL", 200, "rejected", one_change(lambda ctx: spec_record() | {"id": "1; DROP TABLE x"})),
    Case("NUL in id", 200, "rejected", one_change(lambda ctx: spec_record() | {"id": "abc\x00def"})),
    Case("NUL and surrogate in type", 200, "rejected", one_change(lambda ctx: spec_record() | {"type": "a\x00\ud800"})),
    Case("id with HTML", 200, "rejected", one_change(lambda ctx: spec_record() | {"id": "<script>x</script>"})),
    Case("zero-width space in id", 200, "rejected", one_change(
        lambda ctx: spec_record() | {"id": "\u200b" + str(uuid.uuid4())})),
    Case("op merge", 200, "rejected", one_change(lambda ctx: spec_record() | {"op": "merge"})),
    Case("base_version huge", 200, "rejected", one_change(lambda ctx: spec_record() | {"base_version": 2**64})),
    Case("data a list", 200, "rejected", one_change(lambda ctx: spec_record() | {"data": [1, 2]})),
    Case("price as float", 200, "rejected", one_change(spec_with(unit_price=450.5))),
    Case("price 1e400", 200, "rejected", one_change(spec_with(unit_price="1e400"))),
    Case("price with 30 digits", 200, "rejected", one_change(spec_with(unit_price="9" * 30))),
    Case("negative price", 200, "rejected", one_change(spec_with(unit_price="-1.00"))),
    Case("name of a megabyte", 200, "rejected", one_change(spec_with(name="x" * 1_000_000))),
    Case("NUL in a name", 200, "rejected", one_change(spec_with(name="a\x00b"))),
    Case("lone surrogate in a name", 200, "rejected", one_change(spec_with(name="\ud800"))),
    Case("blank code", 200, "rejected", one_change(spec_with(code="   "))),
    Case("nested object as a name", 200, "rejected", one_change(spec_with(name={"a": {"b": {"c": [1]}}}))),
    Case("date 2026-02-30", 200, "rejected", one_change(
        lambda ctx: estimate_record(date="2026-02-30"))),
    Case("status SQL", 200, "rejected", one_change(lambda ctx: estimate_record(status="draft' OR 1=1 --"))),
    Case("hours 25", 200, "rejected", one_change(lambda ctx: timesheet_record(ctx["user_uuid"], hours="25.00"))),
    Case("worker is a work specification", 200, "rejected", one_change(
        lambda ctx: timesheet_record(ctx["spec_uuid"]))),
    Case("reference to nothing", 200, "rejected", one_change(
        lambda ctx: timesheet_record(uuid.uuid4()))),
    Case("lines missing", 200, "rejected", one_change(
        lambda ctx: estimate_record() | {"data": {k: v for k, v in estimate_record()["data"].items() if k != "lines"}})),
    Case("the same line twice", 200, "rejected", one_change(
        lambda ctx: estimate_record(lines=[estimate_line(line_id=ctx["line_id"]), estimate_line(line_id=ctx["line_id"])]))),
    Case("3000 lines", 200, "rejected", one_change(lambda ctx: estimate_record(lines=[estimate_line()] * 3000))),
]
DUPLICATE_ID = Case("the same id twice in one message", 200, "rejected",
                    envelope(changes=lambda ctx: [spec_record(ctx["line_id"], code="D1"),
                                                  spec_record(ctx["line_id"], code="D2")]))
CORPUS.append(DUPLICATE_ID)


def database_state():
    counts = {model.__name__: model.all_objects.count() for model in SYNCED}
    counts["changes"] = list(SyncChange.objects.order_by("version").values_list("version", "record_uuid", "op"))
    counts["nodes"] = list(SyncNode.objects.order_by("pk").values_list("pk", "last_message_no", "revoked_at"))
    return counts


def send(url: str, case: Case, ctx: dict) -> requests.Response:
    body = case.body(ctx) if callable(case.body) else case.body
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Content-Type": case.content_type}
    auth = {"valid": f"Token {ctx['token']}", "revoked": f"Token {ctx['revoked_token']}", "none": None}.get(
        case.auth, case.auth
    )
    if auth:
        headers["Authorization"] = auth
    return requests.request(case.method, f"{url}/api/sync/{case.endpoint}", data=data, headers=headers, timeout=60)


def test_every_hostile_request_gets_its_code_and_changes_nothing(live_sync_server):
    owner = UserFactory()
    node, token = node_create(owner=owner, name="target")
    other, _ = node_create(owner=owner, name="other")
    revoked, revoked_token = node_create(owner=owner, name="lost laptop")
    node_revoke(node=revoked)
    spec = WorkSpecificationFactory()
    ctx = {
        "node_id": str(node.node_id), "token": token, "other_node_id": str(other.node_id),
        "revoked_token": revoked_token, "user_id": str(owner.uuid), "user_uuid": owner.uuid,
        "spec_uuid": spec.uuid, "line_id": str(uuid.uuid4()),
    }
    assert len(CORPUS) >= 50
    failures = []
    for case in CORPUS:
        before = database_state()
        conflicts_before = SyncConflict.objects.count()
        response = send(live_sync_server.url, case, ctx)
        problems = []
        if response.status_code != case.status:
            problems.append(f"status {response.status_code}")
        body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
        if case.code == "rejected":
            statuses = [result.get("status") for result in body.get("results", [])]
            if not statuses or set(statuses) != {"rejected"}:
                problems.append(f"results {statuses}")
            if SyncConflict.objects.count() <= conflicts_before:
                problems.append("rejection not logged")
            after = database_state()
            # The message number is consumed by a 200; nothing else may move.
            before.pop("nodes"), after.pop("nodes")
            if after != before:
                problems.append("database changed")
            ctx_node = SyncNode.objects.get(pk=node.pk)
            ctx["message_no"] = ctx_node.last_message_no
        else:
            if body.get("error") != case.code or not body.get("detail"):
                problems.append(f"body {str(body)[:200]}")
            if database_state() != before:
                problems.append("database changed")
        if problems:
            failures.append(f"{case.name}: {', '.join(problems)}")
        # Each accepted message consumed its number: keep later cases fresh.
        if case.status == 200:
            SyncNode.objects.filter(pk=node.pk).update(last_message_no=0, last_results=[])
    assert not failures, "\n".join(failures)


def test_oversized_bodies_are_refused_before_reading_them(tmp_path, live_sync_server):
    server = server_start(tmp_path, workers=1, env={"SYNC_MAX_REQUEST_BYTES": "100000"})
    try:
        node, token = node_create(owner=UserFactory(), name="n")
        before = database_state()
        huge = b'{"protocol": 1, "changes": ["' + b"x" * 2_000_000 + b'"]}'
        response = requests.post(f"{server.url}/api/sync/exchange", data=huge, timeout=60,
                                 headers={"Authorization": f"Token {token}", "Content-Type": "application/json"})
        assert response.status_code == 413 and response.json()["error"] == "payload_too_large"
        register = requests.post(f"{server.url}/api/sync/register", data=huge, timeout=60,
                                 headers={"Content-Type": "application/json"})
        assert register.status_code == 413 and register.json()["error"] == "payload_too_large"
        assert database_state() == before
    finally:
        server.stop()


def test_sql_and_html_in_valid_text_are_stored_verbatim(live_sync_server):
    node, token = node_create(owner=UserFactory(), name="n")
    nasty = "Robert'); DROP TABLE estimates_estimate;-- <script>alert(1)</script> \u202eevil"
    record = spec_record(code="NASTY-1", name=nasty)
    body = {"protocol": 1, "node_id": str(node.node_id), "message_no": 1, "ack": 0, "changes": [record]}
    response = requests.post(f"{live_sync_server.url}/api/sync/exchange", json=body, timeout=60,
                             headers={"Authorization": f"Token {token}"})
    assert response.json()["results"][0]["status"] == "applied"
    assert WorkSpecification.objects.get(code="NASTY-1").name == nasty
    assert Estimate.all_objects.count() == 0 or Estimate.all_objects.exists()  # the table is still there
