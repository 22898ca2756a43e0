"""The sync engine against a scripted server: freezing, sending, retrying, and applying
results and changes in one local transaction."""
from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop_client.store.records import DailyReport, Estimate, EstimateLine, Timesheet, User
from desktop_client.store.sync_tables import Conflict, Rejection, ResetDelivery, SyncState
from desktop_client.sync import (
    AuthenticationFailed,
    MalformedResponse,
    NetworkUnavailable,
    NodeRevoked,
    RetryPolicy,
    ServerUnavailable,
    StaleMessage,
    SyncEngine,
)
from desktop_client.sync.errors import ServerRefused
from desktop_client.sync.messages import current_or_new_message
from tests.client import builders
from tests.client.builders import (
    NODE_ID,
    TOKEN,
    applied,
    conflict,
    rejected,
    wire_delete,
    wire_estimate,
    wire_estimate_line,
    wire_timesheet,
    wire_user,
)
from tests.client.scripted_transport import ScriptedTransport, answer, apply_everything
from tests.client.store_actions import add_from_server, add_local, count, edit, get, outbox, state_of

WORKER = "5b9f0d6e-1111-4000-8000-000000000001"


def network_down() -> NetworkUnavailable:
    return NetworkUnavailable("Could not reach the server; check the network connection.")


def server_error(status: int = 502) -> ServerUnavailable:
    return ServerUnavailable("The server is unavailable right now.", status=status)


def refused(status: int, code: str) -> ServerRefused:
    from desktop_client.sync.errors import refused_error_class

    return refused_error_class(status, code)(f"refused: {code}", code=code, status=status)


class Engine:
    """The engine under test with its waits recorded instead of slept."""

    def __init__(self, store, transport, **options):
        self.sleeps: list[float] = []
        options.setdefault("retry_policy", RetryPolicy(retries=3, first_delay=1.0, max_delay=3.0, jitter=0))
        self.engine = SyncEngine(store, transport, sleep=self.sleeps.append, **options)

    def sync(self, **kwargs):
        return self.engine.sync(**kwargs)


# --- messages -------------------------------------------------------------------------

def test_first_sync_sends_message_one_with_ack_zero_and_stores_the_full_state(registered_store):
    user_id, timesheet_id = builders.new_id(), builders.new_id()
    transport = ScriptedTransport(
        answer(changes=[wire_user(user_id, version=3), wire_timesheet(timesheet_id, version=5, worker=user_id)],
               next_ack=5)
    )
    report = Engine(registered_store, transport).sync()

    [request] = transport.requests
    assert request == {"protocol": 1, "node_id": NODE_ID, "message_no": 1, "ack": 0, "changes": [],
                       "max_changes": 1000}
    assert transport.tokens == [TOKEN]
    assert get(registered_store, User, user_id).version == 3
    stored = get(registered_store, Timesheet, timesheet_id)
    assert (stored.version, stored.worker_id, stored.hours) == (5, user_id, Decimal("8.00"))
    state = state_of(registered_store)
    assert (state.ack, state.last_message_no, state.inflight_message_no, state.inflight_body) == (5, 1, None, None)
    assert state.last_sync_at is not None
    assert outbox(registered_store) == []
    assert (report.messages, report.received) == (1, 2)


def test_a_local_record_is_sent_in_the_wire_format_with_base_version_and_nested_lines(registered_store):
    record = add_local(registered_store, builders.estimate(lines=2))
    transport = ScriptedTransport(apply_everything(first_version=40))
    Engine(registered_store, transport).sync()

    [change] = transport.requests[0]["changes"]
    assert change["type"] == "estimate" and change["id"] == record.id and change["op"] == "upsert"
    assert change["base_version"] == 0 and "version" not in change
    assert change["data"]["date"] == "2026-11-20"
    assert [line["id"] for line in change["data"]["lines"]] == [line.id for line in record.lines]
    assert change["data"]["lines"][0] | {"id": None} == {
        "id": None, "position": 1, "work_specification": None, "description": "Pour concrete", "unit": "m3",
        "quantity": "12.500", "unit_price": "1500.00"}


def test_a_message_body_is_compact_json_of_its_payload_whatever_the_text(registered_store):
    """Written by orjson as the standard library would write it (compact, text as it is,
    control characters escaped), and the payload the engine works with is the body's."""
    note = "Котлован, \"quoted\" \\ tab\t ctrl\x01 \u2028 🏗"
    add_local(registered_store, builders.timesheet(worker_id=WORKER, note=note))
    with registered_store.transaction() as session:
        message = current_or_new_message(session, batch_size=10, max_changes=1000)
    assert message.body == json.dumps(json.loads(message.body), ensure_ascii=False, separators=(",", ":"))
    assert message.payload == json.loads(message.body)
    assert message.changes[0]["data"]["note"] == note
    assert state_of(registered_store).inflight_body == message.body

