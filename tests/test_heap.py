"""Giving freed memory back must not lose a Ctrl-C that arrives meanwhile."""

from __future__ import annotations

import gc
import signal

import pytest

from searchkit import heap


class _Cycle:
    """Garbage in a reference cycle whose finalizer is where Ctrl-C lands."""

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        signal.raise_signal(signal.SIGINT)


def test_ctrl_c_during_the_collection_is_raised_after_it() -> None:
    gc.collect()
    gc.disable()  # the cycle waits for give_back's collection
    try:
        _Cycle()
        with pytest.raises(KeyboardInterrupt):
            heap.give_back()
    finally:
        gc.enable()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_giving_back_with_nothing_pending_raises_nothing() -> None:
    heap.give_back()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
