"""Change capture: every write of a synced row leaves its record's entry in the change log,
in the same transaction.

Order of locks: a writing transaction first updates the ``SyncState`` row (which
allocates versions), then writes synced rows. Holding that row lock until commit makes
versions commit in allocation order, which is what lets a collector hand out
``next_ack`` safely (PROTOCOL.md rule 6). The synced-model base and its queryset call
``lock`` before writing and ``records_touched`` after.

While ``collecting()`` is active (the exchange service uses it for a whole message),
touched records are gathered and written once, with one version each, when it ends.

On the project's database backends (``apps.sync.backends``) single saves do the same
without being asked: the first save of a transaction takes the lock and writes its
entry; later ones only note their record on the connection, and the notes are written
together before the connection runs anything else and before the commit.
"""
from __future__ import annotations

import contextlib
import contextvars
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import connections, models
from django.utils import timezone

from apps.sync import bulk_sql, registry
from apps.sync.backends import PENDING_LIMIT, TransactionCapture

_origin_node_id: contextvars.ContextVar[int | None] = contextvars.ContextVar("sync_origin_node_id", default=None)
_change_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar("sync_change_reason", default=None)
_collector: contextvars.ContextVar[_Collector | None] = contextvars.ContextVar("sync_collector", default=None)


class UncapturedWriteError(RuntimeError):
    """A write path that would change synced rows without recording the change."""


@dataclass
class _Collector:
    using: str
    touched: dict[tuple[str, uuid.UUID], registry.SyncOptions] = field(default_factory=dict)
    # Deletion marks of touched records as their last write left them, where that write
    # knew them (``records_written``); the others are read when the entries are written.
    deleted: dict[tuple[str, uuid.UUID], bool] = field(default_factory=dict)
    versions: dict[tuple[str, uuid.UUID], int] = field(default_factory=dict)

    def snapshot(self) -> tuple[dict, dict]:
        return dict(self.touched), dict(self.deleted)

    def restore(self, snapshot: tuple[dict, dict]) -> None:
        """Forget what was touched since ``snapshot`` (its writes were rolled back)."""
        self.touched, self.deleted = dict(snapshot[0]), dict(snapshot[1])


@contextlib.contextmanager
def origin(node_id: int | None, reason: str | None = None) -> Iterator[None]:
    """Changes made inside are attributed to the node with primary key ``node_id``;
    ``reason`` goes into the records' history (which node, which message)."""
    node_token = _origin_node_id.set(node_id)
    reason_token = _change_reason.set(reason)
    try:
        yield
    finally:
        _origin_node_id.reset(node_token)
        _change_reason.reset(reason_token)


def change_reason() -> str | None:
    return _change_reason.get()


@contextlib.contextmanager
def collecting(using: str = "default") -> Iterator[_Collector]:
    """Gather touched records and write their change entries once, at the end.

    Must run inside a transaction. ``collector.versions`` maps (type, uuid) to the
    version each record got, once the block has ended.
    """
    if not connections[using].in_atomic_block:
        raise UncapturedWriteError("collecting() must run inside transaction.atomic().")
    lock(using)
    collector = _Collector(using=using)
    token = _collector.set(collector)
    try:
        yield collector
    finally:
        _collector.reset(token)
    collector.versions = _write(collector.touched, using, known_deleted=collector.deleted)


def lock(using: str) -> None:
    """Take the version lock for the current transaction. (Entries single saves noted
    are written before the next statement, and so before the rows the caller writes.)"""
    collector = _collector.get()
    if collector is not None and collector.using == using:
        return  # collecting() took it when it began
    state = _transaction_state(using)
    if state is not None and state.holds_lock(using):
        return
    _allocate(using, 0)


@contextlib.contextmanager
def own_statements(using: str) -> Iterator[None]:
    """Around a save's own statements (its row, its history row, its parent's uuid):
    they neither read nor write the change log, so entries noted by earlier saves are
    not written before them. The save's signal receivers run inside too: one that read
    the log would miss those entries, and one that wrote the same record through a
    queryset would see its entry overtaken by the save's note (simple-history's, the only
    receiver, writes history only)."""
    state = _transaction_state(using)
    if state is None:
        yield
        return
    with state.quietly():
        yield


