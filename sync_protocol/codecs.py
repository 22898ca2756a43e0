"""Value codecs: Python values <-> wire values, and validation of wire values per field.

``decode(field, value)`` raises ``ValueError`` with a sentence for a person when a wire
value does not fit its field; the caller collects these per field.
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import re
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from sync_protocol import catalogue

_DECIMAL_RE = re.compile(r"^-?\d{1,40}(\.\d{1,40})?$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")
_UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
UUID_RE = _UUID_RE  # the UUID text the wire carries, for callers that keep it as text

MAX_TEXT_LENGTH = 20_000


# --- single values -----------------------------------------------------------------

def uuid_to_wire(value: uuid.UUID | str) -> str:
    return str(value if isinstance(value, uuid.UUID) else uuid.UUID(value))


def uuid_from_wire(value: object) -> uuid.UUID:
    if not isinstance(value, str) or not _UUID_RE.match(value):
        raise ValueError("Must be a UUID string such as 3f0c2b1e-8d4a-4c5e-9f00-1a2b3c4d5e6f.")
    return uuid.UUID(value)


def decimal_to_wire(value: Decimal | int | str, places: int | None = None) -> str:
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    return format(number, "f")


def decimal_from_wire(value: object) -> Decimal:
    if not isinstance(value, str) or not _DECIMAL_RE.match(value):
        raise ValueError('Must be a decimal number written as a string, such as "12.50".')
    try:
        return Decimal(value)
    except InvalidOperation:  # pragma: no cover - the pattern already excludes it
        raise ValueError("Must be a decimal number.") from None


def date_to_wire(value: dt.date) -> str:
    return value.isoformat()


def date_from_wire(value: object) -> dt.date:
    if not isinstance(value, str) or not _DATE_RE.match(value):
        raise ValueError("Must be a date written as YYYY-MM-DD.")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError("Must be a real calendar date written as YYYY-MM-DD.") from None


def datetime_to_wire(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("A datetime on the wire must carry its time zone.")
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def datetime_from_wire(value: object) -> dt.datetime:
    if not isinstance(value, str) or not _DATETIME_RE.match(value):
        raise ValueError("Must be an ISO 8601 date and time in UTC, such as 2026-11-26T10:15:00Z.")
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("Must be a real date and time.") from None
    return parsed.astimezone(dt.timezone.utc)


# --- field values --------------------------------------------------------------------

def encode(field: catalogue.Field, value: object) -> object:
    """Python value of ``field`` -> wire value."""
    if value is None:
        return None
    kind = field.kind
    if kind == catalogue.DECIMAL:
        return decimal_to_wire(value, field.decimal_places)
    if kind == catalogue.DATE:
        return date_to_wire(value)
    if kind == catalogue.REF:
        return uuid_to_wire(value)
    if kind == catalogue.INTEGER:
        return int(value)
    if kind == catalogue.BOOLEAN:
        return bool(value)
    return str(value)


def decode(field: catalogue.Field, value: object) -> object:
    """Wire value of ``field`` -> Python value; ``ValueError`` when it does not fit."""
    if value is None:
        if field.null:
            return None
        raise ValueError("This field may not be null.")
    kind = field.kind
    if kind in (catalogue.STRING, catalogue.TEXT, catalogue.CHOICE):
        if not isinstance(value, str):
            raise ValueError("Must be a string.")
        if "\x00" in value:
            raise ValueError("Must not contain NUL characters.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Must be valid Unicode text.") from None
        limit = field.max_length or MAX_TEXT_LENGTH
        if len(value) > limit:
            raise ValueError(f"Must have at most {limit} characters.")
        if kind == catalogue.CHOICE:
            if value not in field.choices:
                raise ValueError(f"Must be one of: {', '.join(field.choices)}.")
        elif not value.strip() and not field.blank:
            raise ValueError("This field may not be blank.")
        return value
    if kind == catalogue.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError("Must be true or false.")
        return value
    if kind == catalogue.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Must be a whole number.")
        _check_range(field, value, int)
        return value
    if kind == catalogue.DECIMAL:
        number = decimal_from_wire(value)
        _check_decimal_shape(field, number)
        _check_range(field, number, Decimal)
        return number
    if kind == catalogue.DATE:
        return date_from_wire(value)
    if kind == catalogue.REF:
        return uuid_from_wire(value)
    raise ValueError(f"Unknown field kind {kind!r}.")  # pragma: no cover - catalogue is fixed


def _check_decimal_shape(field: catalogue.Field, number: Decimal) -> None:
    sign, digits, exponent = number.as_tuple()
    places = max(0, -exponent)
    if field.decimal_places is not None and places > field.decimal_places:
        raise ValueError(f"Must have at most {field.decimal_places} digits after the decimal point.")
    if field.max_digits is not None:
        whole_digits = max(0, len(digits) + exponent)
        allowed = field.max_digits - (field.decimal_places or 0)
        if whole_digits > allowed:
            raise ValueError(f"Must have at most {allowed} digits before the decimal point.")


def _check_range(field: catalogue.Field, value, convert) -> None:
    low = field.min_value
    high = field.max_value
    if convert is Decimal:
        low = Decimal(low) if low is not None else None
        high = Decimal(high) if high is not None else None
    if low is not None and value < low:
        raise ValueError(f"Must be at least {low}.")
    if high is not None and value > high:
        raise ValueError(f"Must be at most {high}.")


# --- the same, compiled per field for the hot paths ------------------------------------

@functools.lru_cache(maxsize=None)
def field_decoder(field: catalogue.Field) -> Callable[[object], object]:
    """A function equal to ``decode(field, value)``, quicker where thousands of values
    pass: the common, valid shapes are checked first with what is known of the field
    worked out once; anything else goes through ``decode``, which says what is wrong."""
    kind = field.kind

    def general(value: object) -> object:
        return decode(field, value)

    if kind == catalogue.CHOICE:
        choices = frozenset(field.choices)

        def decode_choice(value: object) -> object:
            if value.__class__ is str and value in choices:
                return value
            return general(value)

        return decode_choice
    if kind in (catalogue.STRING, catalogue.TEXT):
        limit = field.max_length or MAX_TEXT_LENGTH
        blank = field.blank

        def decode_text(value: object) -> object:
            # Non-ASCII text takes the general path: it checks the text encodes as UTF-8.
            if (value.__class__ is str and len(value) <= limit and value.isascii() and "\x00" not in value
                    and (blank or value.strip())):
                return value
            return general(value)

        return decode_text
    if kind == catalogue.BOOLEAN:
        return lambda value: value if value is True or value is False else general(value)
    if kind == catalogue.INTEGER:
        low = field.min_value if field.min_value is not None else -math.inf
        high = field.max_value if field.max_value is not None else math.inf

        def decode_integer(value: object) -> object:
            if value.__class__ is int and low <= value <= high:
                return value
            return general(value)

        return decode_integer
    if kind == catalogue.DECIMAL:
        places = field.decimal_places
        whole = field.max_digits - (field.decimal_places or 0) if field.max_digits is not None else None
        low = Decimal(field.min_value) if field.min_value is not None else None
        high = Decimal(field.max_value) if field.max_value is not None else None
        match = _DECIMAL_RE.match

        def decode_decimal(value: object) -> object:
            if value.__class__ is str and match(value):
                number = Decimal(value)
                _sign, digits, exponent = number.as_tuple()
                if ((places is None or -exponent <= places) and (whole is None or len(digits) + exponent <= whole)
                        and (low is None or number >= low) and (high is None or number <= high)):
                    return number
            return general(value)

        return decode_decimal
    if kind == catalogue.DATE:
        match = _DATE_RE.match

        def decode_date(value: object) -> object:
            if value.__class__ is str and match(value):
                try:
                    return dt.date.fromisoformat(value)
                except ValueError:
                    pass
            return general(value)

        return decode_date
    if kind == catalogue.REF:
        match = _UUID_RE.match

        def decode_ref(value: object) -> object:
            if value.__class__ is str and match(value):
                return uuid.UUID(value)
            return general(value)

        return decode_ref
    return general  # pragma: no cover - every kind has its decoder above


def uuid_text_from_wire(value: object) -> str:
    """A UUID from the wire as its canonical lower-case text (``str(uuid_from_wire(value))``)."""
    if value.__class__ is str and _UUID_RE.match(value):
        return value.lower()
    return str(uuid_from_wire(value))


@functools.lru_cache(maxsize=None)
def field_encoder(field: catalogue.Field) -> Callable[[object], object]:
    """A function equal to ``encode(field, value)``, with what is known of the field
    worked out once."""
    kind = field.kind
    if kind == catalogue.DECIMAL and field.decimal_places is not None:
        quantum = Decimal(1).scaleb(-field.decimal_places)

        def encode_decimal(value: object) -> object:
            if value is None:
                return None
            return format((value if value.__class__ is Decimal else Decimal(value)).quantize(quantum), "f")

        return encode_decimal
    if kind in (catalogue.STRING, catalogue.TEXT, catalogue.CHOICE):
        return lambda value: value if value is None or value.__class__ is str else str(value)
    if kind == catalogue.DATE:
        return lambda value: None if value is None else value.isoformat()
    if kind == catalogue.REF:
        match = _UUID_RE.match

        def encode_ref(value: object) -> object:
            if value is None:
                return None
            if value.__class__ is str and match(value):
                return value.lower()
            return uuid_to_wire(value)

        return encode_ref
    return lambda value: encode(field, value)


_PLANS: dict[tuple[str, int], tuple[tuple[catalogue.Field, ...], list]] = {}


def _plan(kind: str, fields: tuple[catalogue.Field, ...], make) -> list:
    cached = _PLANS.get((kind, id(fields)))
    if cached is not None and cached[0] is fields:
        return cached[1]
    plan = [(item, make(item)) for item in fields]
    _PLANS[(kind, id(fields))] = (fields, plan)
    return plan


def field_decoders(fields: tuple[catalogue.Field, ...]) -> list[tuple[catalogue.Field, Callable[[object], object]]]:
    """``(field, field_decoder(field))`` for a tuple of fields, worked out once per tuple
    (hashing a field for every value would cost as much as decoding it)."""
    return _plan("decode", fields, field_decoder)


def field_encoders(fields: tuple[catalogue.Field, ...]) -> list[tuple[catalogue.Field, Callable[[object], object]]]:
    """``(field, field_encoder(field))`` for a tuple of fields, worked out once per tuple."""
    return _plan("encode", fields, field_encoder)
