"""Error codes of the protocol (PROTOCOL.md). Fixed: a code never changes its meaning."""

INVALID_JSON = "invalid_json"
INVALID_REQUEST = "invalid_request"
UNSUPPORTED_PROTOCOL = "unsupported_protocol"
AUTH_REQUIRED = "auth_required"
INVALID_TOKEN = "invalid_token"
NODE_REVOKED = "node_revoked"
NODE_MISMATCH = "node_mismatch"
STALE_MESSAGE = "stale_message"
PAYLOAD_TOO_LARGE = "payload_too_large"
RATE_LIMITED = "rate_limited"
INVALID_CREDENTIALS = "invalid_credentials"
NOT_ALLOWED = "not_allowed"

# Per-record outcomes of an exchange.
APPLIED = "applied"
CONFLICT = "conflict"
REJECTED = "rejected"

UPSERT = "upsert"
DELETE = "delete"
