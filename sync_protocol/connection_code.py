"""Connection codes: how an admin hands a node its identity without a password.

A code is the URL-safe base64 (RFC 4648 §5, without ``=`` padding) of the UTF-8 compact
JSON ``{"server": "<base URL>", "node_id": "<uuid>", "token": "<token>"}``; ``server`` may
be absent (the user then types the address). Decoding accepts padding and whitespace
anywhere, since codes are copied by hand and by mail.
"""
from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass

from sync_protocol import codecs

NOT_A_CODE = "This is not a connection code; copy the whole code from the admin page again."


@dataclass(frozen=True)
class ConnectionCode:
    node_id: uuid.UUID
    token: str
    server: str | None = None

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"ConnectionCode(node_id={self.node_id!r}, server={self.server!r})"


def encode(code: ConnectionCode) -> str:
    payload: dict[str, str] = {}
    if code.server is not None:
        payload["server"] = code.server
    payload["node_id"] = str(code.node_id)
    payload["token"] = code.token
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode(text: str) -> ConnectionCode:
    """The code's parts; ``ValueError`` with a sentence for a person when it is not a code."""
    compact = "".join(str(text).split())
    if not compact:
        raise ValueError("The connection code is empty.")
    try:
        payload = json.loads(base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4)).decode("utf-8"))
    except (binascii.Error, ValueError):
        raise ValueError(NOT_A_CODE) from None
    if not isinstance(payload, dict):
        raise ValueError(NOT_A_CODE)
    try:
        node_id = codecs.uuid_from_wire(payload.get("node_id"))
    except ValueError:
        raise ValueError("The connection code has no valid node id.") from None
    token = payload.get("token")
    if not isinstance(token, str) or not token.strip():
        raise ValueError("The connection code has no token.")
    server = payload.get("server")
    if server is not None and (not isinstance(server, str) or not server.strip()):
        raise ValueError("The server address in the connection code is not usable text.")
    return ConnectionCode(node_id=node_id, token=token, server=server)
