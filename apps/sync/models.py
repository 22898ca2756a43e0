"""Models of the sync engine: the synced-model base that domain models inherit, the
nodes, the change log, the version counter and the conflict log."""
from __future__ import annotations

import uuid

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.conf import settings
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simple_history.utils import get_change_reason_from_object

from apps.sync import bulk_sql, capture, registry

# Rows per statement for queryset writes (stays under every database's parameter limit).
CHUNK_SIZE = 5000


_HISTORY_COLUMNS = {"history_date", "history_user_id", "history_change_reason", "history_type"}


def history_record(model, rows, using, *, update: bool) -> None:
    """Historical rows for writes that bypass save() (queryset update, bulk_create).

    ``rows`` are saved instances, or primary keys of rows to read back. The rows are those
    django-simple-history's ``bulk_history_create`` makes (same user, date, reason and
    type), written straight from the instances in one go (``bulk_sql``)
    rather than through a historical instance and bulk_create per row."""
    history = getattr(model, "history", None)
    if history is None or not rows or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return
    if not isinstance(rows[0], models.Model):
        rows = list(model.all_objects.using(using).filter(pk__in=rows))
    historical = history.model
    connection = connections[using]
    tracked = {field.attname: field for field in historical.tracked_fields}
    columns = [field for field in historical._meta.concrete_fields if not field.primary_key]
    unknown = [field.attname for field in columns if field.attname not in tracked and field.attname not in _HISTORY_COLUMNS]
    if unknown:
        raise NotImplementedError(f"{historical._meta.label} has history columns this writer does not fill: {unknown}")
    now = timezone.now()
    reason = capture.change_reason() or ""
    history_type = "~" if update else "+"
    date_field = historical._meta.get_field("history_date")

    readers = [
        (field.attname, bulk_sql.value_preparer(tracked[field.attname], connection)) if field.attname in tracked
        else (field.attname, None)
        for field in columns
    ]

    shared_user = _history_user_shared_by(historical)

    def values(instance) -> list:
        # instance._history_user, else the request's user: the same for every instance unless
        # the project gave simple-history a get_user of its own
        user = getattr(instance, "_history_user", _UNSET)
        if user is _UNSET:
            user = shared_user() if shared_user is not None else historical.get_default_history_user(instance)
        special = {
            "history_date": date_field.get_db_prep_save(getattr(instance, "_history_date", now), connection),
            "history_user_id": getattr(user, "pk", None),
            "history_change_reason": get_change_reason_from_object(instance) or reason,
            "history_type": history_type,
        }
        return [special[attname] if prepare is None else prepare(getattr(instance, attname)) for attname, prepare in readers]

    bulk_sql.insert_rows(
        using, historical._meta.db_table, [field.column for field in columns], [values(instance) for instance in rows]
    )


def _history_user_shared_by(historical):
    """A function giving the history user of instances without ``_history_user``, computed
    once, when simple-history's ``get_user`` is its default (the request's user, whatever
    the instance); None when it is the project's own, which may look at each instance."""
    from simple_history.models import HistoricalRecords, _default_get_user

    records = next((cell.cell_contents for cell in historical.get_default_history_user.__closure__ or ()
                    if isinstance(cell.cell_contents, HistoricalRecords)), None)
    if records is None or records.get_user is not _default_get_user:
        return None
    computed: list = []

    def shared():
        if not computed:
            computed.append(records.get_history_user(_NoHistoryUser()))
        return computed[0]

    return shared


_UNSET = object()


class _NoHistoryUser:
    """Stands for an instance without ``_history_user`` when asking for the default user."""


