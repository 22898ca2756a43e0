"""Acting on conflicts and rejections, with the conflicts and rejections produced by the
sync engine from a scripted server's answers."""
from __future__ import annotations

from decimal import Decimal

import pytest

from desktop_client import services
from desktop_client.services import InvalidRecordData, NotFound
from desktop_client.store.records import Estimate, Timesheet
from desktop_client.sync import RetryPolicy, SyncEngine
from tests.client import builders
from tests.client.builders import conflict, rejected, wire_delete, wire_timesheet
from tests.client.scripted_transport import ScriptedTransport, answer, apply_everything
from tests.client.store_actions import add_from_server, add_local, edit, get, outbox

WORKER = "5b9f0d6e-1111-4000-8000-000000000001"


def sync(store, *steps) -> ScriptedTransport:
    transport = ScriptedTransport(*steps)
    SyncEngine(store, transport, retry_policy=RetryPolicy(retries=0), sleep=lambda seconds: None).sync()
    return transport


@pytest.fixture
def node(registered_store):
    """A node past its first sync (so later answers are not resets), knowing the worker."""
    add_from_server(registered_store, builders.user(id=WORKER), version=1)
    sync(registered_store, answer(changes=[builders.wire_user(WORKER, version=1)], next_ack=1))
    return registered_store


@pytest.fixture
def conflicted(node):
    """A timesheet whose hours I changed to 5 while the office changed them to 7.25."""
    record = add_from_server(node, builders.timesheet(worker_id=WORKER), version=3)
    edit(node, Timesheet, record.id, hours=Decimal("5.00"))
    server_side = wire_timesheet(record.id, version=9, worker=WORKER, hours="7.25")
    sync(node, answer(results=[conflict("timesheet", record.id, server_side)], next_ack=9))
    return record


def test_conflicts_list_both_sides_and_what_differs(node, conflicted):
    [item] = services.conflict_list(node)
    assert (item.record_type, item.record_id, item.base_version) == ("timesheet", conflicted.id, 3)
    assert item.mine["data"]["hours"] == "5.00" and item.server["data"]["hours"] == "7.25"
    assert item.differing_fields == ("hours",)


def test_keeping_the_servers_version_closes_the_conflict_and_sends_nothing(node, conflicted):
    [item] = services.conflict_list(node)
    services.conflict_keep_server(node, conflict_id=item.id)
    assert services.conflict_list(node) == []
    assert get(node, Timesheet, conflicted.id).hours == Decimal("7.25")
    assert outbox(node) == []


def test_reapplying_mine_makes_it_a_new_edit_on_top_of_the_servers_version(node, conflicted):
    [item] = services.conflict_list(node)
    view = services.conflict_reapply_mine(node, conflict_id=item.id)
    assert view.values["hours"] == Decimal("5.00") and view.has_unsent_change
    assert services.conflict_list(node) == []
    transport = sync(node, apply_everything(first_version=10))
    [change] = transport.requests[0]["changes"]
    assert (change["base_version"], change["data"]["hours"]) == (9, "5.00")


def test_reapplying_my_delete_deletes_the_record_again(node):
    record = add_from_server(node, builders.timesheet(worker_id=WORKER), version=3)
    with node.transaction() as session:
        session.delete(session.get(Timesheet, record.id))
    sync(node, answer(results=[conflict("timesheet", record.id, wire_timesheet(record.id, version=9,
                                                                                 worker=WORKER))]))
    assert get(node, Timesheet, record.id) is not None  # the server's record came back
    [item] = services.conflict_list(node)
    assert services.conflict_reapply_mine(node, conflict_id=item.id) is None
    assert get(node, Timesheet, record.id) is None
    assert [(entry.op, entry.base_version) for entry in outbox(node)] == [("delete", 9)]


def test_reapplying_mine_over_a_server_deletion_recreates_the_record(node):
    record = add_from_server(node, builders.estimate(lines=1), version=3)
    edit(node, Estimate, record.id, title="Still needed")
    sync(node, answer(results=[conflict("estimate", record.id, wire_delete("estimate", record.id, version=12))]))
    [item] = services.conflict_list(node)
    view = services.conflict_reapply_mine(node, conflict_id=item.id)
    assert view.values["title"] == "Still needed" and len(view.lines) == 1
    assert [(entry.op, entry.base_version) for entry in outbox(node)] == [("upsert", 12)]


def test_acting_on_a_closed_conflict_says_so(node, conflicted):
    [item] = services.conflict_list(node)
    services.conflict_keep_server(node, conflict_id=item.id)
    with pytest.raises(NotFound, match="already resolved"):
        services.conflict_reapply_mine(node, conflict_id=item.id)


# --- rejections -----------------------------------------------------------------------

def reject_all(reasons):
    def play(request):
        return builders.response(request["message_no"], results=[
            rejected(change["type"], change["id"], reasons) for change in request["changes"]])
    return play