def test_an_applied_change_takes_its_version_and_leaves_the_outbox(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    Engine(registered_store, ScriptedTransport(apply_everything(first_version=41))).sync()
    assert get(registered_store, Timesheet, record.id).version == 41
    assert outbox(registered_store) == []


def test_deletes_are_sent_with_their_base_version_and_no_data(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=7)
    with registered_store.transaction() as session:
        session.delete(session.get(Timesheet, record.id))
    transport = ScriptedTransport(apply_everything(first_version=8))
    Engine(registered_store, transport).sync()
    assert transport.requests[0]["changes"] == [
        {"type": "timesheet", "id": record.id, "op": "delete", "base_version": 7}]
    assert outbox(registered_store) == []


def test_an_edit_made_while_the_message_was_in_flight_is_rebased_on_the_applied_version(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=3)
    edit(registered_store, Timesheet, record.id, hours=Decimal("5.00"))

    def edit_during_the_request(request):
        edit(registered_store, Timesheet, record.id, hours=Decimal("4.00"))
        return builders.response(request["message_no"], results=[applied("timesheet", record.id, 10)], next_ack=10)

    transport = ScriptedTransport(edit_during_the_request, apply_everything(first_version=11))
    Engine(registered_store, transport).sync()

    first, second = transport.requests
    assert first["changes"][0]["base_version"] == 3 and first["changes"][0]["data"]["hours"] == "5.00"
    assert second["changes"][0]["base_version"] == 10 and second["changes"][0]["data"]["hours"] == "4.00"
    assert get(registered_store, Timesheet, record.id).version == 11
    assert outbox(registered_store) == []


def test_large_outboxes_go_in_several_messages(registered_store):
    for _ in range(5):
        add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(*(apply_everything(first_version=10 * n) for n in range(1, 4)))
    report = Engine(registered_store, transport, batch_size=2).sync()
    assert [len(request["changes"]) for request in transport.requests] == [2, 2, 1]
    assert [request["message_no"] for request in transport.requests] == [1, 2, 3]
    assert (report.messages, report.applied) == (3, 5)
    assert outbox(registered_store) == []


def test_an_unsent_record_travels_with_the_first_record_referring_to_it(registered_store):
    old_spec = add_from_server(registered_store, builders.work_specification(), version=2)
    sheet = add_from_server(registered_store, builders.timesheet(worker_id=WORKER,
                                                                 work_specification_id=old_spec.id), version=3)
    edit(registered_store, Timesheet, sheet.id, note="switching work")
    new_spec = add_local(registered_store, builders.work_specification(code="WS-NEW"))
    edit(registered_store, Timesheet, sheet.id, work_specification_id=new_spec.id)

    transport = ScriptedTransport(apply_everything(first_version=10))
    Engine(registered_store, transport, batch_size=1).sync()
    assert {(change["type"], change["id"]) for change in transport.requests[0]["changes"]} == {
        ("timesheet", sheet.id), ("work_specification", new_spec.id)}


# --- conflicts and rejections ---------------------------------------------------------

def test_a_conflict_takes_the_servers_record_and_keeps_mine_beside_it(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=3)
    edit(registered_store, Timesheet, record.id, hours=Decimal("5.00"))
    server_side = wire_timesheet(record.id, version=9, worker=WORKER, hours="7.25", site="Office says")
    Engine(registered_store, ScriptedTransport(answer(results=[conflict("timesheet", record.id, server_side)],
                                                      next_ack=9))).sync()

    stored = get(registered_store, Timesheet, record.id)
    assert (stored.version, stored.hours, stored.site) == (9, Decimal("7.25"), "Office says")
    with registered_store.reading() as session:
        [kept] = session.scalars(select(Conflict)).all()
    assert (kept.record_type, kept.record_id, kept.base_version) == ("timesheet", record.id, 3)
    assert kept.mine["data"]["hours"] == "5.00"
    assert kept.server == server_side
    assert outbox(registered_store) == []


def test_a_conflict_keeps_an_edit_made_after_sending_as_mine(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=3)
    edit(registered_store, Timesheet, record.id, hours=Decimal("5.00"))

    def conflict_after_another_edit(request):
        edit(registered_store, Timesheet, record.id, note="typed while syncing")
        server_side = wire_timesheet(record.id, version=9, worker=WORKER)
        return builders.response(request["message_no"], results=[conflict("timesheet", record.id, server_side)])

    Engine(registered_store, ScriptedTransport(conflict_after_another_edit)).sync()
    with registered_store.reading() as session:
        [kept] = session.scalars(select(Conflict)).all()
    assert kept.mine["data"]["note"] == "typed while syncing" and kept.mine["data"]["hours"] == "5.00"
    assert outbox(registered_store) == []


def test_a_conflict_with_a_record_deleted_on_the_server_deletes_it_here(registered_store):
    record = add_from_server(registered_store, builders.estimate(lines=2), version=3)
    edit(registered_store, Estimate, record.id, title="Mine")
    Engine(registered_store, ScriptedTransport(
        answer(results=[conflict("estimate", record.id, wire_delete("estimate", record.id, version=12))]))).sync()
    assert get(registered_store, Estimate, record.id) is None
    assert count(registered_store, EstimateLine) == 0
    with registered_store.reading() as session:
        [kept] = session.scalars(select(Conflict)).all()
    assert kept.mine["data"]["title"] == "Mine" and kept.server["op"] == "delete"


def test_a_rejected_change_is_kept_with_its_reasons_and_leaves_the_queue(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER, site="Nowhere"))
    other = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    reasons = {"worker": ["No such user on the server."]}

    def reject_the_first(request):
        return builders.response(request["message_no"], results=[
            rejected("timesheet", record.id, reasons), applied("timesheet", other.id, 20)], next_ack=20)

    transport = ScriptedTransport(reject_the_first)
    report = Engine(registered_store, transport).sync()

    with registered_store.reading() as session:
        [kept] = session.scalars(select(Rejection)).all()
    assert (kept.record_id, kept.reasons) == (record.id, reasons)
    assert kept.change == transport.requests[0]["changes"][0]  # exactly what was sent
    assert kept.server_record is None  # the server never had it
    assert get(registered_store, Timesheet, record.id).site == "Nowhere"  # the user's data stays
    assert outbox(registered_store) == []
    assert (report.rejected, report.applied, report.messages) == (1, 1, 1)


