"""The side tables' layout (schema 7): each file's path kept once, staging outside the files, and an index whose
tables are of an older layout named for `--rebuild` in one line, which makes them anew."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import sidecar
from searchkit.cli import cli
from searchkit.copies import LAYOUT as COPIES_LAYOUT
from searchkit.copies import CopyStore, Group
from searchkit.copies_update import CopyUpdater
from searchkit.indexer import index_paths
from searchkit.sidecar import source_splits, split_source
from searchkit.speakers.store import LAYOUT as SPEAKERS_LAYOUT

SPEAKERS = ["Elena Marsh", "Tomas Varga", "Ana Ruiz", "Priya Nandakumar", "Mehmet Erdoglu"]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _corpus(folder: Path, count: int) -> Path:
    """`count` articles, each quoting two people and naming a company, some sent twice (copies)."""
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        a, b = SPEAKERS[i % 5], SPEAKERS[(i + 2) % 5]
        story = i // 2 if i % 3 == 0 else i  # every third article repeats its neighbour's story
        body = " ".join(f"harbour{story} cargo{story % 7} tonnage{story + j} report" for j in range(60))
        (folder / f"a{i:04}.txt").write_text(
            f"Harbour report {i}\n\nPublication: {1 + i % 28:02}.03.2023 - 09:15\n\n{body}\n"
            f"\"We will act,\" said {a}, a minister. Shares of Goldman Sachs Group Inc. rose. "
            f"\"Prices will fall,\" {b} told reporters.\n", encoding="utf-8")
    return folder


def _db(index_dir: Path, name: str) -> sqlite3.Connection:
    return sqlite3.connect(index_dir / name)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("side")
    docs = _corpus(root / "docs", 240)
    index_paths([docs], root / "ix", workers=1)
    return docs, root / "ix"


def test_speaker_rows_name_their_article_by_number(built: tuple[Path, Path]) -> None:
    """Layout 2: a mention or company names its article by number; the article's id is kept once, and its file as
    a numbered folder and the id."""
    docs, ix = built
    db = _db(ix, "speakers.sqlite")
    assert db.execute("PRAGMA user_version").fetchone() == (SPEAKERS_LAYOUT,) == (2,)
    for table in ("mentions", "companies"):
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        assert "source" not in columns and "id" not in columns and columns[0] == "art"
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE art NOT IN (SELECT n FROM articles)").fetchone() == (0,)
    ids = [i for (i,) in db.execute("SELECT id FROM articles")]
    assert len(ids) == len(set(ids)) == 240  # each article once, however many rows it has
    assert db.execute("SELECT path FROM stems").fetchall() == [(f"{docs}/",)]
    assert db.execute("SELECT COUNT(*) FROM articles WHERE tail IS NOT NULL").fetchone() == (0,)
    assert db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0] >= 480


def test_copies_rows_spell_their_file_once_and_keep_groups_apart(built: tuple[Path, Path]) -> None:
    """Layout 3: an article's file is a numbered folder (`stems`) and its id, the path not spelled in the row;
    groups are rows of their own naming the representative by number."""
    docs, ix = built
    db = _db(ix, "copies.sqlite")
    assert db.execute("PRAGMA user_version").fetchone() == (COPIES_LAYOUT,) == (3,)
    columns = [row[1] for row in db.execute("PRAGMA table_info(articles)")]
    assert "source" not in columns and "grp" not in columns
    assert db.execute("SELECT path FROM stems").fetchall() == [(f"{docs}/",)]
    assert db.execute("SELECT COUNT(*) FROM articles WHERE tail IS NOT NULL").fetchone() == (0,)
    with CopyStore(ix) as store:
        assert store.entry("a0003.txt").source == str(docs / "a0003.txt")  # type: ignore[union-attr]
        assert store.group_of("a0003.txt") == Group("a0001.txt", ("a0001.txt", "a0003.txt"))
        assert len(list(store.groups())) == db.execute("SELECT COUNT(DISTINCT grp) FROM groups").fetchone()[0] > 10


@pytest.mark.parametrize(("source", "article_id"), [("/r/docs/2006/x.txt", "2006/x.txt"), ("/r/x.jsonl", "x.jsonl#2"),
                                                    ("/r/x.md", "my-id"), ("x.txt", "x.txt"), ("/r/ax.txt", "x.txt"),
                                                    ("/r/x.txt", "/r/x.txt"), ("noslash", "other")])
def test_a_file_is_found_again_from_its_split(source: str, article_id: str) -> None:
    """`split_source` keeps `stem + (tail or id) == source`, and `source_splits` lists the split it made."""
    stem, tail = split_source(source, article_id)
    assert stem + (tail if tail is not None else article_id) == source and (not stem or stem.endswith("/"))
    assert (stem, tail if tail is not None else article_id) in source_splits(source)


def test_copies_of_removed_files_go_and_only_theirs(tmp_path: Path) -> None:
    """Articles of files in several folders, one of them under a folder named like another's id: removing files
    removes exactly their rows (and a folder no row uses any more)."""
    store = CopyUpdater(tmp_path)
    sig = b"\x01" * 256
    rows = [("/a/b/c.txt", "b/c.txt"), ("/a/b/c.txt2", "b/c.txt2"), ("/a/x/b/c.txt", "b/c.txt"),
            ("/z/log.jsonl", "log.jsonl#1"), ("/z/log.jsonl", "log.jsonl#2"), ("/z/front.md", "my-id")]
    for source, aid in rows:
        store.stage(source, [(f"{source}|{aid}", None, sig)])  # ids kept unique: not suffixes of their paths
    for source, aid in rows[:3]:
        store.stage(source, [(aid if source != "/a/x/b/c.txt" else "x/b/c.txt", None, sig)])
    store.merge()
    store.merge(["/a/b/c.txt", "/z/log.jsonl"])
    left = {row[0] for row in store.db.execute("SELECT id FROM articles")}
    assert left == {"/a/b/c.txt2|b/c.txt2", "b/c.txt2", "/a/x/b/c.txt|b/c.txt", "x/b/c.txt", "/z/front.md|my-id"}
    assert {store.entry(aid).source for aid in left} == {"/a/b/c.txt2", "/a/x/b/c.txt", "/z/front.md"}  # type: ignore[union-attr]
    store.merge(["/z/front.md"])
    assert "/z/" not in {p for (p,) in store.db.execute("SELECT path FROM stems")}
    store.close()


def test_staging_leaves_no_free_pages_and_the_manifest_keeps_each_path_once(built: tuple[Path, Path]) -> None:
    """Rows staged in the tables' own files left their pages free there after the merge (a fifth of the
    speakers table); the manifest kept every path twice (its rows and the index on them)."""
    _docs, ix = built
    for name in ("copies.sqlite", "speakers.sqlite"):
        db = _db(ix, name)
        assert db.execute("PRAGMA freelist_count").fetchone() == (0,), name
        assert not db.execute("SELECT name FROM sqlite_master WHERE name LIKE 'staged%'").fetchall(), name
    assert _db(ix, "copies.sqlite").execute("PRAGMA user_version").fetchone() == (COPIES_LAYOUT,)
    manifest = _db(ix, "manifest.sqlite")
    assert manifest.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'").fetchone() == (0,)
    assert manifest.execute("SELECT COUNT(*) FROM files").fetchone() == (240,)


def test_an_update_gives_the_tables_a_fresh_build_gives(tmp_path: Path) -> None:
    """Files changed and removed: their rows and their articles go; the speakers listed equal a
    build of the same files from scratch."""
    docs = _corpus(tmp_path / "docs", 60)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    for i in range(0, 60, 7):
        (docs / f"a{i:04}.txt").unlink()
    changed = docs / "a0001.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Tomas Varga", "Ana Ruiz"), encoding="utf-8")
    index_paths([docs], ix, workers=1)
    fresh = tmp_path / "fresh"
    index_paths([docs], fresh, workers=1)
    db = _db(ix, "speakers.sqlite")
    live = {str(p) for p in docs.iterdir()}
    assert {p for (p,) in db.execute("SELECT s.path || COALESCE(a.tail, a.id) FROM articles a"
                                     " JOIN stems s ON s.n = a.stem")} == live
    for table in ("mentions", "companies"):
        assert db.execute(f"SELECT COUNT(*) FROM {table} WHERE art NOT IN (SELECT n FROM articles)").fetchone() == (0,)
    for command in (["speakers", "--json"], ["speakers", "--csv", "--limit", "2"]):  # counts and company rule
        assert _run(*command, "--index", str(ix)) == _run(*command, "--index", str(fresh)), command


def test_side_tables_of_an_older_layout_ask_for_a_rebuild_which_makes_them_anew(tmp_path: Path) -> None:
    """An index of schema 6 with its side tables as version 6 wrote them: every command, `index` too (which
    opens the side tables before the index), says in one line that it was built by another version; the
    rebuild replaces the tables of the older layout (it fills them through the new one)."""
    docs = _corpus(tmp_path / "docs", 12)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    expected = _run("speakers", "--json", "--index", str(ix))
    for name, script in (("speakers.sqlite", OLD_SPEAKERS), ("copies.sqlite", OLD_COPIES)):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{ix / name}{suffix}").unlink(missing_ok=True)
        db = sqlite3.connect(ix / name)
        db.executescript(script)
        db.close()
    (ix / "searchkit.json").write_text('{"schema_version": 6}', encoding="utf-8")
    for command in (["index", str(docs)], ["speakers"], ["search", "harbour"], ["quotes", "act"]):
        code, out, err = _run(*command, "--index", str(ix))
        assert code == 1 and out == "" and len(err.strip().splitlines()) == 1, (command, err)
        assert "built by another searchkit version (schema 6" in err and "--rebuild" in err, (command, err)
    code, out, err = _run("index", str(docs), "--index", str(ix), "--rebuild", "--json")
    assert code == 0 and json.loads(out)["documents"] == 12, err
    assert _db(ix, "speakers.sqlite").execute("PRAGMA user_version").fetchone() == (SPEAKERS_LAYOUT,)
    assert _db(ix, "copies.sqlite").execute("PRAGMA user_version").fetchone() == (COPIES_LAYOUT,)
    assert _run("speakers", "--json", "--index", str(ix)) == expected


OLD_SPEAKERS = (  # speakers.sqlite as schema 6 made it, with a row
    "CREATE TABLE mentions (id TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, role TEXT, day TEXT);"
    "CREATE INDEX mentions_source ON mentions (source);"
    "CREATE TABLE staged (id TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL, role TEXT, day TEXT);"
    "CREATE TABLE aliases (alias TEXT PRIMARY KEY, canonical TEXT NOT NULL);"
    "CREATE TABLE companies (id TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL);"
    "CREATE INDEX companies_source ON companies (source);"
    "CREATE TABLE staged_companies (id TEXT NOT NULL, source TEXT NOT NULL, name TEXT NOT NULL);"
    "INSERT INTO mentions VALUES ('x', '/old/x.txt', 'Old Name', NULL, NULL);"
)
OLD_COPIES = (  # copies.sqlite as schema 6 made it
    "CREATE TABLE articles (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, source TEXT NOT NULL,"
    " date TEXT, sig BLOB, grp TEXT);"
    "CREATE INDEX articles_source ON articles (source);"
    "CREATE TABLE staged (id TEXT NOT NULL, source TEXT NOT NULL, date TEXT, sig BLOB);"
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
)


def test_runs_opening_a_new_folder_together_all_find_its_tables(tmp_path: Path) -> None:
    """A new file's tables and its recorded layout are made in one transaction: a run opening the file between
    the two found tables without a layout and refused them as damaged (two `index` runs started together)."""
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from searchkit.copies_update import CopyUpdater;"
            " from searchkit.speakers.store import NameStore; d = Path(sys.argv[1]);"
            " [t.close() for t in (CopyUpdater(d), NameStore(d))]")
    for round_ in range(4):
        folder = tmp_path / f"ix{round_}"
        procs = [subprocess.Popen([sys.executable, "-c", code, str(folder)], stderr=subprocess.PIPE, text=True)
                 for _ in range(8)]
        errors = [p.communicate()[1] for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for e in errors if e][:1]


@pytest.mark.parametrize("name", ["copies.sqlite", "manifest.sqlite"])
def test_a_run_opening_a_table_while_another_writes_it_waits_for_the_journal_switch(tmp_path: Path,
                                                                                     name: str) -> None:
    """Switching a file to write-ahead logging needs an exclusive lock, and SQLite answers "locked" at once,
    without its busy wait, while another connection writes: opening the table must wait for it instead (one of
    eight runs opening a new folder together failed so, under load; the manifest, which switched on its own,
    failed the `--wait` run of two runs on a fresh folder in CI)."""
    import threading

    from searchkit.manifest import Manifest

    other = sqlite3.connect(tmp_path / name, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.3, lambda: other.execute("COMMIT"))
    release.start()
    try:
        (CopyUpdater if name == "copies.sqlite" else Manifest)(tmp_path).close()
    finally:
        release.join()
        other.close()


class _Watched:
    """A connection that notes, at each folder lookup, how many paths had been split by then."""

    def __init__(self, db: sqlite3.Connection, splits: list[str]) -> None:
        self.db, self.splits, self.lookups = db, splits, []

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.startswith("SELECT path, n FROM stems"):
            self.lookups.append(len(self.splits))
        return self.db.execute(sql, *args)


def test_the_files_removed_are_split_a_batch_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """`rows_of_files` splits the paths of `FILES_AT_ONCE` files at a time (a first build's 10^5 paths split at
    once took 300 MB), finds the same rows, and splits none when no article has a row."""
    db = sqlite3.connect(":memory:")
    db.executescript(sidecar.STEMS_SCHEMA + "CREATE TABLE articles (n INTEGER PRIMARY KEY, id TEXT, stem INTEGER,"
                     " tail TEXT);")
    split: list[str] = []
    real = sidecar.source_splits
    monkeypatch.setattr(sidecar, "source_splits", lambda source: split.append(source) or real(source))
    sources = [f"/r/d{i % 2}/x{i}.txt" for i in range(5)]
    assert sidecar.rows_of_files(db, "SELECT a.n FROM articles a", sources) == [] and split == []
    for n, source in enumerate(sources):
        stem, tail = split_source(source, f"x{n}.txt")
        db.execute("INSERT OR IGNORE INTO stems (path) VALUES (?)", (stem,))
        db.execute("INSERT INTO articles VALUES (?, ?, (SELECT n FROM stems WHERE path = ?), ?)",
                   (n, f"x{n}.txt", stem, tail))
    monkeypatch.setattr(sidecar, "FILES_AT_ONCE", 2)
    watched = _Watched(db, split)
    rows = sidecar.rows_of_files(watched, "SELECT a.n FROM articles a", [*sources[:4], sources[0], "/r/gone.txt"])
    assert sorted(rows) == [(0,), (1,), (2,), (3,)] and watched.lookups == [2, 4, 5]
