"""Errors the sync engine answers with: a protocol code, a sentence for a person, an HTTP status."""
from __future__ import annotations

from sync_protocol import errors as codes


class ProtocolError(Exception):
    def __init__(self, code: str, detail: str, status: int, fields: dict | None = None):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.status = status
        self.fields = fields

    def body(self) -> dict:
        body = {"error": self.code, "detail": self.detail}
        if self.fields:
            body["fields"] = self.fields
        return body


def invalid_request(detail: str, fields: dict | None = None) -> ProtocolError:
    return ProtocolError(codes.INVALID_REQUEST, detail, 400, fields)


def stale_message(last: int) -> ProtocolError:
    return ProtocolError(
        codes.STALE_MESSAGE,
        f"This message number is older than the last one the server applied ({last}); send a new message.",
        409,
    )


def node_revoked() -> ProtocolError:
    return ProtocolError(
        codes.NODE_REVOKED, "This computer's access was revoked by an administrator. Register it again.", 401
    )
