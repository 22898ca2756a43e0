from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = _("Synchronisation")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from apps.sync import checks  # noqa: F401  (registers the system checks)

        autodiscover_modules("sync")
