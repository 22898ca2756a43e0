"""Purge: tombstones every active node has acknowledged are removed from the change log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from apps.sync import capture
from apps.sync.models import SyncChange, SyncNode, SyncState


@dataclass
class PurgeOutcome:
    removed: int
    watermark: int
    purged_through: int


def stale_after() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "SYNC_NODE_STALE_DAYS", 30)))


def nodes_holding_purge(now: dt.datetime | None = None):
    """Nodes whose acknowledgement limits the purge: not revoked, seen recently, and either
    past their first page or in the middle of a full-state pass."""
    now = now or timezone.now()
    return SyncNode.objects.filter(revoked_at__isnull=True, last_seen_at__gte=now - stale_after()).filter(
        Q(acked_version__gt=0) | Q(pass_message_no__isnull=False)
    )


def log_purge(*, now: dt.datetime | None = None) -> PurgeOutcome:
    """Remove tombstones at or below the smallest acknowledgement of the active nodes.

    A node left out (revoked, or unseen for ``SYNC_NODE_STALE_DAYS``) whose ``ack`` is then
    below ``purged_through`` gets a reset and the full state when it returns.
    """
    with transaction.atomic():
        capture.lock("default")
        state = SyncState.objects.select_for_update().get(pk=1)
        lowest = nodes_holding_purge(now).aggregate(lowest=Min("acked_version"))["lowest"]
        watermark = state.last_version if lowest is None else lowest
        doomed = SyncChange.objects.filter(op=SyncChange.Op.DELETE, version__lte=watermark)
        highest = doomed.aggregate(highest=Max("version"))["highest"]
        removed, _ = doomed.delete()
        if highest is not None and highest > state.purged_through:
            state.purged_through = highest
            state.save(update_fields=["purged_through"])
            # A node left out in the middle of a full-state pass may hold records whose
            # tombstones are gone now: its pass must start over (as a reset), not continue.
            SyncNode.objects.filter(pass_message_no__isnull=False).exclude(
                pk__in=nodes_holding_purge(now).values("pk")
            ).update(pass_message_no=None, pass_is_reset=False, pass_last_message_no=None)
    return PurgeOutcome(removed=removed, watermark=watermark, purged_through=state.purged_through)
