"""``python -m desktop_client``: the headless command line of the node.

Results go to stdout, progress and errors to stderr. An error is one line
``error[<code>]: <sentence>``, where ``<code>`` is the protocol's error code or one of the
client's own (docs/desktop-client.md); the exit code says what kind of failure it was.
"""
from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from desktop_client import __version__
from desktop_client.cli import commands
from desktop_client.cli.commands import Context, TransportFactory, UsageError
from desktop_client.cli.exit_codes import ExitCode
from desktop_client.services import ImportRejected
from desktop_client.store import DatabaseNotUsable, open_store
from desktop_client.sync import (
    AuthenticationFailed,
    HttpTransport,
    InvalidConnectionCode,
    NetworkUnavailable,
    NodeRevoked,
    NotRegistered,
    RegistrationRefused,
    ServerUnavailable,
    SyncError,
)
from sync_protocol import catalogue

logger = logging.getLogger("desktop_client")

WindowLauncher = Callable[[str | None], int]


def open_window(database_path: str | None) -> int:
    """The window, imported only now: the commands must work where Qt cannot load."""
    try:
        from desktop_client.ui.app import run_window
    except ImportError as error:
        print(f"error[window_unavailable]: The window cannot start ({error}). The commands still work: "
              "python -m desktop_client --help", file=sys.stderr)
        return ExitCode.ERROR
    return run_window(database_path)


def main(
    argv: Sequence[str] | None = None,
    *,
    transport_factory: TransportFactory = HttpTransport,
    sleep: Callable[[float], object] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    window_launcher: WindowLauncher = open_window,
) -> int:
    """Run one command, or open the window when there is none; return the exit code. The
    keyword arguments let tests and other programs replace the network, the clock and
    the window."""
    stdin, stdout, stderr = stdin or sys.stdin, stdout or sys.stdout, stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse has printed its message (or --help)
        return int(exit_.code or 0)
    _configure_logging(args.verbose, stderr)
    if args.command is None:
        return int(window_launcher(args.db))

    try:
        store = open_store(args.db)
    except DatabaseNotUsable as error:
        return _fail(stderr, "database_not_usable", str(error), ExitCode.ERROR)
    except OSError as error:
        return _fail(stderr, "database_not_usable", f"Cannot open the database: {error}", ExitCode.ERROR)
    context = Context(store=store, stdin=stdin, stdout=stdout, stderr=stderr, transport_factory=transport_factory,
                      sleep=sleep, quiet=args.quiet)
    try:
        return int(args.handler(args, context))
    except KeyboardInterrupt:
        return _fail(stderr, "interrupted", "Interrupted; unsent changes are sent by the next sync.",
                     ExitCode.INTERRUPTED)
    except UsageError as error:
        return _fail(stderr, "usage", str(error), ExitCode.USAGE)
    except ImportRejected as error:
        return _fail(stderr, "invalid_input", str(error), ExitCode.INVALID_INPUT)
    except SyncError as error:
        return _fail(stderr, error.code, error.detail, _exit_code_for(error))
    except Exception as error:  # a bug: say so plainly, keep the traceback for -v
        logger.debug("Unexpected failure", exc_info=True)
        return _fail(stderr, "internal", f"Unexpected failure ({type(error).__name__}: {error}). "
                     "Run again with -v to see the details.", ExitCode.ERROR)
    finally:
        store.close()


def _exit_code_for(error: SyncError) -> ExitCode:
    if isinstance(error, NodeRevoked):
        return ExitCode.REVOKED
    if isinstance(error, (NotRegistered, AuthenticationFailed, RegistrationRefused)):
        return ExitCode.NOT_REGISTERED
    if isinstance(error, NetworkUnavailable):
        return ExitCode.NETWORK_UNREACHABLE
    if isinstance(error, ServerUnavailable):
        return ExitCode.SERVER_UNAVAILABLE
    if isinstance(error, InvalidConnectionCode):
        return ExitCode.INVALID_INPUT
    return ExitCode.ERROR


def _fail(stderr: TextIO, code: str, detail: str, exit_code: ExitCode) -> int:
    print(f"error[{code}]: {detail}", file=stderr)
    return exit_code


def _configure_logging(verbosity: int, stderr: TextIO) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.getLogger("desktop_client").setLevel(level)
    # Alembic reports every migration step at INFO; that is noise unless asked for.
    logging.getLogger("alembic").setLevel(logging.INFO if verbosity >= 2 else logging.WARNING)
    if not logging.getLogger().handlers:  # an embedding program's logging setup wins
        logging.basicConfig(stream=stderr, format="%(levelname)s %(name)s: %(message)s")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m desktop_client",
        description="Site sync desktop client: keeps a local copy of the office's data and syncs it. "
        "Without a command it opens the window.",
        epilog="Exit codes: 0 ok, 1 error, 2 usage, 3 network unreachable, 4 revoked, 5 not registered or "
        "refused, 6 invalid input, 7 server unavailable, 130 interrupted.",
    )
    parser.add_argument("--db", metavar="PATH", help="the database file (default: the user's data folder)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress display")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv: even more)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.set_defaults(command=None)
    commands_ = parser.add_subparsers(dest="command", metavar="COMMAND", help="(none: open the window)")

    register = commands_.add_parser("register", help="connect this computer to a server")
    register.add_argument("--server", metavar="URL", help="the server's address, e.g. https://sync.example.com")
    how = register.add_mutually_exclusive_group(required=True)
    how.add_argument("--username", metavar="U", help="register with your username and password")
    how.add_argument("--code", metavar="CODE", help="register with a connection code from an administrator")
    register.add_argument("--password", metavar="P",
                          help="the password (default: asked for, or read from stdin when piped)")
    register.add_argument("--name", metavar="NAME", help="this computer's name on the server (default: host name)")
    register.set_defaults(handler=commands.register)

    sync = commands_.add_parser("sync", help="exchange changes with the server")
    sync.add_argument("--once", action="store_true", help="sync until caught up, then exit")
    sync.add_argument("--interval", metavar="SECONDS", type=_positive_seconds, default=60.0,
                      help="without --once: seconds between syncs (default 60)")
    sync.set_defaults(handler=commands.sync)

    status = commands_.add_parser("status", help="show the sync state of this computer")
    status.add_argument("--json", action="store_true", help="as one JSON object")
    status.set_defaults(handler=commands.status)

    export = commands_.add_parser("export", help="write records as JSON lines")
    export.add_argument("--type", choices=catalogue.type_names(), help="only records of this type")
    export.add_argument("--output", metavar="FILE", help="write to FILE instead of stdout")
    export.set_defaults(handler=commands.export)

    import_ = commands_.add_parser("import", help="apply records from JSON lines as local edits")
    import_.add_argument("file", metavar="FILE", help='a JSON-lines file, or "-" for stdin')
    import_.set_defaults(handler=commands.import_)
    return parser


def _positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0 seconds")
    return value
