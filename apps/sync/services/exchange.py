"""One exchange with a node: apply its message exactly once, acknowledge, collect changes.

The whole exchange is one transaction that holds the node's row lock (exchanges of one
node never interleave, PROTOCOL.md rule 9) and the version lock (see ``capture``), so the
changes it collects are exactly those committed, with no version still in flight below
them (rule 6).
"""
from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from apps.sync import capture, errors, registry
from apps.sync.models import SyncChange, SyncConflict, SyncNode, SyncState
from apps.sync.serializer import IncomingRecord, LogEntry, RecordError, record_identity, record_parse, records_to_wire
from sync_protocol import catalogue
from sync_protocol import errors as codes

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHANGES = 1000
TYPE_ORDER = {name: index for index, name in enumerate(catalogue.type_names())}


def max_changes_cap() -> int:
    return int(getattr(settings, "SYNC_MAX_CHANGES", 5000))


@dataclass
class ExchangeOutcome:
    message_no: int
    results: list[dict]
    changes: list[dict]
    next_ack: int
    more: bool
    reset: bool


def exchange_run(
    *, node: SyncNode, message_no: int, ack: int, changes: list, max_changes: int | None = None
) -> ExchangeOutcome:
    """Apply a node's message and collect what it should receive, in one transaction.

    Deadlocks and serialization failures, which the database resolves by aborting one
    transaction, are retried: nothing of an aborted attempt was applied.
    """
    attempts = 3
    for attempt in range(1, attempts + 1):
        try:
            return _exchange_once(node=node, message_no=message_no, ack=ack, changes=changes, max_changes=max_changes)
        except OperationalError as error:
            if attempt == attempts or not _is_retryable(error):
                raise
            logger.warning("Exchange of node %s retried after %s", node.node_id, error)
    raise AssertionError("unreachable")


def _is_retryable(error: OperationalError) -> bool:
    sqlstate = getattr(getattr(error, "__cause__", None), "sqlstate", None)
    return sqlstate in {"40001", "40P01"}


def _exchange_once(*, node, message_no, ack, changes, max_changes) -> ExchangeOutcome:
    limit = min(max_changes or DEFAULT_MAX_CHANGES, max_changes_cap())
    with transaction.atomic():
        node = SyncNode.objects.select_for_update().get(pk=node.pk)
        if node.is_revoked:
            raise errors.node_revoked()
        if message_no < node.last_message_no:
            raise errors.stale_message(node.last_message_no)
        capture.lock("default")
        if message_no == node.last_message_no:
            results = node.last_results  # a retry: the same answer, nothing applied twice
        else:
            results = exchange_apply(node=node, message_no=message_no, changes=changes)
            node.last_message_no = message_no
            node.last_results = results
        state = SyncState.objects.get(pk=1)
        if ack > state.last_version:
            raise errors.invalid_request(
                "The acknowledged version is greater than any version this server handed out.",
                {"ack": [f"Must be at most {state.last_version}."]},
            )
        node.acked_version = ack
        node.last_seen_at = timezone.now()
        collected = changes_collect(node=node, ack=ack, limit=limit, message_no=message_no, state=state)
        node.save(
            update_fields=[
                "last_message_no", "last_results", "acked_version", "last_seen_at", "pass_message_no", "pass_is_reset",
            ]
        )
    return ExchangeOutcome(message_no=message_no, results=results, **collected)


# --- apply ----------------------------------------------------------------------------------


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
    parsed.sort(key=lambda item: (TYPE_ORDER[item[1].type_name], item[0]))

    reason = f"sync: node {node.name} ({node.node_id}), message {message_no}"[:100]
    pending: list[tuple[int, IncomingRecord]] = []
    with capture.origin(node.pk, reason), capture.collecting("default") as collector:
        for index, record in parsed:
            outcome = _record_apply(node, message_no, record, collector)
            results[index] = outcome
            if outcome.get("status") == codes.APPLIED and outcome.get("version") is None:
                pending.append((index, record))
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


