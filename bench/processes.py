"""Processes the benchmark measures: the server (gunicorn) and the desktop client."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen

    def peak_memory_mb(self) -> float:
        """Largest peak resident size among the gunicorn master and its workers."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        peaks = []
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peaks.append(int(line.split()[1]) / 1024)
        return max(peaks, default=0.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=20)


def server_start(database_url: str, log_path: Path, workers: int = 2) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-" + "k" * 50),
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SYNC_EXCHANGE_RATE": "1000000/minute",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "project.wsgi", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", "600"]
    log = open(log_path, "ab")  # noqa: SIM115 - open for the server's life
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    server = Server(url=f"http://127.0.0.1:{port}", process=process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited at start; see {log_path}")
        try:
            if requests.get(f"{server.url}/api/health", timeout=10).ok:
                return server
        except requests.RequestException:  # not listening yet, or busy starting
            time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"the server did not start; see {log_path}")


@dataclass
class ClientRun:
    seconds: float
    peak_memory_mb: float
    returncode: int
    output: str


def client_run(*args: str, db: Path, log_path: Path) -> ClientRun:
    """Run ``python -m desktop_client --db DB ARGS``; its wall time and its own peak memory."""
    command = [sys.executable, "-m", "desktop_client", "--db", str(db), *args]
    with open(log_path, "wb") as log:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        _pid, status, usage = os.wait4(process.pid, 0)  # this child's own resource use
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return ClientRun(seconds=seconds, peak_memory_mb=usage.ru_maxrss / 1024, returncode=process.returncode,
                     output=log_path.read_text(errors="replace"))
