"""The API's JSON answers: orjson where it writes what DRF writes, DRF's own renderer for
everything else. (Bodies are parsed by the standard library: orjson's parsing is barely
faster and turns whole numbers beyond 64 bits into floats.)"""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers

from apps.sync.api.renderers import JSONRenderer

PLAIN = {
    "protocol": 1, "more": False, "reset": None, "next_ack": 2**62,
    "changes": [{"id": str(uuid.uuid4()), "data": {"notes": "Котлован, \"quoted\" \\ tab\t nl\n ctrl\x01 \u2028\u2029 🏗",
                                                   "lines": [], "uuid": uuid.UUID(int=7)}}],
}


def test_plain_answers_are_written_byte_for_byte_as_drf_writes_them():
    assert JSONRenderer().render(PLAIN) == renderers.JSONRenderer().render(PLAIN)


@pytest.mark.parametrize("odd", [Decimal("1.50"), dt.datetime(2026, 11, 26, 10, tzinfo=dt.timezone.utc),
                                 dt.date(2026, 11, 26), gettext_lazy("Sync"), {1: "int key"}, 2**70])
def test_values_orjson_would_write_otherwise_go_to_drf(odd):
    data = {"value": odd, "list": [odd]}
    assert JSONRenderer().render(data) == renderers.JSONRenderer().render(data)


def test_text_no_json_can_carry_is_refused_as_drf_refuses_it():
    with pytest.raises(UnicodeEncodeError):
        JSONRenderer().render({"name": "lone \ud800 surrogate"})


def test_pretty_printing_on_request_is_drfs():
    assert JSONRenderer().render(PLAIN, "application/json; indent=2") == renderers.JSONRenderer().render(
        PLAIN, "application/json; indent=2")

