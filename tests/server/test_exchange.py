"""The exchange service: apply exactly once, per-record outcomes, conflicts, delivery."""
from __future__ import annotations

import uuid
from decimal import Decimal

import pytest

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport
from apps.sync import errors, registry
from apps.sync.models import SyncChange, SyncConflict
from apps.timesheets.models import Timesheet
from tests.factories import EstimateLineFactory, UserFactory, WorkSpecificationFactory
from tests.server.sync_helpers import (
    Node,
    delete_record,
    estimate_line,
    estimate_record,
    report_line,
    report_record,
    spec_record,
    timesheet_record,
    version_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def node():
    return Node("site laptop")


def test_applied_record_is_stored_with_its_lines_and_a_new_version(node):
    spec = spec_record(code="EX-9")
    estimate = estimate_record(lines=[estimate_line(spec["id"]), estimate_line(spec["id"], position=2)])
    outcome = node.exchange([spec, estimate])
    assert [r["status"] for r in outcome.results] == ["applied", "applied"]
    stored = Estimate.objects.get(uuid=estimate["id"])
    assert stored.lines.count() == 2
    assert outcome.results[1]["version"] == version_of(stored)
    assert SyncChange.objects.get(record_uuid=stored.uuid).origin_node_id == node.model.pk


def test_references_resolve_whatever_their_order_in_the_message(node):
    author = UserFactory()
    spec = spec_record(code="OUT-1")
    report = report_record(author.uuid, lines=[report_line(spec["id"])])
    timesheet = timesheet_record(author.uuid, work_specification=spec["id"])
    outcome = node.exchange([timesheet, report, spec])  # referencing records first
    assert [r["status"] for r in outcome.results] == ["applied"] * 3
    assert Timesheet.objects.get(uuid=timesheet["id"]).work_specification.code == "OUT-1"


def test_a_retried_message_is_not_applied_twice_and_gets_the_same_results(node):
    spec = spec_record(code="ONCE")
    first = node.exchange([spec])
    version = version_of(WorkSpecification.objects.get(code="ONCE"))
    again = node.exchange([spec], resend=True)
    assert again.results == first.results
    assert WorkSpecification.all_objects.filter(code="ONCE").count() == 1
    assert version_of(WorkSpecification.objects.get(code="ONCE")) == version


def test_an_older_message_number_is_refused_as_stale(node):
    node.exchange([spec_record(code="A")])
    node.exchange([spec_record(code="B")])
    node.message_no = 0
    with pytest.raises(errors.ProtocolError) as refused:
        node.exchange([spec_record(code="C")])
    assert refused.value.code == "stale_message" and refused.value.status == 409
    assert not WorkSpecification.objects.filter(code="C").exists()


@pytest.mark.parametrize(
    ("mangle", "field"),
    [
        (lambda r: r["data"].update(unit_price="-1.00"), "unit_price"),
        (lambda r: r["data"].update(unit_price=12.5), "unit_price"),
        (lambda r: r["data"].pop("name"), "name"),
        (lambda r: r.update(type="nonsense"), "type"),
        (lambda r: r.update(id="not-a-uuid"), "id"),
        (lambda r: r.update(op="merge"), "op"),
        (lambda r: r.update(base_version=-3), "base_version"),
    ],
)
def test_invalid_records_are_rejected_with_reasons_and_the_rest_is_applied(node, mangle, field):
    bad = spec_record(code="BAD")
    mangle(bad)
    good = spec_record(code="GOOD")
    outcome = node.exchange([bad, good])
    assert outcome.results[0]["status"] == "rejected"
    assert field in outcome.results[0]["fields"]
    assert outcome.results[1]["status"] == "applied"
    assert not WorkSpecification.all_objects.filter(code="BAD").exists()
    logged = SyncConflict.objects.get(outcome="rejected")
    assert field in logged.reasons and logged.node_record == bad


def test_a_reference_to_a_record_the_server_lacks_is_rejected(node):
    outcome = node.exchange([timesheet_record(uuid.uuid4())])
    assert outcome.results[0]["status"] == "rejected"
    assert "worker" in outcome.results[0]["fields"]
    assert not Timesheet.all_objects.exists()


def test_a_reference_to_a_record_of_another_type_is_rejected(node):
    spec = WorkSpecificationFactory()
    outcome = node.exchange([timesheet_record(spec.uuid)])  # a work specification is not a user
    assert outcome.results[0]["fields"]["worker"]


def test_nodes_may_not_write_read_only_users(node):
    user = UserFactory(username="keep")
    record = {"type": "user", "id": str(user.uuid), "op": "upsert", "base_version": 0,
              "data": {"username": "hacked", "full_name": "", "is_active": True}}
    outcome = node.exchange([record])
    assert outcome.results[0]["status"] == "rejected"
    user.refresh_from_db()
    assert user.username == "keep"


def test_the_same_record_twice_in_one_message_is_rejected_both_times(node):
    record_id = uuid.uuid4()
    outcome = node.exchange([spec_record(record_id, code="T1"), spec_record(record_id, code="T2")])
    assert [r["status"] for r in outcome.results] == ["rejected", "rejected"]
    assert not WorkSpecification.all_objects.filter(uuid=record_id).exists()


def test_unique_values_are_checked_and_rejected_per_field(node):
    WorkSpecificationFactory(code="DUP")
    outcome = node.exchange([spec_record(code="DUP")])
    assert outcome.results[0]["status"] == "rejected"
    assert "code" in outcome.results[0]["fields"]


def test_a_line_of_another_record_cannot_be_moved_by_a_node(node):
    foreign_line = EstimateLineFactory()
    outcome = node.exchange([estimate_record(lines=[estimate_line(line_id=foreign_line.uuid)])])
    assert outcome.results[0]["status"] == "rejected"
    assert "lines.0.id" in outcome.results[0]["fields"]


def test_invalid_line_values_are_named_by_line_and_field(node):
    outcome = node.exchange([estimate_record(lines=[estimate_line(), estimate_line(quantity="-1")])])
    assert "lines.1.quantity" in outcome.results[0]["fields"]


def test_lines_left_out_of_an_upsert_are_deleted_with_it(node):
    keep, drop = estimate_line(), estimate_line(position=2)
    record = estimate_record(lines=[keep, drop])
    applied = node.exchange([record]).results[0]
    record["data"]["lines"] = [keep]
    record["base_version"] = applied["version"]
    node.exchange([record])
    estimate = Estimate.objects.get(uuid=record["id"])
    assert [str(line.uuid) for line in estimate.lines.all()] == [keep["id"]]
    assert EstimateLine.all_objects.get(uuid=drop["id"]).is_deleted


def test_a_node_edit_based_on_an_old_version_conflicts_and_the_server_wins(node):
    spec = WorkSpecificationFactory(name="Office name")
    base = version_of(spec)
    spec.name = "Office changed it again"
    spec.save()
    outcome = node.exchange([spec_record(spec.uuid, base, code=spec.code, name="Node name")])
    result = outcome.results[0]
    assert result["status"] == "conflict"
    assert result["version"] == version_of(spec)
    assert result["server"]["data"]["name"] == "Office changed it again"
    spec.refresh_from_db()
    assert spec.name == "Office changed it again"
    logged = SyncConflict.objects.get()
    assert logged.outcome == "conflict" and logged.resolution == "server_won"
    assert logged.node_record["data"]["name"] == "Node name"
    assert logged.server_record["data"]["name"] == "Office changed it again"


def test_a_nodes_own_earlier_change_never_conflicts_with_its_later_one(node):
    record = spec_record(code="MINE")
    node.exchange([record])
    # The node edits again still citing base 0 (it never received a server version).
    again = node.exchange([spec_record(record["id"], 0, code="MINE", name="second edit")])
    assert again.results[0]["status"] == "applied"
    assert WorkSpecification.objects.get(code="MINE").name == "second edit"


def test_another_nodes_change_in_between_makes_a_conflict(node):
    other = Node("other laptop")
    record = spec_record(code="SHARED")
    first = node.exchange([record]).results[0]
    other.exchange([spec_record(record["id"], first["version"], code="SHARED", name="other's edit")])
    late = node.exchange([spec_record(record["id"], first["version"], code="SHARED", name="my late edit")])
    assert late.results[0]["status"] == "conflict"


def test_deleting_over_someone_elses_change_conflicts(node):
    spec = WorkSpecificationFactory()
    base = version_of(spec)
    spec.name = "edited"
    spec.save()
    outcome = node.exchange([delete_record("work_specification", spec.uuid, base)])
    assert outcome.results[0]["status"] == "conflict"
    assert WorkSpecification.objects.filter(pk=spec.pk).exists()


def test_node_wins_policy_applies_the_node_version_and_logs_the_overwritten_one(node):
    options = registry.options_for_type("work_specification")
    registry.unregister(WorkSpecification)
    registry.register(WorkSpecification, type_name="work_specification", conflict_policy="node_wins")
    try:
        spec = WorkSpecificationFactory(name="office")
        base = version_of(spec)
        spec.name = "office again"
        spec.save()
        outcome = node.exchange([spec_record(spec.uuid, base, code=spec.code, name="node")])
        assert outcome.results[0]["status"] == "applied"
        spec.refresh_from_db()
        assert spec.name == "node"
        logged = SyncConflict.objects.get()
        assert logged.resolution == "node_won" and logged.server_record["data"]["name"] == "office again"
    finally:
        registry.unregister(WorkSpecification)
        registry.register(WorkSpecification, type_name="work_specification", lines=options.lines)


def test_delete_of_a_record_the_server_never_had_is_applied(node):
    outcome = node.exchange([delete_record("timesheet", uuid.uuid4(), 0)])
    assert outcome.results[0]["status"] == "applied"


def test_delete_from_a_node_marks_the_record_and_its_lines(node):
    line = EstimateLineFactory()
    outcome = node.exchange([delete_record("estimate", line.estimate.uuid, version_of(line.estimate))])
    assert outcome.results[0]["status"] == "applied"
    assert Estimate.all_objects.get(pk=line.estimate.pk).is_deleted
    assert EstimateLine.all_objects.get(pk=line.pk).is_deleted


def test_history_names_the_node_that_made_the_change(node):
    record = spec_record(code="HIST")
    node.exchange([record])
    historical = WorkSpecification.objects.get(code="HIST").history.first()
    assert "site laptop" in historical.history_change_reason
    assert f"message {node.message_no}" in historical.history_change_reason


def test_a_node_does_not_receive_its_own_changes_back(node):
    node.pull_all()  # past the first full-state pass, during which nothing is held back
    node.exchange([spec_record(code="ECHO")])
    WorkSpecificationFactory(code="OFFICE")
    received = node.pull_all()
    codes = {r["data"]["code"] for r in received.values() if r["op"] == "upsert"}
    assert codes == {"OFFICE"}


def test_a_fresh_node_gets_the_full_state_without_tombstones():
    live = WorkSpecificationFactory()
    gone = WorkSpecificationFactory()
    gone.delete()
    fresh = Node("fresh")
    received = fresh.pull_all()
    assert str(live.uuid) in received and str(gone.uuid) not in received
    assert all(record["op"] == "upsert" for record in received.values())


def test_changes_come_in_version_order_in_pages_and_none_is_missed(node):
    specs = WorkSpecificationFactory.create_batch(25)
    node.ack = 0
    seen, versions = [], []
    while True:
        outcome = node.exchange(max_changes=7)
        seen += [r["id"] for r in outcome.changes]
        versions += [r["version"] for r in outcome.changes]
        if not outcome.more:
            break
    assert versions == sorted(versions)
    assert {str(spec.uuid) for spec in specs} <= set(seen)
    assert len(seen) == len(set(seen))


def test_each_record_comes_once_at_its_latest_state(node):
    node.pull_all()
    spec = WorkSpecificationFactory(name="v1")
    for name in ("v2", "v3"):
        spec.name = name
        spec.save()
    received = node.exchange().changes
    assert [r["data"]["name"] for r in received if r["id"] == str(spec.uuid)] == ["v3"]


def test_deletes_reach_nodes_as_tombstones(node):
    spec = WorkSpecificationFactory()
    node.pull_all()
    spec.delete()
    changes = node.exchange().changes
    assert changes == [
        {"type": "work_specification", "id": str(spec.uuid), "op": "delete",
         "version": version_of(spec), "updated_at": changes[0]["updated_at"]}
    ]


def test_lines_travel_nested_with_decimals_as_strings(node):
    line = EstimateLineFactory(quantity=Decimal("12.5"), unit_price=Decimal("1500"))
    record = node.pull_all()[str(line.estimate.uuid)]
    assert record["data"]["lines"] == [
        {"id": str(line.uuid), "position": line.position, "work_specification": str(line.work_specification.uuid),
         "description": line.description, "unit": line.unit, "quantity": "12.500", "unit_price": "1500.00"}
    ]


def test_user_records_never_carry_passwords_or_permissions(node):
    UserFactory(username="foreman", is_superuser=True)
    users = [r for r in node.pull_all().values() if r["type"] == "user"]
    assert users
    for record in users:
        assert set(record["data"]) == {"username", "full_name", "is_active"}


def test_an_ack_beyond_what_the_server_handed_out_is_invalid(node):
    with pytest.raises(errors.ProtocolError) as refused:
        node.exchange(ack=10**9)
    assert refused.value.code == "invalid_request"


def test_revoked_node_is_refused_and_nothing_applied(node):
    from apps.sync.services.nodes import node_revoke

    node_revoke(node=node.model)
    with pytest.raises(errors.ProtocolError) as refused:
        node.exchange([spec_record(code="REVOKED")])
    assert refused.value.code == "node_revoked"
    assert not WorkSpecification.objects.filter(code="REVOKED").exists()


def test_an_unchanged_upsert_is_applied_without_a_new_version(node):
    record = spec_record(code="SAME")
    applied = node.exchange([record]).results[0]
    record["base_version"] = applied["version"]
    again = node.exchange([record]).results[0]
    assert again == applied


def test_a_report_from_a_node_keeps_its_author(node):
    author = UserFactory()
    record = report_record(author.uuid, lines=[report_line()])
    node.exchange([record])
    assert DailyReport.objects.get(uuid=record["id"]).author == author


def test_a_batch_the_database_refuses_is_applied_record_by_record(node, monkeypatch):
    from django.db import IntegrityError

    from apps.sync.services import apply

    real_write = apply._upserts_write
    calls = {"count": 0}

    def refuse_once(*args, **kwargs):
        calls["count"] += 1
        real_write(*args, **kwargs)
        if calls["count"] == 1:
            raise IntegrityError("simulated refusal of the whole batch")

    monkeypatch.setattr(apply, "_upserts_write", refuse_once)
    spec = spec_record(code="FALLBACK-1")
    estimate = estimate_record(lines=[estimate_line(spec["id"])])
    outcome = node.exchange([spec, estimate])
    assert [r["status"] for r in outcome.results] == ["applied", "applied"]
    assert WorkSpecification.all_objects.filter(code="FALLBACK-1").count() == 1
    assert Estimate.objects.get(uuid=estimate["id"]).lines.count() == 1
    assert outcome.results[0]["version"] == version_of(WorkSpecification.objects.get(code="FALLBACK-1"))


def test_a_reissued_token_lets_a_fresh_installation_start_at_message_one(node):
    from apps.sync.services.nodes import node_token_replace

    node.exchange([spec_record(code="BEFORE-REISSUE")])
    node.exchange()
    node.model.refresh_from_db()
    node_token_replace(node=node.model)
    node.message_no, node.ack = 0, 0  # a new laptop: fresh numbering, fresh store
    outcome = node.exchange([spec_record(code="AFTER-REISSUE")])
    assert outcome.results[0]["status"] == "applied"
    received = outcome.changes + list(node.pull_all().values())
    codes = {r["data"]["code"] for r in received if r["type"] == "work_specification"}
    assert "BEFORE-REISSUE" in codes  # the full state of a fresh start includes its own earlier records


def test_a_message_sent_again_after_a_reissued_token_is_answered_not_applied_twice(node):
    from apps.sync.services.nodes import node_token_replace

    WorkSpecificationFactory(code="TAKEN")
    message = [spec_record(code="TAKEN"), spec_record(code="MINE")]
    first = node.exchange(message)  # applied; the answer never reaches the laptop
    mine = WorkSpecification.objects.get(code="MINE")
    mine.name = "changed in the office since"
    mine.save()
    node_token_replace(node=node.model)  # the laptop gets a new connection code and sends the message again

    again = node.exchange(message, resend=True)

    assert again.results == first.results
    assert [result["status"] for result in again.results] == ["rejected", "applied"]
    assert SyncConflict.objects.filter(node=node.model).count() == 1  # the rejection, logged once
    assert WorkSpecification.objects.get(code="MINE").name == "changed in the office since"
    assert node.exchange([spec_record(code="NEXT")]).results[0]["status"] == "applied"


def test_after_a_new_code_a_fresh_installation_reusing_the_last_number_is_applied(node):
    from apps.sync.services.nodes import node_token_replace

    node.exchange([spec_record(code="OLD-LAPTOP")])  # the old laptop only ever sent message 1
    node.model.refresh_from_db()
    node_token_replace(node=node.model)
    node.message_no, node.ack = 0, 0
    outcome = node.exchange([spec_record(code="NEW-LAPTOP")])  # message 1 again, other records
    assert outcome.results[0]["status"] == "applied"
    assert WorkSpecification.objects.filter(code="NEW-LAPTOP").exists()


def test_after_a_new_code_the_old_laptops_retry_is_still_answered_from_the_stored_results(node):
    from apps.sync.services.nodes import node_token_replace

    record = spec_record(code="RETRIED")
    first = node.exchange([record])
    node.model.refresh_from_db()
    node_token_replace(node=node.model)
    again = node.exchange([record], resend=True)
    assert again.results == first.results
    assert WorkSpecification.all_objects.filter(code="RETRIED").count() == 1


def test_a_batch_of_edits_writes_each_records_own_changes(node):
    """Records of one batch changing different fields: each keeps the others' untouched
    fields and gets its own (the batch writes the union of changed fields)."""
    records = [spec_record(code=f"MIX-{i}") for i in range(30)]
    versions = [result["version"] for result in node.exchange(records).results]
    for i, (record, version) in enumerate(zip(records, versions)):
        record["base_version"] = version
        if i % 2:
            record["data"]["name"] = f"name {i}"
        else:
            record["data"]["unit_price"] = f"{i}.25"
    assert {result["status"] for result in node.exchange(records).results} == {"applied"}
    for i, record in enumerate(records):
        stored = WorkSpecification.objects.get(uuid=record["id"])
        assert stored.name == record["data"]["name"] and stored.unit_price == Decimal(record["data"]["unit_price"])
        assert stored.history.count() == 2
