"""The node's local store: SQLAlchemy models of every record type, the node's
bookkeeping tables, change capture into the outbox, and Alembic migrations."""
from __future__ import annotations

from pathlib import Path

from desktop_client.store.database import Store, create_node_engine
from desktop_client.store.location import default_database_path
from desktop_client.store.migrate import DatabaseNotUsable, upgrade_database
from desktop_client.store.outbox import applying_server_changes

__all__ = [
    "DatabaseNotUsable",
    "Store",
    "applying_server_changes",
    "default_database_path",
    "open_store",
]


def open_store(path: Path | str | None = None) -> Store:
    """Open the node's database at ``path`` (default: the user's data folder), creating
    it or upgrading its schema first; an existing file is backed up before an upgrade."""
    database_path = Path(path) if path is not None else default_database_path()
    database_path.parent.mkdir(parents=True, exist_ok=True)
    upgrade_database(database_path)
    return Store(create_node_engine(database_path), database_path)
