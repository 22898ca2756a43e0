"""Applying a node's message (PROTOCOL.md rules 1-4): parse, check, write, per-record outcome.

Runs inside the exchange's transaction, which holds the version lock. Records are applied
type by type in catalogue order (a type after every type it references), so references
within a message resolve whatever their order in ``changes``. Each type's records are
checked together and written with bulk statements (a handful of queries per type, not per
record); should the database still refuse that batch, it is rolled back to its savepoint
and the records are applied one by one, so one bad record never takes others with it.
"""
from __future__ import annotations

import functools
import logging
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction

from apps.sync import bulk_sql, capture, registry
from apps.sync.models import SyncChange, SyncConflict, SyncNode, SyncState
from apps.sync.serializer import IncomingRecord, LogEntry, RecordError, record_identity, record_parse, records_to_wire
from sync_protocol import catalogue
from sync_protocol import errors as codes

logger = logging.getLogger(__name__)

TYPE_ORDER = {name: index for index, name in enumerate(catalogue.type_names())}

def exchange_apply(*, node: SyncNode, message_no: int, changes: list) -> list[dict]:
    """Apply the records of one message; return one result per record, in message order.

    Runs inside the exchange's transaction. Records are applied in catalogue order (a type
    after every type it references), so references within a message resolve whatever
    their order in ``changes``.
    """
    results: list[dict | None] = [None] * len(changes)
    parsed: list[tuple[int, IncomingRecord]] = []
    ids = Counter(_identity_key(raw) for raw in changes)
    for index, raw in enumerate(changes):
        type_name, record_id = record_identity(raw)
        try:
            record = record_parse(raw)
        except RecordError as error:
            results[index] = _reject(node, message_no, raw, None, error.fields)
            continue
        if ids[_identity_key(raw)] > 1:
            results[index] = _reject(
                node, message_no, raw, record, {"id": ["The same record appears more than once in this message."]}
            )
            continue
        parsed.append((index, record))

    by_type: dict[str, list[tuple[int, IncomingRecord]]] = defaultdict(list)
    for index, record in parsed:
        by_type[record.type_name].append((index, record))
    records = dict(parsed)

    reason = f"sync: node {node.name} ({node.node_id}), message {message_no}"[:100]
    pending: list[tuple[int, IncomingRecord]] = []
    with capture.origin(node.pk, reason), capture.collecting("default") as collector:
        for type_name in sorted(by_type, key=TYPE_ORDER.__getitem__):
            outcomes = _type_apply(node, message_no, registry.options_for_type(type_name), by_type[type_name], collector)
            for index, outcome in outcomes.items():
                results[index] = outcome
                if outcome.get("status") == codes.APPLIED and outcome.get("version") is None:
                    pending.append((index, records[index]))
    for index, record in pending:
        key = (record.type_name, record.id)
        results[index]["version"] = collector.versions.get(key) or _current_version(record.type_name, record.id)
    return results


def _identity_key(raw) -> tuple:
    type_name, record_id = record_identity(raw)
    return (str(type_name), str(record_id).lower())


def _current_version(type_name: str, record_id: uuid.UUID) -> int:
    return (
        SyncChange.objects.filter(record_type=type_name, record_uuid=record_id)
        .values_list("version", flat=True)
        .first()
        or 0
    )


def _result(record: IncomingRecord, status: str, **extra) -> dict:
    return {"type": record.type_name, "id": str(record.id), "status": status, **extra}


MAX_LOGGED_TEXT = 10_000


