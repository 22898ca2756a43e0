"""Remove acknowledged tombstones from the change log (run it from cron, e.g. nightly)."""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from apps.sync.services.purge import log_purge


class Command(BaseCommand):
    help = "Remove deletion entries (tombstones) that every active computer has acknowledged."

    def handle(self, *args, **options) -> None:
        outcome = log_purge()
        self.stdout.write(
            ngettext(
                "Removed %(count)d tombstone; the change log is purged through version %(version)d.",
                "Removed %(count)d tombstones; the change log is purged through version %(version)d.",
                outcome.removed,
            )
            % {"count": outcome.removed, "version": outcome.purged_through}
        )