def test_rejections_list_the_change_and_the_reasons(node):
    record = add_local(node, builders.timesheet(worker_id=WORKER))
    sync(node, reject_all({"hours": ["Too many hours for one day."], "site": "Unknown site."}))
    [item] = services.rejection_list(node)
    assert (item.record_type, item.record_id, item.change["op"]) == ("timesheet", record.id, "upsert")
    assert item.messages == ["hours: Too many hours for one day.", "site: Unknown site."]


def test_discarding_a_rejected_creation_removes_the_record(node):
    record = add_local(node, builders.timesheet(worker_id=WORKER))
    sync(node, reject_all({"site": ["Unknown site."]}))
    services.rejection_discard(node, rejection_id=services.rejection_list(node)[0].id)
    assert get(node, Timesheet, record.id) is None
    assert services.rejection_list(node) == [] and outbox(node) == []


def test_discarding_a_rejected_edit_restores_the_servers_record(node):
    record = add_from_server(node, builders.estimate(lines=2), version=4)
    lines_before = [line.id for line in record.lines]
    services.record_update(node, record_type="estimate", record_id=record.id, values={"title": "Bad"}, lines=[])
    sync(node, reject_all({"title": ["Not allowed."]}))
    services.rejection_discard(node, rejection_id=services.rejection_list(node)[0].id)
    restored = get(node, Estimate, record.id)
    assert (restored.title, restored.version) == ("Foundation works", 4)
    assert [line.id for line in restored.lines] == lines_before
    assert outbox(node) == []


def test_discarding_restores_the_newest_server_state_seen_since_the_rejection(node):
    record = add_from_server(node, builders.timesheet(worker_id=WORKER), version=4)
    edit(node, Timesheet, record.id, site="Bad")
    sync(node, reject_all({"site": ["Unknown site."]}))
    sync(node, answer(changes=[wire_timesheet(record.id, version=15, worker=WORKER, site="Office moved it")],
                      next_ack=15))
    services.rejection_discard(node, rejection_id=services.rejection_list(node)[0].id)
    restored = get(node, Timesheet, record.id)
    assert (restored.site, restored.version) == ("Office moved it", 15)


def test_discarding_a_rejection_keeps_a_newer_edit_of_the_record(node):
    record = add_from_server(node, builders.timesheet(worker_id=WORKER), version=4)
    edit(node, Timesheet, record.id, site="Bad")
    sync(node, reject_all({"site": ["Unknown site."]}))
    edit(node, Timesheet, record.id, site="Fixed by hand")
    services.rejection_discard(node, rejection_id=services.rejection_list(node)[0].id)
    assert get(node, Timesheet, record.id).site == "Fixed by hand"
    [entry] = outbox(node)
    assert (entry.base_version, entry.server_record["data"]["site"]) == (4, "Riverside")


def test_a_corrected_rejection_is_sent_again(node):
    record = add_from_server(node, builders.timesheet(worker_id=WORKER), version=4)
    edit(node, Timesheet, record.id, hours=Decimal("23.00"))
    sync(node, reject_all({"hours": ["Too many hours for one day."]}))
    view = services.rejection_retry(node, rejection_id=services.rejection_list(node)[0].id,
                                    values={"hours": "11.00"})
    assert view.values["hours"] == Decimal("11.00") and view.has_unsent_change
    assert services.rejection_list(node) == []
    transport = sync(node, apply_everything(first_version=20))
    [change] = transport.requests[0]["changes"]
    assert (change["base_version"], change["data"]["hours"]) == (4, "11.00")


def test_a_rejection_retried_unchanged_is_sent_again_as_it_was(node):
    record = add_local(node, builders.timesheet(worker_id=WORKER))
    first = sync(node, reject_all({"worker": ["No such user."]}))
    services.rejection_retry(node, rejection_id=services.rejection_list(node)[0].id)
    again = sync(node, apply_everything(first_version=20))
    assert again.requests[0]["changes"][0]["data"] == first.requests[0]["changes"][0]["data"]
    assert get(node, Timesheet, record.id).version == 20


def test_a_retry_with_invalid_corrections_changes_nothing(node):
    add_local(node, builders.timesheet(worker_id=WORKER))
    sync(node, reject_all({"hours": ["Too many."]}))
    [item] = services.rejection_list(node)
    with pytest.raises(InvalidRecordData) as raised:
        services.rejection_retry(node, rejection_id=item.id, values={"hours": "25.00"})
    assert raised.value.fields == {"hours": ["Must be at most 24."]}
    assert services.rejection_list(node) == [item] and outbox(node) == []


def test_the_servers_reasons_can_be_shown_beside_the_form_fields(node):
    add_local(node, builders.estimate(lines=2))
    sync(node, reject_all({"title": ["Too long."], "lines.1.quantity": ["Must be at least 0."],
                           "__all__": "Number already taken."}))
    [item] = services.rejection_list(node)
    errors = item.as_form_errors()
    assert errors.fields == {"title": ["Too long."], "__all__": ["Number already taken."]}
    assert errors.lines == {1: {"quantity": ["Must be at least 0."]}}
