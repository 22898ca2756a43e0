"""Reading and editing records through the services the window calls."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop_client import services
from desktop_client.services import InvalidRecordData, NotFound, ReadOnlyRecordType, RecordChanged, UnknownRecordType
from desktop_client.store.records import Estimate, EstimateLine, Timesheet
from desktop_client.store.sync_tables import SyncState
from desktop_client.sync import RetryPolicy, SyncEngine
from tests.client import builders
from tests.client.builders import wire_timesheet
from tests.client.scripted_transport import ScriptedTransport, answer
from tests.client.store_actions import add_from_server, add_local, count, get, outbox

ESTIMATE = {"number": "E-18", "title": "Walls", "site": "Riverside", "date": "2026-11-22", "status": "draft"}
LINE = {"position": 1, "work_specification": None, "description": "Bricks", "unit": "m2", "quantity": "40.000",
        "unit_price": "12.50"}


@pytest.fixture
def foreman(store):
    return add_from_server(store, builders.user(), version=1)


def test_creating_a_record_stores_it_and_queues_it_for_sending(store):
    view = services.record_create(store, record_type="estimate", values=ESTIMATE, lines=[LINE, LINE | {"position": 2}])
    assert view.type == "estimate" and view.version == 0 and view.has_unsent_change
    assert view.values["date"] == dt.date(2026, 11, 22)
    assert [line.values["quantity"] for line in view.lines] == [Decimal("40.000")] * 2
    assert len({line.id for line in view.lines}) == 2  # new lines get ids
    assert [(entry.record_id, entry.op) for entry in outbox(store)] == [(view.id, "upsert")]


def test_python_values_are_accepted_as_well_as_text(store, foreman):
    view = services.record_create(store, record_type="timesheet", values={
        "date": dt.date(2026, 11, 21), "worker": foreman.id, "site": "Riverside", "hours": Decimal("7.5"),
        "work_specification": None, "note": ""})
    assert get(store, Timesheet, view.id).hours == Decimal("7.5")


def test_invalid_input_is_reported_field_by_field_and_nothing_is_written(store):
    with pytest.raises(InvalidRecordData) as raised:
        services.record_create(store, record_type="estimate",
                               values=ESTIMATE | {"title": "", "date": "2026-02-30", "colour": "red"},
                               lines=[LINE, LINE | {"quantity": "-1", "unit_price": "1.234"}])
    errors = raised.value
    assert set(errors.fields) == {"title", "date", "colour"}
    assert set(errors.lines) == {1} and set(errors.lines[1]) == {"quantity", "unit_price"}
    assert "lines[2].quantity: Must be at least 0." in errors.messages()
    assert count(store, Estimate) == 0 and outbox(store) == []


def test_a_decimal_with_too_many_places_is_reported_not_rounded(store):
    with pytest.raises(InvalidRecordData) as raised:
        services.record_create(store, record_type="estimate", values=ESTIMATE,
                               lines=[LINE | {"unit_price": Decimal("12.505")}])
    assert raised.value.lines[0]["unit_price"] == ["Must have at most 2 digits after the decimal point."]


def test_missing_fields_are_required(store):
    with pytest.raises(InvalidRecordData) as raised:
        services.record_create(store, record_type="estimate", values={"number": "E-1"})
    assert raised.value.fields["title"] == ["This field is required."]


def test_a_reference_must_point_at_a_record_on_this_computer(store, foreman):
    values = {"date": "2026-11-21", "worker": builders.new_id(), "site": "S", "hours": "8.00",
              "work_specification": None, "note": ""}
    with pytest.raises(InvalidRecordData) as raised:
        services.record_create(store, record_type="timesheet", values=values)
    assert raised.value.fields == {"worker": ["There is no user with this id on this computer."]}
    assert services.record_create(store, record_type="timesheet", values=values | {"worker": foreman.id})


def test_users_cannot_be_edited_on_a_node(store, foreman):
    with pytest.raises(ReadOnlyRecordType, match="managed on the server"):
        services.record_create(store, record_type="user", values={"username": "x", "full_name": "", "is_active": True})
    with pytest.raises(ReadOnlyRecordType):
        services.record_delete(store, record_type="user", record_id=foreman.id)


def test_unknown_types_are_refused_with_the_known_ones_listed(store):
    with pytest.raises(UnknownRecordType, match="estimate"):
        services.record_list(store, record_type="invoice")


def test_updating_changes_only_the_given_fields(store):
    record = add_from_server(store, builders.estimate(lines=2), version=6)
    view = services.record_update(store, record_type="estimate", record_id=record.id, values={"title": "Renamed"})
    assert view.values["title"] == "Renamed" and view.values["number"] == "E-17"
    assert [line.id for line in view.lines] == [line.id for line in record.lines]
    [entry] = outbox(store)
    assert (entry.op, entry.base_version) == ("upsert", 6)


def test_updating_lines_keeps_given_ones_adds_new_ones_and_deletes_the_rest(store):
    record = add_from_server(store, builders.estimate(lines=3), version=6)
    keep = record.lines[2]
    view = services.record_update(store, record_type="estimate", record_id=record.id, lines=[
        {"id": keep.id} | LINE | {"quantity": "1.000"}, LINE | {"description": "New"}])
    assert view.lines[0].id == keep.id and view.lines[0].values["quantity"] == Decimal("1.000")
    assert view.lines[1].values["description"] == "New"
    assert count(store, EstimateLine) == 2
    assert len(outbox(store)) == 1


def test_saving_a_form_without_changes_queues_nothing(store):
    record = add_from_server(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    view = services.record_update(store, record_type="timesheet", record_id=record.id, values={"hours": "8.00"})
    assert not view.has_unsent_change and outbox(store) == []


def test_deleting_a_record(store):
    record = add_from_server(store, builders.estimate(lines=1), version=6)
    services.record_delete(store, record_type="estimate", record_id=record.id)
    assert get(store, Estimate, record.id) is None
    assert [(entry.op, entry.base_version) for entry in outbox(store)] == [("delete", 6)]
    with pytest.raises(NotFound, match="no estimate"):
        services.record_get(store, record_type="estimate", record_id=record.id)


def test_lists_are_ordered_newest_first_and_flag_unsent_changes(store):
    older = add_from_server(store, builders.estimate(date=dt.date(2026, 1, 1)), version=1)
    newer = add_local(store, builders.estimate(date=dt.date(2026, 6, 1)))
    listed = services.record_list(store, record_type="estimate")
    assert [(view.id, view.has_unsent_change) for view in listed] == [(newer.id, True), (older.id, False)]
    assert [view.id for view in services.record_list(store, record_type="estimate", limit=1, offset=1)] == [older.id]


def test_validating_a_form_reports_without_saving(store):
    errors = services.record_validate(store, record_type="estimate", values=ESTIMATE | {"status": "lost"},
                                      lines=[LINE])
    assert errors.fields == {"status": ["Must be one of: draft, approved."]}
    assert services.record_validate(store, record_type="estimate", values=ESTIMATE, lines=[LINE]) is None
    assert count(store, Estimate) == 0


def test_pending_change_count_counts_records_not_edits(store):
    record = add_from_server(store, builders.timesheet(worker_id=builders.new_id()), version=2)
    for hours in ("1.00", "2.00"):
        services.record_update(store, record_type="timesheet", record_id=record.id, values={"hours": hours})
    add_local(store, builders.estimate())
    assert services.pending_change_count(store) == 2


def test_a_line_of_another_record_cannot_be_taken_over(store):
    other = add_from_server(store, builders.estimate(lines=1), version=2)
    record = add_from_server(store, builders.estimate(lines=1), version=3)
    with pytest.raises(InvalidRecordData) as raised:
        services.record_update(store, record_type="estimate", record_id=record.id,
                               lines=[LINE | {"id": other.lines[0].id}])
    assert raised.value.lines == {0: {"id": ["This line belongs to another record."]}}
    with pytest.raises(InvalidRecordData):
        services.record_create(store, record_type="estimate", values=ESTIMATE,
                               lines=[LINE | {"id": other.lines[0].id}])


def test_lines_given_to_a_type_without_lines_are_refused(store):
    with pytest.raises(InvalidRecordData) as raised:
        services.record_create(store, record_type="work_specification", values={
            "code": "WS-1", "name": "Digging", "unit": "m3", "unit_price": "10.00", "lines": []})
    assert raised.value.fields == {"lines": ["This record type has no lines."]}


def test_saving_a_form_over_a_change_it_did_not_show_is_refused(registered_store):
    worker = builders.new_id()
    record = add_from_server(registered_store, builders.timesheet(worker_id=worker), version=2)
    with registered_store.transaction() as session:
        SyncState.load(session).ack = 2  # past the first sync: no reset
    form = services.record_get(registered_store, record_type="timesheet", record_id=record.id)
    SyncEngine(registered_store, ScriptedTransport(answer(changes=[
        wire_timesheet(record.id, version=5, worker=worker, hours="3.00")], next_ack=5)),
        retry_policy=RetryPolicy(retries=0)).sync()
    with pytest.raises(RecordChanged, match="changed after you opened it"):
        services.record_update(registered_store, record_type="timesheet", record_id=record.id,
                               values={"note": "mine"}, expected_updated_at=form.updated_at)
    with pytest.raises(RecordChanged):
        services.record_delete(registered_store, record_type="timesheet", record_id=record.id,
                               expected_updated_at=form.updated_at)
    fresh = services.record_get(registered_store, record_type="timesheet", record_id=record.id)
    saved = services.record_update(registered_store, record_type="timesheet", record_id=record.id,
                                   values={"note": "mine"}, expected_updated_at=fresh.updated_at)
    assert saved.values["note"] == "mine" and saved.values["hours"] == Decimal("3.00")
