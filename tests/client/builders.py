"""Records and server responses for the client's tests, built the way the code under
test would meet them."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from desktop_client.store.records import (
    DailyReport,
    DailyReportLine,
    Estimate,
    EstimateLine,
    Timesheet,
    User,
    WorkSpecification,
)

SERVER_URL = "https://sync.example.com"
NODE_ID = "0a1b2c3d-0000-4000-8000-00000000000a"
TOKEN = "secret-token-never-printed"


def new_id() -> str:
    return str(uuid.uuid4())


def user(**overrides: Any) -> User:
    values = {"id": new_id(), "username": "foreman", "full_name": "Ivan Petrov", "is_active": True}
    return User(**(values | overrides))


def work_specification(**overrides: Any) -> WorkSpecification:
    values = {"id": new_id(), "code": "WS-0001", "name": "Concrete", "unit": "m3", "unit_price": Decimal("1500.00")}
    return WorkSpecification(**(values | overrides))


def estimate(*, lines: int = 0, **overrides: Any) -> Estimate:
    values = {
        "id": new_id(),
        "number": "E-17",
        "title": "Foundation works",
        "site": "Riverside block 3",
        "date": dt.date(2026, 11, 20),
        "status": "draft",
    }
    record = Estimate(**(values | overrides))
    for position in range(1, lines + 1):
        record.lines.append(estimate_line(position=position))
    return record


def estimate_line(**overrides: Any) -> EstimateLine:
    values = {
        "id": new_id(),
        "position": 1,
        "description": "Pour concrete",
        "unit": "m3",
        "quantity": Decimal("12.500"),
        "unit_price": Decimal("1500.00"),
    }
    return EstimateLine(**(values | overrides))


def daily_report(*, author_id: str, lines: int = 0, **overrides: Any) -> DailyReport:
    values = {"id": new_id(), "date": dt.date(2026, 11, 21), "site": "Riverside", "author_id": author_id, "notes": ""}
    record = DailyReport(**(values | overrides))
    for _ in range(lines):
        record.lines.append(daily_report_line())
    return record


def daily_report_line(**overrides: Any) -> DailyReportLine:
    values = {"id": new_id(), "description": "Formwork", "quantity": Decimal("3.000"), "workers": 4,
              "hours": Decimal("7.50")}
    return DailyReportLine(**(values | overrides))


def timesheet(*, worker_id: str, **overrides: Any) -> Timesheet:
    values = {"id": new_id(), "date": dt.date(2026, 11, 21), "worker_id": worker_id, "site": "Riverside",
              "hours": Decimal("8.00"), "note": ""}
    return Timesheet(**(values | overrides))


# --- the server's side of the wire ------------------------------------------------------

def wire_timesheet(record_id: str, *, version: int, worker: str, hours: str = "8.00", site: str = "Riverside",
                   **data: Any) -> dict[str, Any]:
    return {
        "type": "timesheet",
        "id": record_id,
        "op": "upsert",
        "version": version,
        "updated_at": "2026-11-26T10:15:00Z",
        "data": {"date": "2026-11-21", "worker": worker, "site": site, "hours": hours,
                 "work_specification": None, "note": ""} | data,
    }


def wire_user(record_id: str, *, version: int, username: str = "foreman") -> dict[str, Any]:
    return {"type": "user", "id": record_id, "op": "upsert", "version": version,
            "updated_at": "2026-11-26T10:15:00Z",
            "data": {"username": username, "full_name": "Ivan Petrov", "is_active": True}}


def wire_estimate(record_id: str, *, version: int, title: str = "Foundation works",
                  lines: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {
        "type": "estimate",
        "id": record_id,
        "op": "upsert",
        "version": version,
        "updated_at": "2026-11-26T10:15:00Z",
        "data": {"number": "E-17", "title": title, "site": "Riverside", "date": "2026-11-20", "status": "draft",
                 "lines": lines if lines is not None else []},
    }


def wire_estimate_line(line_id: str, *, position: int = 1, quantity: str = "12.500") -> dict[str, Any]:
    return {"id": line_id, "position": position, "work_specification": None, "description": "Pour concrete",
            "unit": "m3", "quantity": quantity, "unit_price": "1500.00"}


def wire_delete(record_type: str, record_id: str, *, version: int) -> dict[str, Any]:
    return {"type": record_type, "id": record_id, "op": "delete", "version": version}


def response(message_no: int, *, results=(), changes=(), next_ack: int = 0, more: bool = False,
             reset: bool = False) -> dict[str, Any]:
    return {"protocol": 1, "message_no": message_no, "results": list(results), "changes": list(changes),
            "next_ack": next_ack, "more": more, "reset": reset, "server_time": "2026-11-26T10:15:00Z"}


def applied(record_type: str, record_id: str, version: int) -> dict[str, Any]:
    return {"type": record_type, "id": record_id, "status": "applied", "version": version}


def conflict(record_type: str, record_id: str, server: dict[str, Any]) -> dict[str, Any]:
    return {"type": record_type, "id": record_id, "status": "conflict", "version": server["version"],
            "server": server}


def rejected(record_type: str, record_id: str, fields: dict[str, list[str]]) -> dict[str, Any]:
    return {"type": record_type, "id": record_id, "status": "rejected", "fields": fields}
