"""Faults end in one line, and recovery works (#13 rows 6, 9, 10, 11, 12): damaged files, a damaged or lost
table of contents or manifest, `--rebuild` beside the old index, a full disk, two runs at once."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli
from searchkit.engine import index as engine_index
from searchkit.engine import rebuild as engine_rebuild
from searchkit.errors import DiskFull
from searchkit.indexer import index_paths
from searchkit.search import Searcher

ROOT = Path(__file__).resolve().parents[1]
REBUILD = "searchkit index --rebuild"
READERS = [("search", "oil"), ("stats",), ("export",), ("show", "a1"), ("quotes", "act")]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line_naming_rebuild(code: int, err: str) -> bool:
    return code == 1 and len(err.strip().splitlines()) == 1 and REBUILD in err and "Traceback" not in err


def _fine(code: int, _out: str, err: str) -> bool:
    """Done, or nothing found (exit 1, nothing on stderr)."""
    return code in (0, 1) and err == ""


def _largest(index_dir: Path, pattern: str) -> Path:
    return max(index_dir.glob(pattern), key=lambda p: p.stat().st_size)


def _notes(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"n{i:03}.txt").write_text(
            f"Harbour note {i}\n\nA note on the harbour.\n\nPublication: {1 + i % 28:02}.03.2023 - 09:15\n"
            f"Oil prices rose, the minister said on day {i}. \"We will act,\" said Elena Marsh.\n", encoding="utf-8")
    return folder


def _count(index_dir: Path) -> int:
    with Searcher(index_dir) as s:
        return s.stats().documents


# --------------------------------------------------------------------------- damage


@pytest.mark.parametrize("target", ["searchkit_*.trm", "searchkit_*.pst", "searchkit_*._stored.col",
                                    "searchkit_*.date.col", "quotes_*.trm", "_searchkit_*.toc"])
@pytest.mark.parametrize("how", ["truncated", "deleted"])
def test_a_damaged_file_is_one_line_naming_rebuild(tmp_path: Path, target: str, how: str) -> None:
    """Each command that reads the damaged index says so in one line; `index` too (it reported "unchanged",
    and after a lost TOC "unchanged 3000, documents 0"); `--rebuild` repairs it."""
    docs = _notes(tmp_path / "docs", 40)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    readers = [*READERS[:3], ("show", str(docs / "n001.txt")), READERS[4]]
    path = _largest(ix, target)
    assert path.stat().st_size > 1
    if how == "deleted":
        path.unlink()
    else:
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
    quotes = target.startswith("quotes")
    for command in readers:
        code, out, err = _run(*command, "--index", str(ix))
        if quotes and command[0] != "quotes":  # the other index is whole (`quotes` reads both: a statement's
            assert _fine(code, out, err), (command, err)  # title and file are its article's)
        else:
            assert _one_line_naming_rebuild(code, err), (command, err)
    code, _out, err = _run("index", str(docs), "--index", str(ix))
    assert _one_line_naming_rebuild(code, err), err
    assert _run("index", str(docs), "--index", str(ix), "--rebuild")[0] == 0
    assert all(_run(*command, "--index", str(ix))[0] == 0 for command in readers)


def test_a_damaged_schema_file_names_rebuild(built: Path) -> None:
    (built / "searchkit.json").write_text("{not json", encoding="utf-8")
    code, _out, err = _run("search", "oil", "--index", str(built))
    assert _one_line_naming_rebuild(code, err), err


@pytest.mark.parametrize("damage", [b"this is not an SQLite database" * 2000, None])
def test_a_damaged_manifest_is_one_line_and_rebuild_keeps_every_document(built: Path, corpus: Path,
                                                                          damage: bytes | None) -> None:
    """`index` tracebacked; `index --rebuild` tracebacked and emptied the index (3,000 -> 0)."""
    manifest = built / "manifest.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{manifest}{extra}").unlink(missing_ok=True)
    if damage is None:
        with open(manifest, "r+b") as f:
            f.truncate(1024)
    else:
        manifest.write_bytes(damage)
    code, _out, err = _run("index", str(corpus), "--index", str(built))
    assert code == 1 and err.startswith(f"Error: the manifest {manifest} is damaged") and REBUILD in err, err
    assert len(err.strip().splitlines()) == 1
    assert _count(built) == 5
    code, out, err = _run("index", str(corpus), "--index", str(built), "--rebuild", "--json")
    assert code == 0 and json.loads(out)["documents"] == 5, err
    assert _run("index", str(corpus), "--index", str(built), "--json")[1].count('"unchanged": 1') == 1


@pytest.mark.parametrize("table", ["copies.sqlite", "speakers.sqlite"])
def test_a_damaged_side_table_is_one_line_and_rebuild_makes_it_anew(built: Path, corpus: Path, table: str) -> None:
    """A copies or speakers table SQLite cannot read was a traceback on `index`, even on `--rebuild`."""
    clean = {name: sqlite3.connect(built / name).execute(f"SELECT COUNT(*) FROM {what}").fetchone()
             for name, what in (("copies.sqlite", "articles"), ("speakers.sqlite", "mentions"))}
    for extra in ("-wal", "-shm"):
        Path(f"{built / table}{extra}").unlink(missing_ok=True)
    (built / table).write_bytes(b"this is not an SQLite database" * 100)
    code, _out, err = _run("index", str(corpus), "--index", str(built))
    assert _one_line_naming_rebuild(code, err) and err.startswith(f"Error: the table {built / table} is damaged"), err
    code, out, err = _run("index", str(corpus), "--index", str(built), "--rebuild", "--json")
    assert code == 0 and json.loads(out)["documents"] == 5, err
    assert {name: sqlite3.connect(built / name).execute(f"SELECT COUNT(*) FROM {what}").fetchone()
            for name, what in (("copies.sqlite", "articles"), ("speakers.sqlite", "mentions"))} == clean


def _damage_table(db_file: Path, table: str) -> None:
    """Overwrite the root page of `table`: the file still opens; reading that table fails."""
    db = sqlite3.connect(db_file)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size, = db.execute("PRAGMA page_size").fetchone()
    root, = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()
    db.close()
    with db_file.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)


@pytest.mark.parametrize(("table", "what", "command"), [("copies.sqlite", "groups", ("search", "oil")),
                                                       ("speakers.sqlite", "mentions", ("speakers",)),
                                                       ("speakers.sqlite", "mentions", ("stats",))])
def test_a_side_table_damaged_past_its_opening_is_one_line(built: Path, corpus: Path, table: str, what: str,
                                                          command: tuple[str, ...]) -> None:
    """A table that opens but fails in mid-query was a traceback on search, speakers and stats."""
    _damage_table(built / table, what)
    code, _out, err = _run(*command, "--index", str(built))
    assert _one_line_naming_rebuild(code, err) and "a table of the index is damaged" in err, err
    assert _run("index", str(corpus), "--index", str(built), "--rebuild")[0] == 0
    assert _fine(*_run(*command, "--index", str(built)))


# --------------------------------------------------------------------------- --rebuild beside the old index


def test_rebuild_keeps_the_old_index_until_it_is_done(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Readers see the old index while a rebuild runs; a rebuild that stops before taking its place (a kill,
    here an exception at that point) leaves the old index, and the next run clears its staging folder."""
    docs = _notes(tmp_path / "docs", 12)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    for extra in range(12, 20):
        _notes(docs, extra + 1)
    seen: list[int] = []

    def interrupted(index_dir: Path) -> None:
        seen.append(_count(index_dir))  # a reader in the middle of the rebuild
        assert (index_dir / engine_rebuild.STAGING).is_dir()
        raise KeyboardInterrupt  # stands for a kill just before the new index takes the old one's place

    monkeypatch.setattr(engine_rebuild, "publish", interrupted)
    with pytest.raises(KeyboardInterrupt):
        index_paths([docs], ix, rebuild=True, workers=1)
    assert seen == [12] and _count(ix) == 12
    assert not (ix / engine_rebuild.STAGING).exists()
    monkeypatch.undo()
    assert index_paths([docs], ix, rebuild=True, workers=1).documents == 20
    assert _count(ix) == 20 and not (ix / engine_rebuild.STAGING).exists()


