"""Applying an exchange response to the local store, all of it in one transaction.

The caller opens the transaction; ``apply_response`` settles every outbox entry of the
message from its result, takes in the server's changes without capturing them as local
edits, records the new ``ack`` and clears the frozen message. If anything fails, the
caller's transaction rolls everything back and the same message is sent again.
"""
from __future__ import annotations

import logging
import operator
from dataclasses import dataclass

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, selectinload

from desktop_client.store.column_types import utc_now
from desktop_client.store.outbox import applying_server_changes, pending_entry
from desktop_client.store.record_data import InvalidRecordData, decode_record_data
from desktop_client.store.records import RECORD_MODELS, line_model, record_model
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

    fresh = not message.resent  # see _remember_delivered
    sent = {(change["type"], change["id"]): change for change in message.changes}
    # Ids and keys only: a message settles up to thousands of entries, and all but the
    # unusual ones (a conflict, a later edit, an open rejection) are settled in bulk.
    frozen = {
        (record_type, record_id): entry_id
        for entry_id, record_type, record_id in session.execute(
            select(OutboxEntry.id, OutboxEntry.record_type, OutboxEntry.record_id).where(
                OutboxEntry.message_no == message.message_no
            )
        )
    }
    later_keys = _pending_keys(session)
    rejected = {tuple(row) for row in session.execute(select(Rejection.record_type, Rejection.record_id))}
    plain: list[tuple[int, RecordResult]] = []
    held: set[tuple[str, str]] = set()  # records settled through session objects
    with applying_server_changes(session):
        for result in response.results:
            entry_id = frozen.pop(result.key, None)
            if entry_id is None:
                logger.warning("The server sent a result for %s %s, which message %s did not carry.",
                               result.type, result.id, message.message_no)
                continue
            if result.status == codes.APPLIED:
                outcome.applied += 1
                if result.key not in later_keys and result.key not in rejected:
                    plain.append((entry_id, result))
                    continue
                held.add(result.key)
                later = pending_entry(session, *result.key) if result.key in later_keys else None
                with session.no_autoflush:
                    _settle_applied(session, state, session.get(OutboxEntry, entry_id), sent[result.key], result,
                                    later=later, rejected=result.key in rejected, fresh=fresh)
            elif result.status == codes.CONFLICT:
                outcome.conflicts += 1
                held.add(result.key)
                later = pending_entry(session, *result.key) if result.key in later_keys else None
                _settle_conflict(session, state, session.get(OutboxEntry, entry_id), result, later=later,
                                 fresh=fresh)
            else:
                outcome.rejected += 1
                _settle_rejected(session, session.get(OutboxEntry, entry_id), sent[result.key], result)
        _settle_applied_in_bulk(session, state, plain, sent, fresh=fresh)
        # Entries the server gave no result for are sent again later; until then they
        # are unsent local edits, which incoming changes must not overwrite.
        for entry_id in frozen.values():
            entry = session.get(OutboxEntry, entry_id)
            logger.warning("The server gave no result for %r; it will be sent again.", entry)
            return_to_pending(session, entry)
        incoming = _IncomingChanges.prepare(session, state, response.changes, held=held)
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
    *, later: OutboxEntry | None, rejected: bool, fresh: bool,
) -> None:
    assert result.version is not None
    session.delete(entry)
    if sent["op"] == OP_UPSERT:
        server_copy = _server_copy(sent, result.version)
        record = session.get(record_model(result.type), result.id)
        if record is not None:
            record.version = result.version
        _remember_delivered(session, state, result.type, result.id, fresh=fresh)
    else:
        server_copy = {**deleted_record_wire(result.type, result.id), "version": result.version}
    # A later edit of the record now builds on the version the server just gave ours.
    if later is not None:
        later.base_version = result.version
        later.server_record = server_copy
    if rejected:
        _refresh_rejections(session, result.type, result.id, server_copy)


