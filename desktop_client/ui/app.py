"""Starting the window: ``python -m desktop_client`` with no sub-command ends up here.

``DesktopApp`` ties the parts together and outlives the main window: a change of
language builds a new window in the new language (every text is looked up when a screen
is built), while the store, the preferences and the background sync carry on.
"""
from __future__ import annotations

import logging
import sys
from pathlib import Path

from desktop_client import APP_NAME, __version__
from desktop_client.qt import (
    QApplication,
    QCoreApplication,
    QMessageBox,
    QObject,
    QSettings,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from desktop_client.store import DatabaseNotUsable, Store, open_store
from desktop_client.sync import HttpTransport, RetryPolicy
from desktop_client.ui.app_settings import AppSettings
from desktop_client.ui.context import AppContext
from desktop_client.ui.language import Translations
from desktop_client.ui.main_window import MainWindow
from desktop_client.ui.sync_controller import SyncController
from desktop_client.ui.sync_worker import WINDOW_RETRY_POLICY, TransportFactory

logger = logging.getLogger("desktop_client.ui")

translate = QCoreApplication.translate


class DesktopApp(QObject):
    def __init__(
        self,
        app: QApplication,
        store: Store,
        settings: AppSettings,
        *,
        transport_factory: TransportFactory = HttpTransport,
        retry_policy: RetryPolicy = WINDOW_RETRY_POLICY,
        translations: Translations | None = None,
    ) -> None:
        super().__init__()
        self.app = app
        if translations is None:
            translations = Translations(app)
            translations.install(settings.language)
        self.translations = translations
        self.context = AppContext(store, settings)
        self.controller = SyncController(self.context, transport_factory=transport_factory, retry_policy=retry_policy)
        self.window = self._new_window()

    def start(self, *, sync_at_once: bool = True) -> None:
        self.window.show()
        self.controller.start(sync_at_once=sync_at_once)

    def shutdown(self) -> None:
        self.controller.shutdown()

    def change_language(self, choice: str) -> None:
        """Rebuild the window in the new language once the settings dialog has closed."""
        self.translations.install(choice)
        QTimer.singleShot(0, self._replace_window)

    def _replace_window(self) -> None:
        old = self.window
        self.window = self._new_window()
        self.window.setGeometry(old.geometry())
        self.window.show()
        old.hide()
        old.deleteLater()

    def _new_window(self) -> MainWindow:
        window = MainWindow(self.context, self.controller)
        window.language_changed.connect(self.change_language)
        return window


def run_window(database_path: str | Path | None = None) -> int:
    """Open the window on the node's database; return the exit code."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setOrganizationName(APP_NAME)
    app.setApplicationName("desktop")
    app.setApplicationVersion(__version__)
    qInstallMessageHandler(_qt_message_to_log)
    settings = AppSettings(QSettings())
    translations = Translations(app)
    translations.install(settings.language)
    try:
        store = open_store(database_path)
    except (DatabaseNotUsable, OSError) as error:
        QMessageBox.critical(None, translate("App", "Cannot open the data"), str(error))
        return 1
    desktop = DesktopApp(app, store, settings, translations=translations)
    desktop.start()
    try:
        return app.exec_()
    finally:
        desktop.shutdown()
        store.close()


_QT_LOG_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message_to_log(message_type, context, message: str) -> None:
    """Qt's own messages go to the same log as ours (as qutebrowser does), not to a bare stderr."""
    logging.getLogger("qt").log(_QT_LOG_LEVELS.get(message_type, logging.WARNING), message)