def test_rebuild_replaces_the_manifest_and_removes_old_segments(built: Path, corpus: Path) -> None:
    before = {p.name for p in built.glob("searchkit_*")}
    assert index_paths([corpus], built, rebuild=True, workers=1).documents == 5
    after = {p.name for p in built.glob("searchkit_*")}
    assert before & after == {"searchkit_WRITELOCK"}
    assert index_paths([corpus], built, workers=1).unchanged == 1  # the new manifest lists the file


# --------------------------------------------------------------------------- a full disk


def _fill_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """Make the index storage refuse to create files after `files` more, as a full disk does."""
    original = engine_index.PrivateStorage.create_file
    made = [0]

    def create_file(self: engine_index.PrivateStorage, name: str, *args: object, **kwargs: object) -> object:
        made[0] += 1
        if made[0] > files:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(engine_index.PrivateStorage, "create_file", create_file)


@pytest.mark.parametrize("files", [0, 5, 12])
@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "segment-workers"])
def test_a_full_disk_is_one_line_and_leaves_the_last_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          files: int, workers: int) -> None:
    from searchkit.engine import workers as engine_workers

    monkeypatch.setattr(engine_workers, "SEGMENT_THRESHOLD", 10)  # the workers write segments of their own
    docs = _notes(tmp_path / "docs", 8)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    before = sorted(p.name for p in ix.iterdir())
    _notes(docs, 30)
    _fill_after(monkeypatch, files)
    with pytest.raises(DiskFull, match=r"no space left on the disk of .* nothing was committed"):
        index_paths([docs], ix, workers=workers)
    left = {p.name for p in ix.iterdir()} - set(before)
    assert {name for name in left if not name.endswith(("-wal", "-shm"))} == set()  # SQLite's open journals aside
    assert list((ix / "spill").iterdir()) == []
    assert _count(ix) == 8
    monkeypatch.undo()
    assert index_paths([docs], ix, workers=workers).documents == 30


