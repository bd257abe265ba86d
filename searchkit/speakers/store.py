"""The archive's speaker names, kept beside the index (`speakers.sqlite`): every article's speakers with their
role and date, and the alias -> canonical map (`canonical`) refreshed at each commit.

`NameStore` writes it (the indexer, at commit). `Names` reads it: the canonical name of a recorded form (hits
show it), every recorded form of the person a name names (`--speaker` matches any of them), and speakers by
number of articles. An index made before this table existed has none, and its readers use the index alone.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING

from searchkit.sidecar import STEMS_SCHEMA, SideTable, drop_stems, read_only, rows_of_files, split_source
from searchkit.terms import speaker_query_term

if TYPE_CHECKING:
    from searchkit.reports import SpeakerCount

NAME = "speakers.sqlite"
LAYOUT = 2
"""The tables' layout (`sidecar.SideTable.layout`); history in `engine/contract.py`."""
SCHEMA = (
    f"{STEMS_SCHEMA}"
    "CREATE TABLE IF NOT EXISTS articles (n INTEGER PRIMARY KEY, id TEXT NOT NULL, stem INTEGER NOT NULL,"
    " tail TEXT);"
    "CREATE INDEX IF NOT EXISTS articles_file ON articles (stem, tail, id);"
    "CREATE TABLE IF NOT EXISTS mentions (art INTEGER NOT NULL, name TEXT NOT NULL, role TEXT, day TEXT);"
    "CREATE INDEX IF NOT EXISTS mentions_art ON mentions (art);"
    "CREATE TABLE IF NOT EXISTS aliases (alias TEXT PRIMARY KEY, canonical TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS companies (art INTEGER NOT NULL, name TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS companies_art ON companies (art);"
)
"""An article quoting or naming someone is a row of `articles`, its file a folder in `stems` and its `tail` or
id (`sidecar.split_source`); mentions and companies refer to it by number (a path in every row, and in an
index on it, made up two thirds of the table: 147 MB at 10^5 articles; then the id in every row and a table
of paths, half: 25 MB)."""
STAGING = (
    "CREATE TEMP TABLE IF NOT EXISTS staged_articles (k INTEGER PRIMARY KEY, id TEXT NOT NULL, stem TEXT NOT NULL,"
    " tail TEXT);"
    "CREATE TEMP TABLE IF NOT EXISTS staged (k INTEGER NOT NULL, name TEXT NOT NULL, role TEXT, day TEXT);"
    "CREATE TEMP TABLE IF NOT EXISTS staged_companies (k INTEGER NOT NULL, name TEXT NOT NULL);"
    "CREATE TEMP TABLE IF NOT EXISTS wanted (name TEXT PRIMARY KEY);"
)
"""Rows held until the commit, in SQLite's temporary database: a run that stops never leaves them behind,
and staging in the table's own file left its pages free there once merged (a fifth of the file)."""
Row = tuple[str, str | None, Sequence[tuple[str, str | None]], Sequence[str]]
"""article id, ISO day, (speaker, role) pairs, names the article writes as a company"""
COMPANY_SHARE = 0.2  # a name written as a company in this share of the articles quoting it is no person
STAGE_BATCH = 20_000
"""Files whose staged rows are held in memory before they are written to the temporary tables (a rebuild's
10^5 would take ~50 MB as Python objects); an update's ~2,000 stay there, so another process can merge them
(`merge_staged`). A run whose merge runs in its own process writes them `WRITE_BATCH` at a time (`merge_here`)."""
WRITE_BATCH = 2_000
"""Files staged at once in a run whose merge runs in its own process (`merge_here`): holding 20,000 files'
rows only added ~20 MB to the indexer's process at a large build's peak (beside the workers' flushes)."""
Staged = list[tuple[str, list[Row]]]
"""Files and their articles' rows, as staged."""