# --- incoming changes -----------------------------------------------------------------

def test_an_incoming_change_never_overwrites_an_unsent_local_edit(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=3)
    edit(registered_store, Timesheet, record.id, hours=Decimal("5.00"))
    someone_elses = wire_timesheet(record.id, version=9, worker=WORKER, hours="1.00")
    local_when_second_message_left = []

    def apply_ours_and_deliver_someone_elses(request):
        edit(registered_store, Timesheet, record.id, note="second edit")  # pending while this is applied
        return builders.response(request["message_no"], results=[applied("timesheet", record.id, 8)],
                                 changes=[someone_elses], next_ack=9)

    def judge_the_second_edit(request):
        local_when_second_message_left.append(get(registered_store, Timesheet, record.id))
        return builders.response(request["message_no"], results=[conflict("timesheet", record.id, someone_elses)],
                                 next_ack=9)

    transport = ScriptedTransport(apply_ours_and_deliver_someone_elses, judge_the_second_edit)
    report = Engine(registered_store, transport).sync()

    [held] = local_when_second_message_left
    assert (held.hours, held.note, held.version) == (Decimal("5.00"), "second edit", 8)
    second_change = transport.requests[1]["changes"][0]
    assert second_change["base_version"] == 8  # rebased on our applied change, never on the incoming one
    assert second_change["data"]["note"] == "second edit"
    assert report.kept_local == 1
    # The server judged it a conflict: its record is taken, the user's is kept beside it.
    assert get(registered_store, Timesheet, record.id).hours == Decimal("1.00")
    with registered_store.reading() as session:
        [kept] = session.scalars(select(Conflict)).all()
    assert kept.mine["data"]["note"] == "second edit"


def test_incoming_deletes_remove_the_record_and_its_lines(registered_store):
    record = add_from_server(registered_store, builders.estimate(lines=3), version=3)
    Engine(registered_store, ScriptedTransport(answer(changes=[wire_delete("estimate", record.id, version=4)],
                                                      next_ack=4))).sync()
    assert get(registered_store, Estimate, record.id) is None
    assert count(registered_store, EstimateLine) == 0


