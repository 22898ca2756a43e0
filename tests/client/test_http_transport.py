"""The HTTP transport against a real HTTP server on localhost: what it sends, and how
each kind of answer becomes a value or a typed exception."""
from __future__ import annotations

import gzip
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from desktop_client.sync import (
    AuthenticationFailed,
    HttpTransport,
    MalformedResponse,
    NetworkUnavailable,
    NodeRevoked,
    RegistrationRefused,
    ServerRefused,
    ServerUnavailable,
    StaleMessage,
)
from desktop_client.sync.transport import normalize_server_url


class Reply:
    def __init__(self, status: int, body: bytes | dict = b"", *, headers: dict[str, str] | None = None,
                 compress: bool = False, hang: threading.Event | None = None):
        self.status = status
        self.body = json.dumps(body).encode() if isinstance(body, dict) else body
        self.headers = headers or {}
        self.compress = compress
        self.hang = hang


class LocalServer:
    def __init__(self):
        self.replies: list[Reply] = []
        self.received: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                server.received.append({"path": self.path, "headers": dict(self.headers),
                                        "body": self.rfile.read(length)})
                reply = server.replies.pop(0)
                if reply.hang is not None:
                    reply.hang.wait(5)
                    return
                body = gzip.compress(reply.body) if reply.compress else reply.body
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.compress:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST  # the health check; no body, so Content-Length is absent

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    running = LocalServer()
    yield running
    running.close()


def error(code: str, detail: str = "A sentence for a person.", **extra) -> dict:
    return {"error": code, "detail": detail, **extra}


def test_exchange_posts_the_body_byte_for_byte_with_the_token(server):
    server.replies.append(Reply(200, {"protocol": 1, "ok": True}))
    body = '{"protocol":1,"note":"Ünïcode"}'
    assert HttpTransport(server.url + "/").exchange(body, token="t0k3n") == {"protocol": 1, "ok": True}
    [request] = server.received
    assert request["path"] == "/api/sync/exchange"
    assert request["body"] == body.encode("utf-8")
    assert request["headers"]["Authorization"] == "Token t0k3n"
    assert request["headers"]["Content-Type"].startswith("application/json")
    assert "gzip" in request["headers"]["Accept-Encoding"]


def test_gzip_compressed_responses_are_read(server):
    server.replies.append(Reply(200, {"protocol": 1, "changes": ["x"] * 1000}, compress=True))
    assert len(HttpTransport(server.url).exchange("{}", token="t")["changes"]) == 1000


def test_register_posts_json_without_a_token(server):
    server.replies.append(Reply(201, {"protocol": 1, "node_id": "n", "token": "t"}))
    assert HttpTransport(server.url).register({"protocol": 1, "username": "u"})["token"] == "t"
    [request] = server.received
    assert request["path"] == "/api/sync/register"
    assert json.loads(request["body"]) == {"protocol": 1, "username": "u"}
    assert "Authorization" not in request["headers"]


@pytest.mark.parametrize(
    ("status", "code", "exception"),
    [
        (401, "node_revoked", NodeRevoked),
        (401, "invalid_token", AuthenticationFailed),
        (401, "auth_required", AuthenticationFailed),
        (403, "node_mismatch", AuthenticationFailed),
        (401, "invalid_credentials", RegistrationRefused),
        (403, "not_allowed", RegistrationRefused),
        (409, "stale_message", StaleMessage),
        (413, "payload_too_large", ServerRefused),
    ],
)
def test_error_responses_become_typed_errors_with_the_servers_sentence(server, status, code, exception):
    server.replies.append(Reply(status, error(code, "Said by the server.")))
    with pytest.raises(exception) as raised:
        HttpTransport(server.url).exchange("{}", token="t")
    assert (raised.value.code, raised.value.status, raised.value.detail) == (code, status, "Said by the server.")
    assert raised.value.retryable is False


def test_health_is_a_get_without_token_or_body(server):
    server.replies.append(Reply(200, {"status": "ok", "database": "ok"}))
    assert HttpTransport(server.url).health() == {"status": "ok", "database": "ok"}
    [request] = server.received
    assert request["path"] == "/api/health"
    assert request["body"] == b""
    assert "Authorization" not in request["headers"]


def test_a_server_whose_database_is_down_fails_the_health_check(server):
    server.replies.append(Reply(503, {"status": "unavailable", "database": "unreachable"}))
    with pytest.raises(ServerUnavailable) as raised:
        HttpTransport(server.url).health()
    assert raised.value.status == 503


def test_field_errors_travel_with_the_error(server):
    server.replies.append(Reply(400, error("invalid_request", fields={"ack": ["Must be a whole number."]})))
    with pytest.raises(ServerRefused) as raised:
        HttpTransport(server.url).exchange("{}", token="t")
    assert raised.value.fields == {"ack": ["Must be a whole number."]}


def test_a_server_error_page_is_a_retryable_server_failure(server):
    server.replies.append(Reply(502, b"<html>Bad gateway</html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(ServerUnavailable) as raised:
        HttpTransport(server.url).exchange("{}", token="t")
    assert raised.value.retryable and raised.value.status == 502
    assert "try again later" in raised.value.detail


def test_rate_limiting_says_how_long_to_wait(server):
    server.replies.append(Reply(429, error("rate_limited"), headers={"Retry-After": "7"}))
    with pytest.raises(ServerUnavailable) as raised:
        HttpTransport(server.url).exchange("{}", token="t")
    assert (raised.value.code, raised.value.retry_after, raised.value.retryable) == ("rate_limited", 7.0, True)


def test_a_success_that_is_not_json_is_malformed(server):
    server.replies.append(Reply(200, b"<html>Welcome to nginx</html>"))
    with pytest.raises(MalformedResponse, match="Is this the address"):
        HttpTransport(server.url).exchange("{}", token="t")


def test_a_redirect_is_reported_with_its_target_instead_of_followed(server):
    server.replies.append(Reply(301, b"", headers={"Location": "https://sync.example.com/api/sync/exchange"}))
    with pytest.raises(MalformedResponse, match="https://sync.example.com"):
        HttpTransport(server.url).exchange("{}", token="t")
    assert len(server.received) == 1


def test_an_unreachable_server_is_a_retryable_network_failure():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(NetworkUnavailable) as raised:
        HttpTransport(f"http://127.0.0.1:{port}").exchange("{}", token="t")
    assert raised.value.retryable and raised.value.code == "network_unreachable"
    assert "check the network connection" in raised.value.detail


def test_a_server_that_does_not_answer_in_time_is_a_network_failure(server):
    release = threading.Event()
    server.replies.append(Reply(200, hang=release))
    try:
        with pytest.raises(NetworkUnavailable, match="did not answer in time"):
            HttpTransport(server.url, timeout=(2.0, 0.05)).exchange("{}", token="t")
    finally:
        release.set()


@pytest.mark.parametrize("url", ["sync.example.com", "ftp://sync.example.com", "https://", "https://x/?a=1"])
def test_unusable_server_addresses_are_refused_with_a_sentence(url):
    with pytest.raises(ValueError, match="address"):
        normalize_server_url(url)


def test_server_addresses_lose_their_trailing_slash():
    assert normalize_server_url(" https://sync.example.com/base/ ") == "https://sync.example.com/base"
