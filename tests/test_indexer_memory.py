"""What an index run holds in its parent process while the workers read: the planned tasks compactly, fed
to the workers as they go, and not the discovery they were planned from."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from searchkit import indexer, reading
from searchkit.indexer import index_paths
from searchkit.indexer_plan import Task, Tasks


def _notes(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        (folder / f"n{i:03}.txt").write_text(f"Note {i}\n\nHarbour note {i} with cranes.\n", encoding="utf-8")


def test_tasks_give_back_the_tasks_they_hold() -> None:
    given = [
        Task("/docs/2024/a.txt", "2024/a.txt", 10, 1_700_000_000_123_456_789, None),
        Task("/docs/b.md", "b.md", 0, 0, "ab" * 16),
        Task("/elsewhere/c.txt", "c-link.txt", 2**40, -5, None),  # a rel that is no tail of its key
        Task("/docs/d\u00e9j\u00e0.txt", "", 7, 8, None),
    ]
    tasks = Tasks(given)
    assert len(tasks) == 4 and list(tasks) == given
    assert [tasks[i] for i in range(-4, 4)] == given + given
    assert tasks[1:3] == given[1:3] and [tasks.key(i) for i in range(4)] == [t.key for t in given]
    with pytest.raises(IndexError):
        tasks[4]
    assert list(Tasks([])) == []


def test_segment_workers_are_given_their_tasks_as_they_go(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The parent makes and queues each worker's next batches as the worker reports tasks done, not every
    task at the start (10^5 tasks waited in the queues' buffers)."""
    from searchkit.engine import workers

    _notes(tmp_path / "docs", 60)
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    monkeypatch.setattr(workers, "TASK_BATCH", 4)
    made: list[int] = []
    get = Tasks.__getitem__
    monkeypatch.setattr(Tasks, "__getitem__", lambda self, i: made.append(i) or get(self, i))
    made_at_first_report: list[int] = []
    summary = index_paths([tmp_path / "docs"], tmp_path / "ix", workers=2,
                          progress=lambda done, _total: made_at_first_report.append(len(made)) if done == 1 else None)
    assert summary.added == 60
    assert made_at_first_report == [2 * workers.BATCHES_AHEAD * 4]  # two workers, their first batches only


def test_the_files_found_are_let_go_once_planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the workers read, the run no longer holds its discovery (10^5 paths and stamps: ~45 MB)."""
    from searchkit.engine import workers

    _notes(tmp_path / "docs", 3)
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 2)
    alive: list[int] = []
    monkeypatch.setattr(indexer.heap, "give_back",
                        lambda: alive.append(sum(isinstance(o, reading.Discovery) for o in gc.get_objects())))
    assert index_paths([tmp_path / "docs"], tmp_path / "ix", workers=2).added == 3
    assert alive == [0]
