"""A real server process for end-to-end tests: gunicorn serving the test database.

Tests that use it must be ``django_db(transaction=True)`` so that what they write is
committed and visible to the server process, and what the server writes to them.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith(".sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@dataclass
class ServerProcess:
    url: str
    process: subprocess.Popen
    log_path: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def kill(self) -> None:
        """Stop at once, as a crash would (SIGKILL to the whole gunicorn process group)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=15)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def server_start(tmp_dir: Path, *, workers: int = 2, env: dict | None = None, port: int | None = None) -> ServerProcess:
    port = port or free_port()
    log_path = tmp_dir / f"server-{port}.log"
    environment = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # The test settings only add a fast password hasher, which the test process also uses.
        "DJANGO_SETTINGS_MODULE": "project.settings_test",
        "SECRET_KEY": "live-test-server-key-" + "x" * 40,
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SYNC_REGISTER_RATE": "10000/minute",
        "SYNC_EXCHANGE_RATE": "100000/minute",
        "DB_CONN_MAX_AGE": "0",
        **(env or {}),
    }
    command = [
        sys.executable, "-m", "gunicorn", "project.wsgi",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--timeout", "120",
        "--graceful-timeout", "5", "--access-logfile", "-",
    ]
    log = open(log_path, "ab")  # noqa: SIM115 - the process writes to it for its whole life
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    server = ServerProcess(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"The server process exited at start:\n{server.log()}")
        try:
            if requests.get(f"{server.url}/api/health", timeout=10).status_code == 200:
                return server
        except requests.RequestException:  # not listening yet, or slow while starting
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"The server process did not answer within 60 s:\n{server.log()}")
