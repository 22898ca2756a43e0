from django.db import migrations


def create_state_row(apps, schema_editor):
    apps.get_model("sync", "SyncState").objects.using(schema_editor.connection.alias).get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("sync", "0001_initial")]

    operations = [migrations.RunPython(create_state_row, migrations.RunPython.noop)]
