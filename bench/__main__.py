"""Run the benchmark on PostgreSQL and on SQLite, print the figures, write bench/results.json."""
from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"

TARGETS = {
    "bootstrap_floor_ratio": ("bootstrap within 3x the floor", lambda f: f["bootstrap_floor_ratio"] <= 3.0),
    "incremental": ("incremental median under 0.3 s", lambda f: f["incremental"]["median_seconds"] < 0.3),
    "capture_overhead": ("capture overhead under 1.5x", lambda f: f["capture_overhead"]["ratio"] < 1.5),
    "node_memory": ("node peak memory under 300 MB", lambda f: f["bootstrap"]["node_peak_memory_mb"] < 300),
    "scaling_log": ("1M-entry log at most 1.2x slower", lambda f: f["scaling_log"]["ratio"] <= 1.2),
}


def machine() -> dict:
    memory_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal:")), 0)
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "platform": platform.platform()}


def run_suite(kind: str) -> dict:
    process = subprocess.run([sys.executable, "-m", "bench.suite", kind], cwd=ROOT, capture_output=True, text=True)
    if process.returncode != 0:
        sys.stderr.write(process.stdout + process.stderr)
        raise SystemExit(f"the {kind} benchmark failed")
    return json.loads(process.stdout.strip().splitlines()[-1])


def show(figures: dict) -> None:
    boot, floor, incr = figures["bootstrap"], figures["floor"], figures["incremental"]
    print(f"\n== {figures['database']} (scale {figures['scale']}) ==")
    print(f"bootstrap           {boot['rows']:>8} rows  {boot['seconds']:>8.2f} s  {boot['rows_per_second']:>8} rows/s"
          f"  node peak {boot['node_peak_memory_mb']} MB  server peak {boot['server_peak_memory_mb']} MB")
    print(f"floor               {floor['rows']:>8} rows  {floor['seconds']:>8.2f} s  {floor['rows_per_second']:>8} rows/s")
    print(f"bootstrap_floor_ratio {figures['bootstrap_floor_ratio']}")
    print(f"incremental         {incr['records_pushed']} up + {incr['records_pulled']} down: median "
          f"{incr['median_seconds']} s, p95 {incr['p95_seconds']} s over {incr['rounds']} syncs")
    cap = figures["capture_overhead"]
    print(f"capture_overhead    {cap['saves']} saves: {cap['without_capture_seconds']} s without, "
          f"{cap['with_capture_seconds']} s with capture, ratio {cap['ratio']}")
    log = figures["scaling_log"]
    print(f"scaling (log)       {log['median_seconds']} s for logs of {log['log_entries']} entries, ratio {log['ratio']}")
    print(f"scaling (bootstrap) per-row cost ratio {figures['scaling_bootstrap']['per_row_cost_ratio']} "
          f"({figures['scaling_bootstrap']['small']['rows']} vs {boot['rows']} rows)")
    for name, (text, holds) in TARGETS.items():
        print(f"  [{'ok' if holds(figures) else 'MISSED'}] {text}")


def main() -> None:
    kinds = os.environ.get("BENCH_DATABASES", "postgresql,sqlite").split(",")
    results = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "machine": machine(),
               "runs": []}
    for kind in kinds:
        figures = run_suite(kind)
        figures["targets"] = {name: holds(figures) for name, (_text, holds) in TARGETS.items()}
        results["runs"].append(figures)
        show(figures)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwritten to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
