"""Upgrading an existing database: a consistent backup first, then Alembic to the head."""
from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import textwrap

import pytest

from desktop_client.store import DatabaseNotUsable, open_store
from desktop_client.store.migrate import MIGRATIONS_DIRECTORY, current_revision, head_revision, upgrade_database
from desktop_client.store.records import User
from tests.client import builders

NOW = dt.datetime(2026, 11, 26, 10, 15, tzinfo=dt.timezone.utc)


@pytest.fixture
def migrations_with_a_newer_revision(tmp_path):
    """The real migrations plus one more, as a next release would ship them."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS_DIRECTORY, directory, ignore=shutil.ignore_patterns("__pycache__"))
    (directory / "versions" / "9999_add_phone.py").write_text(
        textwrap.dedent(
            f'''
            from alembic import op
            import sqlalchemy as sa

            revision = "9999"
            down_revision = "{head_revision()}"
            branch_labels = None
            depends_on = None


            def upgrade():
                with op.batch_alter_table("users") as batch_op:
                    batch_op.add_column(sa.Column("phone", sa.String(30), nullable=True))


            def downgrade():
                with op.batch_alter_table("users") as batch_op:
                    batch_op.drop_column("phone")
            '''
        )
    )
    return directory


def test_a_fresh_database_is_created_without_a_backup(database_path):
    assert upgrade_database(database_path) is None
    assert current_revision(database_path) == head_revision()
    assert list(database_path.parent.glob("*.backup-*")) == []


def test_an_up_to_date_database_is_opened_without_a_backup(database_path):
    open_store(database_path).close()
    assert upgrade_database(database_path) is None
    assert list(database_path.parent.glob("*.backup-*")) == []


def test_upgrade_backs_up_the_existing_file_beside_it_first(database_path, migrations_with_a_newer_revision):
    store = open_store(database_path)
    foreman = builders.user()
    with store.transaction() as session:
        session.add(foreman)
    store.close()

    backup = upgrade_database(database_path, now=NOW, migrations_directory=migrations_with_a_newer_revision)

    assert backup == database_path.with_name("node.sqlite3.backup-20261126T101500Z")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
        assert copy.execute("SELECT username FROM users").fetchall() == [("foreman",)]
    with sqlite3.connect(database_path) as upgraded:
        assert upgraded.execute("SELECT version_num FROM alembic_version").fetchone() == ("9999",)
        assert upgraded.execute("SELECT username, phone FROM users").fetchall() == [("foreman", None)]


def test_a_second_upgrade_in_the_same_second_keeps_both_backups(database_path, migrations_with_a_newer_revision):
    open_store(database_path).close()
    first = upgrade_database(database_path, now=NOW, migrations_directory=migrations_with_a_newer_revision)
    with sqlite3.connect(database_path) as connection:  # pretend the upgrade had not happened
        connection.execute("UPDATE alembic_version SET version_num = ?", (head_revision(),))
        connection.execute("ALTER TABLE users DROP COLUMN phone")
    second = upgrade_database(database_path, now=NOW, migrations_directory=migrations_with_a_newer_revision)
    assert first != second and first.exists() and second.exists()


def test_backup_includes_changes_still_in_the_wal_file(database_path, migrations_with_a_newer_revision):
    store = open_store(database_path)
    with store.transaction() as session:
        session.add(builders.user(username="in-the-wal"))
    # The store stays open: the committed row may sit in node.sqlite3-wal only.
    backup = upgrade_database(database_path, now=NOW, migrations_directory=migrations_with_a_newer_revision)
    store.close()
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT username FROM users").fetchall() == [("in-the-wal",)]


def test_a_database_from_a_newer_release_is_refused_untouched(database_path, migrations_with_a_newer_revision):
    open_store(database_path).close()
    upgrade_database(database_path, migrations_directory=migrations_with_a_newer_revision)
    with pytest.raises(DatabaseNotUsable, match="newer version"):
        open_store(database_path)
    assert current_revision(database_path) == "9999"


def test_a_foreign_sqlite_file_is_refused(database_path):
    with sqlite3.connect(database_path) as connection:
        connection.execute("CREATE TABLE something_else (id INTEGER)")
    with pytest.raises(DatabaseNotUsable, match="not a Site sync database"):
        open_store(database_path)


def test_store_opened_after_upgrade_reads_existing_records(database_path, migrations_with_a_newer_revision):
    store = open_store(database_path)
    foreman = builders.user()
    with store.transaction() as session:
        session.add(foreman)
    store.close()
    reopened = open_store(database_path)
    with reopened.reading() as session:
        assert session.get(User, foreman.id).username == "foreman"
    reopened.close()