def _record_apply(node: SyncNode, message_no: int, record: IncomingRecord, collector) -> dict:
    options = registry.options_for_type(record.type_name)
    entry = (
        SyncChange.objects.filter(record_type=record.type_name, record_uuid=record.id)
        .values("version", "origin_node_id", "foreign_version", "op", "changed_at")
        .first()
    )
    current = entry["version"] if entry else 0
    if entry and record.base_version < current:
        by_someone_else = entry["origin_node_id"] != node.pk or record.base_version < entry["foreign_version"]
        if by_someone_else:
            server_record = records_to_wire(
                [LogEntry(record.type_name, record.id, current, entry["op"], entry["changed_at"])]
            )[0]
            won = options.conflict_policy == "node_wins"
            SyncConflict.objects.create(
                node=node,
                message_no=message_no,
                outcome=SyncConflict.Outcome.CONFLICT,
                resolution=SyncConflict.Resolution.NODE_WON if won else SyncConflict.Resolution.SERVER_WON,
                record_type=record.type_name,
                record_uuid=str(record.id),
                base_version=record.base_version,
                server_version=current,
                node_record=storable(record.raw),
                server_record=server_record,
            )
            if not won:
                return _result(record, codes.CONFLICT, version=current, server=server_record)

    model = options.model
    instance = model.all_objects.filter(uuid=record.id).first()
    if record.op == codes.DELETE:
        if instance is None or instance.is_deleted:
            return _result(record, codes.APPLIED, version=current)  # nothing to do
        return _write(node, message_no, record, collector, instance.delete)

    try:
        write = _prepare_upsert(options, record, instance)
    except RecordError as error:
        return _reject(node, message_no, record.raw, record, error.fields)
    if write is None:
        return _result(record, codes.APPLIED, version=current)  # the server already has exactly this
    return _write(node, message_no, record, collector, write)


def _write(node, message_no, record, collector, write) -> dict:
    touched_before = dict(collector.touched)
    try:
        with transaction.atomic():
            write()
    except IntegrityError as error:
        collector.touched = touched_before
        logger.info("Record %s %s rejected by the database: %s", record.type_name, record.id, error)
        return _reject(node, message_no, record.raw, record, {"record": ["The database refused this record."]})
    return _result(record, codes.APPLIED, version=None)


def _resolve_references(options, record: IncomingRecord) -> tuple[dict, dict]:
    """Map referenced uuids to primary keys; errors for references the server lacks."""
    record_type = options.record_type
    wanted: dict[str, set[uuid.UUID]] = {}
    places: list[tuple[str, str, uuid.UUID]] = []  # (error key, target type, uuid)
    for item in record_type.fields:
        value = record.values.get(item.name)
        if item.kind == catalogue.REF and value is not None:
            wanted.setdefault(item.ref, set()).add(value)
            places.append((item.name, item.ref, value))
    for index, line in enumerate(record.lines or []):
        for item in record_type.line_fields or ():
            value = line.values.get(item.name)
            if item.kind == catalogue.REF and value is not None:
                wanted.setdefault(item.ref, set()).add(value)
                places.append((f"lines.{index}.{item.name}", item.ref, value))
    pks: dict[str, dict[uuid.UUID, int]] = {}
    for target, uuids in wanted.items():
        target_model = registry.options_for_type(target).model
        pks[target] = dict(target_model.all_objects.filter(uuid__in=uuids).values_list("uuid", "pk"))
    fields: dict[str, list[str]] = {}
    for key, target, value in places:
        if value not in pks[target]:
            fields[key] = [f"Refers to a {target} the server does not have ({value})."]
    return pks, fields


def _assign(instance, fields, values: dict, pks: dict) -> bool:
    """Set wire values on a model instance; return whether anything changed."""
    changed = False
    for item in fields:
        value = values[item.name]
        if item.kind == catalogue.REF:
            attname = f"{item.name}_id"
            value = pks[item.ref][value] if value is not None else None
        else:
            attname = item.name
        if getattr(instance, attname) != value:
            setattr(instance, attname, value)
            changed = True
    return changed