def storable(value):
    """``value`` as JSON any database stores: NUL and lone surrogates written out as escapes,
    very long strings cut (the log keeps what was sent for a person to read, not to replay)."""
    if isinstance(value, str):
        if len(value) > MAX_LOGGED_TEXT:
            value = value[:MAX_LOGGED_TEXT] + f"… [{len(value) - MAX_LOGGED_TEXT} more characters]"
        return value.replace("\x00", "\\u0000").encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {storable(str(key)): storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [storable(item) for item in value]
    return value


def _reject(node, message_no, raw, record: IncomingRecord | None, fields: dict) -> dict:
    type_name, record_id = (record.type_name, str(record.id)) if record else record_identity(raw)
    type_name, record_id = storable(type_name), storable(record_id)
    SyncConflict.objects.create(
        node=node,
        message_no=message_no,
        outcome=SyncConflict.Outcome.REJECTED,
        resolution=SyncConflict.Resolution.NOT_APPLIED,
        record_type=str(type_name)[:50],
        record_uuid=str(record_id)[:64],
        base_version=record.base_version if record else None,
        node_record=storable(raw if isinstance(raw, dict) else {"value": raw}),
        reasons=fields,
    )
    return {"type": type_name, "id": record_id, "status": codes.REJECTED, "fields": fields}


def _assign(instance, fields, values: dict, pks: dict) -> list[str]:
    """Set wire values on a model instance; return the names of the fields that changed."""
    changed = []
    for item in fields:
        value = values[item.name]
        if item.kind == catalogue.REF:
            attname = f"{item.name}_id"
            value = pks[item.ref][value] if value is not None else None
        else:
            attname = item.name
        if getattr(instance, attname) != value:
            setattr(instance, attname, value)
            changed.append(item.name)
    return changed


@functools.lru_cache(maxsize=1024)
def _unchanged(all_names: tuple[str, ...], changed: tuple[str, ...] | None, always: tuple[str, ...]) -> frozenset[str]:
    """Fields validation skips: the node did not change them (the server's values stand as
    they are), or they are checked elsewhere (``always``). ``changed`` None: a new or
    revived row, every field is checked."""
    if changed is None:
        return frozenset(always)
    return frozenset(all_names).difference(changed).union(always)


# --- one type's records together ---------------------------------------------------------------


@dataclass
class _Upsert:
    index: int
    record: IncomingRecord
    instance: object
    created: bool
    changed: bool
    # Record fields this upsert writes: the ones it changed; None for every field (a new or
    # revived row).
    written: list[str] | None = None
    line_writes: list = field(default_factory=list)
    # Line fields changed on existing lines, or None when one was revived (write them all).
    line_written: list[str] | None = field(default_factory=list)
    stale_line_pks: list = field(default_factory=list)


def _type_apply(node, message_no, options, items, collector) -> dict[int, dict]:
    """Apply one type's records of a message; outcomes by message index."""
    touched_before = collector.snapshot()
    try:
        with transaction.atomic():
            return _type_apply_batch(node, message_no, options, items)
    except (IntegrityError, DataError) as error:
        collector.restore(touched_before)
        logger.info("Batch of %s refused by the database (%s); applying one by one.", options.type_name, error)
    outcomes: dict[int, dict] = {}
    for index, record in items:
        touched_before = collector.snapshot()
        try:
            with transaction.atomic():
                outcomes.update(_type_apply_batch(node, message_no, options, [(index, record)]))
        except (IntegrityError, DataError) as error:
            collector.restore(touched_before)
            logger.info("Record %s %s refused by the database: %s", record.type_name, record.id, error)
            outcomes[index] = _reject(node, message_no, record.raw, record, {"record": ["The database refused this record."]})
    return outcomes


def _is_conflict(node, record: IncomingRecord, entry: dict | None) -> bool:
    if entry is None or record.base_version >= entry["version"]:
        return False
    return entry["origin_node_id"] != node.pk or record.base_version < entry["foreign_version"]


def _type_apply_batch(node, message_no, options, items) -> dict[int, dict]:
    model = options.model
    uuids = [record.id for _index, record in items]
    names = ("record_uuid", "version", "origin_node_id", "foreign_version", "op", "changed_at")
    entries = {
        row[0]: dict(zip(names, row))
        for row in bulk_sql.rows_of(
            SyncChange.objects.filter(record_type=options.type_name, record_uuid__any_of=uuids).values_list(*names)
        )
    }
    instances = {instance.uuid: instance for instance in bulk_sql.instances_of(model.all_objects.filter(uuid__any_of=uuids))}
    purged = [uuid_ for uuid_, instance in instances.items() if instance.is_deleted and uuid_ not in entries]
    if purged:
        # Deleted records whose tombstone was purged: the deletion is at most purged_through,
        # so a change based on anything older has not seen it and conflicts like any other.
        purged_through = SyncState.objects.values_list("purged_through", flat=True).get(pk=1)
        for record_uuid in purged:
            entries[record_uuid] = {
                "record_uuid": record_uuid, "version": purged_through, "origin_node_id": None,
                "foreign_version": 0, "op": codes.DELETE, "changed_at": instances[record_uuid].updated_at,
            }
    outcomes: dict[int, dict] = {}

    # Conflicts, with the server's side rendered in one go.
    conflicting = [(index, record) for index, record in items if _is_conflict(node, record, entries.get(record.id))]
    node_wins = options.conflict_policy == "node_wins"
    if conflicting:
        rendered = records_to_wire(
            [LogEntry(options.type_name, record.id, entries[record.id]["version"], entries[record.id]["op"],
                      entries[record.id]["changed_at"]) for _index, record in conflicting]
        )
        SyncConflict.objects.bulk_create(
            SyncConflict(
                node=node, message_no=message_no, outcome=SyncConflict.Outcome.CONFLICT,
                resolution=SyncConflict.Resolution.NODE_WON if node_wins else SyncConflict.Resolution.SERVER_WON,
                record_type=options.type_name, record_uuid=str(record.id), base_version=record.base_version,
                server_version=entries[record.id]["version"], node_record=storable(record.raw), server_record=server,
            )
            for (_index, record), server in zip(conflicting, rendered, strict=True)
        )
        if not node_wins:
            for (index, record), server in zip(conflicting, rendered, strict=True):
                outcomes[index] = _result(record, codes.CONFLICT, version=entries[record.id]["version"], server=server)

    deletes, upserts = [], []
    for index, record in items:
        if index in outcomes:
            continue
        current = entries[record.id]["version"] if record.id in entries else 0
        instance = instances.get(record.id)
        if record.op == codes.DELETE:
            if instance is None or instance.is_deleted:
                outcomes[index] = _result(record, codes.APPLIED, version=current)  # nothing to do
            else:
                deletes.append((index, record, instance))
        else:
            upserts.append((index, record, instance, current))

    prepared = _upserts_prepare(node, message_no, options, upserts, outcomes)
    _unique_check(node, message_no, model, prepared, outcomes)
    prepared = [item for item in prepared if item.index not in outcomes]
    _upserts_write(options, prepared)
    if deletes:
        model.all_objects.filter(pk__in=[instance.pk for _i, _r, instance in deletes]).delete()
    for item in prepared:
        outcomes[item.index] = _result(item.record, codes.APPLIED, version=None)
    for index, record, _instance in deletes:
        outcomes[index] = _result(record, codes.APPLIED, version=None)
    return outcomes


def _upserts_prepare(node, message_no, options, upserts, outcomes) -> list[_Upsert]:
    """Build and check every upsert in memory; rejections go straight into ``outcomes``."""
    if not upserts:
        return []
    model = options.model
    record_type = options.record_type
    ref_names = [item.name for item in record_type.fields if item.kind == catalogue.REF]
    line_ref_names = [item.name for item in record_type.line_fields or () if item.kind == catalogue.REF]
    pks = _references_resolve([record for _i, record, _inst, _cur in upserts], record_type)
    lines = options.lines
    existing_lines: dict = {}
    live_lines_by_parent: dict[int, list[tuple[int, uuid.UUID]]] = defaultdict(list)
    if lines is not None:
        line_ids = [line.id for _i, record, _inst, _cur in upserts for line in record.lines]
        for start in range(0, len(line_ids), 5000):
            for line in bulk_sql.instances_of(lines.model.all_objects.filter(uuid__any_of=line_ids[start : start + 5000])):
                existing_lines[line.uuid] = line
        parent_ids = [instance.pk for _i, _r, instance, _c in upserts if instance is not None]
        parent_column = f"{lines.parent_field}_id"
        for start in range(0, len(parent_ids), 5000):
            for pk, parent_id, line_uuid in lines.model.objects.filter(
                **{f"{parent_column}__any_of": parent_ids[start : start + 5000]}
            ).values_list("pk", parent_column, "uuid"):
                live_lines_by_parent[parent_id].append((pk, line_uuid))

    field_names = tuple(item.name for item in model._meta.fields)
    line_field_names = tuple(item.name for item in lines.model._meta.fields) if lines is not None else ()
    always = ("uuid", *ref_names)
    line_always = ("uuid", lines.parent_field, *line_ref_names) if lines is not None else ()
    prepared = []
    for index, record, instance, current in upserts:
        errors = _missing_references(record, record_type, pks)
        if errors:
            outcomes[index] = _reject(node, message_no, record.raw, record, errors)
            continue
        created = instance is None
        if created:
            instance = model(uuid=record.id)
        whole = created or instance.is_deleted
        assigned = _assign(instance, record_type.fields, record.values, pks)
        changed = whole or bool(assigned)
        written = None if whole else assigned
        instance.is_deleted = False
        if changed:
            skipped = _unchanged(field_names, None if written is None else tuple(written), always)
            _collect_errors(errors, "", lambda: instance.clean_fields(exclude=skipped))
            _collect_errors(errors, "", instance.clean)
        item = _Upsert(index=index, record=record, instance=instance, created=created, changed=changed, written=written)
        if lines is not None:
            incoming_ids = set()
            for line_index, line in enumerate(record.lines):
                incoming_ids.add(line.id)
                line_instance = existing_lines.get(line.id)
                if line_instance is not None and (
                    created or getattr(line_instance, f"{lines.parent_field}_id") != instance.pk
                ):
                    errors[f"lines.{line_index}.id"] = ["This line belongs to another record."]
                    continue
                line_whole = line_instance is None or line_instance.is_deleted
                if line_instance is None:
                    line_instance = lines.model(uuid=line.id)
                line_assigned = _assign(line_instance, record_type.line_fields, line.values, pks)
                line_instance.is_deleted = False
                if line_whole or line_assigned:
                    line_skipped = _unchanged(line_field_names, None if line_whole else tuple(line_assigned), line_always)
                    _collect_errors(
                        errors, f"lines.{line_index}.",
                        lambda line_instance=line_instance, line_skipped=line_skipped: line_instance.clean_fields(
                            exclude=line_skipped
                        ),
                    )
                    item.line_writes.append(line_instance)
                    if line_instance.pk is not None and item.line_written is not None:
                        item.line_written = None if line_whole else [*item.line_written, *line_assigned]
            if not created:
                item.stale_line_pks = [
                    pk for pk, line_uuid in live_lines_by_parent.get(instance.pk, ()) if line_uuid not in incoming_ids
                ]
        if errors:
            outcomes[index] = _reject(node, message_no, record.raw, record, errors)
            continue
        if not item.changed and not item.line_writes and not item.stale_line_pks:
            outcomes[index] = _result(record, codes.APPLIED, version=current)  # the server already has exactly this
            continue
        prepared.append(item)
    return prepared


def _collect_errors(errors: dict, prefix: str, check) -> None:
    try:
        check()
    except ValidationError as error:
        for name, messages in error.message_dict.items():
            errors[f"{prefix}{name}"] = messages


def _references_resolve(records: list[IncomingRecord], record_type) -> dict[str, dict[uuid.UUID, int]]:
    """Primary keys of every record the given records reference, one query per target type."""
    wanted: dict[str, set[uuid.UUID]] = defaultdict(set)
    for record in records:
        for item in record_type.fields:
            if item.kind == catalogue.REF and record.values.get(item.name) is not None:
                wanted[item.ref].add(record.values[item.name])
        for line in record.lines or ():
            for item in record_type.line_fields or ():
                if item.kind == catalogue.REF and line.values.get(item.name) is not None:
                    wanted[item.ref].add(line.values[item.name])
    pks: dict[str, dict[uuid.UUID, int]] = defaultdict(dict)
    for target, uuids in wanted.items():
        target_model = registry.options_for_type(target).model
        ordered = list(uuids)
        for start in range(0, len(ordered), 5000):
            pks[target].update(
                target_model.all_objects.filter(uuid__any_of=ordered[start : start + 5000]).values_list("uuid", "pk")
            )
    return pks


def _missing_references(record: IncomingRecord, record_type, pks) -> dict[str, list[str]]:
    errors = {}
    for item in record_type.fields:
        value = record.values.get(item.name)
        if item.kind == catalogue.REF and value is not None and value not in pks.get(item.ref, {}):
            errors[item.name] = [f"Refers to a {item.ref} the server does not have ({value})."]
    for index, line in enumerate(record.lines or ()):
        for item in record_type.line_fields or ():
            value = line.values.get(item.name)
            if item.kind == catalogue.REF and value is not None and value not in pks.get(item.ref, {}):
                errors[f"lines.{index}.{item.name}"] = [f"Refers to a {item.ref} the server does not have ({value})."]
    return errors


def _unique_check(node, message_no, model, prepared: list[_Upsert], outcomes: dict) -> None:
    """Unique fields, checked for the whole batch: against stored rows (deleted ones too)
    and between the records of the message."""
    unique_fields = [
        model_field for model_field in model._meta.concrete_fields
        if model_field.unique and not model_field.primary_key and model_field.name != "uuid"
    ]
    errors: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for model_field in unique_fields:
        claimed: dict[object, _Upsert] = {}
        for item in prepared:
            if not item.changed:
                continue
            value = getattr(item.instance, model_field.attname)
            if value in claimed:
                errors[item.index][model_field.name] = ["Another record of this message has the same value."]
            else:
                claimed[value] = item
        values = list(claimed)
        for start in range(0, len(values), 5000):
            taken = model.all_objects.filter(**{f"{model_field.attname}__in": values[start : start + 5000]})
            for value, owner in taken.values_list(model_field.attname, "uuid"):
                item = claimed[value]
                if owner != item.record.id:
                    message = item.instance.unique_error_message(model, (model_field.name,)).messages
                    errors[item.index][model_field.name] = message
    for item in prepared:
        if item.index in errors:
            outcomes[item.index] = _reject(node, message_no, item.record.raw, item.record, errors[item.index])


def _upserts_write(options, prepared: list[_Upsert]) -> None:
    if not prepared:
        return
    model = options.model
    record_type = options.record_type
    creates = [item.instance for item in prepared if item.created]
    updated = [item for item in prepared if item.changed and not item.created]
    if creates:
        model.all_objects.bulk_create(creates, batch_size=1000)
    if updated:
        # Only the fields some record changed (every one if a row came back from deletion);
        # the rest hold what the rows hold, which no other writer can change meanwhile (the
        # exchange holds the version lock every synced write takes).
        fields = _written_fields(record_type.field_names, [item.written for item in updated])
        model.all_objects.bulk_update([item.instance for item in updated], fields, batch_size=1000)
    lines = options.lines
    if lines is None:
        return
    new_lines, changed_lines, stale = [], [], []
    for item in prepared:
        for line in item.line_writes:
            if line.pk is None:
                setattr(line, lines.parent_field, item.instance)
                new_lines.append(line)
            else:
                changed_lines.append(line)
        stale += item.stale_line_pks
    if new_lines:
        lines.model.all_objects.bulk_create(new_lines, batch_size=1000)
    if changed_lines:
        fields = _written_fields(record_type.line_field_names, [item.line_written for item in prepared])
        lines.model.all_objects.bulk_update(changed_lines, fields, batch_size=1000)
    if stale:
        lines.model.all_objects.filter(pk__in=stale).delete()
    only_lines = [item.instance.pk for item in prepared if not item.changed]
    if only_lines:
        # Their lines changed: the parent's updated_at and history move with them.
        model.all_objects.filter(pk__in=only_lines).update()


def _written_fields(names: tuple[str, ...], written: list[list[str] | None]) -> list[str]:
    """Fields a bulk update writes: those any row changed, all when any row says None; and
    always the deletion mark (the change log takes it from what was written)."""
    if any(item is None for item in written):
        return [*names, "is_deleted"]
    changed = {name for item in written for name in item}
    return [*(name for name in names if name in changed), "is_deleted"]
