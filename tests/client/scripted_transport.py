"""An in-process stand-in for the server, for driving the sync engine in tests.

It answers each request with the next step of its script: a response body, a function
of the request, or an exception to raise. Every body it receives is kept byte for byte.
"""
from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable
from typing import Any, Union

from tests.client.builders import response

Step = Union[dict[str, Any], Exception, Callable[[dict[str, Any]], dict[str, Any]]]


class ScriptedTransport:
    def __init__(self, *steps: Step) -> None:
        self.steps: deque[Step] = deque(steps)
        self.bodies: list[str] = []
        self.tokens: list[str] = []
        self.register_requests: list[dict[str, Any]] = []
        self.register_answer: dict[str, Any] | Exception | None = None

    def then(self, *steps: Step) -> ScriptedTransport:
        self.steps.extend(steps)
        return self

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [json.loads(body) for body in self.bodies]

    def exchange(self, body: str, *, token: str) -> dict[str, Any]:
        assert isinstance(body, str)
        self.bodies.append(body)
        self.tokens.append(token)
        if not self.steps:
            raise AssertionError("The engine sent a message the test did not expect.")
        return self._play(self.steps.popleft(), json.loads(body))

    def register(self, request: dict[str, Any]) -> dict[str, Any]:
        self.register_requests.append(dict(request))
        answer = self.register_answer
        if isinstance(answer, Exception):
            raise answer
        assert answer is not None, "the test did not script a registration answer"
        return answer

    @staticmethod
    def _play(step: Step, request: dict[str, Any]) -> dict[str, Any]:
        if isinstance(step, Exception):
            raise step
        if callable(step):
            return step(request)
        return step


def answer(*, results=(), changes=(), next_ack: int = 0, more: bool = False, reset: bool = False) -> Step:
    """A response to whatever message comes, with these results and changes."""
    return lambda request: response(request["message_no"], results=results, changes=changes, next_ack=next_ack,
                                    more=more, reset=reset)


def apply_everything(*, first_version: int = 100, changes=(), next_ack: int | None = None) -> Step:
    """Accept every change of the message, numbering versions from ``first_version``."""

    def play(request: dict[str, Any]) -> dict[str, Any]:
        results = [
            {"type": change["type"], "id": change["id"], "status": "applied", "version": first_version + index}
            for index, change in enumerate(request["changes"])
        ]
        ack = next_ack if next_ack is not None else first_version + len(results)
        return response(request["message_no"], results=results, changes=changes, next_ack=ack)

    return play
