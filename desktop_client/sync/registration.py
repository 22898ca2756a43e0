"""Giving this node its identity on a server: by username and password, or by a
connection code an admin made."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete

from desktop_client import __version__
from desktop_client.store import Store
from desktop_client.store.column_types import utc_now
from desktop_client.store.sync_tables import ResetDelivery, SyncState
from desktop_client.sync.connection_code import ConnectionCode, decode_connection_code
from desktop_client.sync.errors import InvalidConnectionCode, MalformedResponse
from desktop_client.sync.messages import abandon_inflight_message
from desktop_client.sync.transport import Transport, normalize_server_url
from sync_protocol import PROTOCOL_VERSION, codecs


@dataclass(frozen=True)
class NodeIdentity:
    server_url: str
    node_id: str
    node_name: str | None


def register_with_password(
    store: Store, transport: Transport, *, server_url: str, username: str, password: str, node_name: str
) -> NodeIdentity:
    """Register this computer as a new node (POST /api/sync/register) and keep its token."""
    server_url = normalize_server_url(server_url)
    response = transport.register(
        {
            "protocol": PROTOCOL_VERSION,
            "username": username,
            "password": password,
            "name": node_name,
            "app_version": __version__,
        }
    )
    token = response.get("token")
    try:
        node_id = str(codecs.uuid_from_wire(response.get("node_id")))
    except ValueError:
        node_id = None
    if response.get("protocol") != PROTOCOL_VERSION or node_id is None or not isinstance(token, str) or not token:
        raise MalformedResponse("The server's answer to the registration could not be used (no node id or token).")
    return adopt_identity(store, server_url=server_url, node_id=node_id, token=token, node_name=node_name)


def register_with_code(store: Store, *, code: str | ConnectionCode, server_url: str | None = None) -> NodeIdentity:
    """Take the identity an admin made for this computer. ``server_url``, when given,
    wins over the address in the code (the office may reach the server by another name)."""
    connection = decode_connection_code(code) if isinstance(code, str) else code
    server = server_url or connection.server
    if server is None:
        raise InvalidConnectionCode("The connection code does not name a server; give the server's address too.")
    return adopt_identity(
        store,
        server_url=normalize_server_url(server),
        node_id=connection.node_id,
        token=connection.token,
        node_name=None,
    )


def adopt_identity(store: Store, *, server_url: str, node_id: str, token: str, node_name: str | None) -> NodeIdentity:
    """Store the node's identity. Local records and unsent changes are always kept.

    The same node with a new token (an admin replaced it) keeps its message numbers (the
    server accepts any greater number after a replacement) and its ``ack``; but a reset
    that was under way starts over from ``ack`` 0, because the server forgets a full-state
    pass when it replaces the token, and finishing half a pass would drop records the
    other half had yet to deliver. A different node starts over with the server: message
    numbers from 1, ``ack`` 0 (the full state, applied as a reset), and the frozen
    message's changes back in the outbox to be sent under the new identity.
    """
    with store.transaction() as session:
        state = SyncState.load(session)
        if state.node_id != node_id:
            abandon_inflight_message(session)
            state.node_id = node_id
            state.last_message_no = 0
            state.ack = 0
            state.reset_in_progress = False
            session.execute(delete(ResetDelivery))
        elif state.reset_in_progress:
            state.ack = 0
            state.reset_in_progress = False
            session.execute(delete(ResetDelivery))
        state.server_url = server_url
        state.token = token
        if node_name is not None:
            state.node_name = node_name
        state.revoked = False
        state.registered_at = utc_now()
        return NodeIdentity(server_url=server_url, node_id=node_id, node_name=state.node_name)
