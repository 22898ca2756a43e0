"""DRF's JSON renderer, with the encoding itself done by orjson where the result is the same.

An exchange answer carries a thousand records; the standard library's encoder spends
several milliseconds of pure Python on it, orjson a fraction of one. orjson writes the
same bytes as DRF's renderer for compact UTF-8 output of dicts, lists, text, whole numbers,
booleans, null and UUIDs; anything else it is not given (decimals, dates, lazy
translations, text with lone surrogates, pretty-printing on request) goes to DRF's own
renderer. Floats, which the protocol never carries, come out as the same numbers, though
orjson spells some differently (``1e16`` for ``1e+16``) and writes NaN as null.
"""
from __future__ import annotations

import orjson
from rest_framework import renderers

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_PASSTHROUGH_DATACLASS


class _NotPlain(TypeError):
    pass


def _refuse(value):
    raise _NotPlain(type(value).__name__)


class JSONRenderer(renderers.JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if (
            data is None
            or self.ensure_ascii
            or not self.compact
            or self.get_indent(accepted_media_type, renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=_refuse, option=_OPTIONS)
        except TypeError:  # orjson's own refusals (non-text keys, lone surrogates) included
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028 and U+2029 escaped, so the output is also valid JavaScript.
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body