def _settle_applied_in_bulk(
    session: Session, state: SyncState, plain: list[tuple[int, RecordResult]], sent: dict, *, fresh: bool
) -> None:
    """Applied results with nothing else to look after (no later edit, no open rejection):
    drop their entries and give the records the server's version, a statement per type."""
    if not plain:
        return
    ids = [entry_id for entry_id, _result in plain]
    for start in range(0, len(ids), _LOAD_CHUNK):
        session.execute(delete(OutboxEntry.__table__).where(OutboxEntry.__table__.c.id.in_(ids[start:start + _LOAD_CHUNK])))
    versions: dict[type, list[dict]] = {}
    delivered = []
    for _entry_id, result in plain:
        if sent[result.key]["op"] != OP_UPSERT:
            continue
        versions.setdefault(record_model(result.type), []).append({"b_id": result.id, "b_version": result.version})
        if state.reset_in_progress and fresh:
            delivered.append({"record_type": result.type, "record_id": result.id})
    for model, rows in versions.items():
        table = model.__table__
        session.execute(update(table).where(table.c.id == bindparam("b_id")).values(version=bindparam("b_version")), rows)
    if delivered:
        session.execute(sqlite_insert(ResetDelivery).on_conflict_do_nothing(), delivered)


def _pending_keys(session: Session) -> set[tuple[str, str]]:
    """(type, id) of every record with an unsent local edit."""
    return {
        (record_type, record_id)
        for record_type, record_id in session.execute(
            select(OutboxEntry.record_type, OutboxEntry.record_id).where(OutboxEntry.message_no.is_(None))
        )
    }


