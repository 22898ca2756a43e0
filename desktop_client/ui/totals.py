"""Sums the window shows: line total = quantity × unit price, the estimate's total, and
a daily report's man-hours (workers × hours). Exact decimals; rounded only for display."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

MONEY_PLACES = 2


def line_total(quantity: Decimal | None, unit_price: Decimal | None) -> Decimal | None:
    if quantity is None or unit_price is None:
        return None
    return quantity * unit_price


def estimate_total(lines: Iterable[Mapping[str, Any]]) -> Decimal:
    """Lines whose numbers cannot be read yet count as nothing, not as an error."""
    return sum((line_total(line.get("quantity"), line.get("unit_price")) or Decimal(0) for line in lines), Decimal(0))


def man_hours(lines: Iterable[Mapping[str, Any]]) -> Decimal:
    total = Decimal(0)
    for line in lines:
        workers, hours = line.get("workers"), line.get("hours")
        if isinstance(workers, int) and isinstance(hours, Decimal):
            total += workers * hours
    return total