def _prepare_upsert(options: registry.SyncOptions, record: IncomingRecord, instance):
    """Validate an upsert fully before writing anything; return the write, or None when the
    server already holds exactly this record."""
    record_type = options.record_type
    pks, fields = _resolve_references(options, record)
    if fields:
        raise RecordError(fields)
    model = options.model
    changed = instance is None or instance.is_deleted
    if instance is None:
        instance = model(uuid=record.id)
    changed |= _assign(instance, record_type.fields, record.values, pks)
    instance.is_deleted = False
    errors_found: dict[str, list[str]] = {}
    if changed:
        try:
            instance.full_clean(exclude=["uuid"])
        except ValidationError as error:
            errors_found.update(error.message_dict)

    line_writes = []
    stale_line_pks = []
    lines = options.lines
    if lines is not None:
        line_model = lines.model
        incoming_ids = [line.id for line in record.lines]
        existing = {line.uuid: line for line in line_model.all_objects.filter(uuid__in=incoming_ids)}
        parent_id = instance.pk
        for index, line in enumerate(record.lines):
            current = existing.get(line.id)
            if current is not None and getattr(current, f"{lines.parent_field}_id") != parent_id:
                errors_found[f"lines.{index}.id"] = ["This line belongs to another record."]
                continue
            line_changed = current is None or current.is_deleted
            if current is None:
                current = line_model(uuid=line.id)
            line_changed |= _assign(current, record_type.line_fields, line.values, pks)
            current.is_deleted = False
            if line_changed:
                try:
                    current.full_clean(exclude=["uuid", lines.parent_field])
                except ValidationError as error:
                    for name, messages in error.message_dict.items():
                        errors_found[f"lines.{index}.{name}"] = messages
                line_writes.append(current)
        if parent_id is not None:
            stale_line_pks = list(
                line_model.objects.filter(**{f"{lines.parent_field}_id": parent_id})
                .exclude(uuid__in=incoming_ids)
                .values_list("pk", flat=True)
            )
    if errors_found:
        raise RecordError(errors_found)
    if not changed and not line_writes and not stale_line_pks:
        return None

    def write() -> None:
        if changed:
            instance.save()
        for line in line_writes:
            setattr(line, lines.parent_field, instance)
            line.save()
        if stale_line_pks:
            lines.model.all_objects.filter(pk__in=stale_line_pks).delete()
        if not changed:
            # Only lines changed: the parent's entry moved with them, its updated_at too.
            type(instance).all_objects.filter(pk=instance.pk).update()

    return write


# --- collect ------------------------------------------------------------------------------


def changes_collect(*, node: SyncNode, ack: int, limit: int, message_no: int, state: SyncState) -> dict:
    """The records a node should receive after ``ack`` (PROTOCOL.md rules 5 and 7).

    A full-state pass (``ack`` 0, or a node whose ``ack`` predates purged tombstones) sends
    every live record from version 0 over as many pages as it takes; the node's later
    pages continue from their ``ack`` even while it is below ``purged_through``. During a
    pass nothing is held back as an echo: the node needs every record to know what to keep.
    """
    purged_through = state.purged_through
    continuing = node.pass_message_no is not None and message_no > node.pass_message_no
    if ack == 0 or (ack < purged_through and not continuing):
        start, reset = True, ack != 0
        node.pass_message_no, node.pass_is_reset = message_no, reset
    else:
        start, reset = False, node.pass_message_no is not None and node.pass_is_reset
    in_pass = node.pass_message_no is not None

    query = SyncChange.objects.filter(version__gt=0 if start else ack)
    if start:
        query = query.filter(op=SyncChange.Op.UPSERT)
    if not in_pass:
        query = query.exclude(origin_node_id=node.pk)
    rows = list(
        query.order_by("version").values_list("record_type", "record_uuid", "version", "op", "changed_at")[: limit + 1]
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        next_ack = rows[-1][2]
    else:
        next_ack = max(state.last_version, rows[-1][2] if rows else 0)
        node.pass_message_no, node.pass_is_reset = None, False
    entries = [LogEntry(*row) for row in rows]
    return {"changes": records_to_wire(entries), "next_ack": next_ack, "more": more, "reset": reset}
