"""HTTP transport: the two requests of the protocol, and error responses as exceptions.

The sync engine talks to a ``Transport``; ``HttpTransport`` is the real one. Tests and
other callers can pass any object with the same two methods.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests

from desktop_client import __version__
from desktop_client.sync.errors import (
    CertificateInvalid,
    MalformedResponse,
    NetworkUnavailable,
    ServerUnavailable,
    refused_error_class,
)
from sync_protocol import errors as codes

REGISTER_PATH = "/api/sync/register"
EXCHANGE_PATH = "/api/sync/exchange"
HEALTH_PATH = "/api/health"
USER_AGENT = f"site-sync-desktop/{__version__}"

# (connect, read) seconds. Reading allows for a large page of changes on a slow link.
DEFAULT_TIMEOUT = (10.0, 120.0)
# A health check is a person waiting on a "Test connection" button: a quick answer or none.
HEALTH_TIMEOUT = (5.0, 10.0)


class Transport(Protocol):
    def register(self, request: Mapping[str, Any]) -> dict[str, Any]:
        """POST /api/sync/register; the 201 body."""
        ...

    def exchange(self, body: str, *, token: str) -> dict[str, Any]:
        """POST /api/sync/exchange with ``body`` sent byte for byte; the 200 body."""
        ...


def normalize_server_url(url: str) -> str:
    """The server's base address without a trailing slash; ``ValueError`` if unusable."""
    candidate = url.strip()
    parts = urlsplit(candidate)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{url!r} is not a server address; give one like https://sync.example.com.")
    if parts.query or parts.fragment:
        raise ValueError(f"{url!r} should be the server's address only, without ? or # parts.")
    return candidate.rstrip("/")


class HttpTransport:
    def __init__(
        self,
        server_url: str,
        *,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.server_url = normalize_server_url(server_url)
        self.timeout = timeout
        self._session = session or requests.Session()

    def register(self, request: Mapping[str, Any]) -> dict[str, Any]:
        return self._post(REGISTER_PATH, json.dumps(request), token=None)

    def exchange(self, body: str, *, token: str) -> dict[str, Any]:
        return self._post(EXCHANGE_PATH, body, token=token)

    def health(self) -> dict[str, Any]:
        """GET /api/health: the server's body when it and its database answer; otherwise the
        same typed errors as an exchange (a 503 is ``ServerUnavailable``). Needs no token, so a
        settings form can check an address before registering."""
        return self._request("GET", HEALTH_PATH, None, token=None, timeout=HEALTH_TIMEOUT)

    def close(self) -> None:
        self._session.close()

    def _post(self, path: str, body: str, *, token: str | None) -> dict[str, Any]:
        return self._request("POST", path, body, token=token, timeout=self.timeout)

    def _request(
        self, method: str, path: str, body: str | None, *, token: str | None, timeout: tuple[float, float]
    ) -> dict[str, Any]:
        url = self.server_url + path
        headers = {
            "Accept": "application/json",
            "Accept-Encoding": "gzip",
            "User-Agent": USER_AGENT,
        }
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if token is not None:
            headers["Authorization"] = f"Token {token}"
        try:
            response = self._session.request(
                method,
                url,
                data=body.encode("utf-8") if body is not None else None,
                headers=headers,
                timeout=timeout,
                allow_redirects=False,
            )
        except requests.exceptions.SSLError as error:
            raise CertificateInvalid(
                f"The server {self.server_url} could not prove its identity (TLS certificate problem: {error})."
            ) from error
        except requests.RequestException as error:
            raise NetworkUnavailable(
                f"Could not reach the server {self.server_url}; check the network connection. ({_reason(error)})"
            ) from error
        return self._handle(response)

    def _handle(self, response: requests.Response) -> dict[str, Any]:
        status = response.status_code
        if 200 <= status < 300:
            body = _json_object(response)
            if body is None:
                raise MalformedResponse(
                    f"The answer from {self.server_url} was not understood (HTTP {status}, not a JSON object). "
                    "Is this the address of the Site sync server?"
                )
            return body
        if 300 <= status < 400:
            raise MalformedResponse(
                f"The server sent this computer elsewhere ({response.headers.get('Location', 'no address given')}). "
                "Use that address as the server address."
            )
        error_body = _json_object(response) or {}
        code = error_body.get("error") if isinstance(error_body.get("error"), str) else None
        detail = error_body.get("detail") if isinstance(error_body.get("detail"), str) else None
        fields = error_body.get("fields") if isinstance(error_body.get("fields"), dict) else None
        if status == 429 or status >= 500:
            raise ServerUnavailable(
                detail or f"The server is unavailable right now (HTTP {status}); try again later.",
                status=status,
                code=code or (codes.RATE_LIMITED if status == 429 else None),
                retry_after=_retry_after(response),
            )
        if code is None:
            raise MalformedResponse(
                f"The server refused the request (HTTP {status}) without a reason this client understands."
            )
        raise refused_error_class(status, code)(
            detail or f"The server refused the request ({code}).", code=code, status=status, fields=fields
        )


def _json_object(response: requests.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date; the retry policy's own delay is good enough


def _reason(error: requests.RequestException) -> str:
    if isinstance(error, requests.Timeout):
        return "the server did not answer in time"
    if isinstance(error, requests.ConnectionError):
        return "no connection"
    return type(error).__name__
