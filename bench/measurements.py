"""The measurements, run inside a process whose Django points at the benchmark database."""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
import statistics
import time
import uuid
from decimal import Decimal
from pathlib import Path

from django.db import connection, models, transaction

from apps.accounts.models import User
from apps.estimates.models import Estimate, EstimateLine, WorkSpecification
from apps.reports.models import DailyReport, DailyReportLine
from apps.sync.models import SyncState
from apps.sync.services.nodes import connection_code_make, node_create
from apps.timesheets.models import Timesheet
from bench.processes import client_run, server_start
from bench.suite import scaled

LINES_PER_ESTIMATE = 50
CHUNK = 250
SITE = "Riverside block 3"


# --- data on the server ------------------------------------------------------------------------


def office_user() -> User:
    user, _ = User.objects.get_or_create(username="bench-office", defaults={"full_name": "Bench office"})
    return user


def specifications(count: int = 20) -> list[WorkSpecification]:
    existing = list(WorkSpecification.objects.filter(code__startswith="BENCH-"))
    if existing:
        return existing
    return WorkSpecification.objects.bulk_create(
        WorkSpecification(code=f"BENCH-{i:03d}", name=f"Work item {i}", unit="m3", unit_price=Decimal("1250.00"))
        for i in range(count)
    )


def estimates_add(count: int, specs: list[WorkSpecification]) -> None:
    """``count`` estimates of LINES_PER_ESTIMATE lines each, written as the office would in bulk."""
    for start in range(0, count, CHUNK):
        with transaction.atomic():
            estimates = Estimate.objects.bulk_create(
                Estimate(number=f"BE-{uuid.uuid4().hex[:12]}", title="Bench estimate", site=SITE,
                         date=dt.date(2026, 11, 20), status="draft")
                for _ in range(min(CHUNK, count - start))
            )
            EstimateLine.objects.bulk_create(
                EstimateLine(estimate=estimate, position=position, work_specification=specs[position % len(specs)],
                             description="Excavation and backfill", unit="m3", quantity=Decimal("12.500"),
                             unit_price=Decimal("1250.00"))
                for estimate in estimates
                for position in range(LINES_PER_ESTIMATE)
            )


def reports_and_timesheets_add(count: int, author: User, specs) -> None:
    with transaction.atomic():
        reports = DailyReport.objects.bulk_create(
            DailyReport(date=dt.date(2026, 11, 25), site=SITE, author=author, notes="v0") for _ in range(count)
        )
        DailyReportLine.objects.bulk_create(
            DailyReportLine(report=report, work_specification=specs[0], description="Pouring",
                            quantity=Decimal("4.000"), workers=3, hours=Decimal("8.00"))
            for report in reports for _ in range(2)
        )
        Timesheet.objects.bulk_create(
            Timesheet(date=dt.date(2026, 11, 25), worker=author, site=SITE, hours=Decimal("8.00"),
                      work_specification=specs[1], note="")
            for _ in range(count)
        )


# --- nodes ------------------------------------------------------------------------------------------


def node_connect(server_url: str, workdir: Path, name: str) -> Path:
    node, token = node_create(owner=office_user(), name=name)
    db = workdir / f"node-{name}.sqlite3"
    code = connection_code_make(node_id=node.node_id, token=token, server_url=server_url)
    run = client_run("register", "--server", server_url, "--code", code, db=db, log_path=workdir / f"{name}-register.log")
    if run.returncode != 0:
        raise RuntimeError(f"register failed: {run.output}")
    return db


def node_rows(db: Path) -> int:
    with sqlite3.connect(db) as node:
        return sum(node.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table in ("users", "work_specifications", "estimates", "estimate_lines", "daily_reports",
                                 "daily_report_lines", "timesheets"))


def bootstrap(server, workdir: Path, name: str) -> dict:
    db = node_connect(server.url, workdir, name)
    run = client_run("sync", "--once", db=db, log_path=workdir / f"{name}-sync.log")
    if run.returncode != 0:
        raise RuntimeError(f"sync failed: {run.output}")
    rows = node_rows(db)
    return {"rows": rows, "seconds": round(run.seconds, 3), "rows_per_second": round(rows / run.seconds),
            "node_peak_memory_mb": round(run.peak_memory_mb, 1), "db": str(db)}


# --- the floor: same rows, one query, JSON both ways, executemany ------------------------------------


