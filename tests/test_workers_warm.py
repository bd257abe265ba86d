"""`Workers.warm`: told that work is coming, the forked workers load what they will need (the writer, and the
caller's slow imports: the speaker patterns) while the indexing process is still listing files, off an
update's critical path; a run with nothing to write never tells them (a re-run stays lean)."""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from searchkit import indexer, reading
from searchkit.engine.workers import Workers
from searchkit.indexer import index_paths

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")
NOTES = Path()  # where `_note_warm` writes: set per test


def _unused_read(task: Any) -> tuple[list[Any], None]:
    raise AssertionError("no task is read here")


def _note_warm() -> None:
    (NOTES / f"warm.{os.getpid()}").write_text("")


@needs_fork
def test_warm_runs_the_callers_warm_in_each_worker_before_any_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                                                   ) -> None:
    monkeypatch.setattr(sys.modules[__name__], "NOTES", tmp_path)  # read in the forked workers
    with Workers(_unused_read, 2, warm=_note_warm) as crew:
        crew.warm()
        crew.warm()  # once per run
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("warm.*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    pids = {p.name.split(".")[1] for p in tmp_path.glob("warm.*")}
    assert len(pids) == 2 and str(os.getpid()) not in pids  # each worker, in its own process


def test_discover_tells_once_when_a_file_newer_than_the_hint_is_met(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text("x")
    for name, ns in (("a.txt", 1_000), ("b.txt", 5_000), ("c.txt", 9_000)):
        os.utime(tmp_path / name, ns=(ns, ns))
    told: list[int] = []
    reading.discover([tmp_path], newer=(4_000, lambda: told.append(1)))
    assert told == [1]  # b and c are newer: told once
    reading.discover([tmp_path], newer=(9_000, lambda: told.append(2)))
    assert told == [1]  # none newer
    reading.discover([tmp_path / "c.txt"], newer=(8_000, lambda: told.append(3)))
    assert told == [1, 3]  # a file given by name too


@needs_fork
def test_only_a_run_with_files_changed_since_the_last_warms_the_workers(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"{i}.txt").write_text(f"Story {i}\n\nThe minister said on Monday that talks went on.\n")
    old = time.time_ns() - 3_600 * 10**9
    for path in docs.iterdir():
        os.utime(path, ns=(old, old))
    warmed: list[str] = []
    monkeypatch.setattr(indexer.api.Workers, "warm", lambda self: warmed.append("warm"))
    index_paths([docs], tmp_path / "ix", workers=2)
    assert warmed == ["warm"]  # a first build: every file is work
    index_paths([docs], tmp_path / "ix", workers=2)
    assert warmed == ["warm"]  # nothing changed: the workers are left idle
    (docs / "1.txt").write_text("Story 1\n\nThe minister said on Tuesday that talks ended.\n")
    index_paths([docs], tmp_path / "ix", workers=2)
    assert warmed == ["warm", "warm"]