class SyncedQuerySet(models.QuerySet):
    """A queryset whose ``delete()`` marks rows deleted instead of removing them.

    Every write through it stamps ``updated_at``; deleting parents marks their lines.
    """

    def update(self, **kwargs):
        kwargs.setdefault("updated_at", timezone.now())
        with transaction.atomic(using=self.db, savepoint=False):
            capture.lock(self.db)
            pks = list(self.values_list("pk", flat=True))
            count = 0
            for start in range(0, len(pks), CHUNK_SIZE):
                chunk = pks[start : start + CHUNK_SIZE]
                count += super(SyncedQuerySet, self.model.all_objects.using(self.db).filter(pk__in=chunk)).update(
                    **kwargs
                )
                capture.records_touched(self.model, chunk, self.db)
                history_record(self.model, chunk, self.db, update=True)
        return count

    update.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        """Write ``fields`` of every object with one UPDATE for all of them (``bulk_sql``;
        Django's own builds a CASE expression per object and field, which costs seconds
        for a thousand rows), stamping ``updated_at`` and capturing the change like
        ``update()`` does."""
        objs = list(objs)
        if not objs:
            return 0
        meta = self.model._meta
        columns = [meta.get_field(name) for name in fields if name != "updated_at"] + [meta.get_field("updated_at")]
        if any(not column.concrete or column.primary_key for column in columns):
            raise ValueError("bulk_update() can only write concrete, non-primary-key fields.")
        if any(obj.pk is None for obj in objs):
            raise ValueError("All bulk_update() objects must have a primary key set.")
        connection = transaction.get_connection(self.db)
        now = timezone.now()
        with transaction.atomic(using=self.db, savepoint=False):
            capture.lock(self.db)
            for obj in objs:
                obj.updated_at = now
            readers = [(column.attname, bulk_sql.value_preparer(column, connection)) for column in columns]
            prepare_pk = bulk_sql.value_preparer(meta.pk, connection)
            rows = [[prepare(getattr(obj, attname)) for attname, prepare in readers] + [prepare_pk(obj.pk)] for obj in objs]
            bulk_sql.update_rows(
                self.db, meta.db_table, [(column.column, column.db_type(connection)) for column in columns],
                (meta.pk.column, meta.pk.rel_db_type(connection)), rows,
            )
            capture.records_written(self.model, objs, self.db, deletion_written="is_deleted" in fields)
            history_record(self.model, objs, self.db, update=True)
        return len(objs)

    bulk_update.alters_data = True

    def select_for_update(self, *args, **kwargs):
        """Row locks on synced rows come after the version lock, as every synced write's do;
        taking them the other way round could deadlock against an exchange."""
        if transaction.get_connection(self.db).in_atomic_block:
            capture.lock(self.db)
        return super().select_for_update(*args, **kwargs)

    def bulk_create(self, objs, batch_size=None, ignore_conflicts=False, update_conflicts=False, **kwargs):
        if ignore_conflicts or update_conflicts:
            raise capture.UncapturedWriteError(
                "bulk_create with ignore_conflicts/update_conflicts cannot tell which synced rows it wrote; "
                "save or update them instead."
            )
        with transaction.atomic(using=self.db, savepoint=False):
            capture.lock(self.db)
            created = super().bulk_create(objs, batch_size=batch_size, **kwargs)
            pks = [obj.pk for obj in created]
            if None in pks:
                raise capture.UncapturedWriteError("The database did not return the primary keys of new rows.")
            capture.records_written(self.model, created, self.db, deletion_written=True)
            history_record(self.model, created, self.db, update=False)
        return created

    bulk_create.alters_data = True

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
        if self._history_change_reason_missing():
            self._change_reason = capture.change_reason()
        with transaction.atomic(using=using, savepoint=False):
            reservation = capture.reserve(using, self)  # the version lock comes before the row is written
            with capture.own_statements(using):  # entries noted by earlier saves can wait
                super().save(*args, **kwargs)
                capture.instance_saved(self, reservation, using)

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

    def _history_change_reason_missing(self) -> bool:
        return not getattr(self, "_change_reason", None) and capture.change_reason() is not None

    def _sync_lines(self) -> registry.Lines | None:
        options = registry.options_for(type(self))
        return options.lines if options is not None else None


