"""Django's SQLite backend with deferred change-log entries (``apps.sync.backends``)."""
from django.db.backends.sqlite3 import base

from apps.sync.backends import CaptureAwareDatabaseWrapper


class DatabaseWrapper(CaptureAwareDatabaseWrapper, base.DatabaseWrapper):
    def _sync_in_transaction(self) -> bool:
        return self.connection is not None and self.connection.in_transaction
