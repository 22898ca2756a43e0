"""Local copies of the synced records: one table per record type of the catalogue.

Conventions every model here keeps, so the wire conversion can stay generic:
- the primary key is the record's UUID as a lower-case string;
- ``version`` is the server version last received (0: never seen by the server);
- a wire field ``name`` is the attribute ``name``, except a reference, which is
  ``name_id`` and holds the referenced record's UUID string. References carry no foreign
  key: the records of one response may arrive in any order;
- lines have a real foreign key to their parent and live in its ``lines`` list.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import ForeignKey, String, Text, inspect
from sqlalchemy.ext.orderinglist import ordering_list
from sqlalchemy.orm import Mapped, mapped_column, relationship

from desktop_client.store.base import Base
from desktop_client.store.column_types import ExactDecimal, UtcDateTime, utc_now
from sync_protocol import catalogue

UUID_LENGTH = 36


def attribute_name(field: catalogue.Field) -> str:
    """The model attribute (and column) that holds the wire field ``field``."""
    return f"{field.name}_id" if field.kind == catalogue.REF else field.name


class Record(Base):
    """A synced record: one row of a record type, identified by its UUID."""

    __abstract__ = True
    record_type: ClassVar[catalogue.RecordType]

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, sort_order=-1)
    version: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utc_now)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id} v{self.version}>"


class Line(Base):
    """A line of a record: it has its own UUID but lives only inside its parent."""

    __abstract__ = True
    parent_model: ClassVar[type[Record]]
    parent_key: ClassVar[str]  # the attribute holding the parent's id
    parent_relationship: ClassVar[str]  # the attribute holding the parent itself

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, sort_order=-1)
    # Order of the line inside its parent, kept so a parent's lines come back in the
    # order the server or the user gave them (daily report lines have no position field).
    sort_index: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


class User(Record):
    __tablename__ = "users"
    record_type = catalogue.USER

    username: Mapped[str] = mapped_column(String(150))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)


class WorkSpecification(Record):
    __tablename__ = "work_specifications"
    record_type = catalogue.WORK_SPECIFICATION

    # Not unique here although the server makes it so: one page of changes may swap two
    # codes, and its records arrive in any order. The server is the judge of uniqueness.
    code: Mapped[str] = mapped_column(String(50), index=True)
    name: Mapped[str] = mapped_column(String(255))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)


class Estimate(Record):
    __tablename__ = "estimates"
    record_type = catalogue.ESTIMATE

    number: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(255))
    site: Mapped[str] = mapped_column(String(255), default="")
    date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(20), default="draft")

    lines: Mapped[list[EstimateLine]] = relationship(
        back_populates="estimate",
        cascade="all, delete-orphan",
        order_by="EstimateLine.sort_index",
        collection_class=ordering_list("sort_index"),
    )


class EstimateLine(Line):
    __tablename__ = "estimate_lines"
    parent_model = Estimate
    parent_key = "estimate_id"
    parent_relationship = "estimate"

    estimate_id: Mapped[str] = mapped_column(ForeignKey("estimates.id", ondelete="CASCADE"), index=True)
    estimate: Mapped[Estimate] = relationship(back_populates="lines")
    position: Mapped[int] = mapped_column(default=0)
    work_specification_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(20), default="")
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)


class DailyReport(Record):
    __tablename__ = "daily_reports"
    record_type = catalogue.DAILY_REPORT

    date: Mapped[dt.date]
    site: Mapped[str] = mapped_column(String(255))
    author_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    notes: Mapped[str] = mapped_column(Text, default="")

    lines: Mapped[list[DailyReportLine]] = relationship(
        back_populates="daily_report",
        cascade="all, delete-orphan",
        order_by="DailyReportLine.sort_index",
        collection_class=ordering_list("sort_index"),
    )


class DailyReportLine(Line):
    __tablename__ = "daily_report_lines"
    parent_model = DailyReport
    parent_key = "daily_report_id"
    parent_relationship = "daily_report"

    daily_report_id: Mapped[str] = mapped_column(ForeignKey("daily_reports.id", ondelete="CASCADE"), index=True)
    daily_report: Mapped[DailyReport] = relationship(back_populates="lines")
    work_specification_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    description: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal)
    workers: Mapped[int] = mapped_column(default=0)
    hours: Mapped[Decimal] = mapped_column(ExactDecimal)


class Timesheet(Record):
    __tablename__ = "timesheets"
    record_type = catalogue.TIMESHEET

    date: Mapped[dt.date]
    worker_id: Mapped[str] = mapped_column(String(UUID_LENGTH))
    site: Mapped[str] = mapped_column(String(255))
    hours: Mapped[Decimal] = mapped_column(ExactDecimal)
    work_specification_id: Mapped[str | None] = mapped_column(String(UUID_LENGTH))
    note: Mapped[str] = mapped_column(Text, default="")


# In catalogue order: a type comes after every type it references.
RECORD_MODELS: dict[str, type[Record]] = {
    model.record_type.name: model for model in (User, WorkSpecification, Estimate, DailyReport, Timesheet)
}
LINE_MODELS: tuple[type[Line], ...] = (EstimateLine, DailyReportLine)


def record_model(record_type: str) -> type[Record]:
    try:
        return RECORD_MODELS[record_type]
    except KeyError:
        raise KeyError(f"Unknown record type {record_type!r}") from None


def line_model(model: type[Record]) -> type[Line] | None:
    """The line model of a record model with lines, else None."""
    relationship_ = inspect(model).relationships.get("lines")
    return relationship_.mapper.class_ if relationship_ is not None else None


def references_of(record: Record) -> set[tuple[str, str]]:
    """``(record type, id)`` of every record that ``record`` or its lines refer to."""
    record_type = record.record_type
    sources: list[tuple[object, tuple[catalogue.Field, ...]]] = [(record, record_type.fields)]
    if record_type.has_lines:
        sources.extend((line, record_type.line_fields or ()) for line in record.lines)
    found: set[tuple[str, str]] = set()
    for source, fields in sources:
        for item in fields:
            if item.kind == catalogue.REF and item.ref is not None:
                value = getattr(source, attribute_name(item))
                if value is not None:
                    found.add((item.ref, value))
    return found
