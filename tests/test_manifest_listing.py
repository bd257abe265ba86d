"""The manifest's listing: a re-run whose walk matches the one its rows were recorded from is planned without
comparing the rows, and finds exactly what a comparison finds."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from searchkit.indexer import index_paths
from searchkit.manifest import MANIFEST_NAME, FileState, Manifest


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"Title of {name}\n\n{body}\n", encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    (d / "2006").mkdir(parents=True)
    write(d, "a.txt", "The harbour opened on Monday.")
    write(d, "2006/b.txt", "Snow closed the mountain pass.")
    (d / "empty.txt").write_text("")  # fails every run
    return d


def counts(folder: Path, ix: Path) -> tuple[int, int, int, int, int]:
    s = index_paths([folder], ix, workers=1)
    return s.added, s.updated, s.removed, s.unchanged, len(s.failed)


def no_row_comparison(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(_self: Manifest) -> None:
        raise AssertionError("the manifest's rows were compared")
    monkeypatch.setattr(Manifest, "stamps", refuse)


def test_an_unchanged_walk_is_planned_from_the_listing(folder: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ix = tmp_path / "ix"
    assert counts(folder, ix) == (2, 0, 0, 0, 1)
    no_row_comparison(monkeypatch)
    assert counts(folder, ix) == (0, 0, 0, 2, 1)  # the failed file is read again, as a comparison would
    assert counts(folder, ix) == (0, 0, 0, 2, 1)


def test_every_change_after_a_listed_run_is_found(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    counts(folder, ix)
    counts(folder, ix)
    b = folder / "2006" / "b.txt"
    st = b.stat()
    b.write_text(b.read_text().replace("Snow", "Rain"), encoding="utf-8")  # same size
    os.utime(b, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert counts(folder, ix) == (0, 1, 0, 1, 1)
    write(folder, "c.txt", "The river flooded the valley.")
    assert counts(folder, ix) == (1, 0, 0, 2, 1)
    (folder / "a.txt").unlink()
    assert counts(folder, ix) == (0, 0, 1, 2, 1)
    write(folder, "empty.txt", "Now it has a story.")
    assert counts(folder, ix) == (1, 0, 0, 2, 0)
    assert counts(folder, ix) == (0, 0, 0, 3, 0)


def test_rows_written_by_other_code_forget_the_listing(folder: Path, tmp_path: Path) -> None:
    """An older searchkit writes rows without knowing of the listing: the triggers drop it with the write."""
    ix = tmp_path / "ix"
    counts(folder, ix)
    counts(folder, ix)
    db = sqlite3.connect(ix / MANIFEST_NAME)
    with db:
        db.execute("DELETE FROM files WHERE key = ?", (str(folder.resolve() / "a.txt"),))
    assert db.execute("SELECT count(*) FROM listing").fetchone() == (0,)
    db.close()
    assert counts(folder, ix) == (1, 0, 0, 1, 1)  # a.txt is new to the manifest again


def test_a_manifest_made_before_listings_gets_one(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    counts(folder, ix)
    db = sqlite3.connect(ix / MANIFEST_NAME)
    with db:
        for name in ("listing_insert", "listing_update", "listing_delete"):
            db.execute(f"DROP TRIGGER {name}")
        db.execute("DROP TABLE listing")
    db.close()
    assert counts(folder, ix) == (0, 0, 0, 2, 1)
    manifest = Manifest(ix)
    try:
        listing = manifest.listing()
    finally:
        manifest.close()
    assert listing is not None and listing[1] == [str(folder.resolve() / "empty.txt")]


def test_another_root_is_compared_row_by_row(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The listing names its walk's roots: the same files under another root are compared."""
    ix = tmp_path / "ix"
    counts(folder, ix)
    counts(folder, ix)
    calls = []
    stamps = Manifest.stamps
    monkeypatch.setattr(Manifest, "stamps", lambda self: calls.append(1) or stamps(self))
    assert counts(folder / "2006", ix) == (0, 0, 0, 1, 0)
    assert calls


def test_a_walk_is_not_recorded_over_rows_another_run_wrote_after_it_planned(tmp_path: Path) -> None:
    """Run B plans, run A records new rows and its walk, then B ends: B's walk does not describe the rows A wrote
    (a file A added and the user then deletes would stay indexed), so B records no walk."""
    ix = tmp_path / "ix"
    ix.mkdir()
    slow, quick = Manifest(ix), Manifest(ix)
    try:
        assert slow.listing() is None  # B plans
        quick.listing()
        quick.apply([FileState("g.txt", 10, 1, "d", 1)], [], ("walk-with-g", []))
        slow.apply([], [], ("walk-without-g", []))
        assert quick.listing() == ("walk-with-g", [])  # the rows are still what A's walk found
        slow.listing()  # B plans again, from the rows as they are now
        slow.apply([FileState("h.txt", 10, 1, "d", 1)], [], ("walk-with-g-and-h", []))
        assert quick.listing() == ("walk-with-g-and-h", [])
    finally:
        slow.close()
        quick.close()


def test_a_missing_trigger_is_made_again_and_the_listing_forgotten(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    ix.mkdir()
    m = Manifest(ix)
    m.listing()
    m.apply([FileState("a.txt", 1, 1, "d", 1)], [], ("walk", []))
    m.close()
    db = sqlite3.connect(ix / MANIFEST_NAME)
    db.execute("DROP TRIGGER listing_delete")
    db.commit()
    db.close()
    m = Manifest(ix)
    try:
        assert m.listing() is None  # forgotten: a row may have been deleted while the trigger was missing
        m.apply([], [], ("walk", []))
        assert m.listing() == ("walk", [])
    finally:
        m.close()
    db = sqlite3.connect(ix / MANIFEST_NAME)
    db.execute("DELETE FROM files")  # other code deletes a row: the trigger made again forgets the walk
    db.commit()
    db.close()
    m = Manifest(ix)
    try:
        assert m.listing() is None
    finally:
        m.close()
