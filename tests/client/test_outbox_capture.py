"""Every local edit of a record or of one of its lines lands in the outbox, in the same
transaction, coalesced to one pending entry per record; server changes never do."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from desktop_client.store import applying_server_changes
from desktop_client.store.records import DailyReport, Estimate, EstimateLine, Timesheet
from desktop_client.store.sync_tables import OutboxEntry
from tests.client import builders


def outbox(store) -> list[OutboxEntry]:
    with store.reading() as session:
        return list(session.scalars(select(OutboxEntry).order_by(OutboxEntry.id)))


def summary(store) -> list[tuple[str, str, str, int, int | None]]:
    return [(e.record_type, e.record_id, e.op, e.base_version, e.message_no) for e in outbox(store)]


def add_as_server_record(store, record, *, version: int):
    """Store ``record`` as if it had arrived from the server at ``version``."""
    record.version = version
    with store.transaction() as session, applying_server_changes(session):
        session.add(record)
    return record


def freeze_pending_entries(store, message_no: int = 1) -> None:
    with store.transaction() as session:
        for entry in session.scalars(select(OutboxEntry).where(OutboxEntry.message_no.is_(None))):
            entry.message_no = message_no


# --- records --------------------------------------------------------------------------

def test_creating_a_record_writes_one_upsert_entry_with_base_version_zero(store):
    record = builders.estimate(lines=2)
    with store.transaction() as session:
        session.add(record)
    assert summary(store) == [("estimate", record.id, "upsert", 0, None)]
    assert outbox(store)[0].server_record is None


def test_updating_a_server_record_remembers_its_version_and_the_servers_state(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=7)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("6.00")
    [entry] = outbox(store)
    assert (entry.op, entry.base_version) == ("upsert", 7)
    assert entry.server_record["version"] == 7
    assert entry.server_record["data"]["hours"] == "8.00"  # the state before the edit


def test_updating_a_record_moves_its_updated_at(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id(),
                                                            updated_at=dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)),
                                  version=1)
    with store.transaction() as session:
        session.get(Timesheet, record.id).note = "rain"
    with store.reading() as session:
        assert session.get(Timesheet, record.id).updated_at.year > 2020


def test_setting_a_field_to_the_value_it_has_is_not_a_change(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=3)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("8.00")
    assert outbox(store) == []


def test_deleting_a_server_record_writes_a_delete_entry(store):
    record = add_as_server_record(store, builders.estimate(lines=2), version=4)
    with store.transaction() as session:
        session.delete(session.get(Estimate, record.id))
    assert summary(store) == [("estimate", record.id, "delete", 4, None)]
    assert outbox(store)[0].server_record["data"]["lines"]  # the server's state, lines included


def test_an_edit_rolled_back_leaves_no_entry(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=3)
    with pytest.raises(RuntimeError):
        with store.transaction() as session:
            session.get(Timesheet, record.id).site = "Elsewhere"
            session.flush()
            raise RuntimeError("the window crashed")
    assert outbox(store) == []


# --- lines ------------------------------------------------------------------------------

def test_changing_a_line_is_a_change_of_its_parent(store):
    record = add_as_server_record(store, builders.estimate(lines=2), version=5)
    with store.transaction() as session:
        session.get(Estimate, record.id).lines[1].quantity = Decimal("99.000")
    assert summary(store) == [("estimate", record.id, "upsert", 5, None)]


def test_adding_a_line_is_a_change_of_its_parent(store):
    author = builders.new_id()
    record = add_as_server_record(store, builders.daily_report(author_id=author, lines=1), version=5)
    with store.transaction() as session:
        stored = session.get(DailyReport, record.id)  # a strong reference: the collection alone keeps none
        stored.lines.append(builders.daily_report_line())
    assert summary(store) == [("daily_report", record.id, "upsert", 5, None)]


def test_removing_a_line_from_its_parent_is_a_change_of_the_parent(store):
    record = add_as_server_record(store, builders.estimate(lines=2), version=5)
    with store.transaction() as session:
        stored = session.get(Estimate, record.id)
        stored.lines.pop(0)
    assert summary(store) == [("estimate", record.id, "upsert", 5, None)]
    with store.reading() as session:
        assert len(session.get(Estimate, record.id).lines) == 1


def test_deleting_a_line_directly_is_a_change_of_its_parent(store):
    record = add_as_server_record(store, builders.estimate(lines=2), version=5)
    line_id = record.lines[0].id
    with store.transaction() as session:
        session.delete(session.get(EstimateLine, line_id))
    assert summary(store) == [("estimate", record.id, "upsert", 5, None)]


def test_deleting_a_record_with_lines_is_one_delete_entry(store):
    record = add_as_server_record(store, builders.estimate(lines=3), version=5)
    with store.transaction() as session:
        session.delete(session.get(Estimate, record.id))
    assert summary(store) == [("estimate", record.id, "delete", 5, None)]
    with store.reading() as session:
        assert session.scalars(select(EstimateLine)).all() == []


# --- coalescing -------------------------------------------------------------------------

def test_edits_in_several_transactions_coalesce_into_the_first_entry(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("5.00")
    [first] = outbox(store)
    for hours in ("6.00", "7.00"):
        with store.transaction() as session:
            session.get(Timesheet, record.id).hours = Decimal(hours)
    [entry] = outbox(store)
    assert (entry.id, entry.base_version, entry.server_record) == (first.id, 2, first.server_record)
    assert entry.server_record["data"]["hours"] == "8.00"


def test_an_edit_then_a_delete_coalesce_into_one_delete(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("5.00")
    with store.transaction() as session:
        session.delete(session.get(Timesheet, record.id))
    assert summary(store) == [("timesheet", record.id, "delete", 2, None)]


def test_creating_and_deleting_before_sending_leaves_no_entry(store):
    record = builders.estimate(lines=1)
    with store.transaction() as session:
        session.add(record)
    with store.transaction() as session:
        session.get(Estimate, record.id).title = "Renamed"
    with store.transaction() as session:
        session.delete(session.get(Estimate, record.id))
    assert outbox(store) == []


def test_deleting_a_record_whose_creation_is_in_flight_still_sends_the_delete(store):
    record = builders.timesheet(worker_id=builders.new_id())
    with store.transaction() as session:
        session.add(record)
    freeze_pending_entries(store, message_no=1)
    with store.transaction() as session:
        session.delete(session.get(Timesheet, record.id))
    assert summary(store) == [
        ("timesheet", record.id, "upsert", 0, 1),
        ("timesheet", record.id, "delete", 0, None),
    ]


def test_an_edit_while_the_record_is_in_flight_opens_a_second_entry_on_the_same_base(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("5.00")
    freeze_pending_entries(store, message_no=9)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("4.00")
    frozen, pending = outbox(store)
    assert (frozen.message_no, pending.message_no) == (9, None)
    assert pending.base_version == frozen.base_version == 2
    assert pending.server_record == frozen.server_record


# --- server changes ---------------------------------------------------------------------

def test_records_and_lines_applied_from_the_server_are_not_captured(store):
    record = add_as_server_record(store, builders.estimate(lines=2), version=3)
    with store.transaction() as session, applying_server_changes(session):
        stored = session.get(Estimate, record.id)
        stored.title = "Changed by the office"
        stored.lines[0].quantity = Decimal("1.000")
        stored.lines.pop()
        stored.lines.append(builders.estimate_line(position=9))
        stored.version = 4
    with store.transaction() as session, applying_server_changes(session):
        session.delete(session.get(Estimate, record.id))
    assert outbox(store) == []


def test_server_changes_never_move_the_base_version_of_a_pending_entry(store):
    record = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    with store.transaction() as session:
        session.get(Timesheet, record.id).hours = Decimal("5.00")
    with store.transaction() as session, applying_server_changes(session):
        session.get(Timesheet, record.id).version = 8
    assert summary(store) == [("timesheet", record.id, "upsert", 2, None)]


def test_local_edits_before_and_after_server_changes_in_one_session_are_captured(store):
    first = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=1)
    second = add_as_server_record(store, builders.timesheet(worker_id=builders.new_id()), version=1)
    with store.transaction() as session:
        session.get(Timesheet, first.id).note = "local, before"
        with applying_server_changes(session):
            session.get(Timesheet, second.id).version = 2
        session.get(Timesheet, second.id).note = "local, after"
    assert {(record_id, base) for _, record_id, _, base, _ in summary(store)} == {(first.id, 1), (second.id, 2)}
