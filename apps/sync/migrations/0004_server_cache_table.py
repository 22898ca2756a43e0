"""The database cache table that throttling counts live in (settings.CACHES), made by
migrate so that a fresh deployment needs no extra command."""
from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("sync", "0003_field_users_group")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
