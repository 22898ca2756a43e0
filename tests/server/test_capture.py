"""Every way of writing a synced row leaves its record's change-log entry, in the same transaction."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.sync import capture
from apps.sync.models import SyncChange
from tests.factories import EstimateFactory, EstimateLineFactory, UserFactory, WorkSpecificationFactory
from tests.server.sync_helpers import version_of

pytestmark = pytest.mark.django_db


def entry(record) -> SyncChange:
    return SyncChange.objects.get(record_uuid=record.uuid)


def test_create_writes_an_upsert_entry_made_in_the_office():
    spec = WorkSpecificationFactory()
    change = entry(spec)
    assert change.record_type == "work_specification"
    assert change.op == "upsert"
    assert change.origin_node is None


def test_every_save_moves_the_entry_to_a_new_greater_version():
    spec = WorkSpecificationFactory()
    before = version_of(spec)
    spec.name = "Changed"
    spec.save()
    assert version_of(spec) > before
    assert SyncChange.objects.filter(record_uuid=spec.uuid).count() == 1


def test_soft_delete_and_restore_are_captured_as_delete_then_upsert():
    spec = WorkSpecificationFactory()
    spec.delete()
    assert entry(spec).op == "delete"
    WorkSpecification.all_objects.get(pk=spec.pk).restore()
    assert entry(spec).op == "upsert"


def test_queryset_update_captures_every_row():
    specs = WorkSpecificationFactory.create_batch(3)
    before = {spec.pk: version_of(spec) for spec in specs}
    WorkSpecification.objects.filter(pk__in=before).update(unit="m2")
    assert all(version_of(spec) > before[spec.pk] for spec in specs)


def test_queryset_delete_captures_tombstones():
    specs = WorkSpecificationFactory.create_batch(2)
    WorkSpecification.objects.all().delete()
    assert {entry(spec).op for spec in specs} == {"delete"}


def test_bulk_create_and_bulk_update_are_captured_with_history():
    created = WorkSpecification.objects.bulk_create(
        [WorkSpecification(code=f"B-{i}", name="n", unit="m", unit_price=Decimal("1")) for i in range(3)]
    )
    assert SyncChange.objects.filter(record_uuid__in=[spec.uuid for spec in created], op="upsert").count() == 3
    assert all(spec.history.count() == 1 for spec in created)
    before = {spec.pk: version_of(spec) for spec in created}
    for spec in created:
        spec.name = "bulk updated"
    WorkSpecification.objects.bulk_update(created, ["name"])
    assert all(version_of(spec) > before[spec.pk] for spec in created)
    assert all(spec.history.count() == 2 for spec in created)


def test_bulk_history_rows_carry_the_values_type_user_and_reason(admin_user):
    """History of bulk writes is written with its own statement: each row must still say
    what the record held, the kind of change, who made it and why."""
    created = WorkSpecification.objects.bulk_create(
        [WorkSpecification(code=f"H-{i}", name=f"first {i}", unit="m", unit_price=Decimal("2.50")) for i in range(2)]
    )
    for spec in created:
        spec.name = spec.name.replace("first", "second")
        spec._history_user = admin_user
    with capture.origin(None, "nightly import"):
        WorkSpecification.objects.bulk_update(created, ["name"])
    for index, spec in enumerate(created):
        first, second = spec.history.order_by("history_id")
        assert (first.history_type, first.name, first.unit_price, first.history_user) == (
            "+", f"first {index}", Decimal("2.50"), None)
        assert (second.history_type, second.name, second.code, second.history_user) == (
            "~", f"second {index}", f"H-{index}", admin_user)
        assert second.history_change_reason == "nightly import"
        assert second.uuid == spec.uuid and second.updated_at == spec.updated_at
        assert second.history_date >= first.history_date


def test_bulk_history_rows_name_the_requests_user_unless_the_instance_names_one(admin_user):
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    specs = WorkSpecificationFactory.create_batch(3)
    specs[1]._history_user = None  # named explicitly: nobody
    specs[2]._history_user = other = UserFactory(username="site-office")
    request = RequestFactory().post("/admin/")
    request.user = admin_user
    HistoricalRecords.context.request = request
    try:
        for spec in specs:
            spec.name = "renamed in the admin"
        WorkSpecification.objects.bulk_update(specs, ["name"])
    finally:
        del HistoricalRecords.context.request
    assert [spec.history.latest("history_id").history_user for spec in specs] == [admin_user, None, other]
    WorkSpecification.objects.filter(pk=specs[0].pk).update(name="outside any request")
    assert specs[0].history.latest("history_id").history_user is None


def test_bulk_update_logs_the_deletion_mark_the_rows_hold_not_the_objects():
    """The log takes a record's deletion mark from the objects only when the update wrote it."""
    live, deleted = WorkSpecificationFactory.create_batch(2)
    deleted.delete()
    live.is_deleted, deleted.is_deleted = True, False  # in memory only: not among the fields written
    live.name = deleted.name = "renamed"
    WorkSpecification.objects.bulk_update([live, deleted], ["name"])
    assert (entry(live).op, entry(deleted).op) == ("upsert", "delete")
    with capture.origin(None, "restore both"), transaction.atomic(), capture.collecting():
        WorkSpecification.objects.bulk_update([live, deleted], ["is_deleted"])
    assert (entry(live).op, entry(deleted).op) == ("delete", "upsert")


