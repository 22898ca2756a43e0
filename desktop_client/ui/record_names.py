"""A record named the way a person recognises it ("Estimate E-17, Foundation works";
"Daily report 25.11.2026, Riverside"), for titles, questions and the review lists."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from desktop_client.ui.formatting import format_date
from desktop_client.ui.labels import record_type_label
from desktop_client.ui.references import ReferenceLookup


def _date(value: Any) -> str:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    return format_date(value) if isinstance(value, dt.date) else ""


def record_summary(record_type: str, values: Mapping[str, Any], references: ReferenceLookup) -> str:
    """What tells this record from the others of its type; works on view values and on
    wire data alike (dates as ``date`` or as text)."""
    if record_type == "estimate":
        parts = [values.get("number") or "", values.get("title") or ""]
    elif record_type == "daily_report":
        parts = [_date(values.get("date")), values.get("site") or ""]
    elif record_type == "timesheet":
        parts = [_date(values.get("date")), references.person_label(values.get("worker")), values.get("site") or ""]
    elif record_type == "work_specification":
        parts = [values.get("code") or "", values.get("name") or ""]
    else:
        parts = [values.get("username") or ""]
    return ", ".join(part for part in parts if part)


def record_title(record_type: str, values: Mapping[str, Any], references: ReferenceLookup) -> str:
    summary = record_summary(record_type, values, references)
    label = record_type_label(record_type)
    return f"{label} {summary}" if summary else label
