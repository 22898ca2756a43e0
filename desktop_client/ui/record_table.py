"""A list of records as a Qt table: the model over ``RecordView``s and the proxy that
filters it by search text, site and dates and sorts by each column's own values."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from desktop_client.qt import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QSortFilterProxyModel,
    Qt,
)
from desktop_client.services import RecordView
from desktop_client.ui.icons import badge_icon
from desktop_client.ui.record_columns import COLUMNS, Column
from desktop_client.ui.references import ReferenceLookup

translate = QCoreApplication.translate

SORT_ROLE = Qt.UserRole
RECORD_ROLE = Qt.UserRole + 1
MARKER_COLUMN = 0  # the narrow first column: not sent / conflict / rejected


@dataclass(frozen=True)
class RecordMarkers:
    """Records that need attention, by id: what the first column shows."""

    conflicts: frozenset[str] = frozenset()
    rejections: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _Row:
    view: RecordView
    cells: tuple[Any, ...]  # sort values, one per column
    texts: tuple[str, ...]
    marker: str | None  # "conflict", "rejected", "pending" or None
    search_text: str


class RecordTableModel(QAbstractTableModel):
    def __init__(self, record_type: str, references: ReferenceLookup, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.record_type = record_type
        self.columns: tuple[Column, ...] = COLUMNS[record_type]
        self._references = references
        self._rows: list[_Row] = []

    def set_records(self, views: Sequence[RecordView], markers: RecordMarkers = RecordMarkers()) -> None:
        self.beginResetModel()
        self._rows = [self._row(view, markers) for view in views]
        self.endResetModel()

    def record_at(self, row: int) -> RecordView:
        return self._rows[row].view

    def row_of(self, record_id: str) -> int | None:
        for index, row in enumerate(self._rows):
            if row.view.id == record_id:
                return index
        return None

    def search_text(self, row: int) -> str:
        return self._rows[row].search_text

    # --- QAbstractTableModel -----------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.columns) + 1

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802 - Qt's name
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return "" if section == MARKER_COLUMN else self.columns[section - 1].title
        if role == Qt.ToolTipRole and section == MARKER_COLUMN:
            return translate("RecordTable", "Sync state of the record")
        return None

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == RECORD_ROLE:
            return row.view
        if column == MARKER_COLUMN:
            return self._marker_data(row.marker, role)
        if role == Qt.DisplayRole:
            return row.texts[column - 1]
        if role == SORT_ROLE:
            return row.cells[column - 1]
        if role == Qt.TextAlignmentRole:
            numeric = self.columns[column - 1].numeric
            return int((Qt.AlignRight if numeric else Qt.AlignLeft) | Qt.AlignVCenter)
        return None

    @staticmethod
    def _marker_data(marker: str | None, role: int):
        if role == Qt.DecorationRole and marker:
            return badge_icon(marker)
        if role == Qt.ToolTipRole and marker:
            return {
                "pending": translate("RecordTable", "Changed here, not sent to the server yet"),
                "conflict": translate("RecordTable", "Conflict: changed on the server too; see To review"),
                "rejected": translate("RecordTable", "The server rejected this change; see To review"),
            }[marker]
        if role == SORT_ROLE:
            return {"conflict": 0, "rejected": 1, "pending": 2}.get(marker or "", 3)
        return None

    def _row(self, view: RecordView, markers: RecordMarkers) -> _Row:
        cells = tuple(column.value(view, self._references) for column in self.columns)
        texts = tuple(column.text(value) for column, value in zip(self.columns, cells, strict=True))
        if view.id in markers.conflicts:
            marker = "conflict"
        elif view.id in markers.rejections:
            marker = "rejected"
        elif view.has_unsent_change:
            marker = "pending"
        else:
            marker = None
        return _Row(view, cells, texts, marker, " ".join(texts).casefold())


class RecordFilterProxy(QSortFilterProxyModel):
    """Rows matching every filter set: words of the search text (each anywhere in the
    row), the site, and the dates (inclusive)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._words: tuple[str, ...] = ()
        self._site: str | None = None
        self._date_from: dt.date | None = None
        self._date_to: dt.date | None = None

    def set_filters(self, *, search: str, site: str | None, date_from: dt.date | None,
                    date_to: dt.date | None) -> None:
        self._words = tuple(search.casefold().split())
        self._site = site
        self._date_from = date_from
        self._date_to = date_to
        self.invalidateFilter()

    @property
    def is_filtering(self) -> bool:
        return bool(self._words or self._site or self._date_from or self._date_to)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:  # noqa: N802 - Qt's name
        model = self.sourceModel()
        if not isinstance(model, RecordTableModel):
            return True
        text = model.search_text(source_row)
        if any(word not in text for word in self._words):
            return False
        values = model.record_at(source_row).values
        if self._site is not None and values.get("site") != self._site:
            return False
        date = values.get("date")
        if self._date_from is not None and (date is None or date < self._date_from):
            return False
        if self._date_to is not None and (date is None or date > self._date_to):
            return False
        return True

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:  # noqa: N802 - Qt's name
        # Python values (dates, Decimals, text) compared as Python does; empty ones first.
        a, b = left.data(SORT_ROLE), right.data(SORT_ROLE)
        if a is None or b is None:
            return a is None and b is not None
        if isinstance(a, str) and isinstance(b, str):
            return a.casefold() < b.casefold()
        try:
            return a < b
        except TypeError:
            return str(a) < str(b)
