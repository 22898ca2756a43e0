"""One input widget per kind of field in the protocol's catalogue.

Every input has ``field_value()`` (what the services take: text, a date, an id, or the
typed text itself when it is not a valid number, so the services can say why),
``set_field_value(value)`` (Python values as a ``RecordView`` holds them) and an
``edited`` signal for changes the person made.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from desktop_client.qt import (
    QComboBox,
    QCompleter,
    QCoreApplication,
    QDate,
    QDateEdit,
    QLineEdit,
    QPlainTextEdit,
    Qt,
    QWidget,
    Signal,
)
from desktop_client.ui.formatting import date_pattern, format_decimal, from_qdate, normalize_decimal_input, to_qdate
from desktop_client.ui.labels import choice_label
from desktop_client.ui.references import ReferenceLookup
from sync_protocol import catalogue

translate = QCoreApplication.translate


class TextInput(QLineEdit):
    edited = Signal()

    def __init__(self, field: catalogue.Field, *, completions: list[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if field.max_length:
            self.setMaxLength(field.max_length)
        if completions:
            completer = QCompleter(completions, self)
            completer.setCaseSensitivity(Qt.CaseInsensitive)
            completer.setFilterMode(Qt.MatchContains)
            self.setCompleter(completer)
        self.textEdited.connect(self.edited)

    def field_value(self) -> str:
        return self.text().strip()

    def set_field_value(self, value: Any) -> None:
        self.setText("" if value is None else str(value))


class LongTextInput(QPlainTextEdit):
    edited = Signal()

    def __init__(self, field: catalogue.Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)  # Tab moves on, as in every other field
        self.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self._setting = False
        self.textChanged.connect(self._on_text_changed)

    def _on_text_changed(self) -> None:
        if not self._setting:
            self.edited.emit()

    def field_value(self) -> str:
        return self.toPlainText().strip()

    def set_field_value(self, value: Any) -> None:
        self._setting = True
        self.setPlainText("" if value is None else str(value))
        self._setting = False


class DecimalInput(QLineEdit):
    edited = Signal()

    def __init__(self, field: catalogue.Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAlignment(Qt.AlignRight)
        self.setMaximumWidth(160)
        self.textEdited.connect(self.edited)

    def field_value(self) -> str | None:
        return normalize_decimal_input(self.text())

    def set_field_value(self, value: Any) -> None:
        self.setText(format_decimal(value, grouping=False) if isinstance(value, Decimal) else str(value or ""))


class DateInput(QDateEdit):
    edited = Signal()

    def __init__(self, field: catalogue.Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._setting = False
        self.setCalendarPopup(True)
        self.setDisplayFormat(date_pattern())
        self.setMaximumWidth(160)
        self.setDate(to_qdate(dt.date.today()))
        self.dateChanged.connect(self._on_date_changed)

    def _on_date_changed(self, _: QDate) -> None:
        if not self._setting:
            self.edited.emit()

    def field_value(self) -> dt.date:
        return from_qdate(self.date())

    def set_field_value(self, value: Any) -> None:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        self._setting = True
        self.setDate(to_qdate(value or dt.date.today()))
        self._setting = False


class _ComboInput(QComboBox):
    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(260)
        self.setMaxVisibleItems(20)
        self.activated.connect(lambda _: self.edited.emit())

    def field_value(self) -> str | None:
        return self.currentData()

    def set_field_value(self, value: Any) -> None:
        index = self.findData(value)
        if index < 0 and value is not None:
            # A value this computer has no name for (yet): keep it rather than lose it.
            self.addItem(str(value), value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class ChoiceInput(_ComboInput):
    def __init__(self, field: catalogue.Field, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(160)
        for value in field.choices:
            self.addItem(choice_label(field.name, value), value)


class ReferenceInput(_ComboInput):
    def __init__(self, field: catalogue.Field, references: ReferenceLookup, *, keep: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if field.null:
            self.addItem(translate("FieldInputs", "— none —"), None)
        elif keep is None:
            self.addItem(translate("FieldInputs", "— choose —"), None)
        if field.ref == "user":
            for person in references.people(keep=keep):
                self.addItem(person.label, person.id)
        elif field.ref == "work_specification":
            for item in references.work_items():
                self.addItem(item.label, item.id)


def make_input(field: catalogue.Field, references: ReferenceLookup, *, current: Any = None) -> QWidget:
    if field.kind == catalogue.TEXT:
        return LongTextInput(field)
    if field.kind == catalogue.DECIMAL:
        return DecimalInput(field)
    if field.kind == catalogue.DATE:
        return DateInput(field)
    if field.kind == catalogue.CHOICE:
        return ChoiceInput(field)
    if field.kind == catalogue.REF:
        return ReferenceInput(field, references, keep=current)
    completions = references.known_sites() if field.name == "site" else None
    return TextInput(field, completions=completions)