class SyncNode(models.Model):
    """A desktop installation that exchanges changes with the server."""

    node_id = models.UUIDField(_("node id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sync_nodes", verbose_name=_("owner")
    )
    # SHA-256 of the token: tokens are 256-bit random secrets, so a fast hash is enough
    # and lets a request find its node by an indexed lookup.
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    app_version = models.CharField(_("app version"), max_length=50, blank=True)
    last_message_no = models.BigIntegerField(_("last message number"), default=0)
    last_results = models.JSONField(_("results of the last message"), default=list, blank=True, editable=False)
    # The token was replaced and no message has come with the new one yet: the next message
    # may carry any number (a fresh installation starts again at 1), but the last number
    # applied is still a retry of that message, answered from ``last_results``.
    numbering_may_restart = models.BooleanField(default=False, editable=False)
    acked_version = models.BigIntegerField(_("acknowledged version"), default=0)
    # A full-state pass in progress (a fresh node's bootstrap or a reset): the message
    # that started it, so that its pages are told apart from a stale node's request.
    pass_message_no = models.BigIntegerField(null=True, blank=True, editable=False)
    pass_is_reset = models.BooleanField(default=False, editable=False)
    # The message that got the pass's last page. The pass is over once the node sends a
    # newer message; until then a retry of this one is answered as that page was.
    pass_last_message_no = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("node")
        verbose_name_plural = _("nodes")
        ordering = ["name"]
        permissions = [("register_node", _("Can register a computer for synchronisation"))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class SyncState(models.Model):
    """The one row that allocates versions and remembers how far tombstones were purged.

    Every transaction that writes synced rows updates this row first, and so holds its
    lock until it commits: versions are therefore committed in the order they were
    allocated, and a reader never sees version N while a smaller one is still in flight
    (docs/sync-engine.md explains why this is the whole of PROTOCOL.md rule 6).
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    last_version = models.BigIntegerField(default=0)
    purged_through = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("sync state")
        verbose_name_plural = _("sync state")


class SyncChange(models.Model):
    """The change log, compacted: one entry per record, holding its latest change.

    A record's entry moves to a new ``version`` on every change of the record or of its
    lines. ``foreign_version`` is the version of the record's latest change made by an
    origin other than ``origin_node``: a node's edit conflicts exactly when its base
    version is older than a change someone else made.
    """

    class Op(models.TextChoices):
        UPSERT = "upsert", _("upsert")
        DELETE = "delete", _("delete")

    version = models.BigIntegerField(_("version"), unique=True)
    record_type = models.CharField(_("record type"), max_length=50)
    record_uuid = models.UUIDField(_("record id"))
    op = models.CharField(_("operation"), max_length=10, choices=Op.choices)
    origin_node = models.ForeignKey(
        SyncNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("origin node"),
        help_text=_("Empty for changes made in the office."),
    )
    foreign_version = models.BigIntegerField(_("version of the last change by another origin"), default=0)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("sync change")
        verbose_name_plural = _("sync changes")
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_uuid"], name="sync_change_one_per_record"),
        ]
        indexes = [models.Index(fields=["op", "version"], name="sync_change_op_version")]

    def __str__(self) -> str:
        return f"{self.record_type} {self.record_uuid} @{self.version}"


class SyncConflict(models.Model):
    """A node's change that was not applied as sent: a conflict (both sides kept) or a
    rejection (with the reasons). Office staff read and resolve these in the admin."""

    class Outcome(models.TextChoices):
        CONFLICT = "conflict", _("conflict")
        REJECTED = "rejected", _("rejected")

    class Resolution(models.TextChoices):
        SERVER_WON = "server_won", _("server's version kept")
        NODE_WON = "node_won", _("node's version applied")
        NOT_APPLIED = "not_applied", _("not applied")

    node = models.ForeignKey(SyncNode, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("node"))
    message_no = models.BigIntegerField(_("message number"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    resolution = models.CharField(_("resolution"), max_length=20, choices=Resolution.choices)
    record_type = models.CharField(_("record type"), max_length=50)
    record_uuid = models.CharField(_("record id"), max_length=64)
    base_version = models.BigIntegerField(_("node's base version"), null=True, blank=True)
    server_version = models.BigIntegerField(_("server's version"), null=True, blank=True)
    node_record = models.JSONField(_("node's record"))
    server_record = models.JSONField(_("server's record"), null=True, blank=True)
    reasons = models.JSONField(_("reasons"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resolved by"),
    )

    class Meta:
        verbose_name = _("conflict log entry")
        verbose_name_plural = _("conflict log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["node", "resolved_at"], name="sync_conflict_node_open")]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.record_type} {self.record_uuid}"
