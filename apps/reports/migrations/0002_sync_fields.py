"""Sync fields, step 1 of 3: add uuid (nullable), updated_at and is_deleted."""
from django.db import migrations

from apps.sync.migration_ops import sync_fields_add


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = sync_fields_add(['dailyreport', 'dailyreportline'])
