"""hypothesis strategies that build wire values straight from the protocol catalogue."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from sync_protocol import catalogue

# Text a person could type, including non-Latin scripts and punctuation; no control characters.
TEXT_ALPHABET = st.characters(blacklist_categories=("Cs", "Cc"))


def decimal_strings(field: catalogue.Field):
    places = field.decimal_places
    whole = field.max_digits - places
    low = Decimal(field.min_value) if field.min_value is not None else -(Decimal(10) ** whole - 1)
    high = Decimal(field.max_value) if field.max_value is not None else Decimal(10) ** whole - 1
    quantum = Decimal(1).scaleb(-places)
    return st.decimals(min_value=low, max_value=high, places=places, allow_nan=False, allow_infinity=False).map(
        lambda number: format(number.quantize(quantum), "f")
    )


def value_strategy(field: catalogue.Field, refs: dict[str, list[str]]):
    kind = field.kind
    if kind in (catalogue.STRING, catalogue.TEXT):
        size = field.max_length or 300
        strategy = st.text(TEXT_ALPHABET, min_size=0 if field.blank else 1, max_size=min(size, 300))
        if not field.blank:
            strategy = strategy.filter(lambda text: text.strip())
        return strategy
    if kind == catalogue.CHOICE:
        return st.sampled_from(field.choices)
    if kind == catalogue.INTEGER:
        return st.integers(min_value=field.min_value, max_value=field.max_value)
    if kind == catalogue.BOOLEAN:
        return st.booleans()
    if kind == catalogue.DECIMAL:
        return decimal_strings(field)
    if kind == catalogue.DATE:
        return st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)).map(dt.date.isoformat)
    if kind == catalogue.REF:
        targets = st.sampled_from(refs[field.ref])
        return st.one_of(st.none(), targets) if field.null else targets
    raise AssertionError(kind)


def data_strategy(fields, refs, overrides=None):
    overrides = overrides or {}
    return st.fixed_dictionaries(
        {item.name: overrides.get(item.name, value_strategy(item, refs)) for item in fields}
    )


def record_data(record_type: catalogue.RecordType, refs: dict[str, list[str]], overrides=None):
    """Wire ``data`` for a record of ``record_type``; ``overrides`` replaces field strategies."""
    base = data_strategy(record_type.fields, refs, overrides)
    if not record_type.has_lines:
        return base
    line = st.tuples(st.uuids(version=4).map(str), data_strategy(record_type.line_fields, refs)).map(
        lambda pair: {"id": pair[0], **pair[1]}
    )
    lines = st.lists(line, max_size=5, unique_by=lambda item: item["id"])
    return st.tuples(base, lines).map(lambda pair: {**pair[0], "lines": pair[1]})
