"""Keeping the wire-copy groups (`copies`) current as the index changes, at a cost proportional to the change.

Two articles are copies when their estimated shingle Jaccard similarity is at least `THRESHOLD`, among the
candidate pairs the band index proposes (`copies_bands`: pairs meeting the threshold share a band with
probability ≥ 0.996); a group is a connected component of that relation, so groups do not depend on the
order articles arrived in: a new copy joins its group (and may join two), and deleting a member, the
representative included, regroups the rest (another copy takes its place, or a chain that ran through it
splits).

An update regroups only what it can have changed: the components reachable from its new articles, from the
remaining members of the groups it took articles from, and from the articles of any band key whose bucket
crossed `MAX_BUCKET` (their candidate pairs changed). A rebuild, a large update, or a store whose band index
is missing or stale (made before it was kept) groups everything from the signatures instead; both ways give
the same groups (tests/test_copies_incremental.py).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from pathlib import Path

from searchkit.copies import BUCKETS_SCHEMA, CopyStore, Entry, earliest
from searchkit.lazy import stand_in
from searchkit.limits import MEMORY_BUDGET
from searchkit.minhash import BINS, agreement, similarity
from searchkit.sidecar import chunks, drop_stems, marks, rows_of_files, split_source

# numpy is loaded once there is something to group: a run with nothing to index never loads it (~0.1 s of a
# ~1 s re-run at 10^5 files); a read through these stand-ins costs ~1 us, a few per chunk of articles
with stand_in("numpy"), stand_in("searchkit.copies_bands", "Buckets", "distinct"):
    import numpy as np

    from searchkit.copies_bands import Buckets, distinct

STAGE_BATCH = 2_000  # staged rows held in memory before they are written (one transaction each)
STAGING = ("CREATE TEMP TABLE IF NOT EXISTS staged (id TEXT NOT NULL, stem TEXT NOT NULL, tail TEXT, date TEXT,"
           " sig BLOB);")
"""Articles signed and not yet merged, in SQLite's temporary database: staged in the store's own file, they
left their pages free there once merged."""
StagedRow = tuple[str, str | None, bytes | None]
"""An article as the indexer's workers report it: id, ISO date (None: undated), signature."""
THRESHOLD = 0.4
"""Estimated Jaccard similarity of 4-word shingle sets from which two articles are copies. Updates that
keep most of a story (a new lead over the same paragraphs, a factbox refreshed with new figures) score
0.4–0.9, corrected re-sends above 0.8; different stories on one event rarely share 40% of their shingles.
Judged on 100 Reuters pairs (bench/copies/): precision 0.96, recall 0.81. No time window: one of 3 days
kept refreshed factboxes apart and cost recall for no precision on those pairs; the price is that stories
written to a template (weekly mortgage figures) can chain into one group."""
EDGE_CHUNK = max(1, MEMORY_BUDGET // 8_192)
"""Articles whose candidate pairs are found and compared at once: ~8 KB of arrays each (32 band keys, the
entries of their buckets, a few candidate pairs with two signatures each), so a regroup of every article
stays within the budget instead of growing with the archive (it was the build's largest process)."""
PAIR_CHUNK = max(1, MEMORY_BUDGET // (4 * BINS * 4))
"""Candidate pairs compared at once: two signatures and two boolean temporaries of `BINS` each."""
LOGGED = "logged "
"""Marks the version of a band index whose rows a log completes (`copies_bands`): a searchkit that knows no
log finds the index stale, and groups everything instead of reading the rows alone."""
FULL_SHARE = 0.25
"""An update whose articles to regroup exceed this share of the store groups everything at once (one pass
over every signature beats looking up most band keys one prefix at a time)."""


class CopyUpdater(CopyStore):
    """The copies table of an index folder, as the indexer changes it: articles are staged as the workers
    sign them and merged after the index commit."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir, BUCKETS_SCHEMA + STAGING)
        self._pending: list[tuple[str, str, str | None, str | None, bytes | None]] = []

    def stage(self, source: str, rows: Iterable[StagedRow]) -> None:
        """Hold the articles read from `source` until `merge` (after the index commit that adds them)."""
        for aid, date, sig in rows:
            if not isinstance(sig, bytes | None):  # an `indexer_read.Unsigned` body: `sign` was left out
                raise TypeError(f"the copies row of {aid} holds no signature")
            self._pending.append((aid, *split_source(source, aid), date, sig))
        if len(self._pending) >= STAGE_BATCH:
            self._flush()

    def _flush(self) -> None:
        with self.db:
            self.db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?, ?)", self._pending)
        self._pending = []

    def discard_staged(self) -> None:
        """Forget this run's staged articles (a run that did not commit them, or whose staged rows are to be
        signed again)."""
        self._pending = []
        with self.db:
            self.db.execute("DELETE FROM staged")

    def staged_count(self) -> int:
        """Articles staged and not yet merged."""
        return len(self._pending) + int(self.db.execute("SELECT COUNT(*) FROM staged").fetchone()[0])

    def apply(self, added: Iterable[Entry], removed_sources: Iterable[str] = ()) -> None:
        """Forget the articles of `removed_sources`, add (or replace, by id) `added`, and regroup every
        article whose group could have changed, in one transaction."""
        for entry in added:
            self.stage(entry.source, [(entry.id, entry.date.isoformat() if entry.date else None, entry.signature)])
        self.merge(removed_sources)

    def merge(self, removed_sources: Iterable[str] = (), *, replace_all: bool = False, everything: bool = False
              ) -> None:
        """Forget the articles of `removed_sources` (or all, with `replace_all`), add the staged ones (replacing
        any of the same id), and regroup every article whose group could have changed, in one transaction
        (`everything`: regroup all articles, as a rebuild does)."""
        if self._pending:
            self._flush()
        with self.db:
            indexed = self._indexed()  # the band index covers every article (checked before the version moves)
            if replace_all:
                for table in ("articles", "groups", "stems"):
                    self.db.execute(f"DELETE FROM {table}")
            gone = {n: (stem, sig, grp) for n, stem, sig, grp in self.db.execute(
                f"{_GONE} WHERE a.id IN (SELECT id FROM staged)")}
            gone.update((n, (stem, sig, grp)) for n, stem, sig, grp in rows_of_files(self.db, _GONE, removed_sources))
            for table in ("articles", "groups"):
                self.db.executemany(f"DELETE FROM {table} WHERE n = ?", ((n,) for n in gone))
            first = int(self.db.execute("SELECT COALESCE(MAX(n), 0) FROM articles").fetchone()[0])
            self.db.execute("INSERT OR IGNORE INTO stems (path) SELECT DISTINCT stem FROM staged")
            self.db.execute("INSERT OR REPLACE INTO articles (id, stem, tail, date, sig) SELECT s.id, t.n, s.tail,"
                            " s.date, s.sig FROM staged s JOIN stems t ON t.path = s.stem ORDER BY s.rowid")
            # a staged row replaced by a later one of the same id may leave its folder unused
            staged_stems = [n for (n,) in self.db.execute(
                "SELECT n FROM stems WHERE path IN (SELECT DISTINCT stem FROM staged)")]
            self.db.execute("DELETE FROM staged")
            drop_stems(self.db, [*(stem for stem, _sig, _grp in gone.values()), *staged_stems])
            # numbers only: a regroup of everything reads the signatures itself (a first build's 10^5 rows with
            # theirs took ~37 MB through the grouping)
            added = [n for (n,) in self.db.execute("SELECT n FROM articles WHERE n > ?", (first,))]
            version = uuid.uuid4().hex
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
            groups = {grp for _stem, _sig, grp in gone.values() if grp is not None}
            seeds = set(added) | self._members(groups)
            logged = self.db.execute("SELECT 1 FROM bucket_log").fetchone() is not None  # kept if nothing changes
            if everything or replace_all or not indexed or len(seeds) > FULL_SHARE * self.count():
                self._regroup_all()
                logged = False
            elif gone or added:
                buckets = Buckets(self.db)
                signed = self.db.execute("SELECT n, sig FROM articles WHERE n > ?", (first,)).fetchall()
                crossed = buckets.update(_signed([(n, sig) for n, (_stem, sig, _grp) in gone.items()]), _signed(signed))
                if crossed.size:  # their articles' candidate pairs changed: regroup their whole groups
                    shifted = set(buckets.members(crossed).tolist())
                    seeds |= shifted | self._members(self._groups_of(shifted))
                self._regroup(buckets, seeds)
                logged = buckets.logged()
            stamp = f"{LOGGED}{version}" if logged else version
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('indexed', ?)", (stamp,))

    def _indexed(self) -> bool:
        """Whether the band index was kept by the last merge (a store from before it was kept has none). Its log
        counts only if that merge left one (`LOGGED`): one left before a searchkit that knows no log regrouped
        everything is dropped."""
        rows = dict(self.db.execute("SELECT key, value FROM meta WHERE key IN ('version', 'indexed')"))
        version, stamp = rows.get("version"), rows.get("indexed")
        if stamp != f"{LOGGED}{version}":
            self.db.execute("DELETE FROM bucket_log")
        return stamp in (version, f"{LOGGED}{version}") or not self.count()

    def _regroup_all(self) -> None:
        """Rebuild the band index and group every article."""
        numbers, sigs = _all_signed(self.db)
        buckets = Buckets(self.db)
        buckets.rebuild(numbers, sigs)
        signatures = _Signatures(self.db, numbers, sigs)
        self.db.execute("DELETE FROM groups")
        edges = _edges(buckets, signatures, numbers)
        self._label(_components({n for e in edges for n in e}, edges))

    def _regroup(self, buckets: Buckets, seeds: set[int]) -> None:
        """Recompute the groups of the components reachable from `seeds`."""
        signatures = _Signatures(self.db)
        frontier = signatures.having(seeds)
        edges = _edges(buckets, signatures, frontier)
        components = _components(set(frontier.tolist()) | {n for e in edges for n in e}, edges)
        self._label(components)
        alone = seeds.difference(*(c for c in components if len(c) > 1))
        self.db.executemany("DELETE FROM groups WHERE n = ?", ((n,) for n in alone))

    def _label(self, components: list[list[int]]) -> None:
        """Name each component of two or more by its earliest member's number."""
        grouped = [c for c in components if len(c) > 1]
        rows: dict[int, tuple[str, str | None]] = {}
        for chunk in chunks(n for c in grouped for n in c):
            rows.update((n, (aid, date)) for n, aid, date in self.db.execute(
                f"SELECT n, id, date FROM articles WHERE n IN ({marks(chunk)})", chunk))
        updates = []
        for members in grouped:
            rep = min(members, key=lambda n: earliest(rows[n]))
            updates.extend((n, rep) for n in members)
        self.db.executemany("INSERT OR REPLACE INTO groups (n, grp) VALUES (?, ?)", updates)

    def _members(self, groups: Iterable[int]) -> set[int]:
        """The articles of these groups (named by their representatives' numbers)."""
        out: set[int] = set()
        for chunk in chunks(set(groups)):
            out.update(n for (n,) in self.db.execute(f"SELECT n FROM groups WHERE grp IN ({marks(chunk)})", chunk))
        return out

    def _groups_of(self, numbers: Iterable[int]) -> set[int]:
        out: set[int] = set()
        for chunk in chunks(numbers):
            out.update(g for (g,) in self.db.execute(f"SELECT grp FROM groups WHERE n IN ({marks(chunk)})", chunk))
        return out


_GONE = "SELECT a.n, a.stem, a.sig, g.grp FROM articles a LEFT JOIN groups g ON g.n = a.n"
"""An article's row as a merge takes it out: its number, stem (dropped once no row has it), signature (its band
keys leave the index) and group (whose other members are regrouped)."""


def are_copies(a: Entry, b: Entry) -> bool:
    """The rule, for one pair (`_edges` applies it to many pairs at once)."""
    return a.signature is not None and b.signature is not None and similarity(a.signature, b.signature) >= THRESHOLD


class _Signatures:
    """Signatures by article number, read from the store as they are first asked for."""

    def __init__(self, db: sqlite3.Connection, numbers: np.ndarray | None = None, sigs: np.ndarray | None = None
                 ) -> None:
        self.db = db
        self.numbers = numbers if numbers is not None else np.zeros(0, dtype=np.int64)  # sorted
        self.sigs = sigs if sigs is not None else np.zeros((0, BINS), dtype=np.uint32)

    def having(self, numbers: Iterable[int]) -> np.ndarray:
        """Those of these articles that have a signature (sorted), their signatures read."""
        wanted = distinct(np.fromiter(numbers, dtype=np.int64))
        self._read(wanted)
        return wanted[np.isin(wanted, self.numbers)]

    def of(self, numbers: np.ndarray) -> np.ndarray:
        """The signatures of these articles (every one has a signature)."""
        self._read(numbers)
        return self.sigs[np.searchsorted(self.numbers, numbers)]

    def _read(self, numbers: np.ndarray) -> None:
        missing = distinct(numbers[~np.isin(numbers, self.numbers)])
        if not missing.size:
            return
        rows = []
        for chunk in chunks(missing.tolist()):
            rows += self.db.execute(
                f"SELECT n, sig FROM articles WHERE sig IS NOT NULL AND n IN ({marks(chunk)})",
                chunk).fetchall()
        numbers_read, sigs_read = _signed(rows)
        merged = np.concatenate([self.numbers, numbers_read])
        order = np.argsort(merged, kind="stable")
        self.numbers, self.sigs = merged[order], np.concatenate([self.sigs, sigs_read])[order]


def _signed(rows: list[tuple[int, bytes | None]]) -> tuple[np.ndarray, np.ndarray]:
    """`(number, signature)` rows (those with a signature) as an int64 array and an `(n, BINS)` uint32 array."""
    kept = [(n, s) for n, s in rows if s is not None]
    numbers = np.fromiter((n for n, _s in kept), dtype=np.int64, count=len(kept))
    sigs = np.frombuffer(b"".join(s for _n, s in kept), dtype="<u4").reshape(len(kept), BINS)
    return numbers, sigs


def _all_signed(db: sqlite3.Connection) -> tuple[np.ndarray, np.ndarray]:
    """Every article with a signature, as `_signed` gives them, read a chunk of rows at a time into arrays
    (the rows as Python objects would take several times the arrays' memory)."""
    total = int(db.execute("SELECT COUNT(*) FROM articles WHERE sig IS NOT NULL").fetchone()[0])
    numbers = np.zeros(total, dtype=np.int64)
    sigs = np.zeros((total, BINS), dtype=np.uint32)
    cursor = db.execute("SELECT n, sig FROM articles WHERE sig IS NOT NULL ORDER BY n")
    done = 0
    while rows := cursor.fetchmany(EDGE_CHUNK):
        part_numbers, part_sigs = _signed(rows)
        numbers[done:done + len(rows)], sigs[done:done + len(rows)] = part_numbers, part_sigs
        done += len(rows)
    return numbers[:done], sigs[:done]


def _edges(buckets: Buckets, signatures: _Signatures, frontier: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of articles `(a, b)`, `a < b`, that are copies, reachable from the `frontier` articles by such
    pairs (a breadth-first closure: each round looks up the articles reached in the last one)."""
    edges: set[tuple[int, int]] = set()
    seen = set(frontier.tolist())
    while frontier.size:
        pairs: set[tuple[int, int]] = set()
        for start in range(0, len(frontier), EDGE_CHUNK):  # chunks bound the candidates' arrays
            part = frontier[start:start + EDGE_CHUNK]
            found = buckets.candidates(part, signatures.of(part))
            a, b = found[:, 0], found[:, 1]
            for lo in range(0, len(a), PAIR_CHUNK):
                x, y = a[lo:lo + PAIR_CHUNK], b[lo:lo + PAIR_CHUNK]
                keep = agreement(signatures.of(x), signatures.of(y)) >= THRESHOLD
                pairs.update(zip(np.minimum(x, y)[keep].tolist(), np.maximum(x, y)[keep].tolist(), strict=True))
        edges |= pairs
        reached = {n for e in pairs for n in e} - seen
        seen |= reached
        frontier = np.fromiter(sorted(reached), dtype=np.int64, count=len(reached))
    return edges


def _components(nodes: Iterable[int], edges: set[tuple[int, int]]) -> list[list[int]]:
    """Connected components (union-find), each sorted."""
    parent = {n: n for n in nodes}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    out: dict[int, list[int]] = {}
    for n in sorted(parent):
        out.setdefault(root(n), []).append(n)
    return list(out.values())
