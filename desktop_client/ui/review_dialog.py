"""Conflicts and rejected changes: what the server did not take, and the person's choice.

A conflict shows my version and the server's side by side, the differing rows marked;
the window already shows the server's, and "Re-apply mine" puts mine back on top of it.
A rejected change shows the server's reasons; it can be corrected in the editor (the
reasons beside the fields) and sent again, or discarded.
"""
from __future__ import annotations

from desktop_client import services
from desktop_client.qt import (
    QAbstractItemView,
    QColor,
    QCoreApplication,
    QDialog,
    QDialogButtonBox,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from desktop_client.services import ConflictView, RejectionView
from desktop_client.ui import prompts
from desktop_client.ui.context import AppContext
from desktop_client.ui.core_messages import fill, translated_messages
from desktop_client.ui.editors.record_editor import RecordEditorDialog
from desktop_client.ui.editors.saving import RetryRejection
from desktop_client.ui.formatting import format_datetime
from desktop_client.ui.icons import badge_icon
from desktop_client.ui.labels import field_label, record_type_label
from desktop_client.ui.record_compare import comparison_rows, line_text, value_text
from desktop_client.ui.record_names import record_summary
from sync_protocol import catalogue

translate = QCoreApplication.translate

ID_ROLE = Qt.UserRole
_DIFFERS_BACKGROUND = QColor("#fff3e0")
_REJECTED_BACKGROUND = QColor("#ffebee")


class ReviewDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.editor: RecordEditorDialog | None = None
        self._conflicts: dict[int, ConflictView] = {}
        self._rejections: dict[int, RejectionView] = {}
        self.setObjectName("reviewDialog")
        self.setWindowTitle(translate("ReviewDialog", "To review: conflicts and rejected changes"))
        self.resize(1000, 600)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._conflicts_tab(), "")
        self.tabs.addTab(self._rejections_tab(), "")
        close = QDialogButtonBox(QDialogButtonBox.Close)
        close.button(QDialogButtonBox.Close).setText(translate("ReviewDialog", "Close"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        context.data_changed.connect(self.reload)
        self.reload()
        if not self._conflicts and self._rejections:
            self.tabs.setCurrentIndex(1)

    # --- building ------------------------------------------------------------------

    def _conflicts_tab(self) -> QWidget:
        self.conflict_list = QListWidget()
        self.conflict_list.setObjectName("conflictList")
        self.conflict_list.currentItemChanged.connect(lambda *_: self._show_conflict())
        explanation = QLabel(translate(
            "ReviewDialog", "Someone changed this record on the server before your change arrived. The window "
            "now shows the server's version; yours is kept here. Rows that differ are marked."))
        explanation.setWordWrap(True)
        self.conflict_table = _comparison_table(
            [translate("ReviewDialog", "Field"), translate("ReviewDialog", "Mine"),
             translate("ReviewDialog", "Server's")])
        self.conflict_table.setObjectName("conflictTable")
        self.keep_server_button = QPushButton(translate("ReviewDialog", "Keep the server's"))
        self.keep_server_button.clicked.connect(self.keep_server)
        self.reapply_button = QPushButton(translate("ReviewDialog", "Re-apply mine"))
        self.reapply_button.clicked.connect(self.reapply_mine)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_server_button)
        buttons.addWidget(self.reapply_button)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(explanation)
        details_layout.addWidget(self.conflict_table, 1)
        details_layout.addLayout(buttons)
        self.conflict_stack = _with_empty_state(
            details, translate("ReviewDialog", "No conflicts. Nothing to decide here."))
        return _split(self.conflict_list, self.conflict_stack)

    def _rejections_tab(self) -> QWidget:
        self.rejection_list = QListWidget()
        self.rejection_list.setObjectName("rejectionList")
        self.rejection_list.currentItemChanged.connect(lambda *_: self._show_rejection())
        self.reasons_label = QLabel()
        self.reasons_label.setObjectName("rejectionReasons")
        self.reasons_label.setWordWrap(True)
        self.reasons_label.setStyleSheet("background: #ffebee; padding: 6px; border-radius: 3px;")
        self.rejection_table = _comparison_table(
            [translate("ReviewDialog", "Field"), translate("ReviewDialog", "My change")])
        self.rejection_table.setObjectName("rejectionTable")
        self.edit_button = QPushButton(translate("ReviewDialog", "Correct and send again…"))
        self.edit_button.clicked.connect(self.edit_rejected)
        self.discard_button = QPushButton(translate("ReviewDialog", "Discard my change"))
        self.discard_button.clicked.connect(self.discard_rejected)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.edit_button)
        details = QWidget()
        details_layout = QVBoxLayout(details)
        details_layout.setContentsMargins(0, 0, 0, 0)
        details_layout.addWidget(self.reasons_label)
        details_layout.addWidget(self.rejection_table, 1)
        details_layout.addLayout(buttons)
        self.rejection_stack = _with_empty_state(
            details, translate("ReviewDialog", "No rejected changes. The server took everything you sent."))
        return _split(self.rejection_list, self.rejection_stack)

    # --- data ----------------------------------------------------------------------

    def reload(self) -> None:
        store = self.context.store
        self._conflicts = {item.id: item for item in services.conflict_list(store)}
        self._rejections = {item.id: item for item in services.rejection_list(store)}
        _refill(self.conflict_list, [(c.id, self._conflict_caption(c), "conflict") for c in self._conflicts.values()])
        _refill(self.rejection_list,
                [(r.id, self._rejection_caption(r), "rejected") for r in self._rejections.values()])
        self.tabs.setTabText(0, fill(translate("ReviewDialog", "Conflicts (%1)"), len(self._conflicts)))
        self.tabs.setTabText(1, fill(translate("ReviewDialog", "Rejected changes (%1)"), len(self._rejections)))
        self._show_conflict()
        self._show_rejection()

    def current_conflict(self) -> ConflictView | None:
        item = self.conflict_list.currentItem()
        return self._conflicts.get(item.data(ID_ROLE)) if item is not None else None

    def current_rejection(self) -> RejectionView | None:
        item = self.rejection_list.currentItem()
        return self._rejections.get(item.data(ID_ROLE)) if item is not None else None

    def _conflict_caption(self, conflict: ConflictView) -> str:
        data = conflict.server.get("data") or conflict.mine.get("data") or {}
        return self._caption(conflict.record_type, data, format_datetime(conflict.detected_at))

    def _rejection_caption(self, rejection: RejectionView) -> str:
        data = rejection.change.get("data") or {}
        caption = self._caption(rejection.record_type, data, format_datetime(rejection.rejected_at))
        if rejection.change.get("op") == "delete":
            caption = fill(translate("ReviewDialog", "Deletion: %1"), caption)
        return caption

    def _caption(self, record_type: str, data: dict, when: str) -> str:
        return "\n".join((record_type_label(record_type),
                          record_summary(record_type, data, self.context.references), when))

    # --- showing -------------------------------------------------------------------

    def _show_conflict(self) -> None:
        conflict = self.current_conflict()
        self.conflict_stack.setCurrentIndex(0 if conflict is not None else 1)
        if conflict is None:
            return
        rows = comparison_rows(conflict.record_type, conflict.mine, conflict.server, self.context.references)
        _fill_table(self.conflict_table, [(row.label, [row.mine, row.server], row.differs) for row in rows],
                    _DIFFERS_BACKGROUND)

    def _show_rejection(self) -> None:
        rejection = self.current_rejection()
        self.rejection_stack.setCurrentIndex(0 if rejection is not None else 1)
        if rejection is None:
            return
        errors = rejection.as_form_errors()
        reasons = [f"{field_label(name)}: {message}" for name, items in errors.fields.items()
                   for message in translated_messages(items)]
        for index, line_errors in sorted(errors.lines.items()):
            for name, items in line_errors.items():
                reasons.extend(f"{fill(translate('ReviewDialog', 'Line %1'), index + 1)}, {field_label(name)}: "
                               f"{message}" for message in translated_messages(items))
        self.reasons_label.setText(translate("ReviewDialog", "The server rejected this change:") + "\n"
                                   + "\n".join(f"• {reason}" for reason in reasons))
        is_delete = rejection.change.get("op") == "delete"
        self.edit_button.setText(translate("ReviewDialog", "Send the deletion again") if is_delete
                                 else translate("ReviewDialog", "Correct and send again…"))
        _fill_table(self.rejection_table, self._change_rows(rejection, set(errors.fields), set(errors.lines)),
                    _REJECTED_BACKGROUND)

    def _change_rows(self, rejection: RejectionView, rejected_fields: set[str], rejected_lines: set[int]) -> list:
        kind = catalogue.get(rejection.record_type)
        data = rejection.change.get("data") or {}
        references = self.context.references
        rows = [(field_label(field.name), [value_text(field, data.get(field.name), references)],
                 field.name in rejected_fields) for field in kind.fields]
        if kind.has_lines:
            for index, line in enumerate(data.get("lines") or []):
                rows.append((fill(translate("ReviewDialog", "Line %1"), index + 1),
                             [line_text(kind, line, references)], index in rejected_lines))
        return rows

    # --- actions -------------------------------------------------------------------

    def keep_server(self) -> None:
        conflict = self.current_conflict()
        if conflict is None:
            return
        if not prompts.confirm(
            self, translate("ReviewDialog", "Keep the server's version"),
            translate("ReviewDialog", "Your version of this record will be dropped. Keep the server's?"),
            action=translate("ReviewDialog", "Keep the server's"), destructive=True,
        ):
            return
        self._act(lambda: services.conflict_keep_server(self.context.store, conflict_id=conflict.id))

    def reapply_mine(self) -> None:
        conflict = self.current_conflict()
        if conflict is not None:
            self._act(lambda: services.conflict_reapply_mine(self.context.store, conflict_id=conflict.id))

    def discard_rejected(self) -> None:
        rejection = self.current_rejection()
        if rejection is None:
            return
        if not prompts.confirm(
            self, translate("ReviewDialog", "Discard the change"),
            translate("ReviewDialog", "The record goes back to what the server has. Discard your change?"),
            action=translate("ReviewDialog", "Discard my change"), destructive=True,
        ):
            return
        self._act(lambda: services.rejection_discard(self.context.store, rejection_id=rejection.id))

    def edit_rejected(self) -> RecordEditorDialog | None:
        """Open the editor on the rejected change with the server's reasons beside the
        fields; a rejected deletion is simply sent again."""
        rejection = self.current_rejection()
        if rejection is None:
            return None
        if rejection.change.get("op") == "delete":
            self._act(lambda: services.rejection_retry(self.context.store, rejection_id=rejection.id))
            return None
        try:
            current = services.record_get(self.context.store, record_type=rejection.record_type,
                                          record_id=rejection.record_id)
        except services.NotFound:
            self.reload()
            return None
        self.editor = RecordEditorDialog(self.context, RetryRejection(rejection), current=current,
                                         server_errors=rejection.as_form_errors(), parent=self)
        self.editor.open()
        return self.editor

    def _act(self, action) -> None:
        try:
            action()
        except services.NotFound:
            pass  # already settled (another window, or a sync): the reload shows how things are
        self.context.notify_data_changed()