def test_incoming_lines_replace_the_local_lines_in_the_servers_order(registered_store):
    record = add_from_server(registered_store, builders.estimate(lines=2), version=3)
    kept_line, new_line = record.lines[1].id, builders.new_id()
    incoming = wire_estimate(record.id, version=4, lines=[wire_estimate_line(new_line, position=1),
                                                          wire_estimate_line(kept_line, position=2, quantity="2.000")])
    Engine(registered_store, ScriptedTransport(answer(changes=[incoming], next_ack=4))).sync()
    stored = get(registered_store, Estimate, record.id)
    assert [(line.id, line.quantity) for line in stored.lines] == [(new_line, Decimal("12.500")),
                                                                   (kept_line, Decimal("2.000"))]
    assert outbox(registered_store) == []


def test_incoming_records_are_stored_column_for_column_as_the_orm_stores_them(registered_store, database_path):
    """Incoming pages are written with the driver's executemany: every column must hold
    what writing the same record through the ORM holds (decimal text, UTC time, dates)."""
    import sqlite3

    local = add_from_server(registered_store, builders.estimate(lines=1), version=3)  # written by the ORM
    new_id, line_id = builders.new_id(), builders.new_id()
    incoming = [
        wire_estimate(new_id, version=5, lines=[wire_estimate_line(line_id, quantity="0.500")]),
        wire_estimate(local.id, version=6, title="Renamed", lines=[wire_estimate_line(local.lines[0].id)]),
    ]
    Engine(registered_store, ScriptedTransport(answer(changes=incoming, next_ack=6))).sync()
    with sqlite3.connect(database_path) as raw:
        rows = {row[0]: row[1:] for row in raw.execute(
            "SELECT id, version, updated_at, number, title, site, date, status FROM estimates")}
        lines = {row[0]: row[1:] for row in raw.execute(
            "SELECT id, estimate_id, sort_index, position, quantity, unit_price, work_specification_id FROM estimate_lines")}
    assert rows[new_id] == (5, "2026-11-26 10:15:00.000000", "E-17", "Foundation works", "Riverside", "2026-11-20", "draft")
    assert rows[local.id][:2] == (6, "2026-11-26 10:15:00.000000") and rows[local.id][3] == "Renamed"
    assert lines[line_id] == (new_id, 0, 1, "0.500", "1500.00", None)
    assert lines[local.lines[0].id] == (local.id, 0, 1, "12.500", "1500.00", None)
    orm_written = add_from_server(registered_store, builders.estimate(), version=9)
    with sqlite3.connect(database_path) as raw:
        orm_time = raw.execute("SELECT updated_at FROM estimates WHERE id = ?", [orm_written.id]).fetchone()[0]
    assert len(orm_time) == len("2026-11-26 10:15:00.000000") and orm_time[10] == " "
    stored = get(registered_store, Estimate, new_id)
    assert stored.updated_at.isoformat() == "2026-11-26T10:15:00+00:00"

def test_lines_the_node_already_has_take_the_servers_new_order(registered_store):
    record = add_from_server(registered_store, builders.estimate(lines=3), version=3)
    first, second, third = (line.id for line in record.lines)
    incoming = wire_estimate(record.id, version=4, lines=[wire_estimate_line(second, position=1),
                                                          wire_estimate_line(third, position=2),
                                                          wire_estimate_line(first, position=3)])
    Engine(registered_store, ScriptedTransport(answer(changes=[incoming], next_ack=4))).sync()
    stored = get(registered_store, Estimate, record.id)
    assert [line.id for line in stored.lines] == [second, third, first]
    assert outbox(registered_store) == []


def test_changes_of_unknown_record_types_are_ignored(registered_store):
    Engine(registered_store, ScriptedTransport(answer(changes=[
        {"type": "invoice", "id": builders.new_id(), "op": "upsert", "version": 2, "data": {"total": "1.00"}}],
        next_ack=2))).sync()
    assert state_of(registered_store).ack == 2


def test_an_older_version_of_a_record_does_not_replace_a_newer_one(registered_store):
    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER, site="Newer"), version=12)
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 5  # not a reset
    Engine(registered_store, ScriptedTransport(answer(changes=[
        wire_timesheet(record.id, version=10, worker=WORKER, site="Older")], next_ack=12))).sync()
    assert get(registered_store, Timesheet, record.id).site == "Newer"


