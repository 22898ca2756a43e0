"""Fault injection for the reliability tests: lost requests, lost responses, a server that
fails half-way through applying a message, and a node that stops between receiving a
response and applying it.

The desktop client's real ``HttpTransport`` is used unchanged; faults are injected below it,
in the ``requests`` transport adapter its session sends through:

- ``FaultyAdapter`` wraps the adapter that really sends (a socket to a live server, or
  ``InProcessServer``) and plays a plan of faults, one per request;
- ``InProcessServer`` hands each request to Django's request handler in this process
  (``django.test.Client``): the whole HTTP request/response cycle of the server —
  middleware, authentication, throttling, the DRF view, status codes, headers, gzip — without
  a socket, which makes a schedule several times faster than through gunicorn;
- ``ServerApplyFault`` (in-process only) makes the server's apply path raise after it has
  written rows, so the exchange's transaction must roll all of it back (500);
- ``NodeCrash`` makes the desktop engine's response application fail once, before it
  starts or after it has done all its work but before its transaction commits: what a crash
  of the laptop at that moment leaves behind, since the local transaction never commits.
"""
from __future__ import annotations

import io
import json
from collections import Counter, deque
from collections.abc import Callable
from urllib.parse import urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

# Fault kinds, as counted in the figures.
REQUEST_LOST = "request_lost"  # the request never reached the server
RESPONSE_LOST = "response_lost"  # the server committed, the answer never arrived
SERVER_ERROR = "server_error"  # the server failed while applying: 500, rolled back
CRASH_BEFORE_APPLY = "crash_before_apply"  # the node got the response and stopped before applying it
CRASH_DURING_APPLY = "crash_during_apply"  # ... stopped after applying it, before the local commit

TRANSPORT_FAULTS = (REQUEST_LOST, RESPONSE_LOST, SERVER_ERROR)
NODE_FAULTS = (CRASH_BEFORE_APPLY, CRASH_DURING_APPLY)

ExchangeObserver = Callable[[dict, dict], None]


class InProcessServer(HTTPAdapter):
    """A ``requests`` adapter that serves requests with Django's handler in this process."""

    def __init__(self) -> None:
        super().__init__()
        from django.test import Client

        self._client = Client(raise_request_exception=False)

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        url = urlsplit(request.url)
        path = url.path + (f"?{url.query}" if url.query else "")
        skipped = {"content-type", "content-length", "host"}
        headers = {name: value for name, value in request.headers.items() if name.lower() not in skipped}
        answer = self._client.generic(
            request.method, path, data=request.body or b"",
            content_type=request.headers.get("Content-Type", ""), headers=headers,
        )
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content), headers=list(answer.headers.items()), status=answer.status_code,
            reason=answer.reason_phrase, preload_content=False, decode_content=True,
        )
        return self.build_response(request, raw)


class ServerApplyFault:
    """While armed, the server's apply path raises once, after it has written rows.

    It fires in ``_upserts_write`` right after a type's upserts are written (the middle of
    a message), or — for a message with no upserts — at the end of ``exchange_apply``,
    after every record is written but before the node's message number is stored.
    """

    def __init__(self, monkeypatch) -> None:
        from apps.sync.services import apply, exchange

        self.armed = False
        self.fired: Counter[str] = Counter()
        real_write, real_apply = apply._upserts_write, exchange.exchange_apply

        def upserts_write(options, prepared):
            real_write(options, prepared)
            if self.armed and prepared:
                self._fire("after a type's upserts were written")

        def exchange_apply(**kwargs):
            results = real_apply(**kwargs)
            if self.armed:
                self._fire("after the whole message was written")
            return results

        monkeypatch.setattr(apply, "_upserts_write", upserts_write)
        monkeypatch.setattr(exchange, "exchange_apply", exchange_apply)

    def _fire(self, where: str) -> None:
        self.armed = False
        self.fired[where] += 1
        raise RuntimeError(f"simulated server failure {where}")


class FaultyAdapter(HTTPAdapter):
    """Sends through ``inner``, playing ``plan`` (one fault or None per request, in order).

    ``observe(request_body, response_body)`` sees every exchange the server answered with
    200, including those whose answer is then lost on the way back.
    """

    def __init__(self, inner: HTTPAdapter, *, server_fault: ServerApplyFault | None = None,
                 observe: ExchangeObserver | None = None) -> None:
        super().__init__()
        self.inner = inner
        self.server_fault = server_fault
        self.observe = observe
        self.plan: deque[str | None] = deque()
        self.fired: Counter[str] = Counter()
        self.requests = 0

    def send(self, request, **kwargs):
        fault = self.plan.popleft() if self.plan else None
        self.requests += 1
        if fault == REQUEST_LOST:
            self.fired[fault] += 1
            raise requests.ConnectionError("simulated: the request was lost on the way to the server")
        if fault == SERVER_ERROR:
            if self.server_fault is None:
                raise AssertionError("server errors can only be injected into the in-process server")
            self.server_fault.armed = True
            fired_before = sum(self.server_fault.fired.values())
        try:
            response = self.inner.send(request, **kwargs)
        finally:
            if self.server_fault is not None:
                self.server_fault.armed = False
        if fault == SERVER_ERROR and sum(self.server_fault.fired.values()) > fired_before:
            # (A resent message is answered from the stored results and applies nothing,
            # so there the fault has nothing to break and does not fire.)
            if response.status_code != 500:
                raise AssertionError(f"the injected server failure was answered with {response.status_code}")
            self.fired[fault] += 1
        if response.status_code == 200 and self.observe is not None and request.url.endswith("/exchange"):
            self.observe(json.loads(request.body), response.json())
        if fault == RESPONSE_LOST:
            self.fired[fault] += 1
            response.close()
            raise requests.ConnectionError("simulated: the connection broke before the answer arrived")
        return response

    def close(self) -> None:
        self.inner.close()


class NodeCrashed(Exception):
    """The simulated crash of a node; its local transaction never commits."""


class NodeCrash:
    """The desktop engine's response application fails once, when armed with ``arm``.

    ``CRASH_BEFORE_APPLY``: the response arrived and nothing of it was applied;
    ``CRASH_DURING_APPLY``: all of it was applied inside the local transaction, which is
    then rolled back, as a crash before the commit would leave it.
    """

    def __init__(self, monkeypatch) -> None:
        from desktop_client.sync import engine

        self._mode: str | None = None
        self._skip = 0
        self.fired: Counter[str] = Counter()
        real_apply = engine.apply_response

        def apply_response(session, message, response):
            mode = self._mode
            if mode is not None and self._skip > 0:
                self._skip -= 1
                mode = None
            if mode == CRASH_BEFORE_APPLY:
                self.disarm()
                self.fired[mode] += 1
                raise NodeCrashed("simulated crash after receiving the response, before applying it")
            outcome = real_apply(session, message, response)
            if mode == CRASH_DURING_APPLY:
                self.disarm()
                session.flush()  # everything is written to the database, not committed
                self.fired[mode] += 1
                raise NodeCrashed("simulated crash after applying the response, before the commit")
            return outcome

        monkeypatch.setattr(engine, "apply_response", apply_response)

    def arm(self, mode: str, *, after: int = 0) -> None:
        """Crash at the response application that comes after ``after`` successful ones."""
        self._mode, self._skip = mode, after

    def disarm(self) -> None:
        self._mode, self._skip = None, 0
