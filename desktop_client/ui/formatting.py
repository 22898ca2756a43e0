"""Numbers and dates as a person reads and types them, in the window's language.

The services take and give exact values (``Decimal``, ``date``); this module turns them
into text for the current ``QLocale`` (set from the chosen language) and back. Typed
numbers are read forgivingly: "1 234,5", "1234.5" and "1,234.50" all mean what they look
like, whatever the language; text that is not a number is passed on unchanged so the
services can say what is wrong with it.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from desktop_client.qt import QDate, QDateTime, QLocale, Qt, QTime

# Day first with the month by name, or the country's usual numeric form: a date like
# 03/04/2026 means two different days to an English and a Russian reader.
_DATE_PATTERNS = {QLocale.Russian: "dd.MM.yyyy"}
_DEFAULT_DATE_PATTERN = "d MMM yyyy"
_TIME_PATTERN = "HH:mm"

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN_NUMBER = re.compile(r"^-?(\d+)?(\.\d*)?$")


def date_pattern(locale: QLocale | None = None) -> str:
    return _DATE_PATTERNS.get((locale or QLocale()).language(), _DEFAULT_DATE_PATTERN)


def format_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return QLocale().toString(to_qdate(value), date_pattern())


def format_datetime(value: dt.datetime | None, *, today: dt.date | None = None) -> str:
    """Local time; the date only when it is not today."""
    if value is None:
        return ""
    local = value.astimezone() if value.tzinfo is not None else value
    locale = QLocale()
    time_text = locale.toString(QTime(local.hour, local.minute), _TIME_PATTERN)
    if local.date() == (today or dt.date.today()):
        return time_text
    return f"{locale.toString(to_qdate(local.date()), date_pattern())} {time_text}"


def to_qdate(value: dt.date) -> QDate:
    return QDate(value.year, value.month, value.day)


def from_qdate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def now_qdatetime() -> QDateTime:
    return QDateTime.currentDateTime().toTimeSpec(Qt.LocalTime)


def format_decimal(value: Decimal | None, *, places: int | None = None, grouping: bool = True) -> str:
    """``places``: round to that many places (money); else show the digits there are,
    without trailing zeros (a quantity of 12.500 reads as 12.5)."""
    if value is None:
        return ""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = format(value, "f")
    else:
        text = format(value, "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    negative = text.startswith("-")
    whole, _, fraction = text.lstrip("-").partition(".")
    locale = QLocale()
    if grouping and len(whole) > 3:
        separator = locale.groupSeparator()
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        whole = separator.join([whole, *groups])
    result = whole + (locale.decimalPoint() + fraction if fraction else "")
    return ("-" if negative and text.strip("-0.") else "") + result


def normalize_decimal_input(text: str) -> str | None:
    """Typed text as the protocol's decimal string: None when empty; the text itself
    (trimmed) when it is not a number, so validation can name the problem."""
    cleaned = _SPACES.sub("", text)
    if not cleaned:
        return None
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        # Both: the later one separates the decimals, the other groups thousands.
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        group_mark = "." if decimal_mark == "," else ","
        cleaned = cleaned.replace(group_mark, "").replace(decimal_mark, ".")
    elif commas == 1:
        cleaned = cleaned.replace(",", ".")
    elif commas > 1:
        cleaned = cleaned.replace(",", "")
    elif dots > 1:
        cleaned = cleaned.replace(".", "")
    if not _PLAIN_NUMBER.match(cleaned) or not any(char.isdigit() for char in cleaned):
        return text.strip()
    negative = cleaned.startswith("-")
    whole, _, fraction = cleaned.lstrip("-").partition(".")
    normalized = (whole or "0") + ("." + fraction if fraction else "")
    return ("-" if negative else "") + normalized


def parse_decimal(text: str) -> Decimal | None:
    """A typed number as a Decimal, or None when it is empty or not a number (for totals)."""
    normalized = normalize_decimal_input(text)
    if normalized is None:
        return None
    try:
        return Decimal(normalized)
    except InvalidOperation:
        return None


def normalize_integer_input(text: str) -> int | str | None:
    """A typed whole number as an int; None when empty; the trimmed text otherwise."""
    cleaned = _SPACES.sub("", text)
    if not cleaned:
        return None
    if re.fullmatch(r"-?\d+", cleaned):
        return int(cleaned)
    return text.strip()
