"""Registering a node by password or connection code, and registering again."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from desktop_client import __version__
from desktop_client.store.records import Timesheet
from desktop_client.store.sync_tables import OutboxEntry, ResetDelivery, SyncState
from desktop_client.sync import (
    ConnectionCode,
    InvalidConnectionCode,
    MalformedResponse,
    RegistrationRefused,
    encode_connection_code,
    register_with_code,
    register_with_password,
)
from tests.client import builders
from tests.client.scripted_transport import ScriptedTransport

NEW_NODE = "7d2e3a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b"


def state_of(store) -> SyncState:
    with store.reading() as session:
        return SyncState.load(session)


def test_password_registration_sends_the_request_and_keeps_only_id_and_token(store):
    transport = ScriptedTransport()
    transport.register_answer = {"protocol": 1, "node_id": NEW_NODE.upper(), "token": "fresh-token",
                                 "server_time": "2026-11-26T10:15:00Z"}
    identity = register_with_password(store, transport, server_url="https://sync.example.com/",
                                      username="foreman", password="correct horse", node_name="Site laptop 3")
    assert transport.register_requests == [{"protocol": 1, "username": "foreman", "password": "correct horse",
                                            "name": "Site laptop 3", "app_version": __version__}]
    assert (identity.server_url, identity.node_id, identity.node_name) == (
        "https://sync.example.com", NEW_NODE, "Site laptop 3")
    state = state_of(store)
    assert (state.server_url, state.node_id, state.token, state.revoked) == (
        "https://sync.example.com", NEW_NODE, "fresh-token", False)
    assert "fresh-token" not in repr(state)


def test_a_refused_registration_changes_nothing(store):
    transport = ScriptedTransport()
    transport.register_answer = RegistrationRefused("Wrong username or password.", code="invalid_credentials",
                                                    status=401)
    with pytest.raises(RegistrationRefused):
        register_with_password(store, transport, server_url="https://sync.example.com", username="u",
                               password="wrong", node_name="n")
    assert state_of(store).is_registered is False


def test_an_unusable_registration_answer_changes_nothing(store):
    transport = ScriptedTransport()
    transport.register_answer = {"protocol": 1, "node_id": "not-a-uuid", "token": "t"}
    with pytest.raises(MalformedResponse):
        register_with_password(store, transport, server_url="https://sync.example.com", username="u",
                               password="p", node_name="n")
    assert state_of(store).is_registered is False


def test_a_connection_code_gives_the_node_its_identity(store):
    code = encode_connection_code(ConnectionCode(node_id=NEW_NODE, token="admin-made", server="https://a.example"))
    identity = register_with_code(store, code=code)
    assert (identity.server_url, identity.node_id) == ("https://a.example", NEW_NODE)
    assert state_of(store).token == "admin-made"


def test_an_address_given_with_the_code_wins_over_the_one_inside(store):
    code = encode_connection_code(ConnectionCode(node_id=NEW_NODE, token="t", server="https://inside.example"))
    assert register_with_code(store, code=code, server_url="https://outside.example").server_url == (
        "https://outside.example")


def test_a_code_without_a_server_needs_one_given(store):
    code = encode_connection_code(ConnectionCode(node_id=NEW_NODE, token="t"))
    with pytest.raises(InvalidConnectionCode, match="give the server's address"):
        register_with_code(store, code=code)


def test_registering_as_another_node_starts_over_and_keeps_data_and_unsent_changes(registered_store):
    record = builders.timesheet(worker_id=builders.new_id())
    with registered_store.transaction() as session:
        session.add(record)
        session.flush()
        state = SyncState.load(session)
        state.last_message_no, state.ack, state.revoked = 41, 1200, True
        state.inflight_message_no, state.inflight_body = 41, '{"frozen": true}'
        session.scalars(select(OutboxEntry)).one().message_no = 41

    register_with_code(registered_store, code=encode_connection_code(
        ConnectionCode(node_id=NEW_NODE, token="new", server="https://sync.example.com")))

    state = state_of(registered_store)
    assert (state.node_id, state.last_message_no, state.ack, state.revoked) == (NEW_NODE, 0, 0, False)
    assert (state.inflight_message_no, state.inflight_body) == (None, None)
    with registered_store.reading() as session:
        assert session.get(Timesheet, record.id) is not None
        [entry] = session.scalars(select(OutboxEntry)).all()
    assert (entry.record_id, entry.message_no) == (record.id, None)


def test_a_new_token_for_the_same_node_keeps_its_place_in_the_exchange(registered_store):
    with registered_store.transaction() as session:
        state = SyncState.load(session)
        state.last_message_no, state.ack, state.revoked = 41, 1200, True
    register_with_code(registered_store, code=encode_connection_code(
        ConnectionCode(node_id=builders.NODE_ID, token="replaced", server="https://sync.example.com")))
    state = state_of(registered_store)
    assert (state.token, state.last_message_no, state.ack, state.revoked) == ("replaced", 41, 1200, False)


def test_a_new_token_in_the_middle_of_a_reset_starts_the_full_state_over(registered_store):
    with registered_store.transaction() as session:
        state = SyncState.load(session)
        state.last_message_no, state.ack, state.reset_in_progress = 41, 1200, True
        session.add(ResetDelivery(record_type="user", record_id=builders.new_id()))
    register_with_code(registered_store, code=encode_connection_code(
        ConnectionCode(node_id=builders.NODE_ID, token="replaced", server="https://sync.example.com")))
    state = state_of(registered_store)
    assert (state.last_message_no, state.ack, state.reset_in_progress) == (41, 0, False)
    with registered_store.reading() as session:
        assert session.scalars(select(ResetDelivery)).all() == []
