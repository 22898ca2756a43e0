"""Django's PostgreSQL backend with deferred change-log entries (``apps.sync.backends``)."""
from django.db.backends.postgresql import base
from psycopg import pq

from apps.sync.backends import CaptureAwareDatabaseWrapper


class DatabaseWrapper(CaptureAwareDatabaseWrapper, base.DatabaseWrapper):
    def _sync_in_transaction(self) -> bool:
        return self.connection is not None and self.connection.pgconn.transaction_status != pq.TransactionStatus.IDLE
