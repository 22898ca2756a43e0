"""Schema upgrades of the node's database with Alembic, run by the application at start.

No alembic.ini is needed on the user's machine: the configuration is built here. Before
an existing database is upgraded it is copied, whole and consistent, beside itself.

For developers, after changing the models::

    .venv/bin/python -m desktop_client.store.migrations revision "what changed"

writes a new revision into ``migrations/versions`` by comparing the models with a
database at the current head. Review it before committing.
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from desktop_client.store.database import create_node_engine

MIGRATIONS_DIRECTORY = Path(__file__).parent / "migrations"


class DatabaseNotUsable(Exception):
    """The database file cannot be used by this version of the application."""


def alembic_config(migrations_directory: Path = MIGRATIONS_DIRECTORY) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_directory))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the desktop client has no migrations"
    return head


def current_revision(path: Path) -> str | None:
    engine = create_node_engine(path, foreign_keys=False)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()


def upgrade_database(
    path: Path, *, now: dt.datetime | None = None, migrations_directory: Path = MIGRATIONS_DIRECTORY
) -> Path | None:
    """Bring the database at ``path`` to the newest schema; return the backup made, if any."""
    config = alembic_config(migrations_directory)
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    # Foreign keys off while migrating: SQLite's batch migrations rebuild tables.
    engine = create_node_engine(path, foreign_keys=False)
    try:
        with engine.connect() as connection:
            current = MigrationContext.configure(connection).get_current_revision()
            has_tables = bool(inspect(connection).get_table_names())
        if current == head:
            return None
        if current is None and has_tables:
            raise DatabaseNotUsable(f"{path} is not a Site sync database; choose another file.")
        if current is not None and _is_unknown_revision(scripts, current):
            raise DatabaseNotUsable(
                f"{path} was written by a newer version of Site sync. Install that version or newer to open it."
            )
        backup = backup_database(path, now=now) if current is not None else None
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        return backup
    finally:
        engine.dispose()


def backup_database(path: Path, *, now: dt.datetime | None = None) -> Path:
    """Copy the database to ``<name>.backup-<UTC timestamp>`` beside it.

    SQLite's online backup copies what is committed, including what still sits in the
    WAL file, which a plain file copy of the main file would miss.
    """
    stamp = (now or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.backup-{stamp}")
    suffix = 1
    while target.exists():
        suffix += 1
        target = path.with_name(f"{path.name}.backup-{stamp}-{suffix}")
    source_connection = sqlite3.connect(path)
    target_connection = sqlite3.connect(target)
    try:
        source_connection.backup(target_connection)
    finally:
        target_connection.close()
        source_connection.close()
    return target


def _is_unknown_revision(scripts: ScriptDirectory, revision: str) -> bool:
    try:
        return scripts.get_revision(revision) is None
    except Exception:  # alembic raises its own errors for revisions it does not know
        return True


def make_revision(message: str) -> None:
    """Autogenerate a new revision against a scratch database at the current head."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "scratch.sqlite3"
        if any((MIGRATIONS_DIRECTORY / "versions").glob("*.py")):
            upgrade_database(path)
        engine = create_node_engine(path, foreign_keys=False)
        try:
            with engine.begin() as connection:
                config = alembic_config()
                config.attributes["connection"] = connection
                # Sequential ids ("0002") read better than random hashes in a linear history.
                next_number = len(list(ScriptDirectory.from_config(config).walk_revisions())) + 1
                command.revision(config, message=message, autogenerate=True, rev_id=f"{next_number:04d}")
        finally:
            engine.dispose()

