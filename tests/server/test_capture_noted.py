"""Saves inside a transaction that already holds the version lock note their records on the
connection; the entries are written together before anything else runs and before the
commit (apps/sync/backends). Whatever the timing, the log ends as one write per save
would have left it."""
from __future__ import annotations

import psycopg
import pytest
from django.db import DatabaseError, connections, transaction

from apps.estimates.models import WorkSpecification
from apps.sync import bulk_sql, capture
from apps.sync.models import SyncChange
from tests.factories import EstimateFactory, EstimateLineFactory, WorkSpecificationFactory
from tests.server.sync_helpers import Node, version_of


class Failed(Exception):
    pass


def entry(record) -> SyncChange:
    return SyncChange.objects.get(record_uuid=record.uuid)


@pytest.fixture
def log_writes(monkeypatch) -> list[int]:
    """How many entries each write to the change log carried, in order."""
    writes: list[int] = []
    entries_write, allocate_with_entry = capture._entries_write, capture._allocate_with_entry

    def counted_entries_write(versions, *args, **kwargs):
        writes.append(len(versions))
        return entries_write(versions, *args, **kwargs)

    def counted_allocate_with_entry(*args, **kwargs):
        writes.append(1)
        return allocate_with_entry(*args, **kwargs)

    monkeypatch.setattr(capture, "_entries_write", counted_entries_write)
    monkeypatch.setattr(capture, "_allocate_with_entry", counted_allocate_with_entry)
    return writes


@pytest.mark.django_db(transaction=True)
def test_saves_after_the_first_in_a_transaction_share_one_write_of_their_entries(log_writes):
    before = WorkSpecificationFactory()
    with transaction.atomic():
        specs = WorkSpecificationFactory.create_batch(25)
        for spec in specs[:5]:
            spec.name = "Renamed"
            spec.save()
    # The save before; in the transaction, the first save's own entry, then the others at
    # once: 24 new records and the first one, renamed after its entry was written.
    assert log_writes == [1, 1, 25]
    versions = {spec.pk: version_of(spec) for spec in specs}
    assert len(set(versions.values())) == len(specs)
    assert min(versions.values()) > version_of(before)
    assert {entry(spec).op for spec in specs} == {"upsert"}
    # Saved again after the others: its entry comes last, as one write per save would put it.
    assert max(versions, key=versions.get) == specs[4].pk


@pytest.mark.django_db
def test_a_read_in_the_same_transaction_sees_every_entry_noted_before_it():
    with transaction.atomic():
        first, second = WorkSpecificationFactory.create_batch(2)
        assert [change.record_uuid for change in SyncChange.objects.filter(record_uuid=second.uuid).iterator()] == [
            second.uuid
        ]
        third = WorkSpecificationFactory()
        assert SyncChange.objects.filter(record_uuid__in=[first.uuid, second.uuid, third.uuid]).count() == 3
        fourth = WorkSpecificationFactory()
        assert [row[1] for row in bulk_sql.rows_of(SyncChange.objects.filter(record_uuid=fourth.uuid).values_list(
            "version", "record_type"))] == ["work_specification"]


@pytest.mark.django_db
def test_a_cursor_opened_before_a_save_still_sees_its_entry():
    WorkSpecificationFactory()  # the lock
    with connections["default"].cursor() as cursor:
        spec = WorkSpecificationFactory()
        cursor.execute("SELECT record_type, op FROM sync_syncchange ORDER BY version DESC")
        assert cursor.fetchall()[:1] == [("work_specification", "upsert")]
        assert entry(spec).version == SyncChange.objects.order_by("version").last().version


@pytest.mark.django_db(transaction=True)
def test_entries_noted_in_a_transaction_are_written_before_it_commits():
    with transaction.atomic():
        specs = WorkSpecificationFactory.create_batch(5)
        waiting = len(connections["default"].sync_capture.entries)
    assert waiting == 4  # the first save wrote its own entry
    assert not connections["default"].sync_capture.entries
    assert SyncChange.objects.filter(record_uuid__in=[spec.uuid for spec in specs]).count() == 5


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_neither_rows_nor_entries_nor_notes():
    with pytest.raises(Failed), transaction.atomic():
        WorkSpecificationFactory.create_batch(3)
        raise Failed
    assert not connections["default"].sync_capture.entries
    assert not connections["default"].sync_capture.locked
    assert SyncChange.objects.count() == WorkSpecification.all_objects.count() == 0
    spec = WorkSpecificationFactory()  # a new transaction takes the lock again
    assert entry(spec).op == "upsert"


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("failure", "seen_as"), [(ValueError("disk on fire"), DatabaseError),
                                                  (KeyboardInterrupt(), KeyboardInterrupt)])