def test_a_response_with_invalid_data_is_applied_not_at_all(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    good = wire_timesheet(builders.new_id(), version=5, worker=WORKER)
    bad = wire_timesheet(builders.new_id(), version=6, worker=WORKER, hours=12.5)  # a float, not a decimal string
    transport = ScriptedTransport(answer(results=[applied("timesheet", record.id, 5)], changes=[good, bad],
                                         next_ack=6))
    with pytest.raises(MalformedResponse, match="hours"):
        Engine(registered_store, transport).sync()
    assert get(registered_store, Timesheet, good["id"]) is None
    assert get(registered_store, Timesheet, record.id).version == 0
    assert [entry.message_no for entry in outbox(registered_store)] == [1]  # still frozen, to be resent
    assert state_of(registered_store).ack == 0


def test_a_response_to_another_message_is_refused(registered_store):
    transport = ScriptedTransport(builders.response(77))
    with pytest.raises(MalformedResponse):
        Engine(registered_store, transport).sync()
    assert state_of(registered_store).inflight_message_no == 1


def test_a_change_the_server_gave_no_result_for_is_sent_again_by_the_next_sync(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    silent = ScriptedTransport(answer())
    Engine(registered_store, silent).sync()  # stops instead of asking again at once
    assert [entry.message_no for entry in outbox(registered_store)] == [None]
    again = ScriptedTransport(apply_everything(first_version=30))
    Engine(registered_store, again).sync()
    assert again.requests[0]["changes"][0]["id"] == record.id
    assert get(registered_store, Timesheet, record.id).version == 30


# --- paging and reset -----------------------------------------------------------------

def test_the_engine_follows_more_and_acknowledges_each_page(registered_store):
    ids = [builders.new_id() for _ in range(3)]
    transport = ScriptedTransport(
        answer(changes=[wire_user(ids[0], version=1)], next_ack=1, more=True),
        answer(changes=[wire_user(ids[1], version=2)], next_ack=2, more=True),
        answer(changes=[wire_user(ids[2], version=3)], next_ack=3),
    )
    report = Engine(registered_store, transport).sync()
    assert [request["ack"] for request in transport.requests] == [0, 1, 2]
    assert [request["message_no"] for request in transport.requests] == [1, 2, 3]
    assert count(registered_store, User) == 3 and report.received == 3


def test_a_reset_drops_records_the_full_state_does_not_contain_but_keeps_unsent_ones(registered_store):
    gone = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=2)
    still_there = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=3)
    edited_here = add_from_server(registered_store, builders.estimate(lines=1), version=4)
    created_here = builders.daily_report(author_id=WORKER, lines=1)
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 50  # older than the server keeps: it answers with a reset

    def last_page_while_the_user_edits(request):
        # Unsent when the last page is applied: neither record is in the full state.
        edit(registered_store, Estimate, edited_here.id, title="Edited offline")
        add_local(registered_store, created_here)
        return builders.response(request["message_no"], changes=[wire_user(WORKER, version=91)], next_ack=91,
                                 more=False, reset=True)

    transport = ScriptedTransport(
        answer(changes=[wire_timesheet(still_there.id, version=90, worker=WORKER)], next_ack=90, more=True,
               reset=True),
        last_page_while_the_user_edits,
        apply_everything(first_version=92),
    )
    report = Engine(registered_store, transport).sync()

    assert get(registered_store, Timesheet, gone.id) is None
    assert get(registered_store, Timesheet, still_there.id).version == 90
    assert get(registered_store, Estimate, edited_here.id).title == "Edited offline"
    assert get(registered_store, DailyReport, created_here.id) is not None
    assert get(registered_store, User, WORKER) is not None
    assert {change["id"] for change in transport.requests[2]["changes"]} == {edited_here.id, created_here.id}
    assert state_of(registered_store).reset_in_progress is False
    assert count(registered_store, ResetDelivery) == 0
    assert (report.resets_finished, report.dropped_by_reset) == (1, 1)


def test_a_reset_keeps_records_whose_rejected_change_awaits_the_user(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(answer(results=[rejected("timesheet", record.id, {"site": ["Unknown."]})],
                                         next_ack=5))
    Engine(registered_store, transport).sync()  # ack 0: the full state, i.e. a reset
    assert get(registered_store, Timesheet, record.id) is not None


def test_a_record_the_reset_left_out_goes_when_its_rejected_change_is_given_up(registered_store):
    """The server rejected an edit, then deleted the record and purged its tombstone. The
    reset keeps the record for the user's decision; giving the change up must leave the
    server's state, which no longer has the record, not the copy the rejection saw."""
    from desktop_client import services

    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=8)
    edit(registered_store, Timesheet, record.id, site="Unknown site")
    server_then = wire_timesheet(record.id, version=8, worker=WORKER)
    Engine(registered_store, ScriptedTransport(answer(
        results=[rejected("timesheet", record.id, {"site": ["Unknown."]}) | {"server": server_then}],
        next_ack=9))).sync()
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 9  # long ago, as the server sees it now: a reset
    Engine(registered_store, ScriptedTransport(
        answer(changes=[wire_user(WORKER, version=30)], next_ack=30, reset=True))).sync()
    assert get(registered_store, Timesheet, record.id) is not None  # kept for the decision
    [rejection] = services.rejection_list(registered_store)
    services.rejection_discard(registered_store, rejection_id=rejection.id)
    assert get(registered_store, Timesheet, record.id) is None
    assert outbox(registered_store) == []

