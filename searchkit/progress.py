"""The indexing progress bar on stderr: files read out of the total, the time left to read them from the
rate over the last `WINDOW` seconds (not since the start: workers start slowly, the page cache warms up,
the machine's load changes), and the run's later phases ("finishing segments…", "committing…"), each with
its elapsed time, so the bar never sits silently at 100%."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

WINDOW = 15.0  # seconds of progress the rate is measured over
MIN_SPAN = 2.0  # seconds of samples before an estimate is shown


class RateWindow:
    """Files per second over the last `window` seconds, and the time left at that rate."""

    def __init__(self, window: float = WINDOW, clock: Any = time.monotonic) -> None:
        self.window, self.clock = window, clock
        self.samples: deque[tuple[float, int]] = deque()

    def add(self, done: int) -> None:
        now = self.clock()
        self.samples.append((now, done))
        while len(self.samples) > 2 and now - self.samples[1][0] >= self.window:
            self.samples.popleft()

    def remaining(self, total: int) -> float | None:
        """Seconds left, or None until `MIN_SPAN` seconds of progress have been seen."""
        if len(self.samples) < 2:
            return None
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        if t1 - t0 < MIN_SPAN or d1 <= d0:
            return None
        return (total - d1) / ((d1 - d0) / (t1 - t0))


def clock_text(seconds: float | None) -> str:
    if seconds is None:
        return "estimating…"
    minutes, secs = divmod(int(seconds + 0.5), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class IndexProgress:
    """Feeds a rich progress bar on stderr from the indexer's `progress(done, total)` and `phase(name)`
    callbacks: files read with the time left to read them, then each later phase with its elapsed time
    (segments and the commit take a share of the run that no file count can predict). Does nothing when
    disabled (stderr is not a terminal, or JSON output)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.rate = RateWindow()
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> IndexProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                TextColumn("{task.fields[count]}"), TextColumn("{task.fields[eta]}"),
                                TimeElapsedColumn(), console=Console(stderr=True), transient=True)
            self.bar.__enter__()
            self.task = self.bar.add_task("scanning…", total=None, count="", eta="")
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            return
        self.rate.add(done)
        eta = f"{clock_text(self.rate.remaining(total))} to read" if done < total else ""
        self.bar.update(self.task, completed=done, total=total, description="reading", count=f"{done}/{total}",
                        eta=eta)

    def phase(self, name: str) -> None:
        """A later phase of the run has started (the indexer names it): a line of its own, timed from now."""
        if self.bar is not None:
            self.bar.update(self.task, eta="")
            self.bar.stop_task(self.task)
            self.task = self.bar.add_task(f"{name}…", total=None, count="", eta="")

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
