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
from collections.abc import Callable
from typing import TypeVar

from searchkit.errors import SearchkitError

T = TypeVar("T")

_TIMER = getattr(signal, "ITIMER_PROF", None)
_SIGNAL = getattr(signal, "SIGPROF", None)
try:  # what `signal.signal` wraps: the wrapper turns the handler it returns into an enum member where it is
    # one, and for a function that conversion raises and catches a ValueError (~3 us a limit: most of its
    # cost, paid twice per indexed article). It takes only what it returned (not the enum members SIG_DFL..)
    from _signal import signal as _set_handler
except ImportError:  # a Python without CPython's private module
    _set_handler = signal.signal


class OverBudget(SearchkitError):
    """A stage of a file's work ran out of its CPU-time budget."""

    def __init__(self, stage: str, seconds: float) -> None:
        super().__init__(f"{stage} took over the {seconds:g} s budget per file (--budget)")
        self.stage = stage
        self.seconds = seconds


def _can_interrupt() -> bool:
    """Whether an interval timer can interrupt work here (a main thread, on a system with SIGPROF)."""
    return _TIMER is not None and threading.get_ident() == threading.main_thread().ident


class limit:
    """Run the body with at most `seconds` of CPU time; past it, `OverBudget(stage)` is raised inside the
    body, wherever it is. `None` or 0 means no limit. Timers and handlers in place before are restored
    (an outer budget's remaining time keeps running). A class rather than a generator-based context manager:
    indexing enters one twice per article."""

    __slots__ = ("armed", "outer_left", "previous", "seconds", "stage", "started")

    def __init__(self, seconds: float | None, stage: str) -> None:
        self.seconds, self.stage = seconds, stage
        self.armed = False

    def _expire(self, signum: int, frame: object) -> None:
        if self.armed:  # a signal delivered just as the body ended must not escape it
            raise OverBudget(self.stage, self.seconds or 0)

    def __enter__(self) -> None:
        if self.armed:  # a second entry would lose the handler and timer the first one saved
            raise RuntimeError("a budget limit is not reentrant")
        if not self.seconds or not _can_interrupt():
            return
        self.armed = True
        self.previous = _set_handler(_SIGNAL, self._expire)
        self.outer_left, _interval = signal.setitimer(_TIMER, self.seconds)  # type: ignore[arg-type]
        if self.outer_left:  # only an enclosing limit is told what was spent here (a clock read: ~1 us)
            self.started = time.process_time()

    def __exit__(self, *exc: object) -> None:
        if not self.armed:
            return
        try:
            self.armed = False
        finally:  # even if the timer fired just before the line above, and its exception is under way
            signal.setitimer(_TIMER, 0)  # type: ignore[arg-type]
            _set_handler(_SIGNAL, self.previous)
            if self.outer_left:  # an enclosing limit: give it back what it had left, less what was spent here
                spent = time.process_time() - self.started
                signal.setitimer(_TIMER, max(self.outer_left - spent, 1e-6))  # type: ignore[arg-type]


def run(seconds: float | None, stage: str, work: Callable[..., T], *args: object) -> T:
    """`work(*args)` under `limit(seconds, stage)`."""
    with limit(seconds, stage):
        return work(*args)
