"""Alembic environment of the node's database.

Run through ``desktop_client.store.migrate``, which passes an open connection in
``config.attributes["connection"]``; there is no alembic.ini and no offline mode.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy.types import TypeDecorator

from desktop_client.store import records, sync_tables  # noqa: F401 - every table joins the metadata
from desktop_client.store.base import Base


def render_item(type_: str, obj: object, autogen_context) -> str | bool:
    # Render custom column types as their storage type, so a migration never imports
    # application code that may change after the migration was written.
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def run_migrations() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("Run migrations through desktop_client.store.migrate.")
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds tables
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("The node's database is migrated online only.")
run_migrations()
