"""Nodes: creating one with its token, finding a node by token, revoking, replacing the
token, and the connection code that carries a node's id and token to a computer."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid

from django.db import transaction
from django.utils import timezone

from apps.sync.models import SyncNode
from sync_protocol import connection_code

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _token_new() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


@transaction.atomic
def node_create(*, owner, name: str, app_version: str = "") -> tuple[SyncNode, str]:
    """Create a node; return it with its token. The token is shown once: only its hash is kept."""
    token = _token_new()
    node = SyncNode.objects.create(owner=owner, name=name, app_version=app_version, token_hash=token_hash(token))
    return node, token


def node_for_token(token: str) -> SyncNode | None:
    """The node a token belongs to, or None. Revoked nodes are returned: the caller says so."""
    digest = token_hash(token)
    node = SyncNode.objects.select_related("owner").filter(token_hash=digest).first()
    if node is None or not hmac.compare_digest(node.token_hash, digest):
        return None
    return node


@transaction.atomic
def node_revoke(*, node: SyncNode) -> bool:
    """Revoke a node's token: its next request is refused. Returns False if already revoked."""
    updated = SyncNode.objects.filter(pk=node.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return bool(updated)


class NodeRevokedError(Exception):
    """A revoked node cannot be given a new token: revocation is final."""


@transaction.atomic
def node_token_replace(*, node: SyncNode) -> str:
    """Give a node a new token and return it (shown once); the old token stops working at once.

    The node keeps its identity and its place in the change log. Its message numbering may
    start over, so the code works both for a fresh installation (whose first message is
    number 1) and for the computer that held the old token (whose numbers only grow). The
    last message's number and results are kept: that computer may still be waiting for the
    answer to it, and when it sends it again with the new token it gets the stored answer
    instead of having the message applied a second time.
    """
    node = SyncNode.objects.select_for_update().get(pk=node.pk)
    if node.is_revoked:
        raise NodeRevokedError(node.node_id)
    token = _token_new()
    node.token_hash = token_hash(token)
    node.numbering_may_restart = True
    node.pass_message_no = None
    node.pass_is_reset = False
    node.pass_last_message_no = None
    node.save(update_fields=["token_hash", "numbering_may_restart", "pass_message_no", "pass_is_reset",
                             "pass_last_message_no"])
    return token


ConnectionCode = connection_code.ConnectionCode


class ConnectionCodeError(ValueError):
    """A text that is not a connection code."""


def connection_code_make(*, node_id: uuid.UUID | str, token: str, server_url: str) -> str:
    """The code an admin hands to a field user: everything a desktop client needs to connect
    (format in ``sync_protocol.connection_code``)."""
    return connection_code.encode(
        ConnectionCode(node_id=uuid.UUID(str(node_id)), token=token, server=server_url.rstrip("/"))
    )


def connection_code_parse(code: str) -> ConnectionCode:
    """The server, node id and token in a connection code; ConnectionCodeError if it is not one."""
    try:
        parsed = connection_code.decode(code)
    except ValueError as error:
        raise ConnectionCodeError(str(error)) from error
    if parsed.server is None:
        raise ConnectionCodeError("The connection code lacks the server address.")
    return parsed