def _split(left: QListWidget, right: QWidget) -> QSplitter:
    left.setWordWrap(True)
    left.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
    left.setSpacing(2)
    splitter = QSplitter()
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, 1)
    splitter.setStretchFactor(1, 3)
    splitter.setSizes([280, 700])
    return splitter


def _with_empty_state(details: QWidget, empty_text: str) -> QStackedWidget:
    empty = QLabel(empty_text)
    empty.setAlignment(Qt.AlignCenter)
    empty.setWordWrap(True)
    stack = QStackedWidget()
    stack.addWidget(details)
    stack.addWidget(empty)
    return stack


def _comparison_table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.NoSelection)
    table.setWordWrap(True)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeToContents)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.Stretch)
    return table


def _fill_table(table: QTableWidget, rows: list[tuple[str, list[str], bool]], marked: QColor) -> None:
    """Rows of (label, cells, marked); marked rows get a sign, bold text and a colour,
    so the difference does not rest on colour alone."""
    table.setRowCount(len(rows))
    for row, (label, cells, is_marked) in enumerate(rows):
        items = [QTableWidgetItem(f"≠ {label}" if is_marked else label)] + [QTableWidgetItem(text) for text in cells]
        for column, item in enumerate(items):
            if is_marked:
                item.setBackground(marked)
                font = QFont(item.font())
                font.setBold(True)
                item.setFont(font)
            item.setData(ID_ROLE, is_marked)
            table.setItem(row, column, item)
    table.resizeRowsToContents()


def _refill(widget: QListWidget, entries: list[tuple[int, str, str]]) -> None:
    """Replace the list's items, keeping the current one current if it is still there."""
    current = widget.currentItem().data(ID_ROLE) if widget.currentItem() is not None else None
    widget.blockSignals(True)
    widget.clear()
    for entry_id, caption, badge in entries:
        item = QListWidgetItem(badge_icon(badge), caption)
        item.setData(ID_ROLE, entry_id)
        widget.addItem(item)
    widget.blockSignals(False)
    chosen = next((i for i in range(widget.count()) if widget.item(i).data(ID_ROLE) == current), 0)
    if widget.count():
        widget.setCurrentRow(chosen)


def marked_rows(table: QTableWidget) -> list[str]:
    """The labels of the marked rows (for tests and accessibility checks)."""
    return [table.item(row, 0).text().removeprefix("≠ ") for row in range(table.rowCount())
            if table.item(row, 0).data(ID_ROLE)]
