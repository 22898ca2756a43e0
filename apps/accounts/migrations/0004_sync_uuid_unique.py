"""Sync fields, step 3 of 3: every row has a uuid now, so make it required and unique."""
from django.db import migrations

from apps.sync.migration_ops import uuid_make_unique


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_sync_uuid_fill")]

    operations = uuid_make_unique(['user'])
