"""Wire-copy groups: articles that are the same story sent again (exact copies, corrected re-sends, updates
with a new lead), as a search reads them.

Stored beside the index in SQLite (`copies.sqlite`), keyed by stable article id: each article's MinHash
signature (`minhash`), date and source file, and its group, named by the group's representative (its
earliest copy; undated copies come last, ties go to the smaller id). The indexer keeps the groups current
(`copies_update`, which holds the rule and needs numpy); reading them here does not, so a search
starts without numpy.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from searchkit.sidecar import STEMS_SCHEMA, SideTable, chunks, marks

COPIES_NAME = "copies.sqlite"
LAYOUT = 3
"""The tables' layout (`sidecar.SideTable.layout`); history in `engine/contract.py`."""
SCHEMA = (
    f"{STEMS_SCHEMA}"
    "CREATE TABLE IF NOT EXISTS articles (n INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, stem INTEGER NOT NULL,"
    " tail TEXT, date TEXT, sig BLOB);"
    "CREATE INDEX IF NOT EXISTS articles_tail ON articles (stem, tail);"
    "CREATE TABLE IF NOT EXISTS groups (n INTEGER PRIMARY KEY, grp INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS groups_grp ON groups (grp);"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
)
"""An article's file is a folder in `stems` and its `tail` or id (`sidecar.split_source`; the path in every
row, and in an index on it, was a quarter of the file: 25 MB at 10^5 articles). Groups are rows of their own,
`grp` naming the representative by number: an article's row never grows after it is written (a label set
later split the pages it grew, leaving a sixth of them empty)."""
_MEMBERS = "FROM groups g JOIN articles a ON a.n = g.n JOIN articles r ON r.n = g.grp"
"""Every grouped article (`a`) with its group's representative (`r`)."""
BUCKETS_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS buckets (prefix INTEGER PRIMARY KEY, entries BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS bucket_log (id INTEGER PRIMARY KEY CHECK (id = 0), added BLOB NOT NULL,"
    " removed BLOB NOT NULL);"
)
"""The band index (`copies_bands`: its rows, and the entries added and removed since they were written),
kept by the indexer: here, so that opening the store needs no numpy."""


class Entry(NamedTuple):
    """What the store keeps of one article: `signature` None when the body is too short to judge."""

    id: str
    source: str
    date: datetime | None
    signature: bytes | None


class Group(NamedTuple):
    """A story sent more than once: its representative (the earliest copy) and every member id, earliest
    first."""

    representative: str
    members: tuple[str, ...]


def earliest(member: tuple[str, str | None]) -> tuple[bool, str, str]:
    """Sort key of `(id, ISO date)` rows: the earliest copy first, undated copies last, ties by id."""
    return member[1] is None, member[1] or "", member[0]


class CopyStore(SideTable):
    """The copies table of an index folder, read side."""

    layout = LAYOUT

    def __init__(self, index_dir: Path, extra_schema: str = "", *, reading: bool = False) -> None:
        super().__init__(index_dir, COPIES_NAME, SCHEMA + extra_schema, reading=reading)

    @classmethod
    def open(cls, index_dir: Path) -> CopyStore | None:
        """The table beside `index_dir` for a search, which only reads it; None for an index made before
        copies were kept (it has none)."""
        return cls(index_dir, reading=True) if (index_dir / COPIES_NAME).exists() else None

    def version(self) -> str:
        """Names the current groups: changes with every merge (so caches made from them can tell)."""
        row = self.db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        return row[0] if row else "none"

    def entry(self, article_id: str) -> Entry | None:
        """What the store holds of an article."""
        row = self.db.execute("SELECT a.id, s.path || COALESCE(a.tail, a.id), a.date, a.sig FROM articles a"
                              " JOIN stems s ON s.n = a.stem WHERE a.id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        return Entry(row[0], row[1], datetime.fromisoformat(row[2]) if row[2] else None, row[3])

    def group_of(self, article_id: str) -> Group | None:
        """The group of an article, or None when it has no copies (or is unknown)."""
        row = self.db.execute(f"SELECT r.id {_MEMBERS} WHERE a.id = ?", (article_id,)).fetchone()
        return self.group(row[0]) if row is not None else None

    def group(self, representative: str) -> Group | None:
        """The group named by its representative."""
        rows = self.db.execute(f"SELECT a.id, a.date {_MEMBERS} WHERE r.id = ?", (representative,)).fetchall()
        members = [i for i, _ in sorted(rows, key=earliest)]
        return Group(representative, tuple(members)) if members else None

    def groups_of(self, article_ids: list[str]) -> dict[str, str]:
        """The group of each of these articles that has copies (the others are left out)."""
        out: dict[str, str] = {}
        for chunk in chunks(article_ids):
            out.update(self.db.execute(f"SELECT a.id, r.id {_MEMBERS} WHERE a.id IN ({marks(chunk)})", chunk))
        return out

    def group_ids(self) -> dict[str, str]:
        """Every article that has copies, mapped to its group's representative (articles without copies
        are left out: at ~5% of a wire archive, this stays small)."""
        return dict(self.db.execute(f"SELECT a.id, r.id {_MEMBERS}"))

    def groups(self) -> Iterator[Group]:
        """Every group of two or more copies."""
        reps = [r for (r,) in self.db.execute("SELECT r.id FROM articles r WHERE r.n IN (SELECT grp FROM groups)")]
        for rep in sorted(reps):
            group = self.group(rep)
            if group is not None:
                yield group

    def count(self) -> int:
        """Articles known to the store."""
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
