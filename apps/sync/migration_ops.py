"""Migration operations that turn existing tables into synced ones, in three steps.

Adding a unique uuid column to a table that already has rows cannot happen in one step:
a column default is computed once, so every existing row would get the same value. So:

1. ``sync_fields_add``: add ``uuid`` (nullable, not unique yet), ``updated_at`` and ``is_deleted``;
2. ``uuid_fill``: give every existing row its own uuid4 (a data migration, in batches);
3. ``uuid_make_unique``: make ``uuid`` required and unique.

Historical tables (django-simple-history) get the same columns; their uuid is indexed, not
unique, since a record has many historical rows.
"""
from __future__ import annotations

import uuid

from django.db import migrations, models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

BATCH_SIZE = 2000


def _historical(model_name: str) -> str:
    return f"historical{model_name}"


def sync_fields_add(model_names: list[str]) -> list[migrations.operations.base.Operation]:
    operations = []
    for name in model_names:
        for target, historical in ((name, False), (_historical(name), True)):
            operations += [
                migrations.AddField(target, "uuid", models.UUIDField(null=True, editable=False, verbose_name="UUID")),
                migrations.AddField(
                    target,
                    "updated_at",
                    models.DateTimeField(
                        default=timezone.now,
                        db_index=True,
                        verbose_name="updated at",
                        **({"blank": True, "editable": False} if historical else {"auto_now": True}),
                    ),
                    preserve_default=False,
                ),
                migrations.AddField(
                    target, "is_deleted", models.BooleanField(db_index=True, default=False, verbose_name="deleted")
                ),
            ]
    return operations


def uuid_fill(app_label: str, model_names: list[str]) -> migrations.RunPython:
    """Give every row without a uuid (records and their history) a distinct uuid4."""

    def fill(apps, schema_editor):
        alias = schema_editor.connection.alias
        for name in model_names:
            model = apps.get_model(app_label, name)
            history = apps.get_model(app_label, _historical(name))
            manager = model._base_manager.db_manager(alias)
            pending = manager.filter(uuid__isnull=True).order_by("pk")
            while True:
                batch = list(pending[:BATCH_SIZE])
                if not batch:
                    break
                for row in batch:
                    row.uuid = uuid.uuid4()
                manager.bulk_update(batch, ["uuid"])
            # A record's historical rows take the uuid the record now has; rows of records
            # removed long ago share one new uuid per old primary key.
            history_manager = history._base_manager.db_manager(alias)
            history_manager.filter(uuid__isnull=True).update(
                uuid=Subquery(model._base_manager.filter(pk=OuterRef("id")).values("uuid")[:1])
            )
            orphan_ids = history_manager.filter(uuid__isnull=True).values_list("id", flat=True).distinct()
            for orphan_id in list(orphan_ids):
                history_manager.filter(id=orphan_id).update(uuid=uuid.uuid4())

    return migrations.RunPython(fill, migrations.RunPython.noop, elidable=False)


def uuid_make_unique(model_names: list[str]) -> list[migrations.operations.base.Operation]:
    operations = []
    for name in model_names:
        operations.append(
            migrations.AlterField(
                name, "uuid", models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name="UUID")
            )
        )
        operations.append(
            migrations.AlterField(
                _historical(name),
                "uuid",
                models.UUIDField(db_index=True, default=uuid.uuid4, editable=False, verbose_name="UUID"),
            )
        )
    return operations
