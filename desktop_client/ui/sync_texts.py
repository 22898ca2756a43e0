"""What the window says about the connection and about sync failures.

Failures are explained by their protocol or client code (docs/desktop-client.md), in
the window's language and in terms of what the person can do; the core's own sentence
(English, with technical detail) is added only where there is no better one.
"""
from __future__ import annotations

from desktop_client.qt import QCoreApplication
from desktop_client.ui.core_messages import fill
from desktop_client.ui.sync_controller import ConnectionState

translate = QCoreApplication.translate


def state_text(state: ConnectionState) -> str:
    texts = {
        ConnectionState.NOT_CONNECTED: translate("SyncTexts", "Not connected"),
        ConnectionState.WAITING: translate("SyncTexts", "Connected"),
        ConnectionState.SYNCING: translate("SyncTexts", "Syncing…"),
        ConnectionState.ONLINE: translate("SyncTexts", "Online"),
        ConnectionState.OFFLINE: translate("SyncTexts", "Offline"),
        ConnectionState.ERROR: translate("SyncTexts", "Sync error"),
        ConnectionState.REVOKED: translate("SyncTexts", "Access revoked"),
    }
    return texts[state]


def state_explanation(state: ConnectionState) -> str:
    texts = {
        ConnectionState.NOT_CONNECTED: translate(
            "SyncTexts", "This computer is not connected to a server yet. You can work; connect it in Settings "
            "to send your changes."),
        ConnectionState.WAITING: translate("SyncTexts", "Connected to the server; the first sync is about to start."),
        ConnectionState.SYNCING: translate("SyncTexts", "Exchanging changes with the server."),
        ConnectionState.ONLINE: translate("SyncTexts", "The last sync went through."),
        ConnectionState.OFFLINE: translate(
            "SyncTexts", "The server cannot be reached. Your work is kept on this computer and is sent when the "
            "connection is back."),
        ConnectionState.ERROR: translate("SyncTexts", "The last sync failed."),
        ConnectionState.REVOKED: translate(
            "SyncTexts", "An administrator revoked this computer's access. Syncing has stopped; your data and "
            "unsent changes are kept. Connect this computer again in Settings."),
    }
    return texts[state]


def error_text(error: Exception | None) -> str:
    """A sentence for a person about a sync, registration or connection-check failure."""
    if error is None:
        return ""
    code = getattr(error, "code", None)
    detail = getattr(error, "detail", None) or str(error)
    texts = {
        "network_unreachable": translate(
            "SyncTexts", "The server cannot be reached. Check the network connection and the server address."),
        "certificate_invalid": translate(
            "SyncTexts", "The server could not prove its identity (a certificate problem). Ask the office."),
        "server_error": translate("SyncTexts", "The server is having trouble right now. Syncing tries again later."),
        "rate_limited": translate("SyncTexts", "The server asked to slow down. Syncing tries again later."),
        "node_revoked": translate(
            "SyncTexts", "An administrator revoked this computer's access. Your data and unsent changes are kept; "
            "connect this computer again in Settings."),
        "invalid_token": translate(
            "SyncTexts", "The server no longer accepts this computer's key. Connect this computer again in Settings."),
        "auth_required": translate(
            "SyncTexts", "The server no longer accepts this computer's key. Connect this computer again in Settings."),
        "node_mismatch": translate(
            "SyncTexts", "The server no longer accepts this computer's key. Connect this computer again in Settings."),
        "stale_message": translate(
            "SyncTexts", "The server has newer messages from this computer than it remembers (its database was "
            "probably restored from a copy). Your changes are kept; connect this computer again in Settings."),
        "malformed_response": translate(
            "SyncTexts", "The server's answer was not understood. Is the server address right?"),
        "not_registered": translate("SyncTexts", "This computer is not connected to a server yet."),
        "invalid_credentials": translate("SyncTexts", "Wrong username or password."),
        "not_allowed": translate(
            "SyncTexts", "This user may not connect computers. Ask an administrator for the permission, or for a "
            "connection code."),
        "invalid_connection_code": translate(
            "SyncTexts", "This connection code is not valid. Copy it again, in full."),
        "unsupported_protocol": translate(
            "SyncTexts", "The server speaks another version of the sync protocol. Update this program."),
    }
    if code in texts:
        return texts[code]
    if isinstance(error, ValueError):  # an address that is not one
        return fill(translate("SyncTexts", "This is not a server address: %1"), detail)
    return fill(translate("SyncTexts", "Sync failed: %1"), detail)
