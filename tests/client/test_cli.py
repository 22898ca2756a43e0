"""``python -m desktop_client``: exit codes, messages a script can rely on, import
validation. The network is a scripted transport passed to ``main``."""
from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from desktop_client.cli import main
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.store.records import Timesheet
from desktop_client.sync import ConnectionCode, ServerUnavailable, encode_connection_code
from desktop_client.sync.errors import NetworkUnavailable, refused_error_class
from tests.client import builders
from tests.client.builders import NODE_ID, TOKEN, wire_user
from tests.client.scripted_transport import ScriptedTransport, answer, apply_everything
from tests.client.store_actions import add_from_server, add_local, count, get, outbox

WORKER = "5b9f0d6e-1111-4000-8000-000000000001"
NEW_NODE = "7d2e3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"


class Run:
    """One invocation of the CLI with captured streams."""

    def __init__(self, database_path, *args, transport=None, stdin="", sleeps=None):
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.transport = transport or ScriptedTransport()
        self.factory_calls = []

        def factory(url):
            self.factory_calls.append(url)
            return self.transport

        self.code = main(["--db", str(database_path), *args], transport_factory=factory,
                         sleep=(sleeps.append if sleeps is not None else lambda seconds: None),
                         stdin=io.StringIO(stdin), stdout=self.stdout, stderr=self.stderr)

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


def refused(status, code):
    return refused_error_class(status, code)(f"Refused ({code}).", code=code, status=status)


# --- usage ------------------------------------------------------------------------------

def test_without_a_command_it_opens_the_window_on_the_database_given(database_path):
    opened = []
    assert main(["--db", str(database_path)], window_launcher=lambda path: opened.append(path) or 0) == 0
    assert opened == [str(database_path)]


def test_a_wrong_command_line_exits_2(database_path, capsys):
    assert main(["--db", str(database_path), "sync", "--interval", "soon"]) == ExitCode.USAGE
    assert main(["--db", str(database_path), "register", "--server", "https://s.example"]) == ExitCode.USAGE
    assert "one of the arguments --username --code is required" in capsys.readouterr().err


