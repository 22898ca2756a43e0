"""Freezing outbox entries into a message, and thawing them when a message is abandoned.

A message is frozen once: its number and exact JSON body are stored in the sync state
in the same transaction that marks its outbox entries with the number. Until its
response is applied, every attempt sends that stored body, byte for byte, so the server
can recognise a retry (PROTOCOL.md rule 1).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from desktop_client.store.column_types import utc_now
from desktop_client.store.outbox import pending_entry
from desktop_client.store.records import record_model
from desktop_client.store.sync_tables import OP_DELETE, OutboxEntry, Rejection, SyncState, WireRecord
from desktop_client.store.wire import references_in_data, stored_records
from sync_protocol import PROTOCOL_VERSION, codecs

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutgoingMessage:
    message_no: int
    body: str
    # Frozen by an earlier run and sent again now: the server may have applied it long ago
    # and answer with the results of then.
    resent: bool = False

    @cached_property
    def payload(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def ack(self) -> int:
        return self.payload["ack"]

    @property
    def changes(self) -> list[WireRecord]:
        return self.payload["changes"]


def current_or_new_message(session: Session, *, batch_size: int, max_changes: int) -> OutgoingMessage:
    """The frozen message still waiting for its response, or a new one.

    A new message takes up to ``batch_size`` pending entries, oldest first, plus any
    unsent record they reference: the server rejects a reference to a record it does
    not have, so a new work specification travels with the first timesheet using it.
    Entries and records are read as rows, a query per type and kind, and the entries are
    marked frozen with one statement: a message carries up to thousands of records.
    """
    state = SyncState.load(session)
    if state.inflight_message_no is not None and state.inflight_body is not None:
        return OutgoingMessage(state.inflight_message_no, state.inflight_body, resent=True)

    entries = session.execute(
        select(*_ENTRY_COLUMNS).where(OutboxEntry.message_no.is_(None)).order_by(OutboxEntry.id).limit(batch_size)
    ).all()
    entries, stored = _with_unsent_references(session, entries)
    message_no = state.last_message_no + 1
    changes: list[WireRecord] = []
    frozen: list[int] = []
    dropped: list[int] = []
    for entry in entries:
        key = (entry.record_type, entry.record_id)
        change = {"type": entry.record_type, "id": entry.record_id, "op": entry.op, "base_version": entry.base_version}
        if entry.op != OP_DELETE:
            record = stored.get(key)
            if record is None:
                # Only reachable through a bug: every path that removes a record also settles
                # its outbox entry. Sending a delete might destroy data on the server; dropping
                # the entry loses nothing the node still has.
                logger.error("Outbox entry %s for %s %s names a record that no longer exists; dropping the entry.",
                             entry.id, entry.record_type, entry.record_id)
                dropped.append(entry.id)
                continue
            change["updated_at"] = codecs.datetime_to_wire(record["updated_at"])
            change["data"] = record["data"]
        frozen.append(entry.id)
        changes.append(change)
    table = OutboxEntry.__table__
    for start in range(0, len(frozen), _CHUNK):
        session.execute(update(table).where(table.c.id.in_(frozen[start:start + _CHUNK])).values(message_no=message_no))
    if dropped:
        session.execute(delete(table).where(table.c.id.in_(dropped)))
    payload = {
        "protocol": PROTOCOL_VERSION,
        "node_id": state.node_id,
        "message_no": message_no,
        "ack": state.ack,
        "changes": changes,
        "max_changes": max_changes,
    }
    body = _json_text(payload)
    state.last_message_no = message_no
    state.inflight_message_no = message_no
    state.inflight_body = body
    message = OutgoingMessage(message_no, body)
    message.__dict__["payload"] = payload  # what parsing the body would give, without parsing it
    return message


def _json_text(payload: dict[str, Any]) -> str:
    """Compact JSON, non-ASCII text as it is, as ``json.dumps(ensure_ascii=False,
    separators=(",", ":"))`` writes it, several times faster. (What a message holds comes
    from the store: text SQLite kept, whole numbers, nulls.)"""
    return orjson.dumps(payload).decode("utf-8")


_CHUNK = 500  # ids per IN (...), well below SQLite's parameter limit
_ENTRY_COLUMNS = (OutboxEntry.id, OutboxEntry.record_type, OutboxEntry.record_id, OutboxEntry.op,
                  OutboxEntry.base_version)


def abandon_inflight_message(session: Session) -> None:
    """Forget the frozen message without a response; its entries become pending again.

    Used when the node gets a new identity (register again) or the server will never
    accept the message's number.
    """
    state = SyncState.load(session)
    if state.inflight_message_no is not None:
        frozen = session.scalars(select(OutboxEntry).where(OutboxEntry.message_no == state.inflight_message_no))
        for entry in list(frozen):
            return_to_pending(session, entry)
    state.inflight_message_no = None
    state.inflight_body = None


def withdraw_oversized_message(session: Session, message: OutgoingMessage, *, reason: str) -> None:
    """The server refused the frozen message as too large (413); it applied nothing and
    did not consume the number, so the number is used again for a smaller message.

    Several changes go back to the outbox, to be sent in smaller messages. A single
    change too large on its own is set aside as rejected, with the server's reason, so
    it cannot block the changes behind it.
    """
    state = SyncState.load(session)
    if len(message.changes) == 1:
        [change] = message.changes
        entry = session.scalars(select(OutboxEntry).where(OutboxEntry.message_no == message.message_no)).one()
        session.add(
            Rejection(
                record_type=entry.record_type,
                record_id=entry.record_id,
                change=change,
                reasons={"size": [reason]},
                server_record=entry.server_record,
                rejected_at=utc_now(),
            )
        )
        session.delete(entry)
        state.inflight_message_no = None
        state.inflight_body = None
    else:
        abandon_inflight_message(session)
    state.last_message_no = message.message_no - 1


def return_to_pending(session: Session, entry: OutboxEntry) -> None:
    """Make a frozen entry pending again, to be sent in a later message.

    A newer pending entry of the same record already stands for everything the frozen
    one did (same base version, newer content), so then the frozen one is dropped.
    """
    if pending_entry(session, entry.record_type, entry.record_id) is not None:
        session.delete(entry)
    else:
        entry.message_no = None
    session.flush()  # keeps "one pending entry per record" true at every step


def _with_unsent_references(session: Session, entries: list) -> tuple[list, dict[tuple[str, str], dict]]:
    """The entries plus the pending entries of never-sent records they reference (and of
    those the added ones reference); and the stored content of every upserted record."""
    chosen = {(entry.record_type, entry.record_id) for entry in entries}
    result = list(entries)
    stored: dict[tuple[str, str], dict] = {}
    unsent_new: dict[tuple[str, str], object] | None = None
    batch = [entry for entry in entries if entry.op != OP_DELETE]
    while batch:
        found = stored_records(session, [(entry.record_type, entry.record_id) for entry in batch])
        stored.update(found)
        batch = []
        for key, record in found.items():
            references = references_in_data(record_model(key[0]).record_type, record["data"]) - chosen
            if not references:
                continue
            if unsent_new is None:
                # Records created here and never sent: the only ones a reference can need to bring along.
                unsent_new = {
                    (entry.record_type, entry.record_id): entry
                    for entry in session.execute(
                        select(*_ENTRY_COLUMNS).where(OutboxEntry.message_no.is_(None), OutboxEntry.base_version == 0)
                    )
                }
            for reference in sorted(references):
                referenced = unsent_new.get(reference)
                if referenced is not None and reference not in chosen:
                    chosen.add(reference)
                    result.append(referenced)
                    if referenced.op != OP_DELETE:
                        batch.append(referenced)
    return result, stored
