"""Registering a node with a user's login."""
from __future__ import annotations

from django.contrib.auth import authenticate

from apps.sync.errors import ProtocolError
from apps.sync.models import SyncNode
from apps.sync.services.nodes import node_create
from sync_protocol import errors as codes

REGISTER_PERMISSION = "sync.register_node"


def node_register(*, username: str, password: str, name: str, app_version: str, request=None) -> tuple[SyncNode, str]:
    """Create a node for the user with these credentials; return it with its token (shown once)."""
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ProtocolError(codes.INVALID_CREDENTIALS, "The user name or password is wrong.", 401)
    if not user.has_perm(REGISTER_PERMISSION):
        raise ProtocolError(
            codes.NOT_ALLOWED,
            "This user may not register computers for synchronisation; ask an administrator.",
            403,
        )
    return node_create(owner=user, name=name.strip() or username, app_version=app_version)
