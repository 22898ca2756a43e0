"""Every measurement of the benchmark for one server database: ``python -m bench.suite postgresql|sqlite``.

Prints one JSON object (the figures) on its last line. Sizes scale with ``BENCH_SCALE``.
"""
from __future__ import annotations

import json
import os
import statistics
import sys
import time
import uuid
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sync_bench")


def scaled(value: int) -> int:
    return max(1, round(value * float(os.environ.get("BENCH_SCALE", "1"))))


def database_prepare(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        path = workdir / "server.sqlite3"
        for leftover in workdir.glob("server.sqlite3*"):
            leftover.unlink()
        return f"sqlite:///{path}"
    import psycopg

    base, name = BENCH_PG_URL.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return BENCH_PG_URL


def main() -> None:
    kind = sys.argv[1]
    workdir = ROOT / "var" / "bench" / kind
    workdir.mkdir(parents=True, exist_ok=True)
    for leftover in workdir.glob("node-*.sqlite3*"):
        leftover.unlink()
    url = database_prepare(kind, workdir)
    os.environ.update({"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings",
                       "SECRET_KEY": "benchmark-" + "k" * 50, "LOG_LEVEL": "WARNING"})
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bench import measurements

    figures = measurements.run_all(kind=kind, url=url, workdir=workdir)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
