"""The conflict log: office staff mark entries resolved once they have acted on them."""
from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.sync.models import SyncConflict


@transaction.atomic
def conflicts_resolve(*, conflicts: QuerySet[SyncConflict], user) -> int:
    """Mark the open entries among ``conflicts`` resolved by ``user``; return how many were open.

    Entries already resolved keep who resolved them and when.
    """
    return conflicts.filter(resolved_at__isnull=True).update(resolved_at=timezone.now(), resolved_by=user)
