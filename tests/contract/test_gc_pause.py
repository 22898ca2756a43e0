"""sync_protocol.gc_pause: collection is held off inside, resumes after the last holder,
and is never turned on by it when something else had turned it off."""
from __future__ import annotations

import gc
import threading

import pytest

from sync_protocol.gc_pause import collection_paused


@pytest.fixture(autouse=True)
def collection_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_collection_is_off_inside_and_back_after_even_on_an_error():
    with pytest.raises(RuntimeError):
        with collection_paused():
            assert not gc.isenabled()
            with collection_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the outer holder still holds
            raise RuntimeError("the work failed")
    assert gc.isenabled()


def test_holders_in_other_threads_keep_it_off_until_the_last_leaves():
    inside, release, done = threading.Event(), threading.Event(), threading.Event()

    def worker():
        with collection_paused():
            inside.set()
            release.wait(10)
        done.set()

    thread = threading.Thread(target=worker)
    with collection_paused():
        thread.start()
        assert inside.wait(10)
    assert not gc.isenabled()  # the worker, which came in second, still holds it
    release.set()
    assert done.wait(10)
    thread.join(10)
    assert gc.isenabled()


def test_collection_turned_off_by_someone_else_stays_off():
    gc.disable()
    with collection_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
