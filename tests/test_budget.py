"""Tests for searchkit.budget: a CPU-time limit that interrupts a stage wherever it is."""

from __future__ import annotations

import re
import signal
import threading
import time

import pytest

from searchkit.budget import OverBudget, limit, run

CATASTROPHIC = re.compile(r"(a+)+$")  # exponential backtracking on "aaaa...b": never ends in practice


def _busy(seconds: float) -> int:
    """Pure-Python work for about `seconds` of CPU."""
    end = time.process_time() + seconds
    count = 0
    while time.process_time() < end:
        count += 1
    return count


def test_a_backtracking_regex_is_interrupted() -> None:
    """A match that would run for hours is stopped at the budget: the regex engine checks for signals."""
    started = time.perf_counter()
    with pytest.raises(OverBudget) as caught:
        run(0.3, "speakers", CATASTROPHIC.match, "a" * 60 + "b")
    assert time.perf_counter() - started < 10
    assert caught.value.stage == "speakers"
    assert str(caught.value) == "speakers took over the 0.3 s budget per file (--budget)"


def test_a_python_loop_is_interrupted() -> None:
    """A slow pure-Python stage is stopped too."""
    with pytest.raises(OverBudget):
        run(0.2, "parsing", _busy, 30.0)


def test_work_within_the_budget_returns_and_leaves_no_timer() -> None:
    """Quick work returns its result; the timer and the previous handler are restored afterwards."""
    before = signal.getsignal(signal.SIGPROF)
    assert run(5.0, "speakers", sum, [1, 2, 3]) == 6
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGPROF) is before
    _busy(0.1)  # no stray OverBudget later


def test_no_limit_and_other_threads_run_to_the_end() -> None:
    """0 / None disable the limit; outside the main thread nothing can interrupt, so the stage runs on."""
    assert run(None, "speakers", _busy, 0.05) > 0
    assert run(0, "speakers", _busy, 0.05) > 0
    results: list[int] = []
    thread = threading.Thread(target=lambda: results.append(run(0.01, "speakers", _busy, 0.1)))
    thread.start()
    thread.join()
    assert results and results[0] > 0


def test_an_inner_limit_gives_the_outer_one_its_remaining_time() -> None:
    """Nested limits: the inner one fires on its own; the outer one still fires at its own end."""
    with pytest.raises(OverBudget) as caught, limit(0.6, "file"):
        with pytest.raises(OverBudget), limit(0.1, "speakers"):
            _busy(5.0)
        _busy(5.0)
    assert caught.value.stage == "file"



def test_a_limit_entered_again_while_armed_is_refused_and_its_handler_restored() -> None:
    before = signal.getsignal(signal.SIGPROF)
    held = limit(5, "parse")
    with held, pytest.raises(RuntimeError), held:
        pass
    assert signal.getsignal(signal.SIGPROF) == before
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0)
