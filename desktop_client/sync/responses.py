"""The exchange response, checked for shape before anything of it is applied."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_client.store.sync_tables import OP_DELETE, OP_UPSERT, WireRecord
from desktop_client.sync.errors import MalformedResponse
from sync_protocol import PROTOCOL_VERSION, codecs
from sync_protocol import errors as codes

RESULT_STATUSES = (codes.APPLIED, codes.CONFLICT, codes.REJECTED)


@dataclass(frozen=True)
class RecordResult:
    type: str
    id: str
    status: str
    version: int | None = None  # applied, conflict
    server: WireRecord | None = None  # conflict: the server's current record
    fields: dict[str, Any] = field(default_factory=dict)  # rejected: reasons per field

    @property
    def key(self) -> tuple[str, str]:
        return (self.type, self.id)


@dataclass(frozen=True)
class ExchangeResponse:
    message_no: int
    results: tuple[RecordResult, ...]
    changes: tuple[WireRecord, ...]
    next_ack: int
    more: bool
    reset: bool


def parse_exchange_response(body: dict[str, Any], *, message_no: int) -> ExchangeResponse:
    """Check the response to message ``message_no``; ``MalformedResponse`` if it is not one."""
    if body.get("protocol") != PROTOCOL_VERSION:
        raise MalformedResponse(
            f"The server speaks sync protocol {body.get('protocol')!r}; this client speaks {PROTOCOL_VERSION}. "
            "Update the application."
        )
    if body.get("message_no") != message_no:
        raise _malformed(f"it answers message {body.get('message_no')!r}, not {message_no}")
    results = body.get("results")
    changes = body.get("changes")
    if not isinstance(results, list) or not isinstance(changes, list):
        raise _malformed("results or changes are missing")
    next_ack = body.get("next_ack")
    if not _is_count(next_ack):
        raise _malformed("next_ack is not a number")
    more = body.get("more")
    reset = body.get("reset", False)
    if not isinstance(more, bool) or not isinstance(reset, bool):
        raise _malformed("more or reset is not true/false")
    return ExchangeResponse(
        message_no=message_no,
        results=tuple(_parse_result(item) for item in results),
        changes=tuple(parse_server_record(item) for item in changes),
        next_ack=next_ack,
        more=more,
        reset=reset,
    )


def parse_server_record(item: object) -> WireRecord:
    """A record sent by the server: type, id, op and version checked; data checked later,
    when it is decoded field by field."""
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise _malformed("a record has no type")
    record_id = _record_id(item.get("id"))
    op = item.get("op")
    if op not in (OP_UPSERT, OP_DELETE):
        raise _malformed(f"record {record_id} has the unknown op {op!r}")
    if not _is_count(item.get("version")):
        raise _malformed(f"record {record_id} has no version")
    if op == OP_UPSERT and not isinstance(item.get("data"), dict):
        raise _malformed(f"record {record_id} has no data")
    return {**item, "id": record_id}


def _parse_result(item: object) -> RecordResult:
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        raise _malformed("a result has no type")
    record_id = _record_id(item.get("id"))
    status = item.get("status")
    if status not in RESULT_STATUSES:
        raise _malformed(f"the result for {record_id} has the unknown status {status!r}")
    if status == codes.APPLIED:
        if not _is_count(item.get("version")):
            raise _malformed(f"the applied result for {record_id} has no version")
        return RecordResult(item["type"], record_id, status, version=item["version"])
    if status == codes.CONFLICT:
        server = parse_server_record(item.get("server"))
        return RecordResult(item["type"], record_id, status, version=server["version"], server=server)
    fields = item.get("fields")
    return RecordResult(item["type"], record_id, status, fields=fields if isinstance(fields, dict) else {})


def _record_id(value: object) -> str:
    try:
        return codecs.uuid_text_from_wire(value)
    except ValueError:
        raise _malformed(f"{value!r} is not a record id") from None


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _malformed(reason: str) -> MalformedResponse:
    return MalformedResponse(f"The server's response could not be used: {reason}.")
