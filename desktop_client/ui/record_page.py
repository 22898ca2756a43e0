"""One tab of the main window: a record type's list with its filters."""
from __future__ import annotations

from desktop_client import services
from desktop_client.qt import (
    QAbstractItemView,
    QCoreApplication,
    QHeaderView,
    QLabel,
    QStackedWidget,
    Qt,
    QTableView,
    QVBoxLayout,
    QWidget,
    Signal,
)
from desktop_client.services import RecordView
from desktop_client.ui.context import AppContext
from desktop_client.ui.filter_bar import FilterBar
from desktop_client.ui.record_table import (
    MARKER_COLUMN,
    RECORD_ROLE,
    RecordFilterProxy,
    RecordMarkers,
    RecordTableModel,
)

translate = QCoreApplication.translate

_DATED_TYPES = {"daily_report", "timesheet", "estimate"}


class RecordPage(QWidget):
    activated = Signal(object)  # RecordView: double-click or Enter
    selection_changed = Signal()

    def __init__(self, context: AppContext, record_type: str, *, editable: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.record_type = record_type
        self.editable = editable
        self.model = RecordTableModel(record_type, context.references, self)
        self.proxy = RecordFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.filters = FilterBar(with_site_and_dates=record_type in _DATED_TYPES)
        self.filters.changed.connect(self._apply_filters)
        self.table = self._table()
        self.empty_label = QLabel(self._empty_text())
        self.empty_label.setAlignment(Qt.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet("color: palette(mid); font-size: 13pt; padding: 24px;")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.filters)
        layout.addWidget(self.stack, 1)
        self._sorted_once = False
        # Fitted to the first rows once, then left as the person resized them.
        self._columns_fitted = False
        self.stale = True  # the data changed since the list was last read

    def _table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectRows)
        table.setSelectionMode(QAbstractItemView.SingleSelection)
        table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        table.setSortingEnabled(True)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.verticalHeader().hide()
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.Interactive)
        header.setStretchLastSection(True)
        table.activated.connect(self._on_activated)
        table.selectionModel().selectionChanged.connect(self.selection_changed)
        return table

    def _empty_text(self) -> str:
        texts = {
            "daily_report": translate("RecordPage", "No daily reports yet. Press “New” to write today's."),
            "timesheet": translate("RecordPage", "No timesheets yet. Press “New” to add hours."),
            "estimate": translate("RecordPage", "No estimates yet. Press “New” to start one."),
            "work_specification": translate(
                "RecordPage", "The work catalogue is empty. The office keeps it; it arrives with the next sync."),
        }
        return texts[self.record_type]

    # --- data ----------------------------------------------------------------------

    def reload(self) -> None:
        """Read the list again, keeping the selected record selected."""
        selected = self.selected_record()
        views = services.record_list(self.context.store, record_type=self.record_type)
        self.model.set_records(views, self._markers())
        self.stale = False
        if self.record_type in _DATED_TYPES:
            self.filters.set_sites(view.values.get("site") for view in views if view.values.get("site"))
        if not self._sorted_once:
            # The services list the newest first; keep that order until a header is clicked.
            self.table.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
            self.proxy.sort(-1)
            self._sorted_once = True
        if not self._columns_fitted and views:
            self._fit_columns()
        self._apply_filters()
        if selected is not None:
            self.select_record(selected.id)

    def _markers(self) -> RecordMarkers:
        store, kind = self.context.store, self.record_type
        return RecordMarkers(
            conflicts=frozenset(item.record_id for item in services.conflict_list(store) if item.record_type == kind),
            rejections=frozenset(item.record_id for item in services.rejection_list(store) if item.record_type == kind),
        )

    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        header.setResizeContentsPrecision(200)  # measuring thousands of rows would freeze the window
        self.table.resizeColumnsToContents()
        header.resizeSection(MARKER_COLUMN, 26)
        for column in range(1, self.model.columnCount()):
            # Long notes must not push the other columns off the screen.
            header.resizeSection(column, min(max(header.sectionSize(column), 90), 320))
        self._columns_fitted = True

    def _apply_filters(self) -> None:
        date_from, date_to = self.filters.date_range
        self.proxy.set_filters(search=self.filters.search_text, site=self.filters.selected_site,
                               date_from=date_from, date_to=date_to)
        total = self.model.rowCount()
        self.filters.show_count(self.proxy.rowCount(), total)
        self.stack.setCurrentWidget(self.table if total else self.empty_label)

    # --- selection -----------------------------------------------------------------

    def selected_record(self) -> RecordView | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return rows[0].data(RECORD_ROLE) if rows else None

    def select_record(self, record_id: str) -> bool:
        source_row = self.model.row_of(record_id)
        if source_row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(source_row, 1))
        if not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def visible_records(self) -> list[RecordView]:
        return [self.proxy.index(row, 0).data(RECORD_ROLE) for row in range(self.proxy.rowCount())]

    def _on_activated(self, index) -> None:
        view = index.data(RECORD_ROLE)
        if view is not None:
            self.activated.emit(view)
