"""Two versions of a record (mine and the server's) as rows a person can compare: one
per field and one per line, with the differing ones marked.

The versions come in the protocol's wire format (``ConflictView.mine`` and ``.server``),
so values are wire text: decimals as "12.500", dates as "2026-11-25", references as ids.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from desktop_client.qt import QCoreApplication
from desktop_client.ui.core_messages import fill
from desktop_client.ui.formatting import format_date, format_decimal
from desktop_client.ui.labels import choice_label, field_label
from desktop_client.ui.references import ReferenceLookup
from desktop_client.ui.totals import MONEY_PLACES
from sync_protocol import catalogue

translate = QCoreApplication.translate


@dataclass(frozen=True)
class ComparisonRow:
    label: str
    mine: str
    server: str
    differs: bool


def comparison_rows(record_type: str, mine: Mapping[str, Any], server: Mapping[str, Any],
                    references: ReferenceLookup) -> list[ComparisonRow]:
    kind = catalogue.get(record_type)
    mine_deleted, server_deleted = mine.get("op") == "delete", server.get("op") == "delete"
    if mine_deleted or server_deleted:
        deleted = translate("RecordCompare", "Deleted")
        present = translate("RecordCompare", "Kept")
        rows = [ComparisonRow(translate("RecordCompare", "Record"), deleted if mine_deleted else present,
                              deleted if server_deleted else present, mine_deleted != server_deleted)]
    else:
        rows = []
    mine_data, server_data = mine.get("data") or {}, server.get("data") or {}
    for field in kind.fields:
        a, b = mine_data.get(field.name), server_data.get(field.name)
        if (mine_deleted or server_deleted) and a is None and b is None:
            continue
        rows.append(ComparisonRow(field_label(field.name), value_text(field, a, references, missing=mine_deleted),
                                  value_text(field, b, references, missing=server_deleted), a != b))
    if kind.has_lines:
        rows.extend(_line_rows(kind, mine_data.get("lines") or [], server_data.get("lines") or [], references))
    return rows


def _line_rows(kind: catalogue.RecordType, mine: list, server: list, references: ReferenceLookup) -> list:
    """Lines side by side in their order; a line counts as different when any of its
    values differs (ids aside: a re-created line with the same content is the same)."""
    rows = []
    for index in range(max(len(mine), len(server))):
        a = mine[index] if index < len(mine) else None
        b = server[index] if index < len(server) else None
        rows.append(ComparisonRow(
            fill(translate("RecordCompare", "Line %1"), index + 1),
            line_text(kind, a, references),
            line_text(kind, b, references),
            _without_id(a) != _without_id(b),
        ))
    return rows


def _without_id(line: Mapping[str, Any] | None) -> dict | None:
    return None if line is None else {name: value for name, value in line.items() if name != "id"}


def line_text(kind: catalogue.RecordType, line: Mapping[str, Any] | None, references: ReferenceLookup) -> str:
    if line is None:
        return "—"
    fields = {field.name: field for field in kind.line_fields or ()}
    work = references.work_label(line.get("work_specification"))
    description = line.get("description") or ""
    what = description or work or "—"
    quantity = value_text(fields["quantity"], line.get("quantity"), references)
    if kind.name == "estimate":
        unit = line.get("unit") or ""
        price = value_text(fields["unit_price"], line.get("unit_price"), references)
        return f"{what}: {quantity} {unit} × {price}".replace("  ", " ")
    workers = line.get("workers")
    hours = value_text(fields["hours"], line.get("hours"), references)
    return fill(translate("RecordCompare", "%1: %2; %3 workers × %4 h"), what, quantity, workers, hours)


def value_text(field: catalogue.Field, value: Any, references: ReferenceLookup, *, missing: bool = False) -> str:
    if missing and value is None:
        return "—"
    if value is None or value == "":
        return ""
    if field.kind == catalogue.DECIMAL:
        try:
            return format_decimal(Decimal(str(value)), places=MONEY_PLACES if field.name == "unit_price" else None)
        except InvalidOperation:
            return str(value)
    if field.kind == catalogue.DATE:
        try:
            return format_date(dt.date.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if field.kind == catalogue.REF and field.ref is not None:
        return references.label(field.ref, str(value))
    if field.kind == catalogue.CHOICE:
        return choice_label(field.name, str(value))
    if field.kind == catalogue.BOOLEAN:
        return translate("RecordCompare", "yes") if value else translate("RecordCompare", "no")
    return str(value)
