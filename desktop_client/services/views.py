"""Plain, immutable copies of stored data for the window: no session, no lazy loading.

Values are keyed by wire field name (``author``, not ``author_id``) and hold Python
values: ``Decimal``, ``datetime.date``, ``int``, ``bool``, ``str``; references are the
referenced record's UUID string.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop_client.store.record_data import InvalidRecordData
from desktop_client.store.records import Line, Record, attribute_name
from desktop_client.store.sync_tables import WireRecord
from sync_protocol import catalogue


@dataclass(frozen=True)
class LineView:
    id: str
    values: Mapping[str, Any]


@dataclass(frozen=True)
class RecordView:
    type: str
    id: str
    version: int  # 0: the server has not confirmed it yet
    updated_at: dt.datetime
    values: Mapping[str, Any]
    lines: tuple[LineView, ...]  # empty for types without lines
    has_unsent_change: bool


@dataclass(frozen=True)
class ConflictView:
    """A change of mine the server refused because someone else changed the record first."""

    id: int
    record_type: str
    record_id: str
    base_version: int
    mine: WireRecord  # what this computer had; ``op`` "delete" if I deleted it
    server: WireRecord  # what the server has and this computer now shows
    differing_fields: tuple[str, ...]  # wire field names, "lines", or "op" when one side deleted
    detected_at: dt.datetime


@dataclass(frozen=True)
class RejectionView:
    """A change of mine the server found invalid, with its reasons."""

    id: int
    record_type: str
    record_id: str
    change: WireRecord  # exactly what was sent
    reasons: Mapping[str, Any]  # the server's ``fields``: field name -> list of sentences
    rejected_at: dt.datetime

    @property
    def messages(self) -> list[str]:
        """The reasons as ``field: sentence`` lines."""
        return [f"{name}: {item}" for name, items in self.reasons.items() for item in _as_list(items)]

    def as_form_errors(self) -> InvalidRecordData:
        """The reasons shaped like local validation errors, so an edit-and-retry form can
        show them beside its fields. The server names a line's field ``lines.<index>.<field>``;
        reasons about the whole record (``record``, ``__all__``) stay under their names."""
        errors = InvalidRecordData()
        for name, items in self.reasons.items():
            line_field = re.fullmatch(r"lines\.(\d+)\.(\w+)", name)
            for item in _as_list(items):
                if line_field:
                    errors.add(line_field.group(2), str(item), line=int(line_field.group(1)))
                else:
                    errors.add(name, str(item))
        return errors


def _as_list(items: Any) -> list[Any]:
    return items if isinstance(items, list) else [items]


def record_view(record: Record, *, has_unsent_change: bool) -> RecordView:
    record_type = record.record_type
    lines: tuple[LineView, ...] = ()
    if record_type.has_lines:
        lines = tuple(_line_view(record_type, line) for line in record.lines)
    return RecordView(
        type=record_type.name,
        id=record.id,
        version=record.version,
        updated_at=record.updated_at,
        values={field.name: getattr(record, attribute_name(field)) for field in record_type.fields},
        lines=lines,
        has_unsent_change=has_unsent_change,
    )


def _line_view(record_type: catalogue.RecordType, line: Line) -> LineView:
    return LineView(
        id=line.id, values={field.name: getattr(line, attribute_name(field)) for field in record_type.line_fields or ()}
    )


def differing_fields(mine: WireRecord, server: WireRecord) -> tuple[str, ...]:
    if mine.get("op") != server.get("op"):
        return ("op",)
    mine_data, server_data = mine.get("data") or {}, server.get("data") or {}
    return tuple(name for name in {**mine_data, **server_data} if mine_data.get(name) != server_data.get(name))
