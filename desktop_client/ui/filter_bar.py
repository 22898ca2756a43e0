"""Search, site and date filters above a list."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from desktop_client.qt import (
    QComboBox,
    QCoreApplication,
    QDate,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
    Signal,
)
from desktop_client.ui.core_messages import fill
from desktop_client.ui.formatting import date_pattern, from_qdate

translate = QCoreApplication.translate

# QDateEdit cannot be empty; its lowest date shown as a word stands for "any date".
_ANY_DATE = QDate(2000, 1, 1)


class FilterBar(QWidget):
    changed = Signal()

    def __init__(self, *, with_site_and_dates: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.search = QLineEdit()
        self.search.setPlaceholderText(translate("Filters", "Search…"))
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.search.textChanged.connect(self.changed)
        layout.addWidget(self.search, 2)
        self.site = QComboBox()
        self.date_from = self._date_edit()
        self.date_to = self._date_edit()
        self.reset_button = QToolButton()
        self.reset_button.setText(translate("Filters", "Clear filters"))
        self.reset_button.clicked.connect(self.clear)
        if with_site_and_dates:
            self.site.setMinimumWidth(180)
            self.site.addItem(translate("Filters", "All sites"), None)
            self.site.currentIndexChanged.connect(self.changed)
            layout.addWidget(self.site, 1)
            layout.addWidget(QLabel(translate("Filters", "From")))
            layout.addWidget(self.date_from)
            layout.addWidget(QLabel(translate("Filters", "to")))
            layout.addWidget(self.date_to)
        else:
            for widget in (self.site, self.date_from, self.date_to):
                widget.hide()
        layout.addWidget(self.reset_button)
        self.count_label = QLabel()
        layout.addWidget(self.count_label)

    def _date_edit(self) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat(date_pattern())
        edit.setMinimumDate(_ANY_DATE)
        edit.setSpecialValueText(translate("Filters", "any date"))
        edit.setDate(_ANY_DATE)
        edit.setMinimumWidth(120)
        edit.dateChanged.connect(self.changed)
        return edit

    # --- values --------------------------------------------------------------------

    @property
    def search_text(self) -> str:
        return self.search.text()

    @property
    def selected_site(self) -> str | None:
        return self.site.currentData()

    @property
    def date_range(self) -> tuple[dt.date | None, dt.date | None]:
        return self._date_of(self.date_from), self._date_of(self.date_to)

    @staticmethod
    def _date_of(edit: QDateEdit) -> dt.date | None:
        return None if edit.date() == _ANY_DATE else from_qdate(edit.date())

    def set_dates(self, date_from: dt.date | None, date_to: dt.date | None) -> None:
        for edit, value in ((self.date_from, date_from), (self.date_to, date_to)):
            edit.setDate(QDate(value.year, value.month, value.day) if value else _ANY_DATE)

    def set_sites(self, sites: Iterable[str]) -> None:
        """Offer these sites; the chosen one stays chosen if it is still there."""
        chosen = self.selected_site
        self.site.blockSignals(True)
        self.site.clear()
        self.site.addItem(translate("Filters", "All sites"), None)
        for site in sorted(set(sites), key=str.casefold):
            self.site.addItem(site, site)
        index = self.site.findData(chosen) if chosen is not None else 0
        self.site.setCurrentIndex(max(index, 0))
        self.site.blockSignals(False)
        if chosen is not None and index < 0:
            self.changed.emit()

    def choose_site(self, site: str | None) -> None:
        index = self.site.findData(site) if site is not None else 0
        self.site.setCurrentIndex(max(index, 0))

    def clear(self) -> None:
        self.search.clear()
        self.site.setCurrentIndex(0)
        self.set_dates(None, None)

    def show_count(self, shown: int, total: int) -> None:
        if shown == total:
            self.count_label.setText(fill(translate("Filters", "Records: %1"), total))
        else:
            self.count_label.setText(fill(translate("Filters", "Shown: %1 of %2"), shown, total))
