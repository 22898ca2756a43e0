"""The node's own bookkeeping: outbox, conflicts, rejections, sync state.

None of these tables is synced; they record what this node still has to send, what the
server said about it, and where the exchange with the server stands.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Index, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from desktop_client.store.base import Base
from desktop_client.store.column_types import UtcDateTime, utc_now
from desktop_client.store.records import UUID_LENGTH

WireRecord = dict[str, Any]
"""A record in the protocol's wire format (PROTOCOL.md, "A record on the wire")."""

OP_UPSERT = "upsert"
OP_DELETE = "delete"


class OutboxEntry(Base):
    """A local change not yet confirmed by the server, one per record.

    The entry names the record, not its content: the content is read from the record
    when the entry is frozen into a message. While ``message_no`` is NULL the entry is
    pending and later edits of the record coalesce into it; once frozen into a message
    the entry waits for that message's result, and a new edit opens a new pending entry.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        # At most one pending entry per record; that is what "coalesced" means.
        Index(
            "ix_outbox_one_pending_per_record",
            "record_type",
            "record_id",
            unique=True,
            sqlite_where=text("message_no IS NULL"),
        ),
        CheckConstraint("op IN ('upsert', 'delete')", name="op"),
    )

    # Autoincrement gives the order of first edits, which is the order of sending.
    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    op: Mapped[str] = mapped_column(String(10))
    # The record's version when the first unsent edit was made; incoming server
    # changes never move it (that is how the server detects a conflict).
    base_version: Mapped[int]
    message_no: Mapped[int | None] = mapped_column(index=True)
    # The server's state of the record as last known (None: the server does not have
    # it), so a rejected change can be discarded back to what the server holds.
    server_record: Mapped[WireRecord | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)

    @property
    def is_pending(self) -> bool:
        return self.message_no is None

    def __repr__(self) -> str:
        state = "pending" if self.message_no is None else f"in message {self.message_no}"
        return f"<OutboxEntry {self.op} {self.record_type} {self.record_id} base={self.base_version} {state}>"


class Conflict(Base):
    """A local change the server refused because someone else changed the record first.

    The server's record was taken; ``mine`` is what this node had, kept so the user can
    look at both and re-apply theirs.
    """

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    base_version: Mapped[int]
    mine: Mapped[WireRecord] = mapped_column(JSON)
    server: Mapped[WireRecord] = mapped_column(JSON)
    detected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)


class Rejection(Base):
    """A local change the server rejected as invalid, with its reasons per field."""

    __tablename__ = "rejections"
    __table_args__ = (Index("ix_rejections_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    change: Mapped[WireRecord] = mapped_column(JSON)  # the record exactly as it was sent
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON)  # the server's ``fields``
    # Kept up to date with incoming changes, so discarding restores the server's state.
    server_record: Mapped[WireRecord | None] = mapped_column(JSON)
    rejected_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)


class SyncState(Base):
    """Where this node stands with its server; a single row."""

    __tablename__ = "sync_state"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    SINGLE_ROW_ID = 1

    id: Mapped[int] = mapped_column(primary_key=True, default=SINGLE_ROW_ID)
    server_url: Mapped[str | None] = mapped_column(String(500))
    node_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    node_name: Mapped[str | None] = mapped_column(String(200))
    token: Mapped[str | None] = mapped_column(String(500))
    registered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # The number of the last message frozen (sent or about to be sent).
    last_message_no: Mapped[int] = mapped_column(default=0, server_default="0")
    # The greatest ``next_ack`` whose changes are durably applied here.
    ack: Mapped[int] = mapped_column(default=0, server_default="0")
    last_sync_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked: Mapped[bool] = mapped_column(default=False, server_default=text("0"))
    # The frozen message waiting for its response: a retry sends exactly this body.
    inflight_message_no: Mapped[int | None]
    inflight_body: Mapped[str | None] = mapped_column(Text)
    # Set from the first page of a reset until its last page is applied; survives a crash.
    reset_in_progress: Mapped[bool] = mapped_column(default=False, server_default=text("0"))

    @classmethod
    def load(cls, session: Session) -> SyncState:
        """The state row (the initial migration creates it)."""
        state = session.get(cls, cls.SINGLE_ROW_ID)
        assert state is not None, "the sync_state row is missing; the database was not migrated"
        return state

    @property
    def is_registered(self) -> bool:
        return bool(self.node_id and self.token and self.server_url)

    def __repr__(self) -> str:  # the token stays out of logs and tracebacks
        return f"<SyncState node={self.node_id} server={self.server_url} message={self.last_message_no} ack={self.ack}>"


class ResetDelivery(Base):
    """A record the full state of the reset in progress has delivered."""

    __tablename__ = "reset_deliveries"

    record_type: Mapped[str] = mapped_column(String(50), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True)