def test_a_failure_writing_the_notes_at_commit_commits_nothing(monkeypatch, failure, seen_as):
    write = capture._write

    def failing_write(touched, *args, **kwargs):
        if len(touched) > 1:  # the notes, not the first save's own entry
            raise failure
        return write(touched, *args, **kwargs)

    monkeypatch.setattr(capture, "_write", failing_write)
    with pytest.raises(seen_as, match=str(failure) or None), transaction.atomic():  # the first error is told
        WorkSpecificationFactory.create_batch(3)
    monkeypatch.setattr(capture, "_write", write)
    assert WorkSpecification.all_objects.count() == SyncChange.objects.count() == 0
    assert not connections["default"].sync_capture.locked
    spec = WorkSpecificationFactory()
    assert entry(spec).op == "upsert"


@pytest.mark.django_db(transaction=True)
def test_a_transaction_managed_by_hand_writes_its_notes_when_committed():
    transaction.set_autocommit(False)
    try:
        first = WorkSpecificationFactory()
        second = WorkSpecificationFactory()  # noted
        transaction.commit()
        third = WorkSpecificationFactory()
        fourth = WorkSpecificationFactory()  # noted; autocommit going back on must not lose it
    finally:
        if connections["default"].vendor == "postgresql":
            transaction.commit()  # psycopg refuses to switch with a transaction open
        transaction.set_autocommit(True)
    assert {entry(spec).op for spec in (first, second, third, fourth)} == {"upsert"}
    assert not connections["default"].sync_capture.locked


@pytest.mark.django_db(transaction=True)
def test_a_transaction_committed_through_the_driver_does_not_leave_saves_without_the_lock(monkeypatch, log_writes):
    reserve, noted_saves = capture.reserve, []

    def recorded_reserve(using, instance=None):
        reservation = reserve(using, instance)
        noted_saves.append(reservation is not None and reservation.noted)
        return reservation

    monkeypatch.setattr(capture, "reserve", recorded_reserve)
    transaction.set_autocommit(False)
    try:
        WorkSpecificationFactory()
        driver = connections["default"].connection
        noted = WorkSpecificationFactory()
        driver.commit()  # behind Django's back, with a note waiting: the lock is gone
        after = WorkSpecificationFactory()  # the note is written first, taking the lock again
        assert WorkSpecification.objects.count() == 3  # writes the note of this one
        driver.commit()  # with nothing waiting
        assert WorkSpecification.objects.count() == 3  # starts the next transaction (PostgreSQL)
        last = WorkSpecificationFactory()  # so this save has to take the lock itself
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert noted_saves == [False, True, True, False]
    assert log_writes == [1, 1, 1, 1]
    assert version_of(noted) < version_of(after) < version_of(last)


@pytest.mark.django_db(transaction=True)
def test_notes_of_a_transaction_rolled_back_through_the_driver_leave_no_wrong_entry():
    kept = WorkSpecificationFactory()
    transaction.set_autocommit(False)
    try:
        WorkSpecificationFactory()  # takes the lock
        gone = WorkSpecificationFactory()  # noted
        kept.delete()  # noted as a deletion
        connections["default"].connection.rollback()  # behind Django's back
        assert not WorkSpecification.all_objects.filter(uuid=gone.uuid).exists()  # the notes go first
        transaction.commit()
    finally:
        transaction.set_autocommit(True)
    assert entry(kept).op == "upsert"
    assert not WorkSpecification.all_objects.get(uuid=kept.uuid).is_deleted
    assert not SyncChange.objects.filter(record_uuid=gone.uuid).exists()


@pytest.mark.django_db(transaction=True)
def test_closing_the_connection_in_a_transaction_forgets_its_notes():
    with pytest.raises(Exception), transaction.atomic():  # noqa: B017,PT011 - whatever the driver says
        WorkSpecificationFactory.create_batch(2)
        connections["default"].close()
        WorkSpecificationFactory()
    assert not connections["default"].sync_capture.entries
    assert not connections["default"].sync_capture.locked
    assert WorkSpecification.all_objects.count() == SyncChange.objects.count() == 0


@pytest.mark.django_db
def test_collecting_after_noted_saves_writes_them_as_the_office_made_them():
    node = Node("laptop")
    with transaction.atomic():
        WorkSpecificationFactory()
        noted = WorkSpecificationFactory()
        with capture.origin(node.model.pk), capture.collecting():
            from_node = WorkSpecificationFactory()
    assert entry(noted).origin_node_id is None
    assert entry(from_node).origin_node_id == node.model.pk


@pytest.mark.django_db
def test_a_released_savepoint_keeps_its_notes_until_an_outer_rollback_takes_them():
    kept = WorkSpecificationFactory()
    with pytest.raises(Failed), transaction.atomic():
        outer = WorkSpecificationFactory()
        with transaction.atomic():
            inner = WorkSpecificationFactory()
        assert connections["default"].sync_capture.entries  # both noted, the inner savepoint released
        raise Failed
    assert not connections["default"].sync_capture.entries
    assert not WorkSpecification.all_objects.filter(uuid__in=[outer.uuid, inner.uuid]).exists()
    assert not SyncChange.objects.filter(record_uuid__in=[outer.uuid, inner.uuid]).exists()
    assert entry(kept).op == "upsert"


