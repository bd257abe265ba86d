"""Side tables beside the index: small SQLite databases that features keep next to it (copies, alerts),
keyed by stable article ids so they outlive document numbers, updates and rebuilds."""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Self

from searchkit import private
from searchkit.errors import AlertsDamaged, DiskFull, IndexCorrupt, IndexLocked, IndexNotWritable, SearchkitError

BUSY_TIMEOUT_S = 60.0
"""How long a write to an index's SQLite table waits for another run's transaction on it (SQLite's default
is 5 s; a run started with `--wait` must wait behind one recording thousands of files on a busy machine)."""

SQL_CHUNK = 500  # values bound in one statement: under SQLite's limit on parameters (999 in older builds)


def chunks(values: Iterable[Any]) -> list[list[Any]]:
    """`values` in lists short enough to bind as the parameters of one SQLite statement."""
    items = list(values)
    return [items[i:i + SQL_CHUNK] for i in range(0, len(items), SQL_CHUNK)]


def marks(chunk: list[Any]) -> str:
    """The `?, ?, …` placeholders for binding `chunk` in an `IN (…)`."""
    return ",".join("?" * len(chunk))


STEMS_SCHEMA = "CREATE TABLE IF NOT EXISTS stems (n INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL);"
"""The folders of a side table's files, numbered: an article's row keeps its file as `stem` (a number here)
and `tail`, NULL when the rest of the path is the article's id (`split_source`). The usual id is the file's
path under the indexed folder, so a path is spelled once per folder, not once per row."""


def split_source(source: str, article_id: str) -> tuple[str, str | None]:
    """An article's file as `(stem, tail)`, `source == stem + (tail or article_id)`: the tail is None when the
    path ends with the id after a folder (or is the id), else the stem is the path's folder."""
    stem = source[:len(source) - len(article_id)]
    if source.endswith(article_id) and (not stem or stem.endswith("/")):
        return stem, None
    stem = source[:source.rfind("/") + 1]
    return stem, source[len(stem):]


def source_splits(source: str) -> list[tuple[str, str]]:
    """Every `(stem, rest)` that `split_source` may have cut a file's path into: the stem empty or ending at a
    `/` (the rest is then the tail, or the id of a row without one)."""
    return [(source[:cut], source[cut:]) for cut in (0, *(m.end() for m in re.finditer("/", source)))]


FILES_AT_ONCE = 2_000
"""Files whose paths `rows_of_files` splits at once: a path gives a split per folder (two strings each, 11 for
the bench's paths), and a first build's 10^5 files split together took 300 MB, its indexing process's peak."""


def rows_of_files(db: sqlite3.Connection, query: str, sources: Iterable[str]) -> list[tuple[Any, ...]]:
    """The rows `query` gives for the articles of these files: `query` selects from the table `articles` as
    `a` (columns `stem`, `tail`, `id`) up to its WHERE. Each path is looked up as every split of it
    (`source_splits`) whose folder is in `stems`, `FILES_AT_ONCE` files at a time."""
    rows: list[tuple[Any, ...]] = []
    if db.execute("SELECT 1 FROM stems LIMIT 1").fetchone() is None:
        return rows  # no article has a row (a first build's merge): nothing to split 10^5 paths for (~1 s)
    files = list(dict.fromkeys(sources))
    for start in range(0, len(files), FILES_AT_ONCE):
        splits = [split for source in files[start:start + FILES_AT_ONCE] for split in source_splits(source)]
        stems: dict[str, int] = {}
        for chunk in chunks({stem for stem, _rest in splits}):
            stems.update(db.execute(f"SELECT path, n FROM stems WHERE path IN ({marks(chunk)})", chunk))
        for stem, rest in splits:
            if (number := stems.get(stem)) is not None:
                rows += db.execute(f"{query} WHERE a.stem = ? AND a.tail = ?", (number, rest)).fetchall()
                rows += db.execute(f"{query} WHERE a.stem = ? AND a.tail IS NULL AND a.id = ?",
                                   (number, rest)).fetchall()
    return rows


def drop_stems(db: sqlite3.Connection, stems: Iterable[int]) -> None:
    """Forget those of these folders that no article's row names any more."""
    db.executemany("DELETE FROM stems WHERE n = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE stem = ?)",
                   ((stem, stem) for stem in set(stems)))