def write_noted(using: str = "default") -> None:
    """Write the entries single saves have noted in the current transaction now, rather
    than before the connection's next statement or commit."""
    state = _transaction_state(using)
    if state is not None:
        state.write_now(using)


def _transaction_state(using: str) -> TransactionCapture | None:
    """The connection's capture state, on the project's backends (None on others)."""
    return getattr(connections[using], "sync_capture", None)


def _locked(using: str) -> None:
    """The current transaction has just taken the version lock."""
    state = _transaction_state(using)
    if state is not None and not connections[using].get_autocommit() and state.in_transaction():
        state.locked = True


def _pending_write(using: str, trust_marks: bool = True) -> None:
    """Write the entries single saves noted (``TransactionCapture.write``); without
    ``trust_marks``, for the records as the database now holds them."""
    connection = connections[using]
    state = connection.sync_capture
    entries, state.entries = state.entries, {}
    if not entries:
        return
    try:
        with connection.wrap_database_errors:  # raw driver cursors write them on PostgreSQL
            _write(dict.fromkeys(entries), using, known_deleted=entries if trust_marks else None,
                   node_id=state.origin)
    except BaseException:
        state.entries = {**entries, **state.entries}  # still to be written (or rolled back with their rows)
        raise


TransactionCapture.write = staticmethod(_pending_write)


def _allocate(using: str, count: int) -> int:
    """Reserve ``count`` versions; return the last one reserved (the current one for 0)."""
    from apps.sync.models import SyncState

    table = SyncState._meta.db_table
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_version = last_version + %s WHERE id = 1 RETURNING last_version", [count]
        )
        row = cursor.fetchone()
    if row is None:
        # The row is made by a migration; a database emptied by hand (or a test flush) lacks it.
        SyncState.objects.using(using).get_or_create(id=1)
        return _allocate(using, count)
    _locked(using)
    return row[0]


def records_touched(model: type[models.Model], pks: Iterable[int], using: str) -> None:
    """Record that rows ``pks`` of ``model`` (records or lines) were written."""
    options = registry.options_for(model)
    pks = list(pks)
    if not pks:
        return
    if options is not None:
        uuids = list(model.all_objects.using(using).filter(pk__in=pks).values_list("uuid", flat=True))
    else:
        options = registry.parent_options_for_line(model)
        if options is None:
            raise UncapturedWriteError(f"{model._meta.label} is synced but not registered.")
        parent_field = options.lines.parent_field
        uuids = list(
            model.all_objects.using(using)
            .filter(pk__in=pks)
            .values_list(f"{parent_field}__uuid", flat=True)
            .distinct()
        )
    touched = {(options.type_name, record_uuid): options for record_uuid in uuids}
    collector = _collector.get()
    if collector is not None and collector.using == using:
        collector.touched.update(touched)
        if registry.options_for(model) is not None:
            for key in touched:  # this write may have changed their deletion mark
                collector.deleted.pop(key, None)
    else:
        _write(touched, using)


def records_written(
    model: type[models.Model], instances: Iterable[models.Model], using: str, *, deletion_written: bool
) -> None:
    """Record that these instances were just written: like ``records_touched``, without
    reading back what the instances already say. A record's uuid never changes; its
    deletion mark is taken from the instance only when the write included it
    (``deletion_written``), else it is read back like the rest."""
    options = registry.options_for(model)
    instances = list(instances)
    if options is None or not deletion_written:  # lines: their parents are what is touched
        records_touched(model, [instance.pk for instance in instances], using)
        return
    deleted = {(options.type_name, instance.uuid): instance.is_deleted for instance in instances}
    touched = dict.fromkeys(deleted, options)
    collector = _collector.get()
    if collector is not None and collector.using == using:
        collector.touched.update(touched)
        collector.deleted.update(deleted)
    else:
        _write(touched, using, known_deleted=deleted)


@dataclass(frozen=True)
class Reservation:
    """What ``reserve`` did before a single save: the version it reserved, and whether it
    also moved the record's entry to it already; or, ``noted``, that the transaction
    already holds the lock and the save only notes its record for later."""

    version: int
    logged: bool
    noted: bool = False