class NameStore(SideTable):
    """Speaker mentions and canonical names of one index."""

    layout = LAYOUT

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir, NAME, SCHEMA + STAGING)
        self._staged = 0  # articles staged: the next one's `k`
        self._pending: Staged = []
        self._written = False  # staged rows were written to the temporary tables
        self._batch = STAGE_BATCH  # files held before they are written (`merge_here`)

    # ------------------------------------------------------------------ writing (the indexer, at commit)

    def merge_here(self) -> None:
        """Told that this run's merge runs in this process (a rebuild or a first build): its rows cannot go to
        another process (`staged`), so they are written `WRITE_BATCH` files at a time, not held."""
        self._batch = WRITE_BATCH

    def stage(self, source: str, rows: Iterable[Row]) -> None:
        """Hold the speakers of a file's articles until the commit that adds them."""
        self._pending.append((source, list(rows)))
        if len(self._pending) >= self._batch:
            self._flush()

    def staged(self) -> Staged | None:
        """The rows staged so far, when all are still in memory (for `merge_staged` in another process)."""
        return None if self._written else self._pending

    def _flush(self) -> None:
        """Write the rows held in memory to the temporary tables."""
        pending, self._pending = self._pending, []
        self._written = self._written or bool(pending)
        for source, rows in pending:
            self._write_staged(source, rows)

    def _write_staged(self, source: str, rows: list[Row]) -> None:
        rows = [row for row in rows if row[2] or row[3]]  # an article naming no one has no row
        first, self._staged = self._staged, self._staged + len(rows)
        self.db.executemany("INSERT INTO staged_articles VALUES (?, ?, ?, ?)",
                            [(k, doc_id, *split_source(source, doc_id))
                             for k, (doc_id, _, _, _) in enumerate(rows, first)])
        self.db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?)",
                            [(k, name, role, day) for k, (_, day, speakers, _) in enumerate(rows, first)
                             for name, role in speakers])
        self.db.executemany("INSERT INTO staged_companies VALUES (?, ?)",
                            [(k, name) for k, (_, _, _, companies) in enumerate(rows, first) for name in companies])

    def adopt(self, staged: Staged) -> None:
        """Take rows another process staged (`staged()` there) as if staged here, before `merge`."""
        self._pending.extend(staged)

    def discard_staged(self) -> None:
        """Forget staged rows of a run that did not commit."""
        self._staged = 0
        self._pending = []
        self._written = False
        with self.db:
            for staged in ("staged_articles", "staged", "staged_companies"):
                self.db.execute(f"DELETE FROM {staged}")

    def merge(self, removed_sources: Iterable[str] = (), *, replace_all: bool = False) -> None:
        """After the index commit: drop the mentions of re-read or removed files, take the staged ones, and
        refresh the canonical names (keeping the ones already established)."""
        from searchkit.speakers.canonical import canonical_of_counts  # the write path only

        with self.db:
            self._flush()
            if replace_all:
                for table in ("stems", "articles", "mentions", "companies"):
                    self.db.execute(f"DELETE FROM {table}")
            gone = rows_of_files(self.db, "SELECT a.n, a.stem FROM articles a", removed_sources)
            for table, column in (("mentions", "art"), ("companies", "art"), ("articles", "n")):
                self.db.executemany(f"DELETE FROM {table} WHERE {column} = ?", ((n,) for n, _stem in gone))
            # numbered past the highest in use (a number freed by a removed article may come back: its rows are gone)
            base = int(self.db.execute("SELECT COALESCE(MAX(n) + 1, 0) FROM articles").fetchone()[0])
            self.db.execute("INSERT OR IGNORE INTO stems (path) SELECT DISTINCT stem FROM staged_articles")
            self.db.execute("INSERT INTO articles SELECT ? + k, id, (SELECT n FROM stems WHERE path = stem), tail"
                            " FROM staged_articles ORDER BY k", (base,))
            drop_stems(self.db, (stem for _n, stem in gone))
            for table, staged, columns in (("mentions", "staged", "name, role, day"),
                                           ("companies", "staged_companies", "name")):
                # in staging order: the mentions' rowids order the forms (`_tally` counts them in rowid order)
                self.db.execute(f"INSERT INTO {table} SELECT ? + k, {columns} FROM {staged} ORDER BY rowid", (base,))
                self.db.execute(f"DELETE FROM {staged}")
            self.db.execute("DELETE FROM staged_articles")
            self._staged = 0
            previous = dict(self.db.execute("SELECT alias, canonical FROM aliases"))
            aliases = canonical_of_counts(self._tally(), self._days, previous)
            self.db.execute("DELETE FROM aliases")
            self.db.executemany("INSERT INTO aliases VALUES (?, ?)", aliases.items())

    def _tally(self) -> list[tuple[str, int, bool]]:
        """Each form's mentions and whether any is undated, in the order of its first mention (the order the
        map lists aliases in). Counted from one scan of the names in table order by a `Counter` (no sort, no
        Python loop per mention): SQLite's `GROUP BY name ORDER BY MIN(rowid)` sorted every mention first,
        0.25 s of a 2,000-file update's ~0.7 s names merge at 10^5 articles (2·10^5 mentions), this 0.15 s."""
        counts = Counter(map(itemgetter(0), self.db.execute("SELECT name FROM mentions ORDER BY rowid")))
        undated = {n for (n,) in self.db.execute("SELECT DISTINCT name FROM mentions WHERE day IS NULL OR day = ''")}
        return [(name, count, name in undated) for name, count in counts.items()]

    def _days(self, names: Iterable[str]) -> dict[str, list[int]]:
        """The ordinal days of the dated mentions of these forms (one pass over the mentions, whatever their
        number)."""
        self.db.execute("DELETE FROM wanted")
        self.db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((n,) for n in names))
        out: dict[str, list[int]] = {}
        for name, day in self.db.execute("SELECT name, day FROM mentions WHERE day IS NOT NULL AND day != ''"
                                         " AND name IN (SELECT name FROM wanted)"):
            out.setdefault(name, []).append(date.fromisoformat(day).toordinal())
        self.db.execute("DELETE FROM wanted")
        return out

    def count(self) -> int:
        """Mentions held (0: a new table, or an index without speakers)."""
        return int(self.db.execute("SELECT COUNT(*) FROM mentions").fetchone()[0])


