"""Applying an exchange response to the local store, all of it in one transaction.

The caller opens the transaction; ``apply_response`` settles every outbox entry of the
message from its result, takes in the server's changes without capturing them as local
edits, records the new ``ack`` and clears the frozen message. If anything fails, the
caller's transaction rolls everything back and the same message is sent again.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from desktop_client.store.column_types import utc_now
from desktop_client.store.outbox import applying_server_changes
from desktop_client.store.record_data import InvalidRecordData, decode_record_data
from desktop_client.store.records import RECORD_MODELS, line_model, record_model, records_load
from desktop_client.store.sync_tables import (
    OP_UPSERT,
    Conflict,
    OutboxEntry,
    Rejection,
    ResetDelivery,
    SyncState,
    WireRecord,
)
from desktop_client.store.wire import deleted_record_wire, record_to_wire, write_server_record
from desktop_client.sync.errors import MalformedResponse
from desktop_client.sync.messages import OutgoingMessage, return_to_pending
from desktop_client.sync.responses import ExchangeResponse, RecordResult
from sync_protocol import codecs
from sync_protocol import errors as codes

logger = logging.getLogger(__name__)

_LOAD_CHUNK = 500  # ids per IN (...) query, well below SQLite's parameter limit
_INSERT_CHUNK = 2000  # rows per executemany


@dataclass
class ResponseOutcome:
    """What applying one response did, for progress displays and reports."""

    sent: int = 0
    applied: int = 0
    conflicts: int = 0
    rejected: int = 0
    received: int = 0  # server changes written to the store
    kept_local: int = 0  # server changes held back by an unsent local edit of the record
    reset_finished: bool = False
    dropped_by_reset: int = 0

    @property
    def settled(self) -> int:
        return self.applied + self.conflicts + self.rejected


def apply_response(session: Session, message: OutgoingMessage, response: ExchangeResponse) -> ResponseOutcome:
    state = SyncState.load(session)
    if state.inflight_message_no != message.message_no:
        # Another sync of this database (the window's and a scheduled CLI run, say) sent
        # the same frozen message and applied the server's answer first. The server
        # answered this copy with the same results; its changes come again from our ack.
        logger.info("Message %s was already settled by another sync; its response is not applied again.",
                    message.message_no)
        return ResponseOutcome()
    outcome = ResponseOutcome(sent=len(message.changes))
    # ack 0 asks for the full state (PROTOCOL.md rule 7); treat it as a reset so that a
    # node registered again also drops records the server no longer has.
    if (response.reset or message.ack == 0) and not state.reset_in_progress:
        state.reset_in_progress = True
        session.execute(delete(ResetDelivery))

    sent = {(change["type"], change["id"]): change for change in message.changes}
    frozen = {
        (entry.record_type, entry.record_id): entry
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.message_no == message.message_no))
    }
    # What settling the results looks up, loaded once for the whole message.
    later_edits = {
        (entry.record_type, entry.record_id): entry
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.message_no.is_(None)))
    }
    rejected = {tuple(row) for row in session.execute(select(Rejection.record_type, Rejection.record_id))}
    loaded = records_load(session, [result.key for result in response.results])  # noqa: F841 - kept alive
    with applying_server_changes(session):
        for result in response.results:
            entry = frozen.pop(result.key, None)
            if entry is None:
                logger.warning("The server sent a result for %s %s, which message %s did not carry.",
                               result.type, result.id, message.message_no)
                continue
            if result.status == codes.APPLIED:
                with session.no_autoflush:
                    _settle_applied(session, state, entry, sent[result.key], result,
                                    later=later_edits.get(result.key), rejected=result.key in rejected)
                outcome.applied += 1
            elif result.status == codes.CONFLICT:
                _settle_conflict(session, state, entry, result, later=later_edits.get(result.key))
                outcome.conflicts += 1
            else:
                _settle_rejected(session, entry, sent[result.key], result)
                outcome.rejected += 1
        # Entries the server gave no result for are sent again later; until then they
        # are unsent local edits, which incoming changes must not overwrite.
        for entry in frozen.values():
            logger.warning("The server gave no result for %r; it will be sent again.", entry)
            return_to_pending(session, entry)
        incoming = _IncomingChanges.prepare(session, state, response.changes)
        with session.no_autoflush:  # a page may hold thousands of records: no flush per lookup
            for change in response.changes:
                incoming.take(change, outcome)
        incoming.finish()

    state.ack = response.next_ack
    state.inflight_message_no = None
    state.inflight_body = None
    state.last_sync_at = utc_now()
    if state.reset_in_progress and not response.more:
        outcome.dropped_by_reset = _finish_reset(session)
        state.reset_in_progress = False
        outcome.reset_finished = True
    return outcome


def _settle_applied(
    session: Session, state: SyncState, entry: OutboxEntry, sent: WireRecord, result: RecordResult,
    *, later: OutboxEntry | None, rejected: bool,
) -> None:
    assert result.version is not None
    session.delete(entry)
    if sent["op"] == OP_UPSERT:
        server_copy = _server_copy(sent, result.version)
        record = session.get(record_model(result.type), result.id)
        if record is not None:
            record.version = result.version
        _remember_delivered(session, state, result.type, result.id)
    else:
        server_copy = {**deleted_record_wire(result.type, result.id), "version": result.version}
    # A later edit of the record now builds on the version the server just gave ours.
    if later is not None:
        later.base_version = result.version
        later.server_record = server_copy
    if rejected:
        _refresh_rejections(session, result.type, result.id, server_copy)


def _settle_conflict(
    session: Session, state: SyncState, entry: OutboxEntry, result: RecordResult, *, later: OutboxEntry | None
) -> None:
    assert result.server is not None
    record = session.get(record_model(result.type), result.id)
    # The user's side is what the record holds now: the sent change plus any later edit.
    mine = record_to_wire(record) if record is not None else deleted_record_wire(result.type, result.id)
    session.add(
        Conflict(
            record_type=result.type,
            record_id=result.id,
            base_version=entry.base_version,
            mine=mine,
            server=result.server,
            detected_at=utc_now(),
        )
    )
    session.delete(entry)
    if later is not None:
        session.delete(later)  # its content is kept in ``mine``
    session.flush()
    _write_server_record(session, state, result.server)


def _settle_rejected(session: Session, entry: OutboxEntry, sent: WireRecord, result: RecordResult) -> None:
    session.add(
        Rejection(
            record_type=result.type,
            record_id=result.id,
            change=sent,
            reasons=result.fields,
            server_record=entry.server_record,
            rejected_at=utc_now(),
        )
    )
    session.delete(entry)


class _IncomingChanges:
    """Takes in the ``changes`` of one response. What every change needs to know (its
    record, an unsent edit of it, an open rejection) is loaded once for the whole page."""

    def __init__(self, session: Session, state: SyncState) -> None:
        self.session = session
        self.state = state
        self.pending: dict[tuple[str, str], OutboxEntry] = {}
        self.rejected: set[tuple[str, str]] = set()
        self.delivered: set[tuple[str, str]] = set()
        self.present: set[tuple[str, str]] = set()  # records of the page already stored here
        self.loaded: list = []  # keeps them in the session's (weak) identity map
        # Records new to this node, inserted in bulk by finish(): a bootstrap is all of these.
        self.new_rows: dict[type, list[dict]] = {}
        self.new_line_rows: dict[type, list[dict]] = {}

    @classmethod
    def prepare(cls, session: Session, state: SyncState, changes: tuple[WireRecord, ...]) -> _IncomingChanges:
        incoming = cls(session, state)
        session.flush()
        incoming.pending = {
            (entry.record_type, entry.record_id): entry
            for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.message_no.is_(None)))
        }
        incoming.rejected = {tuple(row) for row in session.execute(select(Rejection.record_type, Rejection.record_id))}
        ids_by_type: dict[str, list[str]] = {}
        for change in changes:
            ids_by_type.setdefault(change["type"], []).append(change["id"])
        for type_name, ids in ids_by_type.items():
            model = RECORD_MODELS.get(type_name)
            if model is None:
                continue
            for start in range(0, len(ids), _LOAD_CHUNK):
                query = select(model).where(model.id.in_(ids[start:start + _LOAD_CHUNK]))
                if model.record_type.has_lines:
                    query = query.options(selectinload(model.lines))
                for record in session.scalars(query):  # into the identity map, where session.get finds them
                    incoming.present.add((type_name, record.id))
                    incoming.loaded.append(record)
        return incoming

    def take(self, change: WireRecord, outcome: ResponseOutcome) -> None:
        key = (change["type"], change["id"])
        model = RECORD_MODELS.get(change["type"])
        if model is None:
            # A newer server may sync types this client does not know yet; nothing to store.
            logger.warning("Ignoring a change of the unknown record type %r.", change["type"])
            return
        if change["op"] == OP_UPSERT and self.state.reset_in_progress:
            self.delivered.add(key)
        later = self.pending.get(key)
        if later is not None:
            # The user's unsent edit wins locally; the server will judge it (and answer
            # with a conflict if this change came in between). Keep the server's copy.
            later.server_record = _server_copy(change, change["version"])
            self._refresh_rejections(key, later.server_record)
            outcome.kept_local += 1
            return
        if key not in self.present and key not in self.rejected:
            if change["op"] == OP_UPSERT:
                self._insert_later(model, change)
                outcome.received += 1
            return  # a delete of a record this node never had: nothing to do
        record = self.session.get(model, change["id"])
        if record is not None and record.version >= change["version"] and not self.state.reset_in_progress:
            return  # already have this version or a newer one
        try:
            write_server_record(self.session, change)
        except InvalidRecordData as error:
            raise _unstorable(change, error) from None
        self._refresh_rejections(key, _server_copy(change, change["version"]))
        outcome.received += 1

    def _insert_later(self, model, change: WireRecord) -> None:
        try:
            values = decode_record_data(model.record_type, change.get("data"), unknown_fields_allowed=True)
        except InvalidRecordData as error:
            raise _unstorable(change, error) from None
        try:
            updated_at = codecs.datetime_from_wire(change.get("updated_at"))
        except ValueError:
            updated_at = utc_now()  # a server that omits it: the time we learnt of the change
        self.present.add((change["type"], change["id"]))
        self.new_rows.setdefault(model, []).append(
            {"id": change["id"], "version": change["version"], "updated_at": updated_at, **values.values}
        )
        lines = line_model(model)
        if lines is not None and values.lines:
            self.new_line_rows.setdefault(lines, []).extend(
                {"id": line.id, lines.parent_key: change["id"], "sort_index": index, **line.values}
                for index, line in enumerate(values.lines)
            )

    def finish(self) -> None:
        # Parents before lines (the lines' foreign key); Core inserts bypass the ORM's
        # per-object work, and the outbox listener, which only watches ORM flushes.
        for rows_by_model in (self.new_rows, self.new_line_rows):
            for model, rows in rows_by_model.items():
                for start in range(0, len(rows), _INSERT_CHUNK):
                    self.session.execute(insert(model.__table__), rows[start:start + _INSERT_CHUNK])
        if self.delivered:
            self.session.execute(
                sqlite_insert(ResetDelivery).on_conflict_do_nothing(),
                [{"record_type": record_type, "record_id": record_id} for record_type, record_id in self.delivered],
            )

    def _refresh_rejections(self, key: tuple[str, str], server_copy: WireRecord) -> None:
        if key in self.rejected:
            _refresh_rejections(self.session, *key, server_copy)


def _write_server_record(session: Session, state: SyncState, wire: WireRecord) -> None:
    try:
        record = write_server_record(session, wire)
    except InvalidRecordData as error:
        raise _unstorable(wire, error) from None
    if record is not None:
        _remember_delivered(session, state, wire["type"], wire["id"])
    _refresh_rejections(session, wire["type"], wire["id"], _server_copy(wire, wire["version"]))


def _unstorable(wire: WireRecord, error: InvalidRecordData) -> MalformedResponse:
    return MalformedResponse(
        f"The server sent {wire['type']} {wire['id']} with data this client cannot store ({error})."
    )


def _server_copy(record: WireRecord, version: int) -> WireRecord:
    copy = {key: value for key, value in record.items() if key != "base_version"}
    copy["version"] = version
    return copy


def _refresh_rejections(session: Session, record_type: str, record_id: str, server_copy: WireRecord) -> None:
    """Keep open rejections of the record pointing at the server's newest state, which
    is what discarding a rejection restores."""
    session.execute(
        update(Rejection)
        .where(Rejection.record_type == record_type, Rejection.record_id == record_id)
        .values(server_record=server_copy)
    )


def _remember_delivered(session: Session, state: SyncState, record_type: str, record_id: str) -> None:
    if state.reset_in_progress:
        session.execute(
            sqlite_insert(ResetDelivery).on_conflict_do_nothing(),
            [{"record_type": record_type, "record_id": record_id}],
        )


def _finish_reset(session: Session) -> int:
    """The last page of a reset is in: drop local records the full state did not
    contain, except those with unsent changes, which are kept and sent, and those with
    a rejected change, which wait for the user's decision."""
    dropped = 0
    for type_name, model in RECORD_MODELS.items():
        delivered = select(ResetDelivery.record_id).where(ResetDelivery.record_type == type_name)
        unsent = select(OutboxEntry.record_id).where(OutboxEntry.record_type == type_name)
        rejected = select(Rejection.record_id).where(Rejection.record_type == type_name)
        result = session.execute(
            delete(model).where(model.id.not_in(delivered), model.id.not_in(unsent), model.id.not_in(rejected)),
            execution_options={"synchronize_session": "fetch"},
        )
        dropped += result.rowcount
    session.execute(delete(ResetDelivery))
    return dropped
