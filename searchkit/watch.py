"""Watch folders and keep the index current: re-index when files arrive, change or go.

File-system events (from `watchdog`) only say *that* something changed; the indexer's manifest says what,
so each update is an ordinary incremental `index_paths` run over the watched paths, and costs what the
change costs. Events are debounced: an update starts once no event has come for `quiet` seconds (or
`max_wait` seconds after the first waiting event, so a steady trickle cannot postpone it for ever), and a
burst of thousands of files becomes a few runs, not thousands. Events inside the index folder are ignored
(an index kept inside a watched folder would otherwise wake the watcher with every commit).

An interrupt (Ctrl-C) during an update stops it before its commit, so the index is left as of the last
completed update; the next run picks the change up again.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from searchkit.errors import IndexNotWritable, NoInputFiles, SearchkitError, WatchFailed
from searchkit.models import IndexSummary

Indexer = Callable[..., IndexSummary]


class _Changes:
    """Watchdog handler collecting when the last relevant event came (thread-safe)."""

    def __init__(self, ignored: Path) -> None:
        self.ignored = str(ignored.resolve())
        self.lock = threading.Lock()
        self.first: float | None = None  # monotonic time of the first event not yet indexed
        self.last = 0.0
        self.events = 0
        self.woken = threading.Event()

    def dispatch(self, event: Any) -> None:
        """Note one event (watchdog calls this from its thread)."""
        if event.is_directory and event.event_type in ("modified", "opened", "closed", "closed_no_write"):
            return
        if event.event_type in ("opened", "closed_no_write"):
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if all(not p or self._ignored(os.fsdecode(p)) for p in paths):
            return
        now = time.monotonic()
        with self.lock:
            if self.first is None:
                self.first = now
            self.last = now
            self.events += 1
        self.woken.set()

    def _ignored(self, path: str) -> bool:
        return path == self.ignored or path.startswith(self.ignored + os.sep)

    def due(self, quiet: float, max_wait: float) -> float | None:
        """Seconds until an update should start (0: now), or None when nothing is waiting."""
        with self.lock:
            if self.first is None:
                return None
            now = time.monotonic()
            return max(0.0, min(self.last + quiet, self.first + max_wait) - now)

    def take(self) -> int:
        """Mark every event so far as being indexed; return how many there were."""
        with self.lock:
            count, self.events, self.first = self.events, 0, None
            self.woken.clear()
            return count


def watch(paths: Sequence[Path], index_dir: Path, *, on_update: Callable[[IndexSummary, int], None],
          on_error: Callable[[SearchkitError], None] | None = None, quiet: float = 1.0, max_wait: float = 10.0,
          stop: threading.Event | None = None, index: Indexer | None = None, **index_options: Any) -> None:
    """Index `paths` now, then again after each debounced batch of changes, until `stop` is set (or an
    interrupt). `on_update(summary, events)` follows every update; an error in one update (the index locked
    by another process, say) goes to `on_error` and the update is retried after the next quiet spell, but an
    index folder this process cannot write (`IndexNotWritable`) ends the watch."""
    from watchdog.observers import Observer

    if index is None:
        from searchkit.indexer import index_paths as index
    stop = stop or threading.Event()
    roots = [Path(p) for p in paths]
    changes = _Changes(index_dir)
    observer = Observer()
    for root in roots:
        if not root.exists():
            raise NoInputFiles(f"no such file or folder: {root}")
        watched = root if root.is_dir() else root.parent
        observer.schedule(changes, str(watched), recursive=root.is_dir())
    try:
        observer.start()
    except OSError as exc:  # inotify's limits, most often
        raise WatchFailed(f"cannot watch {', '.join(map(str, roots))}: {exc.strerror or exc}") from None
    try:
        pending = 1  # the first update brings the index current before any event
        while not stop.is_set():
            if pending:
                try:
                    summary = index(roots, index_dir, **index_options)
                except SearchkitError as exc:
                    if on_error is None or isinstance(exc, IndexNotWritable):  # waiting will not make it writable
                        raise
                    on_error(exc)
                    changes.dispatch(_Retry(str(roots[0])))  # try again after the next quiet spell
                else:
                    on_update(summary, pending)
            pending = 0
            wait = changes.due(quiet, max_wait)
            if wait is None:
                changes.woken.wait(0.25)
                continue
            if wait > 0:
                stop.wait(min(wait, 0.25))
                continue
            pending = changes.take()
    finally:
        observer.stop()
        observer.join()


class _Retry:
    """A made-up event that schedules another update."""

    is_directory = False
    event_type = "retry"
    dest_path = ""

    def __init__(self, src_path: str) -> None:
        self.src_path = src_path
