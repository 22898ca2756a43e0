from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from apps.sync import SyncedModel, SyncedQuerySet


class LiveUserManager(UserManager.from_queryset(SyncedQuerySet)):
    """Users not marked deleted; a deleted user cannot log in."""

    # Migrations see the plain manager: this one filters on a column older states lack.
    use_in_migrations = False

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class AllUsersManager(UserManager.from_queryset(SyncedQuerySet)):
    use_in_migrations = False


class User(SyncedModel, AbstractUser):
    """A person: office staff, foremen and workers. Synced to nodes read-only."""

    full_name = models.CharField(_("full name"), max_length=200, blank=True)

    objects = LiveUserManager()
    all_objects = AllUsersManager()
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name()
