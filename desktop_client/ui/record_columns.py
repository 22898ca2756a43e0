"""The columns each list shows: title, the value a row sorts by, and its text."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from desktop_client.services import RecordView
from desktop_client.ui.formatting import format_date, format_decimal
from desktop_client.ui.labels import estimate_status_label, field_label
from desktop_client.ui.references import ReferenceLookup
from desktop_client.ui.totals import MONEY_PLACES, estimate_total, man_hours

ValueOf = Callable[[RecordView, ReferenceLookup], Any]


@dataclass(frozen=True)
class Column:
    key: str  # a field label key (labels.field_label)
    value: ValueOf  # what the column sorts by
    text: Callable[[Any], str] = lambda value: "" if value is None else str(value)
    numeric: bool = False

    @property
    def title(self) -> str:
        return field_label(self.key)


def _field(name: str) -> ValueOf:
    return lambda view, references: view.values.get(name)


def _person(name: str) -> ValueOf:
    return lambda view, references: references.person_label(view.values.get(name))


def _work(name: str) -> ValueOf:
    return lambda view, references: references.work_label(view.values.get(name))


def _first_line(name: str) -> ValueOf:
    """Long notes show their first line; the editor has the rest."""

    def value(view: RecordView, references: ReferenceLookup) -> str:
        lines = (view.values.get(name) or "").strip().splitlines()
        return lines[0] if lines else ""

    return value


def _line_values(view: RecordView) -> list:
    return [line.values for line in view.lines]


def _date_column() -> Column:
    return Column("date", _field("date"), format_date)


def _money(value) -> str:
    return format_decimal(value, places=MONEY_PLACES)


def _number(value) -> str:
    return format_decimal(value)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "daily_report": (
        _date_column(),
        Column("site", _field("site")),
        Column("author", _person("author")),
        Column("lines", lambda view, references: len(view.lines), numeric=True),
        Column("man_hours", lambda view, references: man_hours(_line_values(view)), _number, numeric=True),
        Column("notes", _first_line("notes")),
    ),
    "timesheet": (
        _date_column(),
        Column("worker", _person("worker")),
        Column("site", _field("site")),
        Column("hours", _field("hours"), _number, numeric=True),
        Column("work_specification", _work("work_specification")),
        Column("note", _first_line("note")),
    ),
    "estimate": (
        Column("number", _field("number")),
        _date_column(),
        Column("title", _field("title")),
        Column("site", _field("site")),
        Column("status", _field("status"), lambda value: estimate_status_label(value or "")),
        Column("total", lambda view, references: estimate_total(_line_values(view)), _money, numeric=True),
    ),
    "work_specification": (
        Column("code", _field("code")),
        Column("name", _field("name")),
        Column("unit", _field("unit")),
        Column("unit_price", _field("unit_price"), _money, numeric=True),
    ),
}
