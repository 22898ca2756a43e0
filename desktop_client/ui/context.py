"""What every screen of the window shares: the node's store (for this, the GUI thread),
the preferences, and the one "data changed" notification screens refresh from.

Anki's ``operation_did_execute`` is the model: whoever changes data (an editor, the
conflicts dialog, a finished sync) says so once, and every open screen re-reads what it
shows, instead of screens telling each other what to update.
"""
from __future__ import annotations

from desktop_client.qt import QObject, Signal
from desktop_client.store import Store
from desktop_client.ui.app_settings import AppSettings
from desktop_client.ui.references import ReferenceLookup


class AppContext(QObject):
    data_changed = Signal()

    def __init__(self, store: Store, settings: AppSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.settings = settings
        self.references = ReferenceLookup(store)
        self.data_changed.connect(self.references.invalidate)

    def notify_data_changed(self) -> None:
        self.data_changed.emit()
