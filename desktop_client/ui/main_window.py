"""The main window: the lists of daily reports, timesheets, estimates and the work
catalogue; the actions on them; the connection's status bar."""
from __future__ import annotations

from desktop_client import services
from desktop_client.qt import (
    QAction,
    QCoreApplication,
    QKeySequence,
    QMainWindow,
    QStyle,
    Qt,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_client.services import RecordView
from desktop_client.ui import prompts
from desktop_client.ui.context import AppContext
from desktop_client.ui.core_messages import fill
from desktop_client.ui.editors.record_editor import RecordEditorDialog
from desktop_client.ui.editors.saving import CreateRecord, UpdateRecord
from desktop_client.ui.icons import badge_icon
from desktop_client.ui.labels import record_type_plural
from desktop_client.ui.notice_bar import NoticeBar
from desktop_client.ui.record_names import record_title
from desktop_client.ui.record_page import RecordPage
from desktop_client.ui.review_dialog import ReviewDialog
from desktop_client.ui.settings_dialog import SettingsDialog
from desktop_client.ui.status_bar import SyncStatusBar
from desktop_client.ui.sync_controller import ConnectionState, SyncController
from desktop_client.ui.sync_texts import state_explanation

translate = QCoreApplication.translate

# Tabs in the order a foreman uses them; the catalogue is the office's and read-only here.
PAGES = (("daily_report", True), ("timesheet", True), ("estimate", True), ("work_specification", False))


class MainWindow(QMainWindow):
    language_changed = Signal(str)

    def __init__(self, context: AppContext, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.controller = controller
        self.editor: RecordEditorDialog | None = None
        self.setObjectName("mainWindow")
        self.setWindowTitle(translate("MainWindow", "Site sync"))
        self.resize(1180, 720)

        self.pages: dict[str, RecordPage] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for record_type, editable in PAGES:
            page = RecordPage(context, record_type, editable=editable)
            page.activated.connect(self.edit_record)
            page.selection_changed.connect(self._update_actions)
            self.pages[record_type] = page
            self.tabs.addTab(page, record_type_plural(record_type))
        self.tabs.currentChanged.connect(self._reload_current)

        self.notice = NoticeBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self.status = SyncStatusBar(context, controller)
        self.status.review_requested.connect(self.open_review)
        self.statusBar().addPermanentWidget(self.status, 1)
        self.statusBar().setSizeGripEnabled(False)

        context.data_changed.connect(self.reload)
        controller.state_changed.connect(self._on_state_changed)
        if context.settings.window_geometry is not None:
            self.restoreGeometry(context.settings.window_geometry)
        self.reload()
        self._on_state_changed()

    def _build_actions(self) -> None:
        style = self.style()
        self.new_action = self._action(translate("MainWindow", "New"), QKeySequence.New, self.new_record,
                                       style.standardIcon(QStyle.SP_FileIcon))
        self.edit_action = self._action(translate("MainWindow", "Open"), QKeySequence("Ctrl+E"),
                                        lambda: self.edit_record(),
                                        style.standardIcon(QStyle.SP_FileDialogDetailedView))
        self.delete_action = self._action(translate("MainWindow", "Delete"), QKeySequence.Delete, self.delete_selected,
                                          style.standardIcon(QStyle.SP_TrashIcon))
        self.sync_action = self._action(translate("MainWindow", "Sync now"), QKeySequence("F5"),
                                        self.controller.sync_now, style.standardIcon(QStyle.SP_BrowserReload))
        self.review_action = self._action(translate("MainWindow", "To review"), QKeySequence("Ctrl+R"),
                                          self.open_review, badge_icon("conflict"))
        self.settings_action = self._action(translate("MainWindow", "Settings"), QKeySequence("Ctrl+,"),
                                            self.open_settings, style.standardIcon(QStyle.SP_FileDialogInfoView))
        self.search_action = self._action(translate("MainWindow", "Search"), QKeySequence.Find,
                                          self._focus_search, None)
        toolbar = QToolBar(translate("MainWindow", "Actions"))
        toolbar.setObjectName("actions")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        for action in (self.new_action, self.edit_action, self.delete_action):
            toolbar.addAction(action)
        toolbar.addSeparator()
        for action in (self.sync_action, self.review_action, self.settings_action):
            toolbar.addAction(action)
        self.addToolBar(toolbar)
        self.addAction(self.search_action)

    def _action(self, text: str, shortcut, slot, icon) -> QAction:
        action = QAction(text, self)
        if icon is not None:
            action.setIcon(icon)
        action.setShortcut(shortcut)
        action.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.NativeText)})")
        action.triggered.connect(lambda checked=False: slot())
        return action

    # --- pages ---------------------------------------------------------------------

    def current_page(self) -> RecordPage:
        return self.tabs.currentWidget()

    def show_page(self, record_type: str) -> RecordPage:
        page = self.pages[record_type]
        self.tabs.setCurrentWidget(page)
        return page

    def reload(self) -> None:
        """Re-read the list in view now; the others when they are next shown (with a large
        local copy, reading every list after each sync would hold the window up)."""
        for page in self.pages.values():
            page.stale = True
        self._reload_current()

    def _reload_current(self) -> None:
        page = self.current_page()
        if page is not None and page.stale:
            page.reload()
        self._update_actions()

    # --- actions -------------------------------------------------------------------

    def new_record(self) -> RecordEditorDialog | None:
        page = self.current_page()
        if not page.editable:
            return None
        return self._open_editor(RecordEditorDialog(self.context, CreateRecord(page.record_type), parent=self))

    def edit_record(self, view: RecordView | None = None) -> RecordEditorDialog | None:
        page = self.current_page()
        view = view or page.selected_record()
        if view is None or not page.editable:
            return None
        try:  # the list may be a sync behind: edit what is stored now
            current = services.record_get(self.context.store, record_type=view.type, record_id=view.id)
        except services.NotFound:
            self.reload()
            return None
        return self._open_editor(RecordEditorDialog(self.context, UpdateRecord(current), current=current,
                                                    parent=self))

    def _open_editor(self, editor: RecordEditorDialog) -> RecordEditorDialog:
        self.editor = editor
        editor.saved.connect(lambda view: self._select_saved(editor, view))
        editor.open()
        return editor

    def _select_saved(self, editor: RecordEditorDialog, view: RecordView | None) -> None:
        if view is not None:
            self.show_page(view.type).select_record(view.id)

    def delete_selected(self) -> bool:
        page = self.current_page()
        view = page.selected_record()
        if view is None or not page.editable:
            return False
        name = record_title(view.type, view.values, self.context.references)
        if not prompts.confirm(
            self,
            translate("MainWindow", "Delete"),
            fill(translate("MainWindow", "Delete “%1”? The deletion is sent to the server with the next sync."),
                 name),
            action=translate("MainWindow", "Delete"),
            destructive=True,
        ):
            return False
        try:
            services.record_delete(self.context.store, record_type=view.type, record_id=view.id,
                                   expected_updated_at=view.updated_at)
        except services.RecordChanged:
            prompts.warn(self, translate("MainWindow", "Changed meanwhile"), translate(
                "MainWindow", "This record was just changed by a sync. Look at it again before deleting it."))
        except services.NotFound:
            pass  # already gone
        self.context.notify_data_changed()
        return True

    def open_settings(self) -> SettingsDialog:
        dialog = SettingsDialog(self.context, self.controller, parent=self)
        dialog.language_changed.connect(self.language_changed)
        dialog.open()
        return dialog

    def open_review(self) -> ReviewDialog:
        dialog = ReviewDialog(self.context, parent=self)
        dialog.open()
        return dialog

    def _focus_search(self) -> None:
        self.current_page().filters.search.setFocus()
        self.current_page().filters.search.selectAll()

    # --- state ---------------------------------------------------------------------

    def _update_actions(self) -> None:
        page = self.current_page()
        has_selection = page is not None and page.selected_record() is not None
        editable = page is not None and page.editable
        self.new_action.setEnabled(editable)
        self.edit_action.setEnabled(editable and has_selection)
        self.delete_action.setEnabled(editable and has_selection)

    def _on_state_changed(self) -> None:
        state = self.controller.state
        self.sync_action.setEnabled(state not in (ConnectionState.NOT_CONNECTED, ConnectionState.REVOKED,
                                                  ConnectionState.SYNCING))
        if state is ConnectionState.NOT_CONNECTED:
            self.notice.show_notice("not_connected", state_explanation(state),
                                    translate("MainWindow", "Connect…"), self.open_settings)
        elif state is ConnectionState.REVOKED:
            self.notice.show_notice("revoked", state_explanation(state),
                                    translate("MainWindow", "Connect again…"), self.open_settings)
        else:
            self.notice.clear()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self.context.settings.window_geometry = self.saveGeometry()
        self.context.settings.sync()
        super().closeEvent(event)
