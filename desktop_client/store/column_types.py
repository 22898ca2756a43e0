"""Column types that keep protocol values exact in SQLite."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class ExactDecimal(TypeDecorator[Decimal]):
    """A decimal stored as its decimal string.

    SQLite has no decimal type; its NUMERIC affinity would turn "12.50" into a float.
    Stored as text, "12.50" comes back as ``Decimal("12.50")``, digit for digit.
    """

    impl = String
    cache_ok = True

    def process_bind_param(self, value: Decimal | int | str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return format(Decimal(value), "f")

    def process_result_value(self, value: str | None, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware datetime stored as naive UTC, returned as aware UTC.

    SQLite keeps no time zone; storing everything in UTC and re-attaching it on the way
    out keeps comparisons and the wire encoding (``...Z``) right.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Datetimes stored by the client must carry a time zone.")
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)
