"""Alembic revisions of the node's database (see ``desktop_client.store.migrate``)."""
