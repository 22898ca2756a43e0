"""Reads of the sync engine's state for the admin and the management commands: how far
behind each node is, and which conflicts are still open."""
from __future__ import annotations

import uuid

from django.db.models import F, Func, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from apps.sync.models import SyncChange, SyncConflict, SyncNode


def _pending_changes(*, acked_version, node_pk) -> QuerySet[SyncChange]:
    """Change-log entries a node has not acknowledged and would receive.

    A node never receives the entries whose latest change is its own (PROTOCOL.md rule 5).
    ``origin_node`` is empty for office changes; ``exclude`` keeps those (SQL's NULL <> x
    would drop them, which Django's exclude() guards against).
    """
    return SyncChange.objects.filter(version__gt=acked_version).exclude(origin_node=node_pk)


def _open_conflicts_of(node_pk) -> QuerySet[SyncConflict]:
    return SyncConflict.objects.filter(node=node_pk, resolved_at__isnull=True)


def _count_of(queryset: QuerySet) -> Coalesce:
    """``SELECT COUNT(*)`` of a queryset correlated with the outer query, as an expression.

    A subquery per figure, not a join with Count(): two joined counts would multiply each
    other, and the version index serves the lag's range scan directly.
    """
    counted = queryset.order_by().annotate(count=Func(F("pk"), function="COUNT")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def node_lag(node: SyncNode) -> int:
    """How many change-log entries the node has not acknowledged and would receive."""
    return _pending_changes(acked_version=node.acked_version, node_pk=node.pk).count()


def node_open_conflicts_count(node: SyncNode) -> int:
    return _open_conflicts_of(node.pk).count()


def nodes_with_status(queryset: QuerySet[SyncNode] | None = None) -> QuerySet[SyncNode]:
    """Nodes (all, or those of ``queryset``) annotated with ``lag`` and ``open_conflicts``,
    in one query whatever their number."""
    queryset = SyncNode.objects.all() if queryset is None else queryset
    return queryset.select_related("owner").annotate(
        lag=_count_of(_pending_changes(acked_version=OuterRef("acked_version"), node_pk=OuterRef("pk"))),
        open_conflicts=_count_of(_open_conflicts_of(OuterRef("pk"))),
    )


def node_get(*, node_id: uuid.UUID | str) -> SyncNode | None:
    """The node with this node id (the public uuid, not the database key), or None."""
    try:
        node_id = uuid.UUID(str(node_id))
    except ValueError:
        return None
    return SyncNode.objects.select_related("owner").filter(node_id=node_id).first()


def conflicts_open() -> QuerySet[SyncConflict]:
    """Conflict-log entries nobody has marked resolved yet, newest first."""
    return SyncConflict.objects.filter(resolved_at__isnull=True).select_related("node", "node__owner")

