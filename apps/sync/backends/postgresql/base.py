"""Django's PostgreSQL backend with deferred change-log entries (``apps.sync.backends``)."""
from django.db.backends.postgresql import base

from apps.sync.backends import CaptureAwareDatabaseWrapper


class DatabaseWrapper(CaptureAwareDatabaseWrapper, base.DatabaseWrapper):
    pass