def merge_staged(index_dir: Path, staged: Staged, removed_sources: Sequence[str]) -> None:
    """`NameStore.merge` of rows another process staged (`NameStore.staged`): an update's names are merged
    in a worker beside the copies (`Workers.beside`), ~0.7 s CPU at 10^5 articles off the run's tail."""
    with NameStore(index_dir) as names:
        names.adopt(staged)
        names.merge(removed_sources)


class Names:
    """The speaker table of an index, read-only: canonical names, recorded forms, counts. `Names.open` gives
    None for an index without the table (made before it existed), whose callers use the index alone."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self._aliases: dict[str, str] | None = None
        self._keys: list[tuple[str, str]] | None = None

    @classmethod
    def open(cls, index_dir: Path) -> Names | None:
        """The table beside `index_dir`, or None when there is none (or it cannot be read)."""
        path = index_dir / NAME
        if not path.is_file():
            return None
        try:
            db = read_only(path)  # also in a folder this process cannot write
            db.execute("SELECT 1 FROM aliases LIMIT 1").fetchall()
        except sqlite3.Error:
            return None
        return cls(db)

    def close(self) -> None:
        """Close the table."""
        self.db.close()

    def aliases(self) -> dict[str, str]:
        """Alias -> canonical name."""
        if self._aliases is None:
            self._aliases = dict(self.db.execute("SELECT alias, canonical FROM aliases"))
        return self._aliases

    def canonical(self, name: str) -> str:
        """The canonical name of a recorded form (the form itself when it is canonical or unknown)."""
        return self.aliases().get(name, name)

    def canonical_all(self, names: Iterable[str]) -> tuple[str, ...]:
        """`names` as canonical names, each once, in order."""
        return tuple(dict.fromkeys(self.canonical(n) for n in names))

    def forms(self, query: str) -> list[str]:
        """Every recorded form of the person(s) `query` names (a full name or a surname, any case or accents):
        the query itself, and the forms of each canonical name it matches as a whole or by surname."""
        key = speaker_query_term(query)
        aliases = self.aliases()
        if key is None or not aliases:
            return [query]
        canonicals = {self.canonical(name) for name, name_key in self.name_keys() if _matches(key, name_key)}
        forms = [query, *(alias for alias, canon in aliases.items() if canon in canonicals), *sorted(canonicals)]
        return list(dict.fromkeys(forms))

    def name_keys(self) -> list[tuple[str, str]]:
        """Every recorded name (alias or canonical) with its speaker query term, made once per open table: a
        speaker filter compared the query with all of them, and analysed each one again per search (half of
        a filtered search's time at 10^5 articles, ~650 names)."""
        if self._keys is None:
            aliases = self.aliases()
            self._keys = [(name, speaker_query_term(name) or "") for name in set(aliases.values()) | set(aliases)]
        return self._keys

    def forms_of_all(self, queries: Sequence[str]) -> list[str]:
        """The recorded forms of every name in `queries`."""
        return list(dict.fromkeys(f for q in queries for f in self.forms(q)))

    def companies(self) -> dict[str, int]:
        """Names the archive writes as a company, with the number of articles that do."""
        try:
            return dict(self.db.execute("SELECT c.name, COUNT(DISTINCT a.id) FROM companies c"
                                        " JOIN articles a ON a.n = c.art GROUP BY c.name"))
        except sqlite3.Error:  # a table made before companies were kept
            return {}

    def companies_among(self, names: Iterable[str]) -> set[str]:
        """The canonical `names` that are no person by the rule `counts` lists people by."""
        companies = self.companies()
        forms_of = {n: [n] for n in names if companies.get(n, 0) >= 2}
        for alias, canon in self.aliases().items():  # one pass over the aliases, not one per name
            if canon in forms_of:
                forms_of[canon].append(alias)
        found = set()
        for name, forms in forms_of.items():
            marks = ",".join("?" * len(forms))
            quoted = self.db.execute(f"SELECT COUNT(DISTINCT a.id) FROM mentions m JOIN articles a ON a.n = m.art"
                                     f" WHERE m.name IN ({marks})", forms).fetchone()[0]
            if _company(companies[name], quoted):
                found.add(name)
        return found

    def counts(self, limit: int | None = None) -> list[SpeakerCount]:
        """Canonical speakers by number of articles quoting them under any form, with their commonest role.

        A name the archive writes as a company ("Goldman Sachs ( GS.N )", "Morgan Stanley analysts") in at
        least two articles and `COMPANY_SHARE` of the articles quoting it is no person, and not listed."""
        aliases = self.aliases()
        docs: dict[str, set[str]] = {}
        roles: dict[str, dict[str, int]] = {}
        for doc_id, name, role in self.db.execute("SELECT a.id, m.name, m.role FROM mentions m"
                                                  " JOIN articles a ON a.n = m.art"):
            canon = aliases.get(name, name)
            docs.setdefault(canon, set()).add(doc_id)
            if role:
                tally = roles.setdefault(canon, {})
                tally[role] = tally.get(role, 0) + 1
        companies = self.companies()
        people = {n: ids for n, ids in docs.items() if not _company(companies.get(n, 0), len(ids))}
        ranked = sorted(people.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:limit]
        from searchkit.reports import SpeakerCount  # not a search's: made on first use

        return [SpeakerCount(name, len(ids), _top(roles.get(name, {}))) for name, ids in ranked]


def _company(written: int, quoted: int) -> bool:
    """A name written as a company in at least two articles and `COMPANY_SHARE` of those quoting it."""
    return written >= max(2, COMPANY_SHARE * quoted)


def _matches(key: str, name_key: str) -> bool:
    """A speaker query term names `name_key` as a whole or as its last words (a surname)."""
    return name_key == key or name_key.endswith(" " + key)


def _top(tally: dict[str, int]) -> tuple[str, ...]:
    return (max(tally, key=lambda r: (tally[r], r)),) if tally else ()

