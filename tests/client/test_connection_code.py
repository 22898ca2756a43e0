"""The connection code format an admin hands to a node (docs/desktop-client.md)."""
from __future__ import annotations

import base64
import json

import pytest

from desktop_client.sync import ConnectionCode, InvalidConnectionCode, decode_connection_code, encode_connection_code

NODE = "3f0c2b1e-8d4a-4c5e-9f00-1a2b3c4d5e6f"

# The example printed in docs/desktop-client.md; the server generates exactly this shape.
DOCUMENTED_EXAMPLE = (
    "eyJzZXJ2ZXIiOiJodHRwczovL3N5bmMuZXhhbXBsZS5jb20iLCJub2RlX2lkIjoiM2YwYzJiMWUtOGQ0YS00YzVlLTlmMDAtMWEyYjNjNGQ1"
    "ZTZmIiwidG9rZW4iOiJxV2VydFk4MTIzIn0"
)


def test_the_documented_example_decodes():
    assert decode_connection_code(DOCUMENTED_EXAMPLE) == ConnectionCode(
        node_id=NODE, token="qWertY8123", server="https://sync.example.com")


def test_a_code_is_unpadded_base64url_of_compact_json():
    code = encode_connection_code(ConnectionCode(node_id=NODE, token="qWertY8123", server="https://sync.example.com"))
    assert code == DOCUMENTED_EXAMPLE
    assert "=" not in code
    assert json.loads(base64.urlsafe_b64decode(code + "==")) == {
        "server": "https://sync.example.com", "node_id": NODE, "token": "qWertY8123"}


def test_the_server_is_optional():
    code = encode_connection_code(ConnectionCode(node_id=NODE, token="t"))
    assert decode_connection_code(code) == ConnectionCode(node_id=NODE, token="t", server=None)


def test_codes_copied_with_padding_line_breaks_and_spaces_still_decode():
    code = encode_connection_code(ConnectionCode(node_id=NODE, token="t", server="https://s.example/"))
    mangled = " " + code[:10] + "\n" + code[10:] + "=" * (-len(code) % 4) + "\n"
    assert decode_connection_code(mangled) == ConnectionCode(node_id=NODE, token="t", server="https://s.example")


def test_an_upper_case_node_id_is_stored_lower_case():
    code = encode_connection_code(ConnectionCode(node_id=NODE.upper(), token="t"))
    assert decode_connection_code(code).node_id == NODE


def raw_code(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("%%%not base64%%%", "not a connection code"),
        (base64.urlsafe_b64encode(b"plain text").decode(), "not a connection code"),
        (raw_code(["a", "list"]), "not a connection code"),
        (raw_code({"token": "t"}), "no valid node id"),
        (raw_code({"node_id": "not-a-uuid", "token": "t"}), "no valid node id"),
        (raw_code({"node_id": NODE}), "no token"),
        (raw_code({"node_id": NODE, "token": "  "}), "no token"),
        (raw_code({"node_id": NODE, "token": "t", "server": "sync.example.com"}), "server address"),
    ],
)
def test_broken_codes_are_refused_with_a_sentence(text, message):
    with pytest.raises(InvalidConnectionCode, match=message):
        decode_connection_code(text)


def test_the_token_never_appears_in_the_codes_repr():
    assert "qWertY8123" not in repr(decode_connection_code(DOCUMENTED_EXAMPLE))
