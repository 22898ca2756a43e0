"""The window's own preferences, kept in ``QSettings``.

What identifies this computer to the server (address, node id, token) lives in the
node's database with the data it belongs to, not here: a settings file is easy to copy
around and the token must never travel with it.
"""
from __future__ import annotations

from desktop_client.qt import QByteArray, QSettings

LANGUAGE_SYSTEM = "system"
DEFAULT_SYNC_INTERVAL_MINUTES = 5
SYNC_INTERVAL_RANGE = (1, 240)


class AppSettings:
    def __init__(self, store: QSettings) -> None:
        self._store = store

    @property
    def language(self) -> str:
        """``system`` (follow the computer), or a language code such as ``ru``."""
        return str(self._store.value("ui/language", LANGUAGE_SYSTEM))

    @language.setter
    def language(self, value: str) -> None:
        self._store.setValue("ui/language", value)

    @property
    def sync_interval_minutes(self) -> int:
        raw = self._store.value("sync/interval_minutes", DEFAULT_SYNC_INTERVAL_MINUTES)
        try:
            minutes = int(raw)
        except (TypeError, ValueError):
            return DEFAULT_SYNC_INTERVAL_MINUTES
        low, high = SYNC_INTERVAL_RANGE
        return min(max(minutes, low), high)

    @sync_interval_minutes.setter
    def sync_interval_minutes(self, value: int) -> None:
        self._store.setValue("sync/interval_minutes", int(value))

    def remembered(self, key: str) -> str | None:
        """A value the last form used (site, author, worker), to offer it again."""
        value = self._store.value(f"remembered/{key}")
        return str(value) if value else None

    def remember(self, key: str, value: str | None) -> None:
        if value:
            self._store.setValue(f"remembered/{key}", value)

    @property
    def window_geometry(self) -> QByteArray | None:
        value = self._store.value("ui/window_geometry")
        return value if isinstance(value, QByteArray) else None

    @window_geometry.setter
    def window_geometry(self, value: QByteArray) -> None:
        self._store.setValue("ui/window_geometry", value)

    def sync(self) -> None:
        self._store.sync()
