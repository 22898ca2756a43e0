"""The sub-commands. Each returns an exit code; known failures are raised as exceptions
and turned into a message and an exit code by ``desktop_client.cli.main``."""
from __future__ import annotations

import argparse
import dataclasses
import getpass
import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from desktop_client import services
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.cli.progress import ProgressDisplay
from desktop_client.store import Store
from desktop_client.sync import (
    HttpTransport,
    NetworkUnavailable,
    NotRegistered,
    ServerUnavailable,
    SyncEngine,
    SyncReport,
    Transport,
    register_with_code,
    register_with_password,
)
from desktop_client.sync.engine import NOT_REGISTERED_DETAIL
from desktop_client.sync.transport import normalize_server_url

TransportFactory = Callable[[str], Transport]


class UsageError(Exception):
    """A command line that cannot work; the sentence says why."""


@dataclass
class Context:
    store: Store
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO
    transport_factory: TransportFactory = HttpTransport
    sleep: Callable[[float], object] | None = None  # None: really wait
    quiet: bool = False


def register(args: argparse.Namespace, context: Context) -> ExitCode:
    before = services.sync_status(context.store)
    server = _server_address(args.server) if args.server is not None else None
    if args.code is not None:
        identity = register_with_code(context.store, code=args.code, server_url=server)
    else:
        if server is None:
            raise UsageError("register with --username needs --server URL.")
        password = args.password if args.password is not None else _read_password(context)
        identity = register_with_password(
            context.store,
            context.transport_factory(server),
            server_url=server,
            username=args.username,
            password=password,
            node_name=args.name or _computer_name(),
        )
    replaced = f" (replacing node {before.node_id})" if before.node_id and before.node_id != identity.node_id else ""
    print(f"registered: node {identity.node_id} on {identity.server_url}{replaced}", file=context.stdout)
    return ExitCode.OK


def sync(args: argparse.Namespace, context: Context) -> ExitCode:
    status = services.sync_status(context.store)
    if args.once:
        _sync_once(context, status.server_url)
        return ExitCode.OK
    wait = context.sleep or time.sleep
    while True:  # until Ctrl-C; failures that time cures are reported and retried
        try:
            _sync_once(context, status.server_url)
        except (NetworkUnavailable, ServerUnavailable) as error:
            print(f"warning[{error.code}]: {error.detail} Trying again in {args.interval:.0f} s.",
                  file=context.stderr)
        wait(args.interval)


def status(args: argparse.Namespace, context: Context) -> ExitCode:
    current = services.sync_status(context.store)
    fields = dataclasses.asdict(current)
    fields["last_sync_at"] = current.last_sync_at.isoformat() if current.last_sync_at else None
    fields["database"] = str(context.store.path)
    if args.json:
        print(json.dumps(fields, sort_keys=True), file=context.stdout)
    else:
        for name in ("database", "registered", "server_url", "node_id", "node_name", "revoked", "pending_changes",
                     "conflicts", "rejections", "last_sync_at", "last_message_no", "message_in_flight", "ack",
                     "reset_in_progress"):
            value = fields[name]
            shown = "yes" if value is True else "no" if value is False else "-" if value is None else value
            print(f"{name}: {shown}", file=context.stdout)
    return ExitCode.OK


def export(args: argparse.Namespace, context: Context) -> ExitCode:
    output = open(args.output, "w", encoding="utf-8") if args.output else context.stdout  # noqa: SIM115
    try:
        for record in services.records_export(context.store, record_type=args.type):
            output.write(json.dumps(record, ensure_ascii=False) + "\n")
    finally:
        if args.output:
            output.close()
    return ExitCode.OK


def import_(args: argparse.Namespace, context: Context) -> ExitCode:
    name = "<stdin>" if args.file == "-" else args.file
    try:
        text = context.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"Cannot read {name}: {error}") from None
    try:
        report = services.records_import(context.store, text.splitlines())
    except services.ImportRejected as rejected:
        for problem in rejected.problems:
            for message in problem.messages:
                print(f"{name}:{problem.line_no}: {message}", file=context.stderr)
        raise
    print(
        f"imported: {report.created} created, {report.updated} updated, {report.deleted} deleted, "
        f"{report.unchanged} unchanged",
        file=context.stdout,
    )
    return ExitCode.OK


def _sync_once(context: Context, server_url: str | None) -> SyncReport:
    if server_url is None:
        raise NotRegistered(NOT_REGISTERED_DETAIL)
    engine = SyncEngine(context.store, context.transport_factory(server_url), sleep=context.sleep)
    display = None if context.quiet else ProgressDisplay(context.stderr)
    try:
        report = engine.sync(on_progress=display)
    finally:
        if display is not None:
            display.close()
    print(_summary(report, context.store), file=context.stdout)
    return report


def _summary(report: SyncReport, store: Store) -> str:
    status = services.sync_status(store)
    text = (
        f"synced: {report.sent} sent ({report.applied} applied, {report.conflicts} conflicts, "
        f"{report.rejected} rejected), {report.received} received, {report.messages} messages"
    )
    if status.conflicts or status.rejections:
        text += f"; open: {status.conflicts} conflicts, {status.rejections} rejected changes"
    return text


def _server_address(text: str) -> str:
    try:
        return normalize_server_url(text)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _read_password(context: Context) -> str:
    if context.stdin.isatty():
        return getpass.getpass("Password: ")
    # Scripts pipe it in, which keeps it out of the process list and shell history.
    line = context.stdin.readline().rstrip("\n")
    if not line:
        raise UsageError("No password: give --password, type it when asked, or pipe it on stdin.")
    return line


def _computer_name() -> str:
    return socket.gethostname() or "desktop"
