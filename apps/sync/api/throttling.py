"""Rate limits, counted in the shared database cache so every worker sees the same counts."""
from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


class RegisterRateThrottle(SimpleRateThrottle):
    """Registration attempts per client address (guards password guessing)."""

    scope = "sync_register"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ExchangeRateThrottle(SimpleRateThrottle):
    """Exchanges per node."""

    scope = "sync_exchange"

    def get_cache_key(self, request, view):
        node = request.auth
        return self.cache_format % {"scope": self.scope, "ident": str(node.node_id) if node else self.get_ident(request)}
