"""A believable day on a building site, for the screenshots: an in-process stand-in for
the server that speaks the sync protocol, and the edits a foreman makes.

The data goes through the real code path: registration by connection code, the sync
engine (full state, then a message with local changes answered with applied, conflict
and rejected results), and the services for every local edit. Nothing is written into
the store behind the core's back.
"""
from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop_client import services
from desktop_client.store import Store
from desktop_client.sync import ConnectionCode, register_with_code
from sync_protocol import PROTOCOL_VERSION

SERVER_URL = "https://sync.example.com"
NODE_ID = "5b3f9a2e-1c4d-4e8f-9a6b-7c8d9e0f1a2b"
_NAMESPACE = uuid.UUID("8f14e45f-ceea-467f-a0e6-4b2d6c2b9a10")


def demo_id(name: str) -> str:
    """Stable ids, so every run draws the same pictures."""
    return str(uuid.uuid5(_NAMESPACE, name))


TEXTS: dict[str, dict[str, Any]] = {
    "en": {
        "people": [("ivanov", "Sergei Ivanov"), ("petrova", "Anna Petrova"), ("sidorov", "Pavel Sidorov"),
                   ("kuznetsov", "Oleg Kuznetsov")],
        "work": [("EX-01", "Excavation by machine", "m3", "650.00"),
                 ("CO-02", "Concrete pour, foundation", "m3", "5400.00"),
                 ("RB-03", "Rebar assembly", "t", "38000.00"),
                 ("FW-04", "Formwork, walls", "m2", "920.00"),
                 ("BR-05", "Brick masonry", "m3", "4800.00")],
        "sites": ["Riverside block 3", "School No. 12", "Lenina St. 45"],
        "notes": ["Dry weather. Concrete delivered at 10:00.", "Crane idle 2 h waiting for a permit.",
                  "Rain after lunch; formwork covered.", "Inspection by the client's engineer, no remarks."],
        "line_notes": ["Pit for the pump station", "Slab, section A", "Walls, axes 1-4"],
        "estimates": [("E-101", "Foundation works"), ("E-102", "Walls, first floor"), ("E-103", "Roof repair")],
        "office_note": "Client asked to pause the pour until Monday.",
        "my_note": "Pour finished, 12 m3. Cubes taken for testing.",
        "new_estimate": ("E-102", "Extra excavation"),
        "timesheet_note": "Overtime approved by the site manager",
    },
    "ru": {
        "people": [("ivanov", "Сергей Иванов"), ("petrova", "Анна Петрова"), ("sidorov", "Павел Сидоров"),
                   ("kuznetsov", "Олег Кузнецов")],
        "work": [("EX-01", "Разработка грунта экскаватором", "м3", "650.00"),
                 ("CO-02", "Бетонирование фундамента", "м3", "5400.00"),
                 ("RB-03", "Вязка арматуры", "т", "38000.00"),
                 ("FW-04", "Опалубка стен", "м2", "920.00"),
                 ("BR-05", "Кирпичная кладка", "м3", "4800.00")],
        "sites": ["ЖК «Набережный», корпус 3", "Школа № 12", "ул. Ленина, 45"],
        "notes": ["Сухо. Бетон привезли в 10:00.", "Кран простоял 2 ч в ожидании допуска.",
                  "После обеда дождь, опалубку укрыли.", "Приёмка технадзором заказчика, замечаний нет."],
        "line_notes": ["Котлован под насосную", "Плита, захватка А", "Стены, оси 1-4"],
        "estimates": [("E-101", "Фундаменты"), ("E-102", "Стены первого этажа"), ("E-103", "Ремонт кровли")],
        "office_note": "Заказчик просит остановить бетонирование до понедельника.",
        "my_note": "Бетонирование закончено, 12 м3. Отобраны кубики на испытания.",
        "new_estimate": ("E-102", "Дополнительная разработка грунта"),
        "timesheet_note": "Сверхурочные согласованы с прорабом",
    },
}


@dataclass
class DemoServer:
    """Answers ``exchange`` like the real server would for this story: the full state to
    a new node; for its changes, ``applied``, except the records named in ``conflicts``
    (the office changed them first: the server's record comes back) and ``rejections``
    (with the server's reasons)."""

    records: list[dict[str, Any]]
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> server's record
    rejections: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # id -> fields
    _versions: Any = field(default_factory=lambda: itertools.count(2000))

    def register(self, request: Mapping[str, Any]) -> dict[str, Any]:  # pragma: no cover - code only
        raise NotImplementedError("The demo computer connects with a connection code.")

    def exchange(self, body: str, *, token: str) -> dict[str, Any]:
        request = json.loads(body)
        results = [self._result(change) for change in request["changes"]]
        changes = self.records if request["ack"] == 0 else []
        top = max((record["version"] for record in self.records), default=0)
        return {"protocol": PROTOCOL_VERSION, "message_no": request["message_no"], "results": results,
                "changes": changes, "next_ack": max(top, request["ack"]), "more": False, "reset": False,
                "server_time": _now()}

    def _result(self, change: Mapping[str, Any]) -> dict[str, Any]:
        key = {"type": change["type"], "id": change["id"]}
        if change["id"] in self.conflicts:
            server = self.conflicts[change["id"]]
            return key | {"status": "conflict", "version": server["version"], "server": server}
        if change["id"] in self.rejections:
            return key | {"status": "rejected", "fields": self.rejections[change["id"]]}
        return key | {"status": "applied", "version": next(self._versions)}


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(record_type: str, name: str, version: int, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": record_type, "id": demo_id(name), "op": "upsert", "version": version,
            "updated_at": "2026-11-24T16:00:00Z", "data": data}


