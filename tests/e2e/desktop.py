"""A desktop node as a foreman's laptop runs it: a real SQLite file, driven through the
client's own code — the CLI as a separate process, or the services and the sync engine
in this process over real HTTP."""
from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from desktop_client import services
from desktop_client.store import Store, open_store
from desktop_client.sync import HttpTransport, RetryPolicy, SyncEngine, SyncReport
from tests.live_server import ROOT

# Comparable form of a record: what must be equal on every side once all have synced.
# ``updated_at`` is left out: a node keeps the time of its own edit for records it created.
RecordKey = tuple[str, str]

# No waits between retries: the in-process engine fails fast when told to.
NO_RETRIES = RetryPolicy(retries=0)

# The CLI as a program, with only its clock replaced (main() takes ``sleep`` for exactly
# this): a sync against a server that is down ends at once instead of after ~31 s of backoff.
_FAST_CLOCK_CLI = "import sys; from desktop_client.cli import main; sys.exit(main(sleep=lambda seconds: None))"


def comparable(record: dict) -> dict:
    return {"type": record["type"], "id": record["id"], "version": record["version"], "data": record["data"]}


def by_key(records) -> dict[RecordKey, dict]:
    keyed: dict[RecordKey, dict] = {}
    for record in records:
        key = (record["type"], record["id"])
        assert key not in keyed, f"{key} appears twice"
        keyed[key] = comparable(record)
    return keyed


class DesktopNode:
    def __init__(self, path: Path):
        self.path = path

    # --- the command line, as a separate process ------------------------------------------

    def cli(self, *args: str, stdin: str | None = None, timeout: float = 180,
            fast_clock: bool = False) -> subprocess.CompletedProcess:
        program = ["-c", _FAST_CLOCK_CLI] if fast_clock else ["-m", "desktop_client"]
        return subprocess.run(
            [sys.executable, *program, "--db", str(self.path), *args],
            input=stdin, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        )

    def cli_ok(self, *args: str, stdin: str | None = None, timeout: float = 180) -> str:
        done = self.cli(*args, stdin=stdin, timeout=timeout)
        assert done.returncode == 0, f"{args} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def register_by_password(self, server_url: str, username: str, password: str, name: str = "site laptop") -> str:
        # The password goes on stdin, as a script would pipe it (never in the process list).
        out = self.cli_ok("register", "--server", server_url, "--username", username, "--name", name,
                          stdin=password + "\n")
        assert out.startswith("registered: node "), out
        return out.split()[2]

    def register_by_code(self, code: str) -> str:
        out = self.cli_ok("register", "--code", code)
        assert out.startswith("registered: node "), out
        return out.split()[2]

    def sync_cli(self) -> str:
        out = self.cli_ok("sync", "--once")
        assert out.startswith("synced: "), out
        return out

    def export_cli(self) -> dict[RecordKey, dict]:
        out = self.cli_ok("export")
        return by_key(json.loads(line) for line in out.splitlines() if line.strip())

    def status_cli(self) -> dict:
        return json.loads(self.cli_ok("status", "--json"))

    # --- services and engine, in this process -------------------------------------------

    @contextlib.contextmanager
    def store(self) -> Iterator[Store]:
        opened = open_store(self.path)
        try:
            yield opened
        finally:
            opened.close()

    def sync(self, *, retry_policy: RetryPolicy = NO_RETRIES, transport=None, max_changes: int | None = None
             ) -> SyncReport:
        with self.store() as store:
            status = services.sync_status(store)
            transport = transport or HttpTransport(status.server_url)
            options = {} if max_changes is None else {"max_changes": max_changes}
            return SyncEngine(store, transport, retry_policy=retry_policy, **options).sync()

    def records(self) -> dict[RecordKey, dict]:
        with self.store() as store:
            return by_key(services.records_export(store))

    def status(self) -> services.SyncStatus:
        with self.store() as store:
            return services.sync_status(store)

    def call(self, service, **kwargs):
        """One service call, as the window makes it."""
        with self.store() as store:
            return service(store, **kwargs)

    def query(self, sql: str, *parameters) -> list[tuple]:
        """Straight SQL on the file, to see what the client's own code might hide."""
        with contextlib.closing(sqlite3.connect(self.path)) as connection:
            return connection.execute(sql, parameters).fetchall()

    def in_write_transaction(self) -> bool:
        """Whether another connection (a sync applying a response) holds the write lock."""
        with contextlib.closing(sqlite3.connect(self.path, timeout=0, isolation_level=None)) as connection:
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                if "locked" in str(error):
                    return True
                raise
            connection.execute("ROLLBACK")
            return False

    def integrity(self) -> str:
        return self.query("PRAGMA integrity_check")[0][0]
