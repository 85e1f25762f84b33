"""A stepwise sync reads its next batch ahead while storing the current one, and a
prefetched batch is only ever used for the cursor it was fetched for."""

from __future__ import annotations

import threading

import pytest

from core.sync import Prefetching, prefetching
from portal.telnyx import TelnyxError

PAGES = {"": (["a1", "a2"], "b"), "b": (["b1"], "c"), "c": (["c1"], None), "x": (["x1"], None)}


class Upstream:
    def __init__(self, fail_on: str | None = None):
        self.calls: list[str] = []
        self.fetched = {cursor: threading.Event() for cursor in PAGES}
        self.fail_on = fail_on

    def __call__(self, cursor: str):
        self.calls.append(cursor)
        self.fetched[cursor].set()
        if cursor == self.fail_on:
            raise TelnyxError("upstream down")
        return PAGES[cursor]


def test_the_next_batch_is_read_while_the_step_stores_and_each_page_once():
    upstream = Upstream()
    fetch = Prefetching(upstream)
    try:
        assert fetch("") == (["a1", "a2"], "b")
        assert upstream.fetched["b"].wait(10)  # read ahead before the step asks for it
        assert fetch("b") == (["b1"], "c")
        assert fetch("c") == (["c1"], None)
    finally:
        fetch.close()
    assert upstream.calls == ["", "b", "c"]


def test_a_prefetched_batch_for_another_cursor_is_not_used():
    upstream = Upstream()
    fetch = Prefetching(upstream)
    try:
        fetch("")
        assert upstream.fetched["b"].wait(10)
        # The committed cursor is not the one read ahead (a takeover or resume): fetch it.
        assert fetch("x") == (["x1"], None)
    finally:
        fetch.close()
    assert upstream.calls == ["", "b", "x"]


def test_a_failed_read_ahead_fails_the_step_that_needs_it():
    fetch = Prefetching(Upstream(fail_on="b"))
    try:
        fetch("")
        with pytest.raises(TelnyxError):
            fetch("b")
    finally:
        fetch.close()


def test_prefetching_can_be_turned_off(settings):
    upstream = Upstream()
    settings.SYNC_PREFETCH = False
    assert prefetching(upstream) is upstream
