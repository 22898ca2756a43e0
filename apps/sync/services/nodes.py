"""Nodes: creating one with its token, finding a node by token, revoking."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.utils import timezone

from apps.sync.models import SyncNode

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def node_create(*, owner, name: str, app_version: str = "") -> tuple[SyncNode, str]:
    """Create a node; return it with its token. The token is shown once: only its hash is kept."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
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