@pytest.mark.parametrize("store", ["copies", "speakers"])
def test_a_full_disk_in_a_side_table_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 store: str) -> None:
    """SQLite's "database or disk is full" while the copies or speakers table stages a file's rows was a
    traceback; now DiskFull, and the index stays as its last commit left it."""
    import sqlite3

    from searchkit import copies_update
    from searchkit.speakers import store as speakers_store

    docs = _notes(tmp_path / "docs", 8)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    _notes(docs, 12)

    def full(*_args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    if store == "copies":
        monkeypatch.setattr(copies_update, "STAGE_BATCH", 1)
        monkeypatch.setattr(copies_update.CopyUpdater, "_flush", full)
    else:
        monkeypatch.setattr(speakers_store.NameStore, "stage", full)
    code, _out, err = _run("index", str(docs), "--index", str(ix))
    assert code == 1 and err.startswith(f"Error: no space left on the disk of {ix} while writing the side tables")
    assert len(err.strip().splitlines()) == 1 and _count(ix) == 8


def _tmpfs(path: Path, megabytes: int) -> bool:
    path.mkdir()
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0700", "tmpfs", str(path)],
                          capture_output=True)
    return done.returncode == 0


@pytest.mark.slow
def test_a_real_full_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a 4 MB file system (root only: otherwise skipped): one line, nothing left behind (SQLite's
    write-ahead logs of the side tables either: they were closed while the run's files still filled the
    disk), the old index intact, and an update that fits works afterwards."""
    from searchkit import copies_update

    monkeypatch.setattr(copies_update, "STAGE_BATCH", 20)  # staged copies reach SQLite before the disk fills
    disk = tmp_path / "disk"
    if not _tmpfs(disk, 4):
        pytest.skip("cannot mount a tmpfs here")
    try:
        ix = disk / "ix"
        small, big = _notes(tmp_path / "small", 10), tmp_path / "big"
        big.mkdir()
        for i in range(400):
            (big / f"b{i:04}.txt").write_text(f"Report {i}\n\n" + " ".join(f"word{i}x{j}" for j in range(600)),
                                              encoding="utf-8")
        shutil.copytree(small, big / "small")
        assert _run("index", str(small), "--index", str(ix))[0] == 0
        before = sorted(p.name for p in ix.iterdir())
        started = time.monotonic()
        code, _out, err = _run("index", str(big), "--index", str(ix))
        assert time.monotonic() - started < 120
        assert code == 1 and len(err.strip().splitlines()) == 1 and "no space left" in err, err
        assert sorted(p.name for p in ix.iterdir()) == before  # not even SQLite's write-ahead logs
        assert _count(ix) == 10
        assert _run("index", str(small), "--index", str(ix))[0] == 0
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


# --------------------------------------------------------------------------- two runs at once


@pytest.mark.slow
@pytest.mark.parametrize("second", [["index"], ["index", "--rebuild"], ["index", "--wait"]])
def test_two_runs_at_once_never_traceback(tmp_path: Path, second: list[str]) -> None:
    """Two runs on one fresh folder, started together: one completes, the other completes too (after it)
    or prints the lock message; never a traceback (3 of 18 rounds gave FileNotFoundError / EmptyIndexError
    on `_searchkit_0.toc`)."""
    docs = _notes(tmp_path / "docs", 150)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}
    for round_ in range(3):
        ix = tmp_path / f"ix{round_}"
        procs = [subprocess.Popen([sys.executable, "-m", "searchkit", *args, str(docs), "--index", str(ix), "--json"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for args in (["index"], second)]
        results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
        for code, _out, err in results:
            assert "Traceback" not in err and (code == 0 or (code == 1 and "locked by another process" in err
                                                             and len(err.strip().splitlines()) == 1)), err
        assert any(code == 0 for code, _out, _err in results)
        if second[-1] == "--wait":  # the waiting run always completes; the other may have lost the race
            assert results[1][0] == 0, results[1][2]
        assert _count(ix) == 150