_NOTED = Reservation(0, logged=False, noted=True)


def reserve(using: str, instance: models.Model | None = None) -> Reservation | None:
    """Before a single save: take the version lock and reserve the save's version in one
    statement. On PostgreSQL, given the instance, the same statement also moves the
    record's entry to that version: one round trip per save instead of two. None while
    collecting (the collector holds the lock and numbers at the end). When the
    transaction holds the lock already (project backends), nothing is run: the save
    will note its record (``instance_saved``)."""
    collector = _collector.get()
    if collector is not None and collector.using == using:
        return None
    state = _transaction_state(using)
    if state is not None and instance is not None and state.holds_lock(using):
        return _NOTED
    if instance is not None and connections[using].vendor == "postgresql":
        options, record_uuid, deleted = _record_of(instance, using)
        return Reservation(_allocate_with_entry(using, (options.type_name, record_uuid), deleted), logged=True)
    return Reservation(_allocate(using, 1), logged=False)


def _record_of(instance: models.Model, using: str) -> tuple[registry.SyncOptions, uuid.UUID, bool]:
    """The record ``instance`` (a record or a line) belongs to: its options, uuid and
    deletion mark."""
    model = type(instance)
    options = registry.options_for(model)
    if options is not None:
        return options, instance.uuid, instance.is_deleted
    options = registry.parent_options_for_line(model)
    if options is None:
        raise UncapturedWriteError(f"{model._meta.label} is synced but not registered.")
    parent_field = model._meta.get_field(options.lines.parent_field)
    if parent_field.is_cached(instance):
        parent = parent_field.get_cached_value(instance)
        return options, parent.uuid, parent.is_deleted
    record_uuid, deleted = (
        options.model.all_objects.using(using)
        .filter(pk=getattr(instance, parent_field.attname))
        .values_list("uuid", "is_deleted")
        .get()
    )
    return options, record_uuid, deleted


def instance_saved(instance: models.Model, reservation: Reservation | None, using: str) -> None:
    """Record that ``instance`` (a record or a line) was just saved, with what ``reserve``
    did before (None while collecting)."""
    collector = _collector.get()
    if collector is not None and collector.using == using:
        options, record_uuid, _deleted = _record_of(instance, using)
        collector.touched[(options.type_name, record_uuid)] = options
        return
    if reservation is not None and reservation.logged:
        return
    options, record_uuid, deleted = _record_of(instance, using)
    key = (options.type_name, record_uuid)
    if reservation is not None and reservation.noted:
        _note(using, key, deleted)
        return
    version = reservation.version if reservation is not None else _allocate(using, 1)
    _entries_write({key: version}, {key: deleted}, using)


def _note(using: str, key: tuple[str, uuid.UUID], deleted: bool) -> None:
    """Note a saved record on the connection, for its entry to be written later."""
    state = connections[using].sync_capture
    origin = _origin_node_id.get()
    if state.entries and state.origin != origin:
        state.write_now(using)  # one origin per write of the notes
    state.origin = origin
    state.entries.pop(key, None)  # a record saved again goes after the ones saved since
    state.entries[key] = deleted
    if len(state.entries) >= PENDING_LIMIT:
        state.write_now(using)


_UNSET = object()


def _write(
    touched: dict[tuple[str, uuid.UUID], registry.SyncOptions | None],
    using: str,
    known_deleted: dict | None = None,
    node_id: int | None | object = _UNSET,
) -> dict:
    if not touched:
        return {}
    deleted: dict[tuple[str, uuid.UUID], bool] = {key: known_deleted[key] for key in touched if key in (known_deleted or {})}
    by_type: dict[str, list[uuid.UUID]] = {}
    for (type_name, record_uuid), options in touched.items():
        if (type_name, record_uuid) not in deleted:
            by_type.setdefault(type_name, []).append(record_uuid)
    for type_name, uuids in by_type.items():
        model = registry.options_for_type(type_name).model
        for record_uuid, is_deleted in model.all_objects.using(using).filter(uuid__any_of=uuids).values_list(
            "uuid", "is_deleted"
        ):
            deleted[(type_name, record_uuid)] = is_deleted

    keys = [key for key in touched if key in deleted]
    last = _allocate(using, len(keys))
    first = last - len(keys) + 1
    versions = {key: first + offset for offset, key in enumerate(keys)}
    _entries_write(versions, deleted, using, node_id)
    return versions


