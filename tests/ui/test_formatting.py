"""Numbers and dates as typed and read in each language."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from desktop_client.qt import QLocale
from desktop_client.ui.formatting import (
    format_date,
    format_datetime,
    format_decimal,
    normalize_decimal_input,
    normalize_integer_input,
)


@pytest.fixture
def locale_of(qapp):
    def use(language: str) -> None:
        QLocale.setDefault(QLocale(QLocale.Russian, QLocale.Russia) if language == "ru"
                           else QLocale(QLocale.English, QLocale.UnitedKingdom))

    yield use
    QLocale.setDefault(QLocale(QLocale.English, QLocale.UnitedKingdom))


@pytest.mark.parametrize(("typed", "wire"), [
    ("12,5", "12.5"), ("12.5", "12.5"), ("1 234,50", "1234.50"), ("1\u00a0234,50", "1234.50"),
    ("1,234.50", "1234.50"), ("1.234,50", "1234.50"), ("1,234,567", "1234567"), (",5", "0.5"), ("5.", "5"),
    ("-3", "-3"), ("  ", None), ("", None), ("twelve", "twelve"), ("12,5 m3", "12,5 m3"),
])
def test_typed_numbers_are_read_whatever_the_separators(typed, wire):
    assert normalize_decimal_input(typed) == wire


def test_typed_whole_numbers():
    assert (normalize_integer_input(" 4 "), normalize_integer_input(""), normalize_integer_input("4.5")) == (
        4, None, "4.5")


def test_numbers_are_written_the_local_way(locale_of):
    locale_of("en")
    assert format_decimal(Decimal("434700"), places=2) == "434,700.00"
    assert format_decimal(Decimal("12.500")) == "12.5"
    assert format_decimal(Decimal("100")) == "100"
    assert format_decimal(Decimal("-0.000")) == "0"
    locale_of("ru")
    assert format_decimal(Decimal("434700"), places=2) == "434\u00a0700,00"
    assert format_decimal(Decimal("1234.5"), grouping=False) == "1234,5"


def test_dates_cannot_be_read_two_ways(locale_of):
    locale_of("en")
    assert format_date(dt.date(2026, 3, 4)) == "4 Mar 2026"
    locale_of("ru")
    assert format_date(dt.date(2026, 3, 4)) == "04.03.2026"


def test_a_time_today_shows_the_time_only(locale_of):
    locale_of("ru")
    moment = dt.datetime(2026, 11, 25, 9, 5).astimezone()
    assert format_datetime(moment, today=dt.date(2026, 11, 25)) == "09:05"
    assert format_datetime(moment, today=dt.date(2026, 11, 26)) == "25.11.2026 09:05"
