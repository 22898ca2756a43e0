"""Where the node's database file lives when no path is given."""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from desktop_client import APP_NAME

DATABASE_FILE_NAME = "node.sqlite3"


def default_database_path(
    *,
    environ: Mapping[str, str] = os.environ,
    platform: str = sys.platform,
    home: Path | None = None,
) -> Path:
    """The user's data folder: ``$XDG_DATA_HOME/site-sync/node.sqlite3``.

    Falls back to ``~/.local/share`` as the XDG spec says (an unset, empty or relative
    ``XDG_DATA_HOME`` is ignored). On Windows the per-user ``%LOCALAPPDATA%`` is the
    equivalent place, so the file does not roam between machines with the profile.
    """
    home = home if home is not None else Path.home()
    if platform == "win32" and environ.get("LOCALAPPDATA"):
        return Path(environ["LOCALAPPDATA"]) / APP_NAME / DATABASE_FILE_NAME
    data_home = environ.get("XDG_DATA_HOME", "")
    base = Path(data_home) if data_home and Path(data_home).is_absolute() else home / ".local" / "share"
    return base / APP_NAME / DATABASE_FILE_NAME
