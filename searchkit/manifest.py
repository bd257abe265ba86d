"""The manifest beside the index: what each indexed file looked like when it was read.

An SQLite table keyed by file path holding size, mtime (ns), a content hash and the number of
documents the file gave. `index` compares a fresh `stat` against it, so unchanged files are never
read, and it lists the files under a folder so deletions are found without scanning the index.
The manifest is committed after the index, so a crash between the two only makes the next run
redo (idempotently) the files it had not yet recorded. Beside the rows, `listing` keeps the digest of the
walk that the rows match (`reading.Discovery.fingerprint`) and the files that walk found but could not
index: a re-run whose walk has that digest has nothing to compare. Triggers empty `listing` whenever a row
of `files` is written, by this code or any other (an older searchkit knows nothing of it), in the same
transaction, so a digest never outlives the rows it describes. A damaged manifest is `IndexCorrupt` (one line
naming `searchkit index --rebuild`, which builds a new one beside it); a full disk is `DiskFull`.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from searchkit import private
from searchkit.sidecar import BUSY_TIMEOUT_S, chunks, marks, sqlite_errors, wal

MANIFEST_NAME = "manifest.sqlite"


def written_at(index_dir: Path) -> int | None:
    """When the manifest was last written (ns; its write-ahead log counted), or None without one. A file
    modified later than this changed after the last run listed the files: a hint that a run has work
    (`indexer`), never a judgement (files copied with their old times are found by their stamps)."""
    times = []
    for name in (MANIFEST_NAME, MANIFEST_NAME + "-wal"):
        with contextlib.suppress(OSError):
            times.append(os.stat(index_dir / name).st_mtime_ns)
    return max(times, default=None)


LISTING_SCHEMA = (
    "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS listing (digest TEXT NOT NULL, pending TEXT NOT NULL);"
    "DELETE FROM listing;"
    + "".join(f"CREATE TRIGGER IF NOT EXISTS listing_{event.lower()} AFTER {event} ON files"
              " BEGIN DELETE FROM listing; END;" for event in ("INSERT", "UPDATE", "DELETE"))
    + "COMMIT;"
)
"""The walk the rows match, and the triggers that forget it as soon as a row is written (made again, with the
listing forgotten, should any of them be missing)."""
_LISTING_NAMES = ("listing", "listing_insert", "listing_update", "listing_delete")


@dataclass(frozen=True, slots=True)
class FileState:
    """What a file looked like when it was indexed."""

    key: str
    size: int
    mtime_ns: int
    digest: str
    docs: int


class Manifest:
    """Read and update the manifest of an index folder."""

    def __init__(self, index_dir: Path) -> None:
        self.path = index_dir / MANIFEST_NAME
        private.touch(self.path)  # SQLite gives its journal files the database's mode
        self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S)  # reads nothing yet
        self.closed = False
        self._read_at: int | None = None  # the database's data_version when `listing` was read
        try:
            with self._errors():
                wal(self.db)  # two runs opening a new folder together: the second waits for the first
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER,"
                    " digest TEXT, docs INTEGER) WITHOUT ROWID"  # the rows are the key's index: each path kept once
                )
                if self.db.execute("SELECT count(*) FROM sqlite_master WHERE name IN (?, ?, ?, ?)",
                                   _LISTING_NAMES).fetchone()[0] < len(_LISTING_NAMES):
                    self.db.executescript(LISTING_SCHEMA)  # once per manifest (a file made before listings)
        except BaseException:
            self.close()
            raise

    def _errors(self) -> contextlib.AbstractContextManager[None]:
        """SQLite's errors as searchkit's: a full disk, a lock, or a damaged file (`sidecar.sqlite_errors`)."""
        return sqlite_errors(f"the manifest {self.path}", self.path.parent)

    def lists_files(self) -> bool:
        """Whether any file is recorded (then an index was committed beside it)."""
        with self._errors():
            return self.db.execute("SELECT 1 FROM files LIMIT 1").fetchone() is not None

    def stamps(self) -> Iterator[tuple[str, int, int]]:
        """Every recorded file as `(key, size, mtime_ns)` (rows built by sqlite3 itself), one at a time: a
        re-run takes each out of the set of files found (`indexer_plan.plan`); digests are fetched only
        where needed."""
        with self._errors():
            yield from self.db.execute("SELECT key, size, mtime_ns FROM files")

    def digests(self, keys: Iterable[str]) -> dict[str, str]:
        """The recorded content hash of each of `keys` that is in the manifest."""
        out: dict[str, str] = {}
        with self._errors():
            for chunk in chunks(keys):  # a statement per 500 keys, not per key
                out.update(self.db.execute(f"SELECT key, digest FROM files WHERE key IN ({marks(chunk)})", chunk))
        return out

    def listing(self) -> tuple[str, list[str]] | None:
        """The digest of the walk the rows match and the files it found that are not recorded (they failed:
        every run reads them again), or None (no walk matched since the rows were last written). A run plans
        from what it reads here: `apply` records its walk only if no other connection wrote in between."""
        with self._errors():
            self._read_at = self.db.execute("PRAGMA data_version").fetchone()[0]
            return self._listed()

    def _listed(self) -> tuple[str, list[str]] | None:
        """`listing()`'s answer, read in the connection's current transaction."""
        row = self.db.execute("SELECT digest, pending FROM listing").fetchone()
        if row is None:
            return None
        try:
            pending = json.loads(row[1])
        except (TypeError, ValueError):  # not what `apply` writes: compare the rows
            return None
        if not isinstance(pending, list) or not all(isinstance(key, str) for key in pending):
            return None
        return row[0], pending

    def apply(self, upserts: Iterable[FileState], deletes: Iterable[str],
              listing: tuple[str, list[str]] | None = None) -> None:
        """Record new states and forget deleted files, in one transaction; with `listing`, `(digest, pending)`
        of the walk that the rows now match (`listing()`). That holds only if no other run wrote rows since
        this one read `listing()` to plan (its rows are not what the plan compared): then the walk is not
        recorded, and the next run compares the rows. The write lock is taken first (`BEGIN IMMEDIATE`), so
        the check and the writes see the same rows, and a run with no rows to write waits for the lock as
        any writer does."""
        with self._errors(), self.db:
            self.db.execute("BEGIN IMMEDIATE")
            planned = self._read_at is not None and (
                self.db.execute("PRAGMA data_version").fetchone()[0] == self._read_at)
            self.db.executemany("DELETE FROM files WHERE key = ?", ((k,) for k in deletes))
            self.db.executemany(
                "INSERT OR REPLACE INTO files (key, size, mtime_ns, digest, docs) VALUES (?, ?, ?, ?, ?)",
                ((s.key, s.size, s.mtime_ns, s.digest, s.docs) for s in upserts),
            )
            if listing is not None and planned and self._listed() != listing:
                self.db.execute("DELETE FROM listing")
                self.db.execute("INSERT INTO listing (digest, pending) VALUES (?, ?)",
                                (listing[0], json.dumps(listing[1])))

    def close(self) -> None:
        """Close the database (again: nothing to do)."""
        if not self.closed:
            self.closed = True
            self.db.close()
