"""What an index run holds in its parent process while the workers read: not the discovery its tasks
were planned from."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from searchkit import indexer, reading
from searchkit.indexer import index_paths


def _notes(folder: Path, count: int) -> None:
    folder.mkdir()
    for i in range(count):
        (folder / f"n{i:03}.txt").write_text(f"Note {i}\n\nHarbour note {i} with cranes.\n", encoding="utf-8")


def test_the_files_found_are_let_go_once_planned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """While the workers read, the run no longer holds its discovery (10^5 paths and stamps: ~45 MB)."""
    _notes(tmp_path / "docs", 3)
    alive: list[int] = []
    monkeypatch.setattr(indexer.heap, "give_back",
                        lambda: alive.append(sum(isinstance(o, reading.Discovery) for o in gc.get_objects())))
    assert index_paths([tmp_path / "docs"], tmp_path / "ix", workers=1).added == 3
    assert alive == [0]
