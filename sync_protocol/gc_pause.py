"""Cyclic garbage collection held off during one message's bulk work.

Applying or collecting a page of a thousand records allocates a few hundred thousand
short-lived objects. Freed by reference counting as they go, they still trip the cyclic
collector's allocation counter dozens of times per page, and each collection walks every
young object, records of the page included: about a tenth of the page's time. Both
sides pause it for the duration of a message and let it run once afterwards, when
whatever cycles the work left are collected together.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_holders = 0
_paused_by_us = False


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """Hold off cyclic collection inside the block (reference counting goes on as always).
    Nests and works across threads: collection resumes when the last holder leaves, and
    is left alone if something else had turned it off."""
    global _holders, _paused_by_us
    with _lock:
        _holders += 1
        if _holders == 1 and gc.isenabled():
            gc.disable()
            _paused_by_us = True
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _paused_by_us:
                _paused_by_us = False
                gc.enable()
