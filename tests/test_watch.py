"""Watching folders: changes are indexed after a quiet spell, bursts are batched, errors do not end it."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from searchkit.errors import IndexLocked, IndexNotWritable, NoInputFiles
from searchkit.models import IndexSummary
from searchkit.search import Searcher
from searchkit.watch import watch

TIMEOUT = 60.0


class Watcher:
    """`watch` running in a thread, with its updates recorded."""

    def __init__(self, folder: Path, index_dir: Path, **options: object) -> None:
        self.updates: list[tuple[IndexSummary, int]] = []
        self.errors: list[Exception] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch, args=([folder], index_dir), daemon=True, kwargs={
            "on_update": lambda s, n: self.updates.append((s, n)), "on_error": self.errors.append,
            "quiet": 0.3, "max_wait": 5.0, "stop": self.stop, "workers": 1, **options})
        self.thread.start()

    def until(self, check: Callable[[], bool]) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not check():
            assert time.monotonic() < deadline, "timed out"
            assert self.thread.is_alive()
            time.sleep(0.05)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(TIMEOUT)
        assert not self.thread.is_alive()


def count(index_dir: Path) -> int:
    with Searcher(index_dir) as s:
        return s.stats().documents


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "inbox"
    d.mkdir()
    (d / "first.txt").write_text("Harbour opens\n\nThe harbour opened on Monday.\n", encoding="utf-8")
    return d


@pytest.fixture
def watcher(folder: Path, tmp_path: Path) -> Iterator[Watcher]:
    w = Watcher(folder, tmp_path / "index")
    yield w
    w.close()


def test_files_arriving_changing_and_going_are_indexed(watcher: Watcher, folder: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    watcher.until(lambda: len(watcher.updates) == 1)
    assert watcher.updates[0][0].added == 1
    (folder / "second.txt").write_text("Snow report\n\nSnow closed the pass.\n", encoding="utf-8")
    watcher.until(lambda: sum(s.added for s, _n in watcher.updates) == 2)
    assert count(index_dir) == 2
    (folder / "second.txt").write_text("Snow report\n\nThe pass reopened.\n", encoding="utf-8")
    watcher.until(lambda: any(s.updated for s, _n in watcher.updates))
    (folder / "first.txt").unlink()
    watcher.until(lambda: any(s.removed for s, _n in watcher.updates))
    assert count(index_dir) == 1


def test_a_burst_of_a_thousand_files_is_batched(watcher: Watcher, folder: Path, tmp_path: Path) -> None:
    watcher.until(lambda: len(watcher.updates) == 1)
    for n in range(1_000):
        (folder / f"burst-{n:04d}.txt").write_text(f"Burst story {n}\n\nWord{n} arrived.\n", encoding="utf-8")
    watcher.until(lambda: sum(s.added for s, _n in watcher.updates) == 1_001)
    assert count(tmp_path / "index") == 1_001
    assert len(watcher.updates) <= 10  # debounced: a few runs, not a thousand
    assert not watcher.errors


def test_events_in_an_index_inside_the_folder_are_ignored(folder: Path) -> None:
    w = Watcher(folder, folder / ".index")
    try:
        w.until(lambda: len(w.updates) == 1)
        time.sleep(1.5)  # the first commit wrote into the watched folder
        assert len(w.updates) == 1
    finally:
        w.close()


def test_an_update_that_fails_is_retried(folder: Path, tmp_path: Path) -> None:
    calls: list[int] = []

    def flaky(paths: list[Path], index_dir: Path, **options: object) -> IndexSummary:
        calls.append(1)
        if len(calls) == 1:
            raise IndexLocked("locked")
        from searchkit.indexer import index_paths

        return index_paths(paths, index_dir, **options)  # type: ignore[arg-type]

    w = Watcher(folder, tmp_path / "index", index=flaky)
    try:
        w.until(lambda: len(w.updates) == 1)
        assert [type(e) for e in w.errors] == [IndexLocked]
    finally:
        w.close()


def test_an_index_that_cannot_be_written_ends_the_watch(folder: Path, tmp_path: Path) -> None:
    calls: list[int] = []

    def refused(paths: list[Path], index_dir: Path, **options: object) -> IndexSummary:
        calls.append(1)
        raise IndexNotWritable(f"cannot write the index folder {index_dir}")

    errors: list[Exception] = []
    stop = threading.Event()
    timer = threading.Timer(TIMEOUT, stop.set)  # a watch that retried would run until stopped, and not raise
    timer.start()
    try:
        with pytest.raises(IndexNotWritable):
            watch([folder], tmp_path / "index", on_update=lambda s, n: None, on_error=errors.append,
                  index=refused, quiet=0.05, stop=stop)
    finally:
        timer.cancel()
    assert calls == [1] and errors == []


def test_a_missing_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NoInputFiles):
        watch([tmp_path / "nope"], tmp_path / "index", on_update=lambda s, n: None)
