"""What can go wrong talking to the server, as exceptions a caller can tell apart.

Every error carries ``code`` (the protocol's error code, or a client-side one for what
happens before the server answers) and ``detail``, a sentence for a person.
"""
from __future__ import annotations

from typing import Any

from sync_protocol import errors as codes

# Client-side codes: conditions the server never reports because it was never reached
# or its answer made no sense.
NETWORK_UNREACHABLE = "network_unreachable"
CERTIFICATE_INVALID = "certificate_invalid"
SERVER_ERROR = "server_error"
MALFORMED_RESPONSE = "malformed_response"
NOT_REGISTERED = "not_registered"
INVALID_CONNECTION_CODE = "invalid_connection_code"


class SyncError(Exception):
    """Base of every known sync failure. ``retryable``: sending the same message again
    later may succeed."""

    code: str = "sync_error"
    retryable: bool = False

    def __init__(self, detail: str, *, code: str | None = None, fields: dict[str, Any] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.fields = fields or {}

    def __str__(self) -> str:
        return self.detail


class NetworkUnavailable(SyncError):
    """The server could not be reached: no network, DNS failure, refused, timed out."""

    code = NETWORK_UNREACHABLE
    retryable = True


class CertificateInvalid(NetworkUnavailable):
    """The server's TLS certificate could not be verified; retrying will not help."""

    code = CERTIFICATE_INVALID
    retryable = False


class ServerUnavailable(SyncError):
    """The server answered with a 5xx error or asked us to slow down (429)."""

    code = SERVER_ERROR
    retryable = True

    def __init__(self, detail: str, *, status: int, code: str | None = None, retry_after: float | None = None) -> None:
        super().__init__(detail, code=code)
        self.status = status
        self.retry_after = retry_after


class ServerRefused(SyncError):
    """The server answered with a protocol error (4xx) about this request."""

    def __init__(self, detail: str, *, code: str, status: int, fields: dict[str, Any] | None = None) -> None:
        super().__init__(detail, code=code, fields=fields)
        self.status = status


class NodeRevoked(ServerRefused):
    """An admin revoked this node's token: stop syncing, keep everything, register again."""


class AuthenticationFailed(ServerRefused):
    """The token is wrong or belongs to another node; the node has to register again."""


class RegistrationRefused(ServerRefused):
    """Wrong username or password, or the user may not register computers."""


class StaleMessage(ServerRefused):
    """The server has already applied a newer message from this node than the one sent."""


class MalformedResponse(SyncError):
    """The server's answer is not a protocol response (e.g. a proxy's error page)."""

    code = MALFORMED_RESPONSE


class NotRegistered(SyncError):
    """This node has no server, node id or token yet."""

    code = NOT_REGISTERED


class InvalidConnectionCode(SyncError):
    """A connection code that cannot be decoded."""

    code = INVALID_CONNECTION_CODE


def refused_error_class(status: int, code: str) -> type[ServerRefused]:
    """The exception class for a 4xx error response with protocol ``code``."""
    if code == codes.NODE_REVOKED:
        return NodeRevoked
    if code in (codes.INVALID_TOKEN, codes.AUTH_REQUIRED, codes.NODE_MISMATCH):
        return AuthenticationFailed
    if code in (codes.INVALID_CREDENTIALS, codes.NOT_ALLOWED):
        return RegistrationRefused
    if code == codes.STALE_MESSAGE:
        return StaleMessage
    return ServerRefused
