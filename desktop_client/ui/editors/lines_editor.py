"""The lines table of an editor: add, remove and reorder lines, pick the work item from
the catalogue, and see each line's total and the sum."""
from __future__ import annotations

from desktop_client.qt import (
    QAbstractItemView,
    QComboBox,
    QCoreApplication,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QModelIndex,
    QPushButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from desktop_client.ui.core_messages import fill
from desktop_client.ui.editors.lines_model import EDIT_ROLE, LinesModel
from desktop_client.ui.editors.record_form import ERROR_STYLE
from desktop_client.ui.formatting import format_decimal
from desktop_client.ui.references import ReferenceLookup
from desktop_client.ui.totals import MONEY_PLACES

translate = QCoreApplication.translate


class WorkItemDelegate(QStyledItemDelegate):
    """The work column is picked from the catalogue, or left empty."""

    def __init__(self, references: ReferenceLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._references = references

    def createEditor(self, parent: QWidget, option, index: QModelIndex) -> QWidget:  # noqa: N802 - Qt's name
        editor = QComboBox(parent)
        editor.addItem(translate("LinesEditor", "— none —"), None)
        for item in self._references.work_items():
            editor.addItem(item.label, item.id)
        # Choosing is the whole edit: commit at once, so the line fills in while looking at it.
        editor.activated.connect(lambda _: self.commitData.emit(editor))
        return editor

    def setEditorData(self, editor: QComboBox, index: QModelIndex) -> None:  # noqa: N802 - Qt's name
        editor.setCurrentIndex(max(editor.findData(index.data(EDIT_ROLE)), 0))

    def setModelData(self, editor: QComboBox, model, index: QModelIndex) -> None:  # noqa: N802 - Qt's name
        model.setData(index, editor.currentData(), EDIT_ROLE)


class LinesEditor(QWidget):
    def __init__(self, model: LinesModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.table = QTableView()
        self.table.setObjectName("linesTable")
        self.table.setModel(model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.AllEditTriggers)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(False)
        for column, spec in enumerate(model.columns):
            if spec.name == "work_specification":
                self.table.setItemDelegateForColumn(column, WorkItemDelegate(model.references, self.table))
        self.add_button = self._button(translate("LinesEditor", "Add line"), self.add_line, "Ctrl+Shift+N")
        self.remove_button = self._button(translate("LinesEditor", "Remove line"), self.remove_line, "Ctrl+Del")
        self.up_button = self._button(translate("LinesEditor", "Move up"), lambda: self.move_line(-1), "Ctrl+Up")
        self.down_button = self._button(translate("LinesEditor", "Move down"), lambda: self.move_line(1),
                                        "Ctrl+Down")
        self.total_label = QLabel()
        self.total_label.setObjectName("linesTotal")
        self.total_label.setStyleSheet("font-weight: bold;")
        self.errors_label = QLabel()
        self.errors_label.setObjectName("linesErrors")
        self.errors_label.setStyleSheet(ERROR_STYLE)
        self.errors_label.setWordWrap(True)
        self.errors_label.hide()
        buttons = QHBoxLayout()
        for button in (self.add_button, self.remove_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.errors_label)
        model.edited.connect(self._update_total)
        model.modelReset.connect(self._after_reset)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self._after_reset()

    def _button(self, text: str, slot, shortcut: str) -> QPushButton:
        button = QPushButton(text)
        button.setShortcut(QKeySequence(shortcut))
        button.setToolTip(f"{text} ({QKeySequence(shortcut).toString(QKeySequence.NativeText)})")
        button.clicked.connect(slot)
        return button

    # --- actions -------------------------------------------------------------------

    def add_line(self) -> None:
        row = self.model.add_line()
        self.table.selectRow(row)
        self.table.setCurrentIndex(self.model.index(row, 0))
        self.table.setFocus()
        self._update_buttons()

    def remove_line(self) -> None:
        row = self.current_row()
        if row is None:
            return
        self.model.remove_line(row)
        if self.model.rowCount():
            self.table.selectRow(min(row, self.model.rowCount() - 1))
        self._update_buttons()

    def move_line(self, offset: int) -> None:
        row = self.current_row()
        if row is None:
            return
        self.table.selectRow(self.model.move_line(row, offset))
        self._update_buttons()

    def current_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    # --- display -------------------------------------------------------------------

    def show_errors(self) -> None:
        summary = self.model.error_summary()
        self.errors_label.setText("\n".join(summary))
        self.errors_label.setVisible(bool(summary))

    def _after_reset(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column, spec in enumerate(self.model.columns):
            width = {"work_specification": 230, "description": 240}.get(spec.name, 100)
            header.resizeSection(column, max(width, header.sectionSize(column)))
            if spec.name == "description":
                header.setSectionResizeMode(column, QHeaderView.Stretch)
        self._update_total()
        self._update_buttons()

    def _update_total(self) -> None:
        total = self.model.total()
        if self.model.record_type.name == "estimate":
            text = fill(translate("LinesEditor", "Estimate total: %1"), format_decimal(total, places=MONEY_PLACES))
        else:
            text = fill(translate("LinesEditor", "Man-hours: %1"), format_decimal(total))
        self.total_label.setText(text)

    def _update_buttons(self) -> None:
        row = self.current_row()
        has_row = row is not None
        self.remove_button.setEnabled(has_row)
        self.up_button.setEnabled(has_row and row > 0)
        self.down_button.setEnabled(has_row and row < self.model.rowCount() - 1)

