"""Node tokens: ``Authorization: Token <token>``, looked up by hash."""
from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication

from apps.sync import errors
from apps.sync.errors import ProtocolError
from apps.sync.services.nodes import node_for_token
from sync_protocol import errors as codes


def invalid_token() -> ProtocolError:
    return ProtocolError(codes.INVALID_TOKEN, "The token is not valid. Register this computer again.", 401)


class NodeTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise invalid_token()
        node = node_for_token(parts[1])
        if node is None:
            raise invalid_token()
        if node.is_revoked or not node.owner.is_active or node.owner.is_deleted:
            raise errors.node_revoked()
        return (node.owner, node)

    def authenticate_header(self, request) -> str:
        return self.keyword


class NodeTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes node tokens."""

    target_class = NodeTokenAuthentication
    name = "NodeToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'The node\'s token as "Token <token>", from register or from an admin\'s connection code.',
        }