def _entries_write(
    versions: dict[tuple[str, uuid.UUID], int], deleted: dict, using: str, node_id: int | None | object = _UNSET
) -> None:
    """Move each record's log entry to its new version (insert it when new), as changes
    from ``node_id`` (by default the current ``origin``)."""
    from apps.sync.models import SyncChange

    now = timezone.now()
    if node_id is _UNSET:
        node_id = _origin_node_id.get()
    connection = connections[using]
    uuid_field = SyncChange._meta.get_field("record_uuid")
    rows = [
        (
            version,
            type_name,
            uuid_field.get_db_prep_value(record_uuid, connection),
            SyncChange.Op.DELETE if deleted[(type_name, record_uuid)] else SyncChange.Op.UPSERT,
            node_id,
            now,
        )
        for (type_name, record_uuid), version in versions.items()
    ]
    fields = _entry_fields()
    columns = ", ".join(field.column for field in fields)
    many = bulk_sql.is_postgresql(using) and len(rows) > 1
    if many:  # one statement over arrays (bulk_sql)
        typed = [(field.column, field.db_type(connection)) for field in fields]
        sql = _entry_upsert(connection, f"SELECT {columns}, 0 FROM {bulk_sql.unnest(typed)} AS v({columns})")
    else:
        sql = _entry_upsert(connection, "VALUES (%s, %s, %s, %s, %s, %s, 0)")
    if many:
        bulk_sql.run_on_arrays(using, sql, rows)
    else:
        bulk_sql.executemany(using, sql, rows)


def _entry_fields():
    from apps.sync.models import SyncChange

    return [SyncChange._meta.get_field(name)
            for name in ("version", "record_type", "record_uuid", "op", "origin_node", "changed_at")]


def _entry_upsert(connection, source: str) -> str:
    """INSERT of log entries from ``source`` (rows of version, type, uuid, op, origin,
    time, 0) that moves an existing entry of the record instead."""
    from apps.sync.models import SyncChange

    same_origin = (
        "sync_change.origin_node_id IS excluded.origin_node_id"
        if connection.vendor == "sqlite"
        else "sync_change.origin_node_id IS NOT DISTINCT FROM excluded.origin_node_id"
    )
    columns = ", ".join(field.column for field in _entry_fields())
    return (
        f"INSERT INTO {SyncChange._meta.db_table} AS sync_change ({columns}, foreign_version) {source} "
        "ON CONFLICT (record_type, record_uuid) DO UPDATE SET "
        f"foreign_version = CASE WHEN {same_origin} THEN sync_change.foreign_version ELSE sync_change.version END, "
        "version = excluded.version, op = excluded.op, origin_node_id = excluded.origin_node_id, "
        "changed_at = excluded.changed_at"
    )


def _allocate_with_entry(using: str, key: tuple[str, uuid.UUID], deleted: bool) -> int:
    """PostgreSQL: reserve one version and move the record's entry to it, in one statement
    (the version lock is taken by its first part, before the row is written)."""
    from apps.sync.models import SyncChange, SyncState

    connection = connections[using]
    sql = (
        f"WITH v AS (UPDATE {SyncState._meta.db_table} SET last_version = last_version + 1 WHERE id = 1 "
        "RETURNING last_version) "
        + _entry_upsert(connection, "SELECT v.last_version, %s, %s, %s, %s, %s, 0 FROM v")
        + " RETURNING sync_change.version"
    )
    op = SyncChange.Op.DELETE if deleted else SyncChange.Op.UPSERT
    with connection.cursor() as cursor:
        cursor.execute(sql, [key[0], key[1], op, _origin_node_id.get(), timezone.now()])
        row = cursor.fetchone()
    if row is None:
        # The counter row is made by a migration; a database emptied by hand (or a test flush) lacks it.
        SyncState.objects.using(using).get_or_create(id=1)
        return _allocate_with_entry(using, key, deleted)
    _locked(using)
    return row[0]