def _settle_conflict(
    session: Session, state: SyncState, entry: OutboxEntry, result: RecordResult, *, later: OutboxEntry | None,
    fresh: bool,
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
    _write_server_record(session, state, result.server, fresh=fresh)


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
    """Takes in the ``changes`` of one response. What every change needs to know (whether
    the record is stored and at which version, an unsent edit of it, an open rejection)
    is loaded once for the whole page.

    Records new to this node are inserted, and plain updates and deletes of stored ones
    written, with a statement per type and kind of write (``finish``): a bootstrap or a
    busy day's page is thousands of these. Records that need more care (an open
    rejection to refresh, or an object this session already holds from settling the
    message's results) go through the session, one by one.
    """

    def __init__(self, session: Session, state: SyncState, held: set[tuple[str, str]]) -> None:
        self.session = session
        self.state = state
        self.held = held
        self.pending: set[tuple[str, str]] = set()
        self.rejected: set[tuple[str, str]] = set()
        self.delivered: set[tuple[str, str]] = set()
        self.stored: dict[tuple[str, str], int] = {}  # records of the page stored here: their version
        self.new_rows: dict[type, list[dict]] = {}
        self.new_line_rows: dict[type, list[dict]] = {}
        self.updates: dict[type, dict[str, dict]] = {}  # model -> id -> column values
        self.update_lines: dict[type, dict[str, list[dict]]] = {}  # model -> id -> its lines' rows
        self.deletes: dict[type, set[str]] = {}

    @classmethod
    def prepare(
        cls, session: Session, state: SyncState, changes: tuple[WireRecord, ...], *, held: set[tuple[str, str]]
    ) -> _IncomingChanges:
        incoming = cls(session, state, held)
        session.flush()
        incoming.pending = _pending_keys(session)
        incoming.rejected = {tuple(row) for row in session.execute(select(Rejection.record_type, Rejection.record_id))}
        ids_by_type: dict[str, list[str]] = {}
        for change in changes:
            ids_by_type.setdefault(change["type"], []).append(change["id"])
        for type_name, ids in ids_by_type.items():
            model = RECORD_MODELS.get(type_name)
            if model is None:
                continue
            for start in range(0, len(ids), _LOAD_CHUNK):
                rows = session.execute(select(model.id, model.version).where(model.id.in_(ids[start:start + _LOAD_CHUNK])))
                incoming.stored.update(((type_name, record_id), version) for record_id, version in rows)
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
        if key in self.pending:
            # The user's unsent edit wins locally; the server will judge it (and answer
            # with a conflict if this change came in between). Keep the server's copy.
            later = pending_entry(self.session, *key)
            assert later is not None
            later.server_record = _server_copy(change, change["version"])
            self._refresh_rejections(key, later.server_record)
            outcome.kept_local += 1
            return
        if key in self.rejected or key in self.held:
            self._write_through_session(change, outcome)
            return
        stored_version = self.stored.get(key)
        if stored_version is None:
            if change["op"] == OP_UPSERT:
                self._insert_later(model, change)
                outcome.received += 1
            return  # a delete of a record this node never had: nothing to do
        if stored_version >= change["version"] and not self.state.reset_in_progress:
            return  # already have this version or a newer one
        if change["op"] == OP_UPSERT:
            self._update_later(model, change)
        else:
            self.updates.get(model, {}).pop(change["id"], None)
            self.deletes.setdefault(model, set()).add(change["id"])
        outcome.received += 1

    def _write_through_session(self, change: WireRecord, outcome: ResponseOutcome) -> None:
        model = record_model(change["type"])
        record = self.session.get(model, change["id"])
        if record is not None and record.version >= change["version"] and not self.state.reset_in_progress:
            return  # already have this version or a newer one
        if record is None and change["op"] != OP_UPSERT:
            return
        try:
            write_server_record(self.session, change)
        except InvalidRecordData as error:
            raise _unstorable(change, error) from None
        self._refresh_rejections((change["type"], change["id"]), _server_copy(change, change["version"]))
        outcome.received += 1

    def _decoded(self, model, change: WireRecord) -> tuple[dict, list[dict] | None]:
        """The row (and the lines' rows) of a wire record, as columns."""
        try:
            values = decode_record_data(model.record_type, change.get("data"), unknown_fields_allowed=True)
        except InvalidRecordData as error:
            raise _unstorable(change, error) from None
        try:
            updated_at = codecs.datetime_from_wire(change.get("updated_at"))
        except ValueError:
            updated_at = utc_now()  # a server that omits it: the time we learnt of the change
        row = {"id": change["id"], "version": change["version"], "updated_at": updated_at, **values.values}
        lines = line_model(model)
        if lines is None or values.lines is None:
            return row, None
        return row, [
            {"id": line.id, lines.parent_key: change["id"], "sort_index": index, **line.values}
            for index, line in enumerate(values.lines)
        ]

    def _insert_later(self, model, change: WireRecord) -> None:
        row, line_rows = self._decoded(model, change)
        self.stored[(change["type"], change["id"])] = change["version"]
        self.new_rows.setdefault(model, []).append(row)
        if line_rows:
            self.new_line_rows.setdefault(line_model(model), []).extend(line_rows)

    def _update_later(self, model, change: WireRecord) -> None:
        row, line_rows = self._decoded(model, change)
        row["b_id"] = row.pop("id")
        self.deletes.get(model, set()).discard(change["id"])
        self.updates.setdefault(model, {})[change["id"]] = row
        if line_rows is not None:  # lines given: they replace the stored ones
            self.update_lines.setdefault(model, {})[change["id"]] = line_rows

    def finish(self) -> None:
        # Core statements bypass the ORM's per-object work and the outbox listener,
        # which only watches ORM flushes. Parents before lines (the lines' foreign key).
        execute = self.session.execute
        for rows_by_model in (self.new_rows, self.new_line_rows):
            for model, rows in rows_by_model.items():
                _rows_insert(self.session, model.__table__, rows)
        for model, rows_by_id in self.updates.items():
            # Rows of one type share their columns (the catalogue's fields), so one statement fits all.
            _rows_update(self.session, model.__table__, list(rows_by_id.values()))
        for model, lines_by_parent in self.update_lines.items():
            lines = line_model(model)
            parent_column = lines.__table__.c[lines.parent_key]
            parents = list(lines_by_parent)
            for start in range(0, len(parents), _LOAD_CHUNK):
                execute(delete(lines.__table__).where(parent_column.in_(parents[start:start + _LOAD_CHUNK])))
            _rows_insert(self.session, lines.__table__, [row for line_rows in lines_by_parent.values() for row in line_rows])
        for model, ids in self.deletes.items():
            ordered = sorted(ids)
            lines = line_model(model)
            for start in range(0, len(ordered), _LOAD_CHUNK):
                chunk = ordered[start:start + _LOAD_CHUNK]
                if lines is not None:
                    execute(delete(lines.__table__).where(lines.__table__.c[lines.parent_key].in_(chunk)))
                execute(delete(model.__table__).where(model.__table__.c.id.in_(chunk)))
        if self.delivered:
            execute(
                sqlite_insert(ResetDelivery).on_conflict_do_nothing(),
                [{"record_type": record_type, "record_id": record_id} for record_type, record_id in self.delivered],
            )

    def _refresh_rejections(self, key: tuple[str, str], server_copy: WireRecord) -> None:
        if key in self.rejected:
            _refresh_rejections(self.session, *key, server_copy)


def _rows_insert(session: Session, table, rows: list[dict]) -> None:
    """Insert rows (dicts of column values, all with the same columns)."""
    if rows:
        names = list(rows[0])
        if set(table.c.keys()) - set(names):  # a column left to its default: SQLAlchemy fills those in
            for start in range(0, len(rows), _INSERT_CHUNK):
                session.execute(insert(table), rows[start:start + _INSERT_CHUNK])
            return
        columns = ", ".join(f'"{name}"' for name in names)
        _executemany(session, table, names, f'INSERT INTO "{table.name}" ({columns}) VALUES ({", ".join("?" * len(names))})',
                     rows)


def _rows_update(session: Session, table, rows: list[dict]) -> None:
    """Update rows by id (``b_id``) with their other values (all rows with the same columns)."""
    if rows:
        names = [name for name in rows[0] if name != "b_id"]
        assignments = ", ".join(f'"{name}" = ?' for name in names)
        _executemany(session, table, [*names, "b_id"], f'UPDATE "{table.name}" SET {assignments} WHERE id = ?', rows)


def _executemany(session: Session, table, names: list[str], sql: str, rows: list[dict]) -> None:
    """Run ``sql`` for every row with the driver's executemany. Values go through each
    column type's bind processing, as SQLAlchemy would apply it, but once per column
    instead of SQLAlchemy's parameter handling per row and statement (a third of the time
    of writing a thousand records)."""
    dialect = session.get_bind().dialect
    types = [table.c["id" if name == "b_id" else name].type for name in names]
    processors = [(index, process) for index, type_ in enumerate(types)
                  if (process := type_.dialect_impl(dialect).bind_processor(dialect)) is not None]
    values_of = operator.itemgetter(*names)
    if len(names) == 1:
        values_of = lambda row, only=values_of: (only(row),)  # noqa: E731 - itemgetter of one name is no tuple
    connection = session.connection()
    for start in range(0, len(rows), _INSERT_CHUNK):
        batch = []
        for row in rows[start:start + _INSERT_CHUNK]:
            values = list(values_of(row))
            for index, process in processors:
                values[index] = process(values[index])
            batch.append(tuple(values))
        connection.exec_driver_sql(sql, batch)


def _write_server_record(session: Session, state: SyncState, wire: WireRecord, *, fresh: bool) -> None:
    try:
        record = write_server_record(session, wire)
    except InvalidRecordData as error:
        raise _unstorable(wire, error) from None
    if record is not None:
        _remember_delivered(session, state, wire["type"], wire["id"], fresh=fresh)
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


def _remember_delivered(session: Session, state: SyncState, record_type: str, record_id: str, *, fresh: bool) -> None:
    """During a reset, a record the server just confirmed counts as part of its full state
    (a server may hold a node's own changes back as echoes even then). Not so for results
    of a message sent again from an earlier run (``fresh`` false): the server answers a
    retry with the results of the first time, which may be long out of date; the record
    may have been deleted since and its tombstone purged."""
    if state.reset_in_progress and fresh:
        session.execute(
            sqlite_insert(ResetDelivery).on_conflict_do_nothing(),
            [{"record_type": record_type, "record_id": record_id}],
        )


def _finish_reset(session: Session) -> int:
    """The last page of a reset is in: drop local records the full state did not
    contain, except those with unsent changes, which are kept and sent, and those with
    a rejected change, which wait for the user's decision. The server no longer has
    those: giving such a change up removes the record here (the rejection's copy of the
    server's state becomes a deletion; the tombstone that would have said so is purged)."""
    dropped = 0
    for type_name, model in RECORD_MODELS.items():
        delivered = select(ResetDelivery.record_id).where(ResetDelivery.record_type == type_name)
        unsent = select(OutboxEntry.record_id).where(OutboxEntry.record_type == type_name)
        rejected = select(Rejection.record_id).where(Rejection.record_type == type_name)
        # Rejections and unsent changes (whose copy a later rejection takes) of records the
        # full state left out: the server's state is now "deleted".
        for kind in (Rejection, OutboxEntry):
            gone = session.scalars(select(kind).where(kind.record_type == type_name, kind.record_id.not_in(delivered)))
            for item in gone:
                if item.server_record is not None:  # None already says: the server never had it
                    item.server_record = deleted_record_wire(type_name, item.record_id)
        result = session.execute(
            delete(model).where(model.id.not_in(delivered), model.id.not_in(unsent), model.id.not_in(rejected)),
            execution_options={"synchronize_session": "fetch"},
        )
        dropped += result.rowcount
    session.execute(delete(ResetDelivery))
    return dropped