def floor(workdir: Path) -> dict:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.uuid, e.number, e.title, e.site, e.date, e.status, l.uuid, l.position, w.uuid, "
            "l.description, l.unit, l.quantity, l.unit_price "
            f"FROM {Estimate._meta.db_table} e JOIN {EstimateLine._meta.db_table} l ON l.estimate_id = e.id "
            f"LEFT JOIN {WorkSpecification._meta.db_table} w ON w.id = l.work_specification_id "
            "WHERE e.is_deleted = false AND l.is_deleted = false ORDER BY e.id, l.position"
        )
        rows = cursor.fetchall()
    estimates, lines = {}, []
    for row in rows:
        estimates[str(row[0])] = {"id": str(row[0]), "number": row[1], "title": row[2], "site": row[3],
                                  "date": str(row[4]), "status": row[5]}
        lines.append({"id": str(row[6]), "estimate": str(row[0]), "position": row[7], "work_specification": str(row[8]),
                      "description": row[9], "unit": row[10], "quantity": str(row[11]), "unit_price": str(row[12])})
    wire = json.dumps({"estimates": list(estimates.values()), "lines": lines})
    decoded = json.loads(wire)
    path = workdir / "floor.sqlite3"
    path.unlink(missing_ok=True)
    node = sqlite3.connect(path)
    node.execute("PRAGMA journal_mode=WAL")
    node.execute("CREATE TABLE estimates (id TEXT PRIMARY KEY, number TEXT, title TEXT, site TEXT, date TEXT, "
                 "status TEXT)")
    node.execute("CREATE TABLE estimate_lines (id TEXT PRIMARY KEY, estimate_id TEXT REFERENCES estimates(id), "
                 "position INTEGER, work_specification_id TEXT, description TEXT, unit TEXT, quantity TEXT, "
                 "unit_price TEXT)")
    node.execute("CREATE INDEX estimate_lines_estimate ON estimate_lines (estimate_id)")
    with node:
        node.executemany("INSERT INTO estimates VALUES (:id, :number, :title, :site, :date, :status)",
                         decoded["estimates"])
        node.executemany("INSERT INTO estimate_lines VALUES (:id, :estimate, :position, :work_specification, "
                         ":description, :unit, :quantity, :unit_price)", decoded["lines"])
    node.close()
    seconds = time.perf_counter() - started
    count = len(decoded["estimates"]) + len(decoded["lines"])
    return {"rows": count, "seconds": round(seconds, 3), "rows_per_second": round(count / seconds)}


# --- incremental: 1,000 pushed and 1,000 pulled in one exchange ----------------------------------------


def _engine(db: Path, server_url: str):
    from desktop_client.store import open_store
    from desktop_client.sync import HttpTransport, SyncEngine

    store = open_store(db)
    return store, SyncEngine(store, HttpTransport(server_url), batch_size=1000, max_changes=1000)


def _local_timesheet_edits(store, count: int, round_no: int) -> None:
    from desktop_client import services

    sheets = services.records_export(store, record_type="timesheet")
    lines = []
    for record in sheets:
        if len(lines) == count:
            break
        record = dict(record)
        record.pop("version", None)
        record["data"] = dict(record["data"], note=f"edited on the site, round {round_no}")
        lines.append(json.dumps(record))
    services.records_import(store, lines)


def _office_report_edits(count: int, round_no: int) -> None:
    reports = list(DailyReport.objects.order_by("id")[:count])
    for report in reports:
        report.notes = f"office round {round_no}"
    DailyReport.objects.bulk_update(reports, ["notes"])


def incremental(server_url: str, db: Path, rounds: int = 20, count: int = 1000) -> dict:
    store, engine = _engine(db, server_url)
    timings, messages = [], []
    try:
        engine.sync()  # start caught up
        for round_no in range(rounds):
            _local_timesheet_edits(store, count, round_no)
            _office_report_edits(count, round_no)
            started = time.perf_counter()
            report = engine.sync()
            timings.append(time.perf_counter() - started)
            messages.append(report.messages)
            if report.sent < count or report.received < count:
                raise RuntimeError(f"round {round_no} moved {report.sent} up and {report.received} down")
    finally:
        store.close()
    timings.sort()
    return {"records_pushed": count, "records_pulled": count, "rounds": rounds,
            "median_seconds": round(statistics.median(timings), 3),
            "p95_seconds": round(timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))], 3),
            "messages_per_sync": statistics.median(messages)}


# --- capture overhead ------------------------------------------------------------------------------------


