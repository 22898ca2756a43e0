"""Record data decoded by the store: every field through its quick decoder, with the
protocol's own results and refusals."""
from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from desktop_client.store.record_data import InvalidRecordData, decode_record_data
from desktop_client.store.records import attribute_name
from sync_protocol import catalogue, codecs
from tests.contract.strategies import value_strategy

REF_FIELDS = [
    (record_type, field, in_lines)
    for record_type in catalogue.RECORD_TYPES
    for in_lines, fields in ((False, record_type.fields), (True, record_type.line_fields or ()))
    for field in fields
    if field.kind == catalogue.REF
]
REFS = {record_type.name: [str(uuid.UUID(int=index + 1)) for index in range(3)] for record_type in catalogue.RECORD_TYPES}
ANY_REFERENCE = st.one_of(
    st.none(), st.uuids().map(str), st.uuids().map(lambda value: str(value).upper()), st.text(max_size=40),
    st.integers(), st.uuids().map(lambda value: value.hex),
)


def _protocol_says(field: catalogue.Field, value) -> tuple[str, object]:
    try:
        decoded = codecs.decode(field, value)
    except ValueError as error:
        return ("refused", str(error))
    return ("value", None if decoded is None else str(decoded))


@pytest.mark.parametrize("record_type, field, in_lines", REF_FIELDS,
                         ids=[f"{t.name}.{'lines.' if lines else ''}{f.name}" for t, f, lines in REF_FIELDS])
@given(value=ANY_REFERENCE, data=st.data())
def test_references_are_stored_as_the_protocols_uuid_text_or_refused_with_its_reason(record_type, field, in_lines,
                                                                                      value, data):
    fields = record_type.line_fields if in_lines else record_type.fields
    row = {item.name: data.draw(value_strategy(item, REFS)) for item in fields}  # every other field valid
    row[field.name] = value
    if in_lines:
        record = {item.name: data.draw(value_strategy(item, REFS)) for item in record_type.fields}
        data = {**record, "lines": [{"id": str(uuid.uuid4()), **row}]}
    else:
        data = row
    expected = _protocol_says(field, value)
    try:
        decoded = decode_record_data(record_type, data, unknown_fields_allowed=True, lines_required=False)
    except InvalidRecordData as error:
        assert expected[0] == "refused"
        assert error.messages() == [f"{'lines[1].' if in_lines else ''}{field.name}: {expected[1]}"]
        return
    assert expected[0] == "value"
    values = decoded.lines[0].values if in_lines else decoded.values
    assert ("value", values[attribute_name(field)]) == expected
