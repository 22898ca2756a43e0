"""The progress display of a sync on stderr: one updating line on a terminal, one line
per step when stderr is a file or a pipe (logs stay readable)."""
from __future__ import annotations

from typing import TextIO

from desktop_client.sync import SyncProgress


class ProgressDisplay:
    def __init__(self, stream: TextIO, *, interactive: bool | None = None) -> None:
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self._line_open = False

    def __call__(self, progress: SyncProgress) -> None:
        if progress.retry_in is not None:
            self._write(f"{progress.retry_reason} Trying again in {progress.retry_in:.0f} s.", final=True)
            return
        text = f"sync: {progress.sent} sent, {progress.received} received"
        if progress.pending:
            text += f", {progress.pending} still to send"
        if progress.more_on_server:
            text += ", more on the server"
        self._write(text, final=False)

    def close(self) -> None:
        if self._line_open:
            self.stream.write("\n")
            self.stream.flush()
            self._line_open = False

    def _write(self, text: str, *, final: bool) -> None:
        if self.interactive:
            self.stream.write("\r\033[K" + text)  # carriage return, clear the line
            self._line_open = True
            if final:
                self.close()
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