def capture_overhead(count: int) -> dict:
    author = office_user()
    spec = specifications()[0]

    def saves(capture: bool) -> float:
        sheets = [Timesheet(date=dt.date(2026, 11, 26), worker=author, site=SITE, hours=Decimal("7.50"),
                            work_specification=spec) for _ in range(count)]
        started = time.perf_counter()
        with transaction.atomic():
            for sheet in sheets:
                if capture:
                    sheet.save()
                else:
                    models.Model.save(sheet)  # the same save and history rows, without the sync base
        return time.perf_counter() - started

    saves(True)  # warm up
    # Alternated and repeated, the best of each kept: on a shared machine a slow spell
    # then hits both kinds of save instead of one.
    without, with_capture = float("inf"), float("inf")
    for _ in range(4):
        without = min(without, saves(False))
        with_capture = min(with_capture, saves(True))
    return {"saves": count, "without_capture_seconds": round(without, 3),
            "with_capture_seconds": round(with_capture, 3), "ratio": round(with_capture / without, 2)}


# --- scaling of an exchange with the size of the change log ------------------------------------------------


def log_fill_to(entries: int) -> None:
    """Add tombstone entries (old deletions) until the change log holds ``entries``."""
    from apps.sync.models import SyncChange

    missing = entries - SyncChange.objects.count()
    if missing <= 0:
        return
    table = SyncChange._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {SyncState._meta.db_table} SET last_version = last_version + %s WHERE id = 1 "
                       "RETURNING last_version", [missing])
        base = cursor.fetchone()[0] - missing
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (version, record_type, record_uuid, op, origin_node_id, foreign_version, "
                "changed_at) SELECT %s + g, 'work_specification', gen_random_uuid(), 'delete', NULL, 0, now() "
                "FROM generate_series(1, %s) AS g", [base, missing])
        else:
            cursor.execute(
                f"WITH RECURSIVE g(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM g WHERE x < %s) "
                f"INSERT INTO {table} (version, record_type, record_uuid, op, origin_node_id, foreign_version, "
                "changed_at) SELECT %s + x, 'work_specification', lower(hex(randomblob(16))), 'delete', NULL, 0, "
                "datetime('now') FROM g", [missing, base])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def _node_caught_up_to_now(db: Path) -> None:
    """Mark the node as having acknowledged the whole log, as a node that synced long ago would."""
    last = SyncState.objects.get(pk=1).last_version
    with sqlite3.connect(db) as node:
        node.execute("UPDATE sync_state SET ack = ?", [last])


def scaling_log(server_url: str, db: Path, sizes: tuple[int, int], count: int = 1000, rounds: int = 9) -> dict:
    figures = {}
    for size in sizes:
        log_fill_to(size)
        _node_caught_up_to_now(db)
        store, engine = _engine(db, server_url)
        timings = []
        try:
            for round_no in range(rounds):
                _local_timesheet_edits(store, count, 100 + round_no)
                _office_report_edits(count, 100 + round_no)
                started = time.perf_counter()
                engine.sync()
                timings.append(time.perf_counter() - started)
        finally:
            store.close()
        figures[str(size)] = round(statistics.median(timings), 3)
    small, large = (figures[str(size)] for size in sizes)
    return {"log_entries": list(sizes), "median_seconds": figures, "ratio": round(large / small, 2)}


# --- all ---------------------------------------------------------------------------------------------------------


def run_all(*, kind: str, url: str, workdir: Path) -> dict:
    specs = specifications()
    author = office_user()
    estimates_total = scaled(2000)
    small = max(1, estimates_total // 10)
    office_records = min(1000, scaled(1000))
    figures: dict = {"database": kind, "scale": float(__import__("os").environ.get("BENCH_SCALE", "1"))}

    reports_and_timesheets_add(office_records, author, specs)
    estimates_add(small, specs)
    server = server_start(url, workdir / "server.log")
    try:
        small_boot = bootstrap(server, workdir, "small")
        estimates_add(estimates_total - small, specs)
        figures["bootstrap"] = bootstrap(server, workdir, "large")
        figures["bootstrap"]["server_peak_memory_mb"] = round(server.peak_memory_mb(), 1)
        figures["floor"] = floor(workdir)
        figures["bootstrap_floor_ratio"] = round(figures["bootstrap"]["seconds"] / figures["floor"]["seconds"], 2)
        large_db = Path(figures["bootstrap"].pop("db"))
        small_boot.pop("db")
        per_row_small = small_boot["seconds"] / small_boot["rows"]
        per_row_large = figures["bootstrap"]["seconds"] / figures["bootstrap"]["rows"]
        figures["scaling_bootstrap"] = {"small": small_boot, "per_row_cost_ratio": round(per_row_large / per_row_small, 2)}
        figures["incremental"] = incremental(server.url, large_db, rounds=20, count=office_records)
        figures["scaling_log"] = scaling_log(server.url, large_db, (scaled(10_000), scaled(1_000_000)),
                                             count=office_records)
    finally:
        server.stop()
    figures["capture_overhead"] = capture_overhead(scaled(10_000))
    return figures
