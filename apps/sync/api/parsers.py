"""A JSON parser that refuses oversized bodies with 413 and any malformed JSON with 400."""
from __future__ import annotations

import json

from django.conf import settings
from rest_framework.parsers import BaseParser

from apps.sync.errors import ProtocolError
from sync_protocol import errors as codes


def payload_too_large() -> ProtocolError:
    limit = settings.SYNC_MAX_REQUEST_BYTES
    return ProtocolError(
        codes.PAYLOAD_TOO_LARGE,
        f"The request body is larger than the server accepts ({limit} bytes); send fewer changes per message.",
        413,
    )


def invalid_json(reason: str) -> ProtocolError:
    return ProtocolError(codes.INVALID_JSON, f"The request body is not valid JSON: {reason}", 400)


class LimitedJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.SYNC_MAX_REQUEST_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise payload_too_large()
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise payload_too_large()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise invalid_json("it is not UTF-8 text.") from None
        try:
            return json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            reason = "it is nested too deeply." if isinstance(error, RecursionError) else f"{error}."
            raise invalid_json(reason) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")
