"""Talking to the server: transport, registration, message freezing, response
application and the engine that loops them. No Qt here; the window's worker wraps
``SyncEngine``."""
from desktop_client.sync.connection_code import ConnectionCode, decode_connection_code, encode_connection_code
from desktop_client.sync.engine import SyncEngine, SyncProgress, SyncReport
from desktop_client.sync.errors import (
    AuthenticationFailed,
    CertificateInvalid,
    InvalidConnectionCode,
    MalformedResponse,
    NetworkUnavailable,
    NodeRevoked,
    NotRegistered,
    RegistrationRefused,
    ServerRefused,
    ServerUnavailable,
    StaleMessage,
    SyncError,
)
from desktop_client.sync.registration import NodeIdentity, register_with_code, register_with_password
from desktop_client.sync.retry import RetryPolicy
from desktop_client.sync.transport import HttpTransport, Transport

__all__ = [
    "AuthenticationFailed",
    "CertificateInvalid",
    "ConnectionCode",
    "HttpTransport",
    "InvalidConnectionCode",
    "MalformedResponse",
    "NetworkUnavailable",
    "NodeIdentity",
    "NodeRevoked",
    "NotRegistered",
    "RegistrationRefused",
    "RetryPolicy",
    "ServerRefused",
    "ServerUnavailable",
    "StaleMessage",
    "SyncEngine",
    "SyncError",
    "SyncProgress",
    "SyncReport",
    "Transport",
    "decode_connection_code",
    "encode_connection_code",
    "register_with_code",
    "register_with_password",
]