def test_an_unsent_edit_of_a_record_the_reset_left_out_is_rejected_against_a_deletion(registered_store):
    """The same for an edit still unsent when the reset finishes: if the server then rejects
    it, giving it up must not bring back the record the server no longer has."""
    from desktop_client import services

    record = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=8)
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 50  # older than the server keeps: it answers with a reset

    def last_page_while_the_user_edits(request):
        edit(registered_store, Timesheet, record.id, site="Edited offline")
        return builders.response(request["message_no"], changes=[wire_user(WORKER, version=91)], next_ack=91,
                                 reset=True)

    transport = ScriptedTransport(
        answer(changes=[], next_ack=90, more=True, reset=True),
        last_page_while_the_user_edits,
        answer(results=[rejected("timesheet", record.id, {"site": ["Unknown."]})], next_ack=92),
    )
    Engine(registered_store, transport).sync()
    assert get(registered_store, Timesheet, record.id).site == "Edited offline"  # kept for the decision
    [rejection] = services.rejection_list(registered_store)
    services.rejection_discard(registered_store, rejection_id=rejection.id)
    assert get(registered_store, Timesheet, record.id) is None

def test_a_reset_interrupted_between_pages_resumes_and_finishes(registered_store):
    gone = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=2)
    delivered_first = builders.new_id()
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 50
    transport = ScriptedTransport(
        answer(changes=[wire_user(delivered_first, version=80)], next_ack=80, more=True, reset=True),
        network_down(), network_down(), network_down(), network_down(),
    )
    with pytest.raises(NetworkUnavailable):
        Engine(registered_store, transport).sync()

    # As after a crash: the marker and what the first page delivered are on disk.
    state = state_of(registered_store)
    assert state.reset_in_progress and state.ack == 80
    assert get(registered_store, Timesheet, gone.id) is not None

    Engine(registered_store, ScriptedTransport(answer(changes=[], next_ack=81))).sync()
    assert get(registered_store, Timesheet, gone.id) is None
    assert get(registered_store, User, delivered_first) is not None
    assert state_of(registered_store).reset_in_progress is False


def test_asking_with_ack_zero_is_treated_as_a_reset(registered_store):
    stale = add_from_server(registered_store, builders.timesheet(worker_id=WORKER), version=2)
    Engine(registered_store, ScriptedTransport(answer(changes=[wire_user(WORKER, version=5)], next_ack=5))).sync()
    assert get(registered_store, Timesheet, stale.id) is None
    assert get(registered_store, User, WORKER) is not None


# --- failures and retries -------------------------------------------------------------

def test_network_failures_are_retried_with_the_identical_body_and_growing_waits(registered_store):
    add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(network_down(), server_error(503), network_down(), apply_everything())
    engine = Engine(registered_store, transport)
    engine.sync()
    assert len(transport.bodies) == 4 and len(set(transport.bodies)) == 1
    assert engine.sleeps == [1.0, 2.0, 3.0]  # doubled, capped at max_delay
    assert outbox(registered_store) == []


