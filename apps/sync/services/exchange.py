"""One exchange with a node: apply its message exactly once, acknowledge, collect changes.

The whole exchange is one transaction that holds the node's row lock (exchanges of one
node never interleave, PROTOCOL.md rule 9) and the version lock (see ``capture``), so the
changes it collects are exactly those committed, with no version still in flight below
them (rule 6).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, transaction
from django.utils import timezone

from apps.sync import bulk_sql, capture, errors
from apps.sync.models import SyncChange, SyncNode, SyncState
from apps.sync.serializer import LogEntry, record_identity, records_to_wire
from apps.sync.services.apply import exchange_apply

logger = logging.getLogger(__name__)

DEFAULT_MAX_CHANGES = 1000


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
        if message_no < node.last_message_no and not node.numbering_may_restart:
            raise errors.stale_message(node.last_message_no)
        capture.lock("default")
        if _is_retry(node, message_no, changes):
            results = node.last_results  # a retry: the same answer, nothing applied twice
        else:
            results = exchange_apply(node=node, message_no=message_no, changes=changes)
            node.last_message_no = message_no
            node.last_results = results
            node.numbering_may_restart = False
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
                "last_message_no", "last_results", "numbering_may_restart", "acked_version", "last_seen_at",
                "pass_message_no", "pass_is_reset", "pass_last_message_no",
            ]
        )
    return ExchangeOutcome(message_no=message_no, results=results, **collected)


def _is_retry(node: SyncNode, message_no: int, changes: list) -> bool:
    if message_no != node.last_message_no:
        return False
    if not node.numbering_may_restart:
        return True
    # The token was replaced since: a fresh installation may use this number again for a
    # new message. It is a retry only when it carries the records the applied one did.
    def identities(items) -> list[tuple[str, str]]:
        return [(str(type_name), str(record_id).lower()) for type_name, record_id in map(record_identity, items)]

    return identities(changes) == identities(node.last_results)


# --- collect ------------------------------------------------------------------------------


def changes_collect(*, node: SyncNode, ack: int, limit: int, message_no: int, state: SyncState) -> dict:
    """The records a node should receive after ``ack`` (PROTOCOL.md rules 5 and 7).

    A full-state pass (``ack`` 0, or a node whose ``ack`` predates purged tombstones) sends
    every live record from version 0 over as many pages as it takes; the node's later
    pages continue from their ``ack`` even while it is below ``purged_through``. During a
    pass nothing is held back as an echo: the node needs every record to know what to keep.
    """
    if node.pass_message_no is not None and (
        message_no < node.pass_message_no
        or (node.pass_last_message_no is not None and message_no != node.pass_last_message_no)
    ):
        # The node went on past the pass's last page, or its numbering started again.
        node.pass_message_no, node.pass_is_reset, node.pass_last_message_no = None, False, None
    purged_through = state.purged_through
    continuing = node.pass_message_no is not None and message_no > node.pass_message_no
    if ack == 0 or (ack < purged_through and not continuing):
        start, reset = True, ack != 0
        node.pass_message_no, node.pass_is_reset, node.pass_last_message_no = message_no, reset, None
    else:
        start, reset = False, node.pass_message_no is not None and node.pass_is_reset
    in_pass = node.pass_message_no is not None

    query = SyncChange.objects.filter(version__gt=0 if start else ack)
    if start:
        query = query.filter(op=SyncChange.Op.UPSERT)
    if not in_pass:
        query = query.exclude(origin_node_id=node.pk)
    rows = bulk_sql.rows_of(
        query.order_by("version").values_list("record_type", "record_uuid", "version", "op", "changed_at")[: limit + 1],
        uuids_as_text=True,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    if more:
        next_ack = rows[-1][2]
    else:
        next_ack = max(state.last_version, rows[-1][2] if rows else 0)
        if in_pass:
            # Kept until a newer message: a retry of this one (its response lost) must get
            # this last page again, echoes included, not an incremental answer without them.
            node.pass_last_message_no = message_no
    entries = [LogEntry(*row) for row in rows]
    return {"changes": records_to_wire(entries), "next_ack": next_ack, "more": more, "reset": reset}
