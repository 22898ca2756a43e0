"""Models of the sync engine: the synced-model base that domain models inherit."""
from __future__ import annotations

import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.sync import registry


class SyncedQuerySet(models.QuerySet):
    """A queryset whose ``delete()`` marks rows deleted instead of removing them.

    Every write through it stamps ``updated_at``; deleting parents marks their lines.
    """

    def update(self, **kwargs):
        kwargs.setdefault("updated_at", timezone.now())
        with transaction.atomic(using=self.db, savepoint=False):
            return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        """Soft delete: mark every row (and the lines of each) deleted. Returns Django's tuple."""
        now = timezone.now()
        with transaction.atomic(using=self.db, savepoint=False):
            live = self.filter(is_deleted=False)
            ids = list(live.values_list("pk", flat=True))
            count = len(ids)
            counts = {self.model._meta.label: count}
            if ids:
                self.model.all_objects.using(self.db).filter(pk__in=ids).update(is_deleted=True, updated_at=now)
                options = registry.options_for(self.model)
                if options is not None and options.lines is not None:
                    lines = options.lines
                    line_count = (
                        lines.model.all_objects.using(self.db)
                        .filter(**{f"{lines.parent_field}_id__in": ids, "is_deleted": False})
                        .update(is_deleted=True, updated_at=now)
                    )
                    counts[lines.model._meta.label] = line_count
                    count += line_count
        return count, counts

    delete.alters_data = True
    delete.queryset_only = True

    def restore(self) -> int:
        """Undo a soft delete of every row, with the lines deleted together with each."""
        restored = 0
        with transaction.atomic(using=self.db, savepoint=False):
            for record in self.filter(is_deleted=True):
                record.restore()
                restored += 1
        return restored

    restore.alters_data = True

    def hard_delete(self):
        """Remove rows for good. Only the purge of tombstones may call this."""
        return super().delete()

    hard_delete.alters_data = True


class LiveManager(models.Manager.from_queryset(SyncedQuerySet)):
    """The default manager: records not marked deleted."""

    def get_queryset(self):
        return super().get_queryset().filter(is_deleted=False)


class AllRecordsManager(models.Manager.from_queryset(SyncedQuerySet)):
    """Every row, deleted ones included (for the admin's restore and for the sync engine)."""


class SyncedModel(models.Model):
    """Base of every synced table: a stable uuid, the time of the last change and a
    soft-delete mark. Deleting marks the row (and, for a parent, its lines) deleted."""

    uuid = models.UUIDField(_("UUID"), default=uuid.uuid4, unique=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    is_deleted = models.BooleanField(_("deleted"), default=False, db_index=True)

    objects = LiveManager()
    all_objects = AllRecordsManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "updated_at"}
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            super().save(*args, **kwargs)

    save.alters_data = True

    def delete(self, using=None, keep_parents=False):
        """Soft delete: mark this record (and its lines) deleted."""
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            self.is_deleted = True
            self.save(using=using)
            lines = self._sync_lines()
            count = 1
            if lines is not None:
                count += lines.model.all_objects.using(using).filter(
                    **{lines.parent_field: self, "is_deleted": False}
                ).update(is_deleted=True, updated_at=self.updated_at)
        return count, {self._meta.label: count}

    delete.alters_data = True

    def restore(self, using=None) -> None:
        """Undo a soft delete, with the lines that were deleted together with the record.

        Lines deleted with their parent carry the parent's deletion time as ``updated_at``;
        lines removed earlier, one by one, stay removed.
        """
        using = using or router.db_for_write(type(self), instance=self)
        with transaction.atomic(using=using, savepoint=False):
            deleted_at = self.updated_at
            self.is_deleted = False
            self.save(using=using)
            lines = self._sync_lines()
            if lines is not None:
                lines.model.all_objects.using(using).filter(
                    **{lines.parent_field: self, "is_deleted": True, "updated_at": deleted_at}
                ).update(is_deleted=False)

    restore.alters_data = True

    def validate_unique(self, exclude=None) -> None:
        """Unique values stay unique against deleted rows too (the default manager hides
        those, so Django's own check would let a duplicate through to the database)."""
        super().validate_unique(exclude=exclude)
        unique_checks, _date_checks = self._get_unique_checks(exclude=exclude)
        errors: dict[str, list[ValidationError]] = {}
        for model_class, field_names in unique_checks:
            lookup = {name: getattr(self, self._meta.get_field(name).attname) for name in field_names}
            if any(value is None for value in lookup.values()) or "uuid" in lookup:
                continue
            clash = model_class.all_objects.filter(is_deleted=True, **lookup).exclude(pk=self.pk)
            if clash.exists():
                key = field_names[0] if len(field_names) == 1 else NON_FIELD_ERRORS
                labels = ", ".join(str(self._meta.get_field(name).verbose_name) for name in field_names)
                errors.setdefault(key, []).append(
                    ValidationError(
                        _("A deleted %(model)s with this %(fields)s exists; restore it instead of adding a new one."),
                        code="unique_deleted",
                        params={"model": self._meta.verbose_name, "fields": labels},
                    )
                )
        if errors:
            raise ValidationError(errors)

    def _sync_lines(self) -> registry.Lines | None:
        options = registry.options_for(type(self))
        return options.lines if options is not None else None
