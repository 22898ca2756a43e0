"""The local schema: Alembic's head matches the models, every catalogue field has a
column, and SQLite is set up the way the store relies on."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from desktop_client.store import default_database_path
from desktop_client.store.base import Base
from desktop_client.store.migrate import current_revision, head_revision
from desktop_client.store.records import RECORD_MODELS, Estimate, attribute_name, line_model
from sync_protocol import catalogue
from tests.client import builders

REPOSITORY = Path(__file__).resolve().parents[2]


def test_migrated_database_matches_the_models_exactly(store):
    with store.engine.connect() as connection:
        differences = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert differences == []


def test_a_new_database_is_at_the_head_revision(store, database_path):
    assert current_revision(database_path) == head_revision()


@pytest.mark.parametrize("record_type", catalogue.RECORD_TYPES, ids=lambda item: item.name)
def test_every_catalogue_field_has_a_column(store, record_type):
    model = RECORD_MODELS[record_type.name]
    columns = {column["name"] for column in inspect(store.engine).get_columns(model.__tablename__)}
    assert {"id", "version", "updated_at"} <= columns
    assert {attribute_name(field) for field in record_type.fields} <= columns
    if record_type.has_lines:
        lines = line_model(model)
        line_columns = {column["name"] for column in inspect(store.engine).get_columns(lines.__tablename__)}
        assert {"id", lines.parent_key} | {attribute_name(field) for field in record_type.line_fields} <= line_columns
    else:
        assert line_model(model) is None


def test_every_record_type_of_the_catalogue_has_a_model():
    assert tuple(RECORD_MODELS) == catalogue.type_names()


def test_connections_use_wal_and_enforce_foreign_keys(store):
    with store.reading() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_decimals_come_back_digit_for_digit_and_dates_as_dates(store):
    record = builders.estimate(lines=1)
    record.lines[0].quantity = Decimal("0.100")
    record.lines[0].unit_price = Decimal("12345678901.23")
    with store.transaction() as session:
        session.add(record)
    with store.reading() as session:
        stored = session.get(Estimate, record.id)
        assert stored.lines[0].quantity == Decimal("0.100")
        assert str(stored.lines[0].quantity) == "0.100"
        assert str(stored.lines[0].unit_price) == "12345678901.23"
        assert stored.date == dt.date(2026, 11, 20)
        assert stored.updated_at.tzinfo == dt.timezone.utc


def test_a_line_cannot_exist_without_its_parent(store):
    line = builders.estimate_line(estimate_id=builders.new_id())
    with pytest.raises(IntegrityError):
        with store.transaction() as session:
            session.add(line)


def test_a_transaction_that_fails_leaves_nothing_behind(store):
    record = builders.estimate()
    with pytest.raises(RuntimeError):
        with store.transaction() as session:
            session.add(record)
            session.flush()
            raise RuntimeError("crash in the middle")
    with store.reading() as session:
        assert session.get(Estimate, record.id) is None


def test_lines_keep_the_order_they_were_given(store):
    record = builders.daily_report(author_id=builders.new_id(), lines=3)
    expected = [line.id for line in record.lines]
    with store.transaction() as session:
        session.add(record)
    with store.reading() as session:
        assert [line.id for line in session.get(type(record), record.id).lines] == expected


def test_default_database_lives_in_the_xdg_data_folder(tmp_path):
    home = tmp_path / "home"
    assert default_database_path(environ={"XDG_DATA_HOME": "/data"}, platform="linux", home=home) == Path(
        "/data/site-sync/node.sqlite3"
    )
    fallback = home / ".local/share/site-sync/node.sqlite3"
    assert default_database_path(environ={}, platform="linux", home=home) == fallback
    # The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    assert default_database_path(environ={"XDG_DATA_HOME": "rel"}, platform="linux", home=home) == (
        home / ".local/share/site-sync/node.sqlite3"
    )
    assert default_database_path(environ={"LOCALAPPDATA": "C:/Users/ivan/AppData/Local"}, platform="win32",
                                 home=home) == Path("C:/Users/ivan/AppData/Local/site-sync/node.sqlite3")


def test_the_core_imports_neither_qt_nor_django():
    probe = (
        "import sys, desktop_client.cli, desktop_client.services, desktop_client.sync, desktop_client.store\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PyQt5', 'PyQt6', 'django', 'apps')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120,
                          cwd=REPOSITORY)
    assert done.stdout.strip() == "[]"
