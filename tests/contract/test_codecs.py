"""Value codecs: what goes on the wire comes back the same, and bad values are refused."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync_protocol import catalogue, codecs
from tests.contract.strategies import value_strategy

ALL_FIELDS = [
    field
    for record_type in catalogue.RECORD_TYPES
    for field in record_type.fields + (record_type.line_fields or ())
    if field.kind != catalogue.REF
]


@pytest.mark.parametrize("field", ALL_FIELDS, ids=lambda field: f"{field.name}:{field.kind}")
@given(data=st.data())
def test_every_catalogue_field_round_trips(field, data):
    wire = data.draw(value_strategy(field, {}))
    assert codecs.encode(field, codecs.decode(field, wire)) == wire


@given(st.datetimes(timezones=st.just(dt.timezone.utc)))
def test_datetimes_round_trip_in_utc_with_z(moment):
    wire = codecs.datetime_to_wire(moment)
    assert wire.endswith("Z")
    assert codecs.datetime_from_wire(wire) == moment


@given(st.uuids())
def test_uuids_round_trip_lower_case(value):
    wire = codecs.uuid_to_wire(value)
    assert wire == wire.lower() and codecs.uuid_from_wire(wire) == value


MONEY = catalogue.WORK_SPECIFICATION.field("unit_price")
HOURS = catalogue.TIMESHEET.field("hours")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (MONEY, 12.5),  # a float: decimals travel as strings
        (MONEY, "1e3"),
        (MONEY, "12.345"),  # too many places
        (MONEY, "-0.01"),
        (MONEY, "1" * 13),  # too many digits
        (MONEY, "NaN"),
        (HOURS, "24.01"),
        (catalogue.ESTIMATE.field("date"), "2026-02-30"),
        (catalogue.ESTIMATE.field("date"), "26-11-2026"),
        (catalogue.ESTIMATE.field("status"), "done"),
        (catalogue.ESTIMATE.field("number"), ""),
        (catalogue.ESTIMATE.field("number"), "   "),
        (catalogue.ESTIMATE.field("number"), "x" * 51),
        (catalogue.ESTIMATE.field("title"), "bad\x00byte"),
        (catalogue.ESTIMATE.field("title"), "\ud800"),
        (catalogue.ESTIMATE.field("title"), 17),
        (catalogue.DAILY_REPORT.line_fields[3], True),  # workers: a bool is not a number
        (catalogue.DAILY_REPORT.line_fields[3], 2**40),
        (catalogue.DAILY_REPORT.field("author"), None),
        (catalogue.DAILY_REPORT.field("author"), "not-a-uuid"),
    ],
)
def test_bad_values_are_refused_with_a_sentence(field, value):
    with pytest.raises(ValueError) as refused:
        codecs.decode(field, value)
    assert str(refused.value).endswith(".")


def test_decimals_are_written_with_the_fields_places():
    assert codecs.encode(MONEY, Decimal("1500")) == "1500.00"
    assert codecs.encode(catalogue.ESTIMATE.line_fields[4], Decimal("12.5")) == "12.500"
    assert codecs.decode(MONEY, "0.5") == Decimal("0.5")


def test_a_reference_decodes_to_a_uuid():
    value = uuid.uuid4()
    assert codecs.decode(catalogue.TIMESHEET.field("worker"), str(value)) == value


EVERY_FIELD = [
    field for record_type in catalogue.RECORD_TYPES for field in record_type.fields + (record_type.line_fields or ())
]


REFS = {record_type.name: [str(uuid.UUID(int=index + 1)) for index in range(3)] for record_type in catalogue.RECORD_TYPES}


def _outcome(function, field, value):
    try:
        return ("value", function(value))
    except ValueError as error:
        return ("refused", str(error))


def _near_misses(field):
    """Values close to what the field takes: edge lengths, signs, places, odd text."""
    text = st.text(alphabet=st.sampled_from(["a", "Я", " ", "\x00", "\ud800", "7", ".", "-", "0"]), max_size=8)
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.floats(allow_nan=False),
        text, st.just(""), st.just(" "), st.just("x" * ((field.max_length or 0) + 1)),
        st.from_regex(r"\A-?[0-9]{1,16}(\.[0-9]{1,5})?\Z"), st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"),
        st.uuids().map(str), st.uuids().map(lambda value: str(value).upper()), st.lists(st.integers(), max_size=2),
    )


@pytest.mark.parametrize("field", EVERY_FIELD, ids=lambda field: f"{field.name}:{field.kind}")
@given(data=st.data())
def test_the_quick_decoder_of_a_field_agrees_with_decode(field, data):
    """The decoders the hot paths use take and refuse exactly what ``decode`` does, with
    the same sentence."""
    value = data.draw(st.one_of(value_strategy(field, REFS), _near_misses(field)))
    assert _outcome(codecs.field_decoder(field), field, value) == _outcome(
        lambda item: codecs.decode(field, item), field, value
    )


@pytest.mark.parametrize("field", EVERY_FIELD, ids=lambda field: f"{field.name}:{field.kind}")
@given(data=st.data())
def test_the_quick_encoder_of_a_field_agrees_with_encode(field, data):
    wire = data.draw(value_strategy(field, REFS))
    value = codecs.decode(field, wire)
    for form in (value, str(value) if isinstance(value, uuid.UUID) else value):
        assert codecs.field_encoder(field)(form) == codecs.encode(field, form)
    assert codecs.field_encoder(field)(None) is None


@given(st.one_of(st.uuids().map(str), st.uuids().map(lambda value: str(value).upper()), st.text(max_size=40)))
def test_uuid_text_from_wire_is_the_canonical_text_or_the_same_refusal(value):
    assert _outcome(codecs.uuid_text_from_wire, None, value) == _outcome(
        lambda item: str(codecs.uuid_from_wire(item)), None, value
    )
