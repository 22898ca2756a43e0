"""Connection codes: how an admin hands a node its identity without a password.

A connection code is the URL-safe base64 (RFC 4648 §5, no ``=`` padding) of the UTF-8
JSON object ``{"server": "<base URL>", "node_id": "<uuid>", "token": "<token>"}``;
``server`` is optional (the user then types the server address). Decoding accepts
padding and surrounding whitespace, since codes are copied by hand and by mail.
"""
from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from desktop_client.sync.errors import InvalidConnectionCode
from desktop_client.sync.transport import normalize_server_url
from sync_protocol import codecs

_NOT_A_CODE = "This is not a connection code; copy the whole code from the admin page again."


@dataclass(frozen=True)
class ConnectionCode:
    node_id: str
    token: str
    server: str | None = None

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"ConnectionCode(node_id={self.node_id!r}, server={self.server!r})"


def encode_connection_code(code: ConnectionCode) -> str:
    payload: dict[str, str] = {}
    if code.server is not None:
        payload["server"] = code.server
    payload["node_id"] = code.node_id
    payload["token"] = code.token
    raw = json.dumps(payload, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_connection_code(text: str) -> ConnectionCode:
    compact = "".join(text.split())
    if not compact:
        raise InvalidConnectionCode("The connection code is empty.")
    try:
        raw = base64.urlsafe_b64decode(compact + "=" * (-len(compact) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError):
        raise InvalidConnectionCode(_NOT_A_CODE) from None
    if not isinstance(payload, dict):
        raise InvalidConnectionCode(_NOT_A_CODE)
    try:
        node_id = str(codecs.uuid_from_wire(payload.get("node_id")))
    except ValueError:
        raise InvalidConnectionCode("The connection code has no valid node id.") from None
    token = payload.get("token")
    if not isinstance(token, str) or not token.strip():
        raise InvalidConnectionCode("The connection code has no token.")
    server = payload.get("server")
    if server is not None:
        if not isinstance(server, str):
            raise InvalidConnectionCode("The server address in the connection code is not text.")
        try:
            server = normalize_server_url(server)
        except ValueError as error:
            raise InvalidConnectionCode(f"The server address in the connection code is unusable: {error}") from None
    return ConnectionCode(node_id=node_id, token=token, server=server)