def test_many_rows_written_in_bulk_keep_every_value_exactly():
    """Enough rows for the one-statement paths (arrays, COPY on PostgreSQL), with text that
    needs escaping, decimals, a null reference and a deletion mark."""
    awkward = ["tab\there", "new\nline", "back\\slash", "Котлован", "quote ' and \"", "", "  ", "NULL",
               "{braces}, commas", '\\"', "trailing\\"]
    created = WorkSpecification.objects.bulk_create(
        [WorkSpecification(code=f"M-{i}", name=awkward[i % len(awkward)] or "x", unit="m3",
                           unit_price=Decimal("0.01") * i) for i in range(60)]
    )
    for i, spec in enumerate(created):
        spec.name = awkward[(i + 1) % len(awkward)] or "y"
        spec.unit_price = Decimal("1234567.89") - i
        spec.is_deleted = i % 7 == 0
    WorkSpecification.objects.bulk_update(created, ["name", "unit_price", "is_deleted"])
    for i, spec in enumerate(WorkSpecification.all_objects.filter(code__startswith="M-").order_by("pk")):
        assert (spec.name, spec.unit_price, spec.is_deleted) == (
            awkward[(i + 1) % len(awkward)] or "y", Decimal("1234567.89") - i, i % 7 == 0)
        assert entry(spec).op == ("delete" if i % 7 == 0 else "upsert")
        first, second = spec.history.order_by("history_id")
        assert first.name == (awkward[i % len(awkward)] or "x") and first.unit_price == Decimal("0.01") * i
        assert (second.name, second.unit_price, second.is_deleted) == (spec.name, spec.unit_price, spec.is_deleted)
    lines = EstimateLine.objects.bulk_create(
        [EstimateLine(estimate=EstimateFactory(), position=i, work_specification=None, description=f"line {i}",
                      unit="m", quantity=Decimal("1.500"), unit_price=Decimal("2.00")) for i in range(25)]
    )
    for line in lines:
        line.quantity = Decimal("3.250")
        line.work_specification = created[1]
    EstimateLine.objects.bulk_update(lines, ["quantity", "work_specification"])
    assert set(EstimateLine.objects.filter(pk__in=[line.pk for line in lines]).values_list(
        "quantity", "work_specification_id")) == {(Decimal("3.250"), created[1].pk)}
    assert all(version_of(line.estimate) > 0 for line in lines)


def test_bulk_create_that_may_skip_rows_is_refused_loudly():
    with pytest.raises(capture.UncapturedWriteError):
        WorkSpecification.objects.bulk_create(
            [WorkSpecification(code="X", name="n", unit="m", unit_price=Decimal("1"))], ignore_conflicts=True
        )


def test_a_line_change_moves_its_parent_entry():
    line = EstimateLineFactory()
    before = version_of(line.estimate)
    line.quantity = Decimal("99")
    line.save()
    assert version_of(line.estimate) > before
    assert not SyncChange.objects.filter(record_uuid=line.uuid).exists()
    EstimateLine.objects.filter(pk=line.pk).update(unit="t")
    assert version_of(line.estimate) > before + 1


def test_a_rolled_back_write_leaves_no_entry():
    with pytest.raises(RuntimeError), transaction.atomic():
        spec = WorkSpecificationFactory()
        raise RuntimeError("abort")
    assert not SyncChange.objects.filter(record_uuid=spec.uuid).exists()