def office_records(language: str) -> list[dict[str, Any]]:
    """What the office has before the foreman's day: people, the catalogue, estimates,
    the last days' reports and timesheets."""
    texts = TEXTS[language]
    version = itertools.count(100)
    records = [_record("user", f"user-{login}", next(version),
                       {"username": login, "full_name": name, "is_active": True})
               for login, name in texts["people"]]
    records += [_record("work_specification", f"work-{code}", next(version),
                        {"code": code, "name": name, "unit": unit, "unit_price": price})
                for code, name, unit, price in texts["work"]]
    work = [demo_id(f"work-{code}") for code, *_ in texts["work"]]
    people = [demo_id(f"user-{login}") for login, _ in texts["people"]]
    sites = texts["sites"]
    for index, (number, title) in enumerate(texts["estimates"]):
        lines = [{"id": demo_id(f"estimate-{number}-line-{n}"), "position": n + 1,
                  "work_specification": work[n + index], "description": texts["work"][n + index][1],
                  "unit": texts["work"][n + index][2], "quantity": quantity, "unit_price": texts["work"][n + index][3]}
                 for n, quantity in enumerate(("120.000", "36.500", "4.200")[: 3 - index])]
        records.append(_record("estimate", f"estimate-{number}", next(version), {
            "number": number, "title": title, "site": sites[index], "date": f"2026-11-{10 + index * 4:02d}",
            "status": "approved" if index == 0 else "draft", "lines": lines}))
    for day in range(4):
        date = f"2026-11-{21 + day:02d}"
        lines = [{"id": demo_id(f"report-{day}-line-{n}"), "work_specification": work[n + 1],
                  "description": texts["line_notes"][n], "quantity": quantity, "workers": workers, "hours": "8.00"}
                 for n, (quantity, workers) in enumerate((("12.000", 4), ("3.500", 3))[: 1 + day % 2])]
        records.append(_record("daily_report", f"report-{day}", next(version), {
            "date": date, "site": sites[day % 2], "author": people[0], "notes": texts["notes"][day], "lines": lines}))
        for person in people[1:]:
            records.append(_record("timesheet", f"timesheet-{day}-{person}", next(version), {
                "date": date, "worker": person, "site": sites[day % 2], "hours": "8.00" if day != 2 else "10.50",
                "work_specification": work[1 + day % 3], "note": texts["timesheet_note"] if day == 2 else ""}))
    return records


@dataclass(frozen=True)
class DemoStory:
    server: DemoServer
    conflicted_report: str
    rejected_estimate: str
    new_report: str


def demo_server(language: str) -> DemoServer:
    return DemoServer(office_records(language))


def prepare_demo(store: Store, server: DemoServer, language: str, *, run_sync: Callable[[], None]) -> DemoStory:
    """Connect, take the office's data, make the day's edits, sync them (one conflict,
    one rejection), and leave one edit unsent. ``run_sync`` runs one sync through the
    window's worker (whose transport is ``server``) and returns when it is done."""
    texts = TEXTS[language]
    records = server.records
    register_with_code(store, code=ConnectionCode(node_id=NODE_ID, token="demo-token", server=SERVER_URL))
    run_sync()

    conflicted = demo_id("report-3")
    report = services.record_get(store, record_type="daily_report", record_id=conflicted)
    services.record_update(store, record_type="daily_report", record_id=conflicted,
                           values={"notes": texts["my_note"]})
    office_version = next(record for record in records if record["id"] == conflicted)
    server.conflicts[conflicted] = office_version | {
        "version": 900, "data": office_version["data"] | {"notes": texts["office_note"]}}

    number, title = texts["new_estimate"]
    work = {item.values["code"]: item for item in services.record_list(store, record_type="work_specification")}
    rejected = services.record_create(store, record_type="estimate", values={
        "number": number, "title": title, "site": texts["sites"][2], "date": "2026-11-25", "status": "draft"},
        lines=[{"position": 1, "work_specification": work["EX-01"].id, "description": work["EX-01"].values["name"],
                "unit": work["EX-01"].values["unit"], "quantity": "48.000", "unit_price": "650.00"}]).id
    server.rejections[rejected] = {"number": ["Estimate with this Number already exists."]}

    author = report.values["author"]
    new_report = services.record_create(store, record_type="daily_report", values={
        "date": "2026-11-25", "site": texts["sites"][0], "author": author, "notes": texts["notes"][0]},
        lines=[{"work_specification": work["CO-02"].id, "description": texts["line_notes"][1], "quantity": "12.000",
                "workers": 4, "hours": "8.00"},
               {"work_specification": work["RB-03"].id, "description": texts["line_notes"][2],
                "quantity": "1.200", "workers": 3, "hours": "6.50"}]).id
    run_sync()

    # Typed after the sync: still waiting to be sent.
    people = services.record_list(store, record_type="user")
    services.record_create(store, record_type="timesheet", values={
        "date": "2026-11-25", "worker": people[1].id, "site": texts["sites"][0], "hours": "8.00",
        "work_specification": work["CO-02"].id, "note": ""})
    return DemoStory(server=server, conflicted_report=conflicted, rejected_estimate=rejected, new_report=new_report)