@contextlib.contextmanager
def sqlite_errors(what: str, folder: Path, *, damage: bool = True, own: bool = False) -> Iterator[None]:
    """SQLite's errors on the tables of an index folder as searchkit's (`searchkit_error`). `what` names the
    table."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        error = searchkit_error(exc, what, folder, damage=damage, own=own)
        if error is None:
            raise
        raise error from None


def read_only(path: Path) -> sqlite3.Connection:
    """A connection that only reads the SQLite file `path`, also where its folder cannot be written (an
    archive shared read-only): a table in write-ahead-log mode is read through its `-shm` file, which SQLite
    cannot make there, so the file is then opened as immutable (without locks: a writer with more rights than
    this process is not waited for, and a read during its commit may see a torn table)."""
    uri = path.resolve().as_uri()
    db = sqlite3.connect(f"{uri}?mode=ro", uri=True)
    try:
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()
    except sqlite3.Error as exc:
        db.close()
        if not (isinstance(exc, sqlite3.OperationalError) and _cannot_write(exc)):
            raise
        db = sqlite3.connect(f"{uri}?mode=ro&immutable=1", uri=True)
    return db


def _cannot_write(exc: sqlite3.OperationalError) -> bool:
    """Whether SQLite failed for want of write access to a file or its folder."""
    return "readonly" in str(exc) or "unable to open" in str(exc)


def wal(db: sqlite3.Connection) -> None:
    """Put a table in write-ahead-log mode, waiting up to `BUSY_TIMEOUT_S` for another run: switching a file's
    journal takes an exclusive lock, and SQLite answers "locked" at once, without its busy wait, while another
    connection holds a write lock (two `index` runs opening a new folder together: one failed)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def searchkit_error(exc: sqlite3.DatabaseError, what: str, folder: Path | None = None, *, damage: bool = True,
                    own: bool = False) -> SearchkitError | None:
    """An SQLite error on a table of an index folder as searchkit's: a full disk (`DiskFull`), a transaction
    of another run that outlasted SQLite's wait (`IndexLocked`), a file or folder this process may not write
    (`IndexNotWritable`), and with `damage` an unreadable file
    (`IndexCorrupt` for a table `index --rebuild` writes anew, `AlertsDamaged` for the user's `own` one);
    None for any other."""
    if isinstance(exc, sqlite3.OperationalError):
        if "full" in str(exc):
            where = f" of {folder}" if folder is not None else ""
            return DiskFull(f"no space left on the disk{where} while writing {what}: nothing was "
                            "committed after it, the next run reads the files again")
        if "locked" in str(exc):
            return IndexLocked(f"{what} is locked by another process")
        if _cannot_write(exc):
            return IndexNotWritable(f"cannot write {what} ({exc})")
    return _damaged(what, exc, own) if damage else None


def _damaged(what: str, exc: sqlite3.Error, own: bool) -> SearchkitError:
    """A table SQLite cannot read: a derived one is rebuilt by `index --rebuild`; the user's own is never
    replaced by searchkit, so the message says how to set it aside."""
    if not own:
        return IndexCorrupt(f"{what} is damaged ({exc})")
    return AlertsDamaged(f"{what} is damaged ({exc}); searchkit will not replace it: move it aside "
                         "(e.g. add `.damaged` to its name) to start with no saved searches")


class SideTable:
    """An SQLite database `name` in the index folder, created with `schema` (a script of `IF NOT EXISTS`
    statements) on first use; a context manager that closes it.

    `derived`: every row comes from the indexed files, so `index --rebuild` makes the table anew (`anew`)
    and a file SQLite cannot read is `IndexCorrupt`, naming it; a table of the user's own (alerts) is not."""

    derived = True
    layout: int | None = None
    """The version of the tables' layout, kept as SQLite's `user_version` by a table that names one: a file of
    another layout is refused as damaged (`anew` then makes it again)."""

    def __init__(self, index_dir: Path, name: str, schema: str, *, reading: bool = False) -> None:
        self.path = index_dir / name
        if reading:
            self._read(index_dir)
            return
        private.make_dir(index_dir)
        private.touch(self.path)  # owner-only, and so its journal files (SQLite gives them the file's mode)
        # IMMEDIATE: a write transaction takes SQLite's write lock when it begins, waiting for another run's;
        # a deferred one that read first could not upgrade once another run had written, and failed at once
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level="IMMEDIATE")
        try:
            with sqlite_errors(f"the table {self.path}", index_dir, own=not self.derived):
                wal(self.db)  # readers (a search) never wait for a writer (an update)
                if self.layout is not None and self._version() != self.layout:
                    self._make(schema)
                self.db.executescript(schema)  # the tables of a file of this layout are there: its temporary ones
        except IndexCorrupt as exc:
            self.db.close()
            exc.path = self.path  # type: ignore[attr-defined]  # for `anew`
            raise
        except BaseException:
            self.db.close()
            raise

    def _read(self, index_dir: Path) -> None:
        """Open the file (there: `CopyStore.open` checks) for a search, which only reads it, whoever owns the
        folder; a file of another layout is refused as damaged, never made anew."""
        with sqlite_errors(f"the table {self.path}", index_dir, own=not self.derived):
            self.db = read_only(self.path)
            try:
                if self.layout is not None and (version := self._version()) != self.layout:
                    raise self._other_layout(version)
            except BaseException:
                self.db.close()
                raise

    def _version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _other_layout(self, version: int) -> sqlite3.DatabaseError:
        """The refusal of a file whose tables are of another layout (as damaged: `anew` makes it again)."""
        return sqlite3.DatabaseError(f"its tables are of layout {version}, this version of searchkit reads "
                                     f"{self.layout}")

    def _make(self, schema: str) -> None:
        """Make the tables of a new file and record their layout, in one transaction (a run opening the file
        meanwhile waits, then finds both); refuse a file holding tables of another layout (one made before
        `layout` was kept has version 0)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version()
            if version != self.layout:
                if self.db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
                    raise self._other_layout(version)
                for statement in filter(str.strip, schema.split(";")):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {self.layout}")
            self.db.commit()
        except BaseException:
            self.db.rollback()
            raise

    @classmethod
    def anew(cls, index_dir: Path) -> Self:
        """The derived table of `index_dir`, or an empty one in place of a file SQLite cannot read, at its
        opening or further in (for a rebuild, which fills it again)."""
        try:
            table = cls(index_dir)  # type: ignore[call-arg]  # the derived tables take the index folder alone
        except IndexCorrupt as exc:
            damaged = exc.path  # type: ignore[attr-defined]
        else:
            if table.sound():
                return table
            table.close()
            damaged = table.path
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{damaged}{suffix}").unlink()
        return cls(index_dir)  # type: ignore[call-arg]

    def sound(self) -> bool:
        """Whether SQLite can read every page of the table (`quick_check`: a linear pass over the file)."""
        try:
            return self.db.execute("PRAGMA quick_check").fetchall() == [("ok",)]
        except sqlite3.DatabaseError:
            return False

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self.db.close()