def test_admin_inline_line_edit_moves_the_estimate_entry(admin_client):
    line = EstimateLineFactory()
    estimate = line.estimate
    before = version_of(estimate)
    url = reverse("admin:estimates_estimate_change", args=[estimate.pk])
    form = {
        "number": estimate.number, "title": estimate.title, "site": estimate.site,
        "date": "2026-11-20", "status": "draft",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": str(line.pk), "lines-0-estimate": str(estimate.pk), "lines-0-position": "1",
        "lines-0-work_specification": str(line.work_specification_id), "lines-0-description": "Changed inline",
        "lines-0-unit": "m3", "lines-0-quantity": "3", "lines-0-unit_price": "10",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    line.refresh_from_db()
    assert line.description == "Changed inline"
    assert version_of(estimate) > before
    assert entry(estimate).origin_node is None


def test_admin_restore_action_captures_an_upsert(admin_client):
    estimate = EstimateFactory()
    estimate.delete()
    assert entry(estimate).op == "delete"
    url = reverse("admin:estimates_estimate_changelist") + "?deleted=yes"
    admin_client.post(url, {"action": "restore_selected", "_selected_action": [estimate.pk]})
    assert entry(estimate).op == "upsert"


def test_versions_are_unique_and_increasing_across_records():
    first = WorkSpecificationFactory()
    second = EstimateFactory()
    assert version_of(second) > version_of(first)
    assert SyncChange.objects.values("version").distinct().count() == SyncChange.objects.count()


def test_migrate_backfills_entries_for_records_written_without_capture():
    spec = WorkSpecificationFactory()
    SyncChange.objects.filter(record_uuid=spec.uuid).delete()  # as if written before sync existed
    from django.apps import apps

    from apps.sync.signals import change_log_backfill

    change_log_backfill(sender=apps.get_app_config("sync"))
    assert entry(spec).op == "upsert"


def test_estimate_delete_through_the_admin_is_captured_once_per_record(admin_client):
    line = EstimateLineFactory()
    admin_client.post(reverse("admin:estimates_estimate_delete", args=[line.estimate.pk]), {"post": "yes"})
    assert entry(line.estimate).op == "delete"
    assert Estimate.all_objects.get(pk=line.estimate.pk).is_deleted


@pytest.mark.parametrize("value", [None, "text", 7, True, Decimal("1.50"), uuid.uuid4(), dt.date(2026, 11, 26),
                                   dt.datetime(2026, 11, 26, 10, tzinfo=dt.timezone.utc), 2.5, "12.5",
                                   dt.datetime(2026, 1, 1, 3, 0, 0, 5, tzinfo=dt.timezone(dt.timedelta(hours=5))),
                                   uuid.UUID(int=0), "3f0c2b1e-8d4a-4c5e-9f00-1a2b3c4d5e6f", False, 0])
def test_values_prepared_for_bulk_writes_equal_what_django_prepares(value):
    """Bulk writes skip Django's preparation for values the driver takes as they are; for
    every field type of the synced models the result must be Django's own."""
    from django.apps import apps as django_apps
    from django.db import connection

    from apps.sync import bulk_sql

    for model in django_apps.get_models():
        for field in model._meta.concrete_fields:
            try:
                expected = field.get_db_prep_save(value, connection)
            except Exception as error:  # noqa: BLE001 - the value does not fit this field at all
                with pytest.raises(type(error)):
                    bulk_sql.value_preparer(field, connection)(value)
                continue
            prepared = bulk_sql.value_preparer(field, connection)(value)
            assert type(prepared) is type(expected) and (prepared == expected or repr(prepared) == repr(expected)), (
                model, field.name)


def test_rows_read_for_the_exchange_are_those_django_reads_empty_lookups_included():
    from apps.sync import bulk_sql

    specs = WorkSpecificationFactory.create_batch(3)
    query = WorkSpecification.all_objects.filter(uuid__in=[spec.uuid for spec in specs]).order_by("pk")
    columns = ("pk", "uuid", "code", "unit_price", "is_deleted", "updated_at")
    ours, django_rows = bulk_sql.rows_of(query.values_list(*columns)), list(query.values_list(*columns))
    assert ours == django_rows
    assert [row[-1].tzinfo for row in ours] == [row[-1].tzinfo for row in django_rows]
    as_text = bulk_sql.rows_of(query.values_list(*columns), uuids_as_text=True)
    assert [(row[0], str(row[1]), *row[2:]) for row in as_text] == [(row[0], str(row[1]), *row[2:]) for row in ours]
    from django.db import connection

    assert {type(row[1]) for row in as_text} == {str}
    with_ref, without_ref = EstimateLineFactory(work_specification=specs[0]), EstimateLineFactory(work_specification=None)
    refs = EstimateLine.all_objects.filter(pk__in=[with_ref.pk, without_ref.pk]).values_list(
        "uuid", "work_specification__uuid", "quantity").order_by("pk")
    assert bulk_sql.rows_of(refs, uuids_as_text=True) == [
        (str(with_ref.uuid), str(specs[0].uuid), with_ref.quantity), (str(without_ref.uuid), None, without_ref.quantity)]
    assert bulk_sql.rows_of(WorkSpecification.all_objects.filter(pk__in=[]).values_list("uuid"), uuids_as_text=True) == []
    assert bulk_sql.rows_of(WorkSpecification.all_objects.filter(pk__in=[]).values_list("pk")) == []


@pytest.mark.postgres_only
def test_arrays_for_unnest_carry_every_value_back_unchanged():
    """``bulk_sql.arrays`` writes columns out as array text; PostgreSQL must read back
    exactly the values given, for every type and awkward text."""
    from django.db import connection

    from apps.sync import bulk_sql

    columns = {
        "text": ["plain", "", " spaced ", "NULL", None, '"quoted"', "back\\slash\\", "{a,b}", "Котлован", "\t\n"],
        "bigint": [0, -1, 2**62, None],
        "boolean": [True, False, None],
        "numeric": [Decimal("0.001"), Decimal("-12.50"), Decimal("1E+3"), None],
        "uuid": [uuid.uuid4(), None],
        "date": [dt.date(2026, 11, 26), None],
        "timestamptz": [dt.datetime(2026, 11, 26, 10, 5, 7, 123456, tzinfo=dt.timezone.utc),
                        dt.datetime(2026, 1, 1, 3, tzinfo=dt.timezone(dt.timedelta(hours=5))), None],
    }
    for db_type, values in columns.items():
        (literal,) = bulk_sql.arrays([[value] for value in values])
        assert isinstance(literal, str), db_type
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT %s::{db_type}[]", [literal])
            assert cursor.fetchone()[0] == values, db_type
    (choices,) = bulk_sql.arrays([[SyncChange.Op.UPSERT], [SyncChange.Op.DELETE]])  # text subclasses: their text
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [choices])
        assert cursor.fetchone()[0] == ["upsert", "delete"]
    (unknown,) = bulk_sql.arrays([[2.5], [None]])  # a type it does not write out: left to the driver
    assert unknown == [2.5, None]