def test_the_module_runs_as_a_program_with_the_documented_exit_code(database_path):
    done = subprocess.run([sys.executable, "-m", "desktop_client", "--db", str(database_path), "sync", "--once"],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == ExitCode.NOT_REGISTERED
    assert done.stderr.strip().splitlines()[-1] == (
        "error[not_registered]: This computer is not connected to a server yet; register it first.")


# --- register -------------------------------------------------------------------------

def test_register_with_password_read_from_stdin(database_path):
    transport = ScriptedTransport()
    transport.register_answer = {"protocol": 1, "node_id": NEW_NODE, "token": "t"}
    run = Run(database_path, "register", "--server", "https://sync.example.com", "--username", "foreman",
              "--name", "Laptop 3", transport=transport, stdin="piped secret\n")
    assert run.code == ExitCode.OK
    assert run.out == f"registered: node {NEW_NODE} on https://sync.example.com\n"
    assert transport.register_requests[0]["password"] == "piped secret"
    assert run.factory_calls == ["https://sync.example.com"]


def test_register_with_a_code(database_path):
    code = encode_connection_code(ConnectionCode(node_id=NEW_NODE, token="t", server="https://s.example"))
    run = Run(database_path, "register", "--code", code)
    assert run.code == ExitCode.OK and NEW_NODE in run.out


def test_register_with_a_broken_code_exits_6(database_path):
    run = Run(database_path, "register", "--code", "nonsense!")
    assert run.code == ExitCode.INVALID_INPUT
    assert run.err.startswith("error[invalid_connection_code]: ")


def test_refused_credentials_exit_5(database_path):
    transport = ScriptedTransport()
    transport.register_answer = refused(401, "invalid_credentials")
    run = Run(database_path, "register", "--server", "https://s.example", "--username", "u", "--password", "x",
              transport=transport)
    assert run.code == ExitCode.NOT_REGISTERED and run.err.startswith("error[invalid_credentials]: ")


def test_an_unusable_server_address_is_a_usage_error(database_path):
    run = Run(database_path, "register", "--server", "sync.example.com", "--username", "u", "--password", "x")
    assert run.code == ExitCode.USAGE and run.err.startswith("error[usage]: ")


# --- sync -------------------------------------------------------------------------------

def test_sync_once_reports_what_it_did(registered_store, database_path):
    add_local(registered_store, builders.timesheet(worker_id=WORKER))
    transport = ScriptedTransport(apply_everything(first_version=10, changes=[wire_user(WORKER, version=9)]))
    run = Run(database_path, "sync", "--once", transport=transport)
    assert run.code == ExitCode.OK
    assert run.out == "synced: 1 sent (1 applied, 0 conflicts, 0 rejected), 1 received, 1 messages\n"
    assert "sync: 1 sent, 1 received" in run.err  # the progress display
    assert run.factory_calls == [builders.SERVER_URL] and transport.tokens == [TOKEN]


def test_sync_quiet_shows_no_progress(registered_store, database_path):
    run = Run(database_path, "--quiet", "sync", "--once", transport=ScriptedTransport(answer()))
    assert run.code == ExitCode.OK and run.err == ""


def test_an_unreachable_server_exits_3_after_the_retries(registered_store, database_path):
    sleeps = []
    transport = ScriptedTransport(*(NetworkUnavailable("Could not reach the server.") for _ in range(6)))
    run = Run(database_path, "sync", "--once", transport=transport, sleeps=sleeps)
    assert run.code == ExitCode.NETWORK_UNREACHABLE
    assert run.err.splitlines()[-1] == "error[network_unreachable]: Could not reach the server."
    assert len(sleeps) == 5 and "Trying again in" in run.err


def test_a_failing_server_exits_7(registered_store, database_path):
    transport = ScriptedTransport(*(ServerUnavailable("The server is down.", status=503) for _ in range(6)))
    run = Run(database_path, "sync", "--once", transport=transport)
    assert run.code == ExitCode.SERVER_UNAVAILABLE and run.err.splitlines()[-1].startswith("error[server_error]")


def test_a_revoked_node_exits_4_and_keeps_its_data(registered_store, database_path):
    record = add_local(registered_store, builders.timesheet(worker_id=WORKER))
    run = Run(database_path, "sync", "--once", transport=ScriptedTransport(refused(401, "node_revoked")))
    assert run.code == ExitCode.REVOKED and run.err.splitlines()[-1].startswith("error[node_revoked]: ")
    assert get(registered_store, Timesheet, record.id) is not None and len(outbox(registered_store)) == 1
    assert Run(database_path, "sync", "--once").code == ExitCode.REVOKED  # without asking the server
    assert "revoked: yes" in Run(database_path, "status").out


def test_other_protocol_errors_exit_1(registered_store, database_path):
    run = Run(database_path, "sync", "--once", transport=ScriptedTransport(refused(400, "invalid_request")))
    assert run.code == ExitCode.ERROR and run.err.splitlines()[-1].startswith("error[invalid_request]: ")


def test_sync_without_once_keeps_going_through_network_failures_until_interrupted(registered_store,
                                                                                  database_path):
    transport = ScriptedTransport(
        answer(changes=[wire_user(WORKER, version=3)], next_ack=3),
        *(NetworkUnavailable("Could not reach the server.") for _ in range(6)),
    )
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        if waits.count(30.0) == 2:
            raise KeyboardInterrupt

    stdout, stderr = io.StringIO(), io.StringIO()
    code = main(["--db", str(database_path), "-q", "sync", "--interval", "30"], transport_factory=lambda url: transport,
                sleep=sleep, stdout=stdout, stderr=stderr)
    assert code == ExitCode.INTERRUPTED
    assert waits.count(30.0) == 2 and len(transport.bodies) == 7
    assert "warning[network_unreachable]: Could not reach the server. Trying again in 30 s." in stderr.getvalue()
    assert get(registered_store, builders.User, WORKER) is not None


# --- status, export, import -------------------------------------------------------------

def test_status_as_json_never_shows_the_token(registered_store, database_path):
    add_local(registered_store, builders.estimate())
    run = Run(database_path, "status", "--json")
    shown = json.loads(run.out)
    assert shown["registered"] is True and shown["node_id"] == NODE_ID and shown["pending_changes"] == 1
    assert TOKEN not in run.out and "token" not in shown


def test_export_writes_json_lines_of_one_type(store, database_path, tmp_path):
    record = add_from_server(store, builders.estimate(lines=1), version=4)
    add_from_server(store, builders.user(), version=1)
    run = Run(database_path, "export", "--type", "estimate")
    [line] = run.out.splitlines()
    assert json.loads(line)["id"] == record.id and json.loads(line)["version"] == 4
    target = tmp_path / "out.jsonl"
    assert Run(database_path, "export", "--output", str(target)).code == ExitCode.OK
    assert len(target.read_text().splitlines()) == 2


def timesheet_json(**data):
    return json.dumps({"type": "timesheet", "id": builders.new_id(), "op": "upsert", "data": {
        "date": "2026-11-21", "worker": WORKER, "site": "S", "hours": "8.00", "work_specification": None,
        "note": ""} | data})


def test_import_applies_a_valid_file(store, database_path, tmp_path):
    add_from_server(store, builders.user(id=WORKER), version=1)
    source = tmp_path / "in.jsonl"
    source.write_text(timesheet_json() + "\n" + timesheet_json() + "\n")
    run = Run(database_path, "import", str(source))
    assert run.code == ExitCode.OK
    assert run.out == "imported: 2 created, 0 updated, 0 deleted, 0 unchanged\n"
    assert count(store, Timesheet) == 2 and len(outbox(store)) == 2


def test_import_reports_every_bad_line_applies_nothing_and_exits_6(store, database_path, tmp_path):
    add_from_server(store, builders.user(id=WORKER), version=1)
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join([timesheet_json(), timesheet_json(hours="99.00"), "[]", timesheet_json()]))
    run = Run(database_path, "import", str(source))
    assert run.code == ExitCode.INVALID_INPUT
    assert run.err.splitlines() == [
        f"{source}:2: data.hours: Must be at most 24.",
        f"{source}:3: Each line must be a JSON object describing one record.",
        "error[invalid_input]: 2 invalid lines; nothing was imported.",
    ]
    assert count(store, Timesheet) == 0 and outbox(store) == []


def test_import_reads_stdin(store, database_path):
    add_from_server(store, builders.user(id=WORKER), version=1)
    assert Run(database_path, "import", "-", stdin=timesheet_json()).code == ExitCode.OK
    assert count(store, Timesheet) == 1


def test_import_of_a_missing_file_is_a_usage_error(database_path, tmp_path):
    run = Run(database_path, "import", str(tmp_path / "missing.jsonl"))
    assert run.code == ExitCode.USAGE and run.err.startswith("error[usage]: Cannot read")


def test_a_database_from_a_newer_release_exits_1_with_a_sentence(database_path):
    import sqlite3

    from desktop_client.store import open_store

    open_store(database_path).close()
    with sqlite3.connect(database_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = 'ffff'")
    run = Run(database_path, "status")
    assert run.code == ExitCode.ERROR
    assert run.err.startswith("error[database_not_usable]: ") and "newer version" in run.err
