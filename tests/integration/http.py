"""Talking to a live server over HTTP the way any client would, from PROTOCOL.md alone."""
from __future__ import annotations

import uuid

import requests
from django.contrib.auth.models import Permission

from apps.accounts.models import User

PASSWORD = "field-password-2026"


def field_user(username: str | None = None, *, may_register: bool = True) -> User:
    user = User.objects.create_user(username or f"foreman-{uuid.uuid4().hex[:8]}", password=PASSWORD)
    if may_register:
        user.user_permissions.add(Permission.objects.get(codename="register_node"))
    return user


def register(url: str, username: str, password: str = PASSWORD, **extra) -> requests.Response:
    body = {"protocol": 1, "username": username, "password": password, "name": "Site laptop", "app_version": "1.0"}
    return requests.post(f"{url}/api/sync/register", json=body | extra, timeout=30)


class HttpNode:
    """A node registered over HTTP; numbers its messages and keeps its ack."""

    def __init__(self, url: str, username: str | None = None):
        self.url = url
        self.user = field_user(username)
        response = register(url, self.user.username)
        assert response.status_code == 201, response.text
        body = response.json()
        self.node_id, self.token = body["node_id"], body["token"]
        self.message_no = 0
        self.ack = 0

    def post(self, body: dict, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Token {token or self.token}"} | kwargs.pop("headers", {})
        return requests.post(f"{self.url}/api/sync/exchange", json=body, headers=headers, timeout=60, **kwargs)

    def body(self, changes=(), **overrides) -> dict:
        return {"protocol": 1, "node_id": self.node_id, "message_no": self.message_no, "ack": self.ack,
                "changes": list(changes)} | overrides

    def exchange(self, changes=(), *, resend: bool = False, **overrides) -> dict:
        if not resend:
            self.message_no += 1
        response = self.post(self.body(changes, **overrides))
        assert response.status_code == 200, response.text
        payload = response.json()
        self.ack = payload["next_ack"]
        return payload
