"""The lines of an estimate or a daily report while they are being edited.

Numbers are kept as the person typed them and read only to show totals and when saving,
so a half-typed "12," is never rejected mid-word. Reasons from validation belong to a
line (not to a row number), so they move with the line when lines are reordered.
The estimate's ``position`` is not shown: it is the line's place in the list.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from desktop_client.qt import QAbstractTableModel, QBrush, QColor, QCoreApplication, QModelIndex, QObject, Qt, Signal
from desktop_client.services import LineView
from desktop_client.ui.core_messages import fill, translated_messages
from desktop_client.ui.formatting import (
    format_decimal,
    normalize_decimal_input,
    normalize_integer_input,
    parse_decimal,
)
from desktop_client.ui.labels import field_label
from desktop_client.ui.references import ReferenceLookup
from desktop_client.ui.totals import MONEY_PLACES, line_total
from sync_protocol import catalogue

translate = QCoreApplication.translate

EDIT_ROLE = Qt.EditRole
HIDDEN_LINE_FIELDS = {"position"}
# Filled in from the chosen work item while the line's own cell is still empty.
_FILLED_FROM_WORK = {"estimate": ("description", "unit", "unit_price"), "daily_report": ("description",)}
# A new report line starts with the crew and hours of the line before: usually the same.
_CARRIED_OVER = {"daily_report": ("workers", "hours")}
_ERROR_BACKGROUND = QColor("#ffebee")


@dataclass
class LineRow:
    id: str | None  # None: a new line
    values: dict[str, Any]  # text as typed; a reference's id
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class LineColumn:
    name: str
    field: catalogue.Field | None  # None: a computed column

    @property
    def editable(self) -> bool:
        return self.field is not None

    @property
    def numeric(self) -> bool:
        return self.field is None or self.field.kind in (catalogue.DECIMAL, catalogue.INTEGER)


class LinesModel(QAbstractTableModel):
    edited = Signal()

    def __init__(self, record_type: catalogue.RecordType, references: ReferenceLookup,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        assert record_type.line_fields is not None
        self.record_type = record_type
        self.references = references
        self.columns: list[LineColumn] = [
            LineColumn(f.name, f) for f in record_type.line_fields if f.name not in HIDDEN_LINE_FIELDS
        ]
        self.columns.append(LineColumn("line_total" if record_type.name == "estimate" else "man_hours", None))
        self.rows: list[LineRow] = []

    # --- content -----------------------------------------------------------------

    def set_lines(self, lines: Sequence[LineView]) -> None:
        self.beginResetModel()
        self.rows = [LineRow(line.id, {c.name: self._editing_value(c, line.values.get(c.name))
                                       for c in self.columns if c.editable}) for line in lines]
        self.endResetModel()

    def add_line(self) -> int:
        row = len(self.rows)
        values = {column.name: self._editing_value(column, None) for column in self.columns if column.editable}
        if self.rows:
            for name in _CARRIED_OVER.get(self.record_type.name, ()):
                values[name] = self.rows[-1].values.get(name, "")
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.append(LineRow(None, values))
        self.endInsertRows()
        self.edited.emit()
        return row

    def remove_line(self, row: int) -> None:
        if 0 <= row < len(self.rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            self.edited.emit()

    def move_line(self, row: int, offset: int) -> int:
        """Move a line up (-1) or down (+1); return where it is now."""
        target = row + offset
        if not (0 <= row < len(self.rows) and 0 <= target < len(self.rows)):
            return row
        destination = target + 1 if offset > 0 else target  # Qt counts the gap before the move
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), destination)
        self.rows.insert(target, self.rows.pop(row))
        self.endMoveRows()
        self.edited.emit()
        return target

    def lines_for_save(self) -> list[dict[str, Any]]:
        """The complete new list of lines, as the services take it."""
        result = []
        for position, row in enumerate(self.rows, start=1):
            line: dict[str, Any] = {} if row.id is None else {"id": row.id}
            for column in self.columns:
                if column.editable:
                    line[column.name] = self._saved_value(column, row.values.get(column.name))
            if "position" in (self.record_type.line_field_names):
                line["position"] = position
            result.append(line)
        return result

    def set_errors(self, errors: Mapping[int, Mapping[str, list[str]]]) -> None:
        for index, row in enumerate(self.rows):
            row.errors = {name: list(items) for name, items in errors.get(index, {}).items()}
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.columns) - 1))

    def error_summary(self) -> list[str]:
        """Every line reason as "Line N, Field: reason", in the order of the lines."""
        lines = []
        for number, row in enumerate(self.rows, start=1):
            for name, items in row.errors.items():
                for message in translated_messages(items):
                    lines.append(fill(translate("LinesEditor", "Line %1, %2: %3"), number, field_label(name), message))
        return lines

    def total(self) -> Decimal:
        return sum((self._computed(row) or Decimal(0) for row in self.rows), Decimal(0))

    # --- QAbstractTableModel -----------------------------------------------------

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role: int = Qt.DisplayRole):  # noqa: N802 - Qt's name
        if role != Qt.DisplayRole:
            return None
        if orientation == Qt.Horizontal:
            return field_label(self.columns[section].name)
        return str(section + 1)

    def flags(self, index: QModelIndex):
        base = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        return base | Qt.ItemIsEditable if self.columns[index.column()].editable else base

    def data(self, index: QModelIndex, role: int = Qt.DisplayRole):
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], self.columns[index.column()]
        if role == Qt.DisplayRole:
            return self._display(row, column)
        if role == EDIT_ROLE:
            return row.values.get(column.name)
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignRight if column.numeric else Qt.AlignLeft) | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and row.errors.get(column.name):
            return QBrush(_ERROR_BACKGROUND)
        if role == Qt.ToolTipRole and row.errors.get(column.name):
            return "\n".join(translated_messages(row.errors[column.name]))
        return None

    def setData(self, index: QModelIndex, value: Any, role: int = EDIT_ROLE) -> bool:  # noqa: N802 - Qt's name
        if not index.isValid() or role != EDIT_ROLE or not self.columns[index.column()].editable:
            return False
        row, column = self.rows[index.row()], self.columns[index.column()]
        if row.values.get(column.name) == value:
            return False
        row.values[column.name] = value
        row.errors.pop(column.name, None)  # the person is fixing it; the next check says if not
        if column.name == "work_specification":
            self._fill_from_work_item(row, value)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(self.columns) - 1))
        self.edited.emit()
        return True

    # --- helpers -----------------------------------------------------------------

    def _fill_from_work_item(self, row: LineRow, work_id: str | None) -> None:
        item = self.references.work_item(work_id)
        if item is None:
            return
        offered = {"description": item.name, "unit": item.unit,
                   "unit_price": format_decimal(item.unit_price, grouping=False)}
        for name in _FILLED_FROM_WORK.get(self.record_type.name, ()):
            if not row.values.get(name):
                row.values[name] = offered[name]

    def _display(self, row: LineRow, column: LineColumn) -> str:
        if column.field is None:
            value = self._computed(row)
            places = MONEY_PLACES if column.name == "line_total" else None
            return format_decimal(value, places=places) if value is not None else "—"
        value = row.values.get(column.name)
        if column.field.kind == catalogue.REF:
            return self.references.work_label(value) if value else ""
        if column.field.kind == catalogue.DECIMAL:
            number = parse_decimal(value or "")
            return format_decimal(number) if number is not None else (value or "")
        return "" if value is None else str(value)

    def _computed(self, row: LineRow) -> Decimal | None:
        if self.record_type.name == "estimate":
            return line_total(parse_decimal(row.values.get("quantity") or ""),
                              parse_decimal(row.values.get("unit_price") or ""))
        workers = normalize_integer_input(str(row.values.get("workers") or ""))
        hours = parse_decimal(row.values.get("hours") or "")
        return workers * hours if isinstance(workers, int) and hours is not None else None

    @staticmethod
    def _editing_value(column: LineColumn, value: Any) -> Any:
        assert column.field is not None
        kind = column.field.kind
        if kind == catalogue.REF:
            return value
        if kind == catalogue.DECIMAL:
            return format_decimal(value, grouping=False) if isinstance(value, Decimal) else (value or "")
        if kind == catalogue.INTEGER:
            return "" if value is None else str(value)
        return value or ""

    @staticmethod
    def _saved_value(column: LineColumn, value: Any) -> Any:
        assert column.field is not None
        kind = column.field.kind
        if kind == catalogue.DECIMAL:
            return normalize_decimal_input(str(value or ""))
        if kind == catalogue.INTEGER:
            return normalize_integer_input(str(value or ""))
        if kind == catalogue.REF:
            return value or None
        return (value or "").strip()
