from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = _("Synchronisation")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from apps.sync import checks  # noqa: F401  (registers the system checks)
        from apps.sync import lookups  # noqa: F401  (registers ``__any_of``)

        autodiscover_modules("sync")

        from django.db.models.signals import post_migrate

        from apps.sync.signals import change_log_backfill

        post_migrate.connect(change_log_backfill, sender=self, dispatch_uid="sync_change_log_backfill")
