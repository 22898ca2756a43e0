"""Connection codes as the desktop reads them: ``sync_protocol.connection_code`` decodes,
this module adds the node's error type and the server address check."""
from __future__ import annotations

from dataclasses import dataclass

from desktop_client.sync.errors import InvalidConnectionCode
from desktop_client.sync.transport import normalize_server_url
from sync_protocol import connection_code as protocol_code


@dataclass(frozen=True)
class ConnectionCode:
    node_id: str
    token: str
    server: str | None = None

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"ConnectionCode(node_id={self.node_id!r}, server={self.server!r})"


def encode_connection_code(code: ConnectionCode) -> str:
    return protocol_code.encode(protocol_code.ConnectionCode(node_id=code.node_id, token=code.token, server=code.server))


def decode_connection_code(text: str) -> ConnectionCode:
    try:
        parsed = protocol_code.decode(text)
    except ValueError as error:
        raise InvalidConnectionCode(str(error)) from None
    server = parsed.server
    if server is not None:
        try:
            server = normalize_server_url(server)
        except ValueError as error:
            raise InvalidConnectionCode(f"The server address in the connection code is unusable: {error}") from None
    return ConnectionCode(node_id=str(parsed.node_id), token=parsed.token, server=server)
