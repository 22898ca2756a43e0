"""Receivers of the sync engine; ready() connects them."""
from __future__ import annotations

import logging

from django.db import transaction

from apps.sync import capture, registry

logger = logging.getLogger(__name__)


def change_log_backfill(sender, using="default", **kwargs) -> None:
    """After migrate: give every synced record that has no change-log entry one.

    Rows that existed before sync was installed (or were written by raw SQL) would
    otherwise never reach a node's full state.
    """
    from apps.sync.models import SyncChange

    with transaction.atomic(using=using):
        capture.lock(using)
        for options in registry.all_options():
            known = SyncChange.objects.using(using).filter(record_type=options.type_name).values("record_uuid")
            missing = list(
                options.model.all_objects.using(using).exclude(uuid__in=known).values_list("pk", flat=True)
            )
            if missing:
                capture.records_touched(options.model, missing, using)
                logger.info("Change log: added %d %s records that had no entry.", len(missing), options.type_name)
