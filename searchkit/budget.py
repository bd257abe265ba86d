"""A CPU-time budget for one file's work, so that no file stalls an indexing run.

Text from real archives can make an extractor slow (a pattern that backtracks on all-caps headlines, a
step quadratic in a 50 MB file). Waiting for it to finish is not an option, and checking the clock only
between stages cannot stop a stage that never returns. What can: CPython's regular-expression engine
checks for pending signals while it matches, and the interpreter runs signal handlers between bytecodes,
so a CPU-time interval timer (`ITIMER_PROF`) whose handler raises `OverBudget` interrupts a long match or
loop where it is. CPU time rather than wall time, so a file gets the same treatment on a busy machine
as on an idle one.

The timer is only armed in the main thread of a process with `setitimer` (indexing workers are); elsewhere
(a library caller's thread, Windows) a stage runs to its end and the budget is not enforced.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from searchkit.errors import SearchkitError

T = TypeVar("T")

_TIMER = getattr(signal, "ITIMER_PROF", None)
_SIGNAL = getattr(signal, "SIGPROF", None)


class OverBudget(SearchkitError):
    """A stage of a file's work ran out of its CPU-time budget."""

    def __init__(self, stage: str, seconds: float) -> None:
        super().__init__(f"{stage} took over the {seconds:g} s budget per file (--budget)")
        self.stage = stage
        self.seconds = seconds


def _can_interrupt() -> bool:
    """Whether an interval timer can interrupt work here (a main thread, on a system with SIGPROF)."""
    return _TIMER is not None and threading.current_thread() is threading.main_thread()


@contextmanager
def limit(seconds: float | None, stage: str) -> Iterator[None]:
    """Run the body with at most `seconds` of CPU time; past it, `OverBudget(stage)` is raised inside the
    body, wherever it is. `None` or 0 means no limit. Timers and handlers in place before are restored
    (an outer budget's remaining time keeps running)."""
    if not seconds or not _can_interrupt():
        yield
        return
    armed = True

    def expire(signum: int, frame: object) -> None:
        if armed:  # a signal delivered just as the body ended must not escape it
            raise OverBudget(stage, seconds)

    previous = signal.signal(_SIGNAL, expire)  # type: ignore[arg-type]
    outer_left, _interval = signal.setitimer(_TIMER, seconds)  # type: ignore[arg-type]
    started = time.process_time()
    try:
        yield
    finally:
        try:
            armed = False
        finally:  # even if the timer fired just before the line above, and its exception is under way
            signal.setitimer(_TIMER, 0)  # type: ignore[arg-type]
            signal.signal(_SIGNAL, previous)  # type: ignore[arg-type]
            if outer_left:  # an enclosing limit: give it back what it had left, less what was spent here
                spent = time.process_time() - started
                signal.setitimer(_TIMER, max(outer_left - spent, 1e-6))  # type: ignore[arg-type]


def run(seconds: float | None, stage: str, work: Callable[..., T], *args: object) -> T:
    """`work(*args)` under `limit(seconds, stage)`."""
    with limit(seconds, stage):
        return work(*args)
