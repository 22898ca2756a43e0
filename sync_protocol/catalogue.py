"""The catalogue of record types: wire names, fields, kinds, nested lines, read-only types.

Both sides are checked against it: the server's registry by a Django system check, the
desktop's local schema by its tests. Implementations may carry more fields than these.
"""
from __future__ import annotations

from dataclasses import dataclass

STRING = "string"  # short text, max_length characters
TEXT = "text"  # long text
DECIMAL = "decimal"  # wire: string with decimal_places digits after the point
INTEGER = "integer"
BOOLEAN = "boolean"
DATE = "date"
CHOICE = "choice"  # one of choices, a string
REF = "ref"  # UUID of a record of type ``ref``

KINDS = (STRING, TEXT, DECIMAL, INTEGER, BOOLEAN, DATE, CHOICE, REF)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    null: bool = False  # may be null on the wire
    blank: bool = False  # an empty string is allowed (strings and text)
    max_length: int | None = None
    max_digits: int | None = None
    decimal_places: int | None = None
    min_value: int | str | None = None  # str for decimals, to stay exact
    max_value: int | str | None = None
    choices: tuple[str, ...] = ()
    ref: str | None = None  # wire type a reference points to


@dataclass(frozen=True)
class RecordType:
    name: str
    fields: tuple[Field, ...]
    line_fields: tuple[Field, ...] | None = None  # None: the type has no lines
    read_only: bool = False  # nodes receive it but may not send it

    @property
    def has_lines(self) -> bool:
        return self.line_fields is not None

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.fields)

    @property
    def line_field_names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.line_fields or ())


def _money(name: str) -> Field:
    return Field(name, DECIMAL, max_digits=14, decimal_places=2, min_value="0")


def _quantity(name: str) -> Field:
    return Field(name, DECIMAL, max_digits=14, decimal_places=3, min_value="0")


def _hours(name: str) -> Field:
    return Field(name, DECIMAL, max_digits=4, decimal_places=2, min_value="0", max_value="24")


def _work_spec_ref() -> Field:
    return Field("work_specification", REF, null=True, ref="work_specification")


ESTIMATE_STATUSES = ("draft", "approved")

USER = RecordType(
    "user",
    (
        Field("username", STRING, max_length=150),
        Field("full_name", STRING, blank=True, max_length=200),
        Field("is_active", BOOLEAN),
    ),
    read_only=True,
)

WORK_SPECIFICATION = RecordType(
    "work_specification",
    (
        Field("code", STRING, max_length=50),
        Field("name", STRING, max_length=255),
        Field("unit", STRING, max_length=20),
        _money("unit_price"),
    ),
)

ESTIMATE = RecordType(
    "estimate",
    (
        Field("number", STRING, max_length=50),
        Field("title", STRING, max_length=255),
        Field("site", STRING, blank=True, max_length=255),
        Field("date", DATE),
        Field("status", CHOICE, choices=ESTIMATE_STATUSES),
    ),
    line_fields=(
        Field("position", INTEGER, min_value=0, max_value=2_147_483_647),
        _work_spec_ref(),
        Field("description", TEXT, blank=True),
        Field("unit", STRING, blank=True, max_length=20),
        _quantity("quantity"),
        _money("unit_price"),
    ),
)

DAILY_REPORT = RecordType(
    "daily_report",
    (
        Field("date", DATE),
        Field("site", STRING, max_length=255),
        Field("author", REF, ref="user"),
        Field("notes", TEXT, blank=True),
    ),
    line_fields=(
        _work_spec_ref(),
        Field("description", TEXT, blank=True),
        _quantity("quantity"),
        Field("workers", INTEGER, min_value=0, max_value=10_000),
        _hours("hours"),
    ),
)

TIMESHEET = RecordType(
    "timesheet",
    (
        Field("date", DATE),
        Field("worker", REF, ref="user"),
        Field("site", STRING, max_length=255),
        _hours("hours"),
        _work_spec_ref(),
        Field("note", TEXT, blank=True),
    ),
)

# Order matters: a type appears after every type it references, so applying a full
# state in this order never meets a reference to a record not yet stored.
RECORD_TYPES: tuple[RecordType, ...] = (USER, WORK_SPECIFICATION, ESTIMATE, DAILY_REPORT, TIMESHEET)
_BY_NAME = {record_type.name: record_type for record_type in RECORD_TYPES}


def find(name: str) -> RecordType | None:
    return _BY_NAME.get(name)


def get(name: str) -> RecordType:
    try:
        return _BY_NAME[name]
    except KeyError:
        raise KeyError(f"Unknown record type {name!r}") from None


def type_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)
