"""Sync fields, step 2 of 3: give every existing row its own uuid."""
from django.db import migrations

from apps.sync.migration_ops import uuid_fill


class Migration(migrations.Migration):
    dependencies = [("timesheets", "0002_sync_fields")]

    operations = [uuid_fill("timesheets", ['timesheet'])]