def test_when_retries_run_out_the_same_message_is_resent_by_the_next_sync(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    failing = ScriptedTransport(*(network_down() for _ in range(4)))
    with pytest.raises(NetworkUnavailable):
        Engine(registered_store, failing).sync()
    assert len(failing.bodies) == 4

    # Edits made meanwhile wait for a later message; the frozen one goes out unchanged.
    edit(registered_store, Timesheet, record.id, note="edited after the failure")
    later = ScriptedTransport(apply_everything(first_version=50), apply_everything(first_version=60))
    Engine(registered_store, later).sync()
    assert later.bodies[0] == failing.bodies[0]
    assert later.requests[1]["message_no"] == 2
    assert later.requests[1]["changes"][0]["data"]["note"] == "edited after the failure"
    assert later.requests[1]["changes"][0]["base_version"] == 50


def test_a_response_lost_after_the_server_applied_the_message_is_settled_by_the_replay(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    results = []

    def server_applies_but_the_answer_is_lost(request):
        results.append(applied("timesheet", record.id, 70))
        raise network_down()

    def server_replays_its_results(request):
        return builders.response(request["message_no"], results=results, next_ack=70)

    transport = ScriptedTransport(server_applies_but_the_answer_is_lost, server_replays_its_results)
    Engine(registered_store, transport).sync()
    assert transport.bodies[0] == transport.bodies[1]
    assert get(registered_store, Timesheet, record.id).version == 70
    assert outbox(registered_store) == []


def test_a_retry_after_from_the_server_lengthens_the_wait_within_the_bound(registered_store):
    rate_limited = ServerUnavailable("Slow down.", status=429, code="rate_limited", retry_after=2.5)
    engine = Engine(registered_store, ScriptedTransport(rate_limited, answer()))
    engine.sync()
    assert engine.sleeps == [2.5]


def test_a_revoked_node_stops_and_keeps_all_its_data(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(refused(401, "node_revoked"))
    with pytest.raises(NodeRevoked):
        Engine(registered_store, transport).sync()
    assert len(transport.bodies) == 1  # not retried
    assert state_of(registered_store).revoked is True
    assert get(registered_store, Timesheet, record.id) is not None
    assert len(outbox(registered_store)) == 1

    untouched = ScriptedTransport()
    with pytest.raises(NodeRevoked, match="register this computer again"):
        Engine(registered_store, untouched).sync()
    assert untouched.bodies == []


def test_an_invalid_token_stops_without_marking_the_node_revoked(registered_store):
    with pytest.raises(AuthenticationFailed):
        Engine(registered_store, ScriptedTransport(refused(401, "invalid_token"))).sync()
    assert state_of(registered_store).revoked is False


def test_a_stale_message_puts_its_changes_back_in_the_queue_and_says_what_to_do(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    with pytest.raises(StaleMessage, match="register this computer again"):
        Engine(registered_store, ScriptedTransport(refused(409, "stale_message"))).sync()
    state = state_of(registered_store)
    assert (state.inflight_message_no, state.inflight_body) == (None, None)
    [entry] = outbox(registered_store)
    assert (entry.record_id, entry.message_no) == (record.id, None)


def test_other_protocol_errors_are_not_retried(registered_store):
    transport = ScriptedTransport(refused(400, "invalid_request"))
    with pytest.raises(ServerRefused) as raised:
        Engine(registered_store, transport).sync()
    assert raised.value.code == "invalid_request" and len(transport.bodies) == 1


def test_progress_reports_what_was_sent_and_received(registered_store):
    for _ in range(3):
        add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(
        apply_everything(first_version=10, changes=[wire_user(WORKER, version=9)]),
        network_down(),
        apply_everything(first_version=20),
    )
    seen = []
    Engine(registered_store, transport, batch_size=2).sync(on_progress=seen.append)
    finished = [progress for progress in seen if progress.retry_in is None]
    retries = [progress for progress in seen if progress.retry_in is not None]
    assert [(p.messages, p.sent, p.received, p.pending) for p in finished] == [(1, 2, 1, 1), (2, 3, 1, 0)]
    assert len(retries) == 1 and retries[0].retry_reason


def test_cancel_stops_after_the_message_in_hand(registered_store):
    for _ in range(3):
        add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(apply_everything(first_version=10), apply_everything(first_version=20))
    engine = Engine(registered_store, transport, batch_size=1)
    report = engine.sync(on_progress=lambda progress: engine.engine.cancel())
    assert report.cancelled and report.messages == 1
    assert len(outbox(registered_store)) == 2


def test_a_message_body_is_exact_json_of_the_frozen_message(registered_store):
    add_local(registered_store, builders.timesheet(worker_id=WORKER, note="Ünïcode — kept"))
    transport = ScriptedTransport(apply_everything())
    Engine(registered_store, transport).sync()
    assert json.loads(transport.bodies[0])["changes"][0]["data"]["note"] == "Ünïcode — kept"


def test_a_message_too_large_for_the_server_is_split_under_the_same_number(registered_store):
    for _ in range(4):
        add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(refused(413, "payload_too_large"), apply_everything(first_version=10),
                                  apply_everything(first_version=20))
    report = Engine(registered_store, transport).sync()
    assert [(request["message_no"], len(request["changes"])) for request in transport.requests] == [
        (1, 4), (1, 2), (2, 2)]
    assert report.applied == 4 and outbox(registered_store) == []


def test_a_single_change_too_large_for_the_server_is_set_aside_as_rejected(registered_store):
    huge = add_local(registered_store, builders.timesheet(worker_id=WORKER, note="x" * 10_000))
    small = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    too_large = refused(413, "payload_too_large")
    transport = ScriptedTransport(too_large, too_large, apply_everything(first_version=10))
    Engine(registered_store, transport).sync()
    assert [[change["id"] for change in request["changes"]] for request in transport.requests] == [
        [huge.id, small.id], [huge.id], [small.id]]
    assert [request["message_no"] for request in transport.requests] == [1, 1, 1]
    with registered_store.reading() as session:
        [kept] = session.scalars(select(Rejection)).all()
    assert kept.record_id == huge.id and kept.reasons == {"size": ["refused: payload_too_large"]}
    assert outbox(registered_store) == []


def test_a_full_state_of_thousands_of_records_over_several_pages_arrives_whole(registered_store):
    users = [wire_user(builders.new_id(), version=n, username=f"user{n}") for n in range(1, 301)]
    estimates = [wire_estimate(builders.new_id(), version=1000 + n,
                               lines=[wire_estimate_line(builders.new_id(), position=p) for p in range(1, 4)])
                 for n in range(1, 301)]
    sheets = [wire_timesheet(builders.new_id(), version=2000 + n, worker=users[n % 300]["id"])
              for n in range(1, 901)]
    everything = users + estimates + sheets
    pages = [everything[start:start + 500] for start in range(0, len(everything), 500)]
    transport = ScriptedTransport(*(
        answer(changes=page, next_ack=page[-1]["version"], more=index < len(pages) - 1)
        for index, page in enumerate(pages)))
    report = Engine(registered_store, transport).sync()
    assert report.received == 1500 and report.messages == 3
    assert (count(registered_store, User), count(registered_store, Estimate), count(registered_store, Timesheet),
            count(registered_store, EstimateLine)) == (300, 300, 900, 900)
    assert outbox(registered_store) == [] and state_of(registered_store).ack == sheets[-1]["version"]


def test_cancel_during_a_backoff_wait_ends_the_sync_quietly_and_keeps_the_message(registered_store):
    add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(network_down(), network_down())
    engine = SyncEngine(registered_store, transport, retry_policy=RetryPolicy(retries=3, jitter=0),
                        sleep=lambda seconds: engine.cancel())
    report = engine.sync()
    assert report.cancelled and len(transport.bodies) == 1
    assert state_of(registered_store).inflight_message_no == 1


def test_two_syncs_of_one_database_at_once_settle_a_message_only_once(registered_store):
    # A node past its first sync: with ack 0 every response would also be a full-state pass.
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 30
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    result = [applied("timesheet", record.id, 40)]
    other_sync_reports = []

    def meanwhile_another_sync_runs(request):
        other = ScriptedTransport(lambda again: builders.response(again["message_no"], results=result, next_ack=40))
        other_sync_reports.append(Engine(registered_store, other).sync())
        assert other.bodies == [json.dumps(request, ensure_ascii=False, separators=(",", ":"))]
        return builders.response(request["message_no"], results=result, next_ack=40)  # the server's replay

    report = Engine(registered_store, ScriptedTransport(meanwhile_another_sync_runs)).sync()
    assert other_sync_reports[0].applied == 1 and report.applied == 0
    assert get(registered_store, Timesheet, record.id).version == 40
    assert outbox(registered_store) == [] and state_of(registered_store).ack == 40


def test_old_results_of_a_message_sent_again_do_not_keep_a_record_through_a_reset(registered_store):
    """A message frozen by an earlier run may have been applied long ago: the server answers
    it again with the results of then. Its record may have been deleted on the server since
    (its tombstone purged while the laptop was away); when that answer comes with a reset,
    the old result must not make the record count as part of the full state."""
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 50
    with registered_store.transaction() as session:  # an earlier run froze and sent it; no answer came
        current_or_new_message(session, batch_size=200, max_changes=1000)
    transport = ScriptedTransport(answer(results=[applied("timesheet", record.id, 60)], next_ack=95, reset=True))
    report = Engine(registered_store, transport).sync()
    assert get(registered_store, Timesheet, record.id) is None
    assert outbox(registered_store) == [] and report.dropped_by_reset == 1


def test_fresh_results_keep_a_record_through_a_reset_a_server_sends_no_echo_for(registered_store):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 50
    transport = ScriptedTransport(answer(results=[applied("timesheet", record.id, 60)], next_ack=95, reset=True))
    Engine(registered_store, transport).sync()
    assert get(registered_store, Timesheet, record.id).version == 60