@pytest.mark.django_db
def test_a_rolled_back_savepoint_takes_back_its_notes_and_keeps_the_earlier_ones():
    with transaction.atomic():
        kept = WorkSpecificationFactory.create_batch(2)
        gone = None
        with pytest.raises(Failed), transaction.atomic():
            gone = WorkSpecificationFactory()
            # A read writes every note, the earlier ones too; the rollback undoes that write.
            assert SyncChange.objects.filter(record_uuid__in=[spec.uuid for spec in [*kept, gone]]).count() == 3
            raise Failed
        later = WorkSpecificationFactory()
    assert not WorkSpecification.all_objects.filter(uuid=gone.uuid).exists()
    assert not SyncChange.objects.filter(record_uuid=gone.uuid).exists()
    assert {entry(spec).op for spec in [*kept, later]} == {"upsert"}


@pytest.mark.django_db
def test_a_queryset_write_after_noted_saves_keeps_the_order_of_the_writes():
    with transaction.atomic():
        WorkSpecificationFactory()
        spec = WorkSpecificationFactory()  # noted: an upsert
        WorkSpecification.objects.filter(pk=spec.pk).delete()  # then deleted by a queryset
        other = WorkSpecificationFactory()
        other.delete()  # a soft delete: a save with the mark, noted as a deletion
    assert entry(spec).op == "delete"
    assert entry(other).op == "delete"


@pytest.mark.django_db
def test_saves_of_a_node_and_of_the_office_in_one_transaction_keep_their_origins():
    node = Node("laptop")
    with transaction.atomic():
        office_first = WorkSpecificationFactory()
        with capture.origin(node.model.pk):
            from_node = WorkSpecificationFactory()
        office_after = WorkSpecificationFactory()
    assert entry(office_first).origin_node_id is None
    assert entry(from_node).origin_node_id == node.model.pk
    assert entry(office_after).origin_node_id is None


@pytest.mark.django_db
def test_lines_saved_in_one_transaction_move_their_parent_entry_once(log_writes):
    estimate = EstimateFactory()
    spec = WorkSpecificationFactory()
    before = version_of(estimate)
    log_writes.clear()
    with transaction.atomic():
        for position in range(1, 11):
            EstimateLineFactory(estimate=estimate, position=position, work_specification=spec)
        assert version_of(estimate) > before
    assert log_writes == [1]  # the test's transaction held the lock: ten notes of one record, one write
    assert SyncChange.objects.filter(record_uuid=estimate.uuid).count() == 1


@pytest.mark.django_db
def test_notes_are_written_on_the_way_once_the_limit_is_reached(monkeypatch):
    monkeypatch.setattr(capture, "PENDING_LIMIT", 3)
    state = connections["default"].sync_capture
    waiting = []
    with transaction.atomic():
        for _ in range(10):
            WorkSpecificationFactory()
            waiting.append(len(state.entries))
    assert max(waiting) < 3
    assert waiting == [0, 1, 2, 0, 1, 2, 0, 1, 2, 0]


@pytest.mark.django_db
def test_without_the_projects_backend_every_save_writes_its_own_entry(monkeypatch, log_writes):
    monkeypatch.setattr(capture, "_transaction_state", lambda using: None)  # as on Django's own backends
    with transaction.atomic():
        specs = WorkSpecificationFactory.create_batch(4)
    assert log_writes == [1, 1, 1, 1]
    assert SyncChange.objects.filter(record_uuid__in=[spec.uuid for spec in specs]).count() == 4


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_notes_its_saves_still_holds_the_version_lock():
    settings = connections["default"].settings_dict
    other = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432,
                            user=settings["USER"] or "postgres", dbname=settings["NAME"], autocommit=False)

    def lock_is_free() -> bool:
        try:
            other.execute("SELECT id FROM sync_syncstate WHERE id = 1 FOR UPDATE NOWAIT")
        except psycopg.errors.LockNotAvailable:
            other.rollback()
            return False
        other.rollback()
        return True

    try:
        with transaction.atomic():
            with pytest.raises(Failed), transaction.atomic():
                WorkSpecificationFactory()  # takes the lock inside the savepoint...
                assert not lock_is_free()
                raise Failed
            assert lock_is_free()  # ...which its rollback gave back
            spec = WorkSpecificationFactory()  # so this save takes it again instead of noting
            assert not lock_is_free()
            WorkSpecificationFactory()  # noted
            assert not lock_is_free()
        assert lock_is_free()
        assert entry(spec).op == "upsert"
    finally:
        other.close()