def test_instances_read_for_the_exchange_are_those_django_reads():
    from apps.sync import bulk_sql

    lines = EstimateLineFactory.create_batch(3)
    lines[0].work_specification = None
    lines[0].save()
    query = EstimateLine.all_objects.filter(uuid__in=[line.uuid for line in lines]).order_by("pk")
    ours, django_rows = bulk_sql.instances_of(query), list(query)
    fields = [field.attname for field in EstimateLine._meta.concrete_fields]
    assert [[getattr(item, name) for name in fields] for item in ours] == [
        [getattr(item, name) for name in fields] for item in django_rows]
    assert all(not item._state.adding and item._state.db == "default" for item in ours)
    ours[1].description = "saved from an instance read in bulk"
    ours[1].save()
    assert EstimateLine.objects.get(pk=ours[1].pk).description == "saved from an instance read in bulk"
    assert bulk_sql.instances_of(EstimateLine.all_objects.filter(pk__in=[])) == []


def test_any_of_finds_what_in_finds():
    """``__any_of`` (one array parameter on PostgreSQL) selects the rows ``__in`` selects, for
    uuids, keys, references and text, with None, duplicates, strings for uuids and no values."""
    lines = EstimateLineFactory.create_batch(4)
    lines[0].work_specification = None
    lines[0].save()
    specs = {line.work_specification_id for line in lines} | {None}
    cases = [
        (EstimateLine.all_objects, "uuid", [lines[0].uuid, str(lines[1].uuid), lines[1].uuid, uuid.uuid4(), None]),
        (EstimateLine.all_objects, "pk", [lines[2].pk, lines[3].pk, 10**9]),
        (EstimateLine.all_objects, "estimate_id", [lines[0].estimate_id, lines[2].estimate_id]),
        (EstimateLine.all_objects, "work_specification", list(specs)),
        (EstimateLine.all_objects, "description", [lines[0].description, 'a "quoted", {odd} one', "NULL"]),
        (EstimateLine.all_objects, "uuid", []),
        # Compared as given, not cut to the column's size (varchar(50)) or rounded to its scale.
        (WorkSpecification.all_objects, "code", ["S" * 50 + "x", "S" * 50]),
        (WorkSpecification.all_objects, "unit_price", [Decimal("1.005"), Decimal("1e20")]),
    ]
    WorkSpecificationFactory(code="S" * 50, unit_price=Decimal("1.01"))
    for manager, name, values in cases:
        expected = set(manager.filter(**{f"{name}__in": values}).values_list("pk", flat=True))
        assert set(manager.filter(**{f"{name}__any_of": values}).values_list("pk", flat=True)) == expected, name
        assert set(bulk_sql_rows(manager.filter(**{f"{name}__any_of": values}).values_list("pk"))) == {
            (pk,) for pk in expected}, name
    assert list(EstimateLine.all_objects.filter(uuid__any_of=[lines[0].uuid, lines[0].uuid])) == [lines[0]]
    from django.db import connection

    sql = str(EstimateLine.all_objects.filter(uuid__any_of=[lines[0].uuid]).query)
    assert ("= ANY(" in sql) == (connection.vendor == "postgresql")


def bulk_sql_rows(query):
    from apps.sync import bulk_sql

    return bulk_sql.rows_of(query)
