"""docs/desktop-client.md states facts scripts and the server rely on; they must stay true."""
from __future__ import annotations

import re
from pathlib import Path

from desktop_client.cli.exit_codes import ExitCode
from desktop_client.sync import ConnectionCode, decode_connection_code

DOC = (Path(__file__).resolve().parents[2] / "docs" / "desktop-client.md").read_text(encoding="utf-8")


def test_the_documented_exit_codes_are_the_ones_the_cli_uses():
    table = DOC.split("### Exit codes", 1)[1]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, flags=re.MULTILINE)}
    assert documented == {code.value for code in ExitCode}


def test_the_documented_connection_code_decodes_to_the_documented_json():
    example = re.search(r"encodes to\n\n```\n(\S+)\n```", DOC).group(1)
    assert decode_connection_code(example) == ConnectionCode(
        node_id="3f0c2b1e-8d4a-4c5e-9f00-1a2b3c4d5e6f", token="qWertY8123", server="https://sync.example.com")
