"""Exit codes of ``python -m desktop_client``; scripts rely on them, so they never change
meaning (docs/desktop-client.md lists them)."""
from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ERROR = 1  # anything not below: a protocol error, an answer not understood, a bug
    USAGE = 2  # a wrong command line
    NETWORK_UNREACHABLE = 3  # the server could not be reached, retries included
    REVOKED = 4  # an admin revoked this computer's access: register again
    NOT_REGISTERED = 5  # not registered yet, or the server refused the token or password
    INVALID_INPUT = 6  # an import file or a connection code is invalid; nothing was applied
    SERVER_UNAVAILABLE = 7  # the server kept failing (5xx) or asked to slow down (429)
    INTERRUPTED = 130  # Ctrl-C; what was applied stays applied, the rest is sent next time
