"""Keeping the wire-copy groups (`copies`) current as the index changes.

Two articles are copies when their estimated shingle Jaccard similarity is at least `THRESHOLD`; a group is
a connected component of that relation, so groups do not depend on the order articles arrived in: a new
copy joins its group (and may join two), and deleting a member, the representative included, regroups the
rest (another copy takes its place, or a chain that ran through it splits).

Candidates are found by LSH banding (`BANDS` bands of `ROWS` signature positions: two articles meeting the
threshold share a band with probability ≥ 0.996), computed in memory from the stored signatures at each
update, so the store holds nothing but the signatures (256 bytes an article).

Only the indexer writes the groups, so only it imports numpy (through `minhash`): a search reads them with
`copies.CopyStore` alone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from searchkit.copies import CopyStore, Entry, earliest
from searchkit.minhash import BINS, EMPTY, agreement, similarity

STAGE_BATCH = 2_000  # staged rows held in memory before they are written (one transaction each)
StagedRow = tuple[str, str | None, bytes | None]
"""An article as the indexer's workers report it: id, ISO date (None: undated), signature."""
THRESHOLD = 0.4
"""Estimated Jaccard similarity of 4-word shingle sets from which two articles are copies. Updates that
keep most of a story (a new lead over the same paragraphs, a factbox refreshed with new figures) score
0.4–0.9, corrected re-sends above 0.8; different stories on one event rarely share 40% of their shingles.
Judged on 100 Reuters pairs (bench/copies/): precision 0.96, recall 0.81. No time window: one of 3 days
kept refreshed factboxes apart and cost recall for no precision on those pairs; the price is that stories
written to a template (weekly mortgage figures) can chain into one group."""
ROWS = 2
BANDS = BINS // ROWS
MAX_BUCKET = 1_000
"""A band value shared by more articles than this is boilerplate (a stock phrase as the minimum shingle), not
evidence of copying: it proposes no candidates."""


class CopyUpdater(CopyStore):
    """The copies table of an index folder, as the indexer changes it: articles are staged as the workers
    sign them and merged after the index commit."""

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir)
        self._pending: list[tuple[str, str, str | None, bytes | None]] = []

    def stage(self, source: str, rows: Iterable[StagedRow]) -> None:
        """Hold the articles read from `source` until `merge` (after the index commit that adds them)."""
        self._pending.extend((aid, source, date, sig) for aid, date, sig in rows)
        if len(self._pending) >= STAGE_BATCH:
            self._flush()

    def _flush(self) -> None:
        with self.db:
            self.db.executemany("INSERT INTO staged VALUES (?, ?, ?, ?)", self._pending)
        self._pending = []

    def discard_staged(self) -> None:
        """Forget staged articles (left by a run that stopped before its commit)."""
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

    def merge(self, removed_sources: Iterable[str] = (), *, replace_all: bool = False) -> None:
        """Forget the articles of `removed_sources` (or all, with `replace_all`), add the staged ones (replacing
        any of the same id), and regroup every article whose group could have changed, in one transaction."""
        if self._pending:
            self._flush()
        with self.db:
            touched: set[str] = set()
            if replace_all:
                self.db.execute("DELETE FROM articles")
            for source in set(removed_sources):
                touched.update(g for (g,) in self.db.execute(
                    "SELECT grp FROM articles WHERE source = ? AND grp IS NOT NULL", (source,)))
                self.db.execute("DELETE FROM articles WHERE source = ?", (source,))
            touched.update(g for (g,) in self.db.execute(
                "SELECT grp FROM articles WHERE grp IS NOT NULL AND id IN (SELECT id FROM staged)"))
            first = int(self.db.execute("SELECT COALESCE(MAX(n), 0) FROM articles").fetchone()[0])
            self.db.execute("INSERT OR REPLACE INTO articles (id, source, date, sig)"
                            " SELECT id, source, date, sig FROM staged ORDER BY rowid")
            self.db.execute("DELETE FROM staged")
            self.db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (uuid.uuid4().hex,))
            seeds = {n for (n,) in self.db.execute("SELECT n FROM articles WHERE n > ?", (first,))}
            for grp in touched:
                seeds.update(n for (n,) in self.db.execute("SELECT n FROM articles WHERE grp = ?", (grp,)))
            if seeds:
                self._regroup(seeds)

    def _regroup(self, seeds: set[int]) -> None:
        """Recompute the groups of the components reachable from `seeds`."""
        rows = self.db.execute("SELECT n, sig FROM articles WHERE sig IS NOT NULL ORDER BY n").fetchall()
        numbers = np.fromiter((n for n, _s in rows), dtype=np.int64, count=len(rows))
        sigs = np.frombuffer(b"".join(s for _n, s in rows), dtype="<u4").reshape(len(rows), BINS)
        del rows
        wanted = np.fromiter(sorted(seeds), dtype=np.int64, count=len(seeds))
        at = np.searchsorted(numbers, wanted)
        at = at[numbers[np.minimum(at, len(numbers) - 1)] == wanted] if len(numbers) else at[:0]
        edges = _edges(sigs, at)
        components = _components(set(at.tolist()) | {i for e in edges for i in e}, edges)
        for members in components:
            ns = [int(numbers[i]) for i in members]
            self._label(ns)
        lone = seeds - {int(numbers[i]) for i in at}  # seeds without a signature: never grouped
        self.db.executemany("UPDATE articles SET grp = NULL WHERE n = ?", ((n,) for n in lone))

    def _label(self, ns: list[int]) -> None:
        """Name one component by its earliest member (NULL for a component of one)."""
        if len(ns) == 1:
            self.db.execute("UPDATE articles SET grp = NULL WHERE n = ?", (ns[0],))
            return
        marks = ",".join("?" * len(ns))
        rows = self.db.execute(f"SELECT id, date FROM articles WHERE n IN ({marks})", ns).fetchall()
        rep = min(rows, key=earliest)[0]
        self.db.execute(f"UPDATE articles SET grp = ? WHERE n IN ({marks})", (rep, *ns))



def are_copies(a: Entry, b: Entry) -> bool:
    """The rule, for one pair (`_edges` applies it to many pairs at once)."""
    return a.signature is not None and b.signature is not None and similarity(a.signature, b.signature) >= THRESHOLD


def _band_keys(sigs: np.ndarray) -> np.ndarray:
    """One 64-bit key per band and article (`BANDS` columns): the band's `ROWS` values packed together; a
    band with an empty bin gets a key of its own (short bodies' empty bins are no evidence of copying)."""
    packed = sigs.astype(np.uint64)
    keys = packed[:, 0::ROWS]
    empty = sigs[:, 0::ROWS] == EMPTY
    for r in range(1, ROWS):
        keys = (keys << np.uint64(32)) | packed[:, r::ROWS]
        empty |= sigs[:, r::ROWS] == EMPTY
    unique = (np.arange(sigs.shape[0], dtype=np.uint64) << np.uint64(6))[:, None] + np.arange(keys.shape[1],
                                                                                              dtype=np.uint64)
    return np.where(empty, unique, keys)


def _edges(sigs: np.ndarray, frontier: np.ndarray) -> set[tuple[int, int]]:
    """Pairs of rows `(i, j)`, `i < j`, that are copies (`are_copies`), reachable from the `frontier` rows by
    such pairs (a breadth-first closure: each round looks up the rows reached in the last one)."""
    keys = _band_keys(sigs)
    order = np.argsort(keys, axis=0, kind="stable")
    ordered = np.take_along_axis(keys, order, axis=0)
    edges: set[tuple[int, int]] = set()
    seen = set(frontier.tolist())
    while frontier.size:
        found = _candidates(keys, order, ordered, frontier)
        if found.size:
            a, b = found[:, 0], found[:, 1]
            similar = np.zeros(len(a))
            for start in range(0, len(a), 100_000):  # chunks bound the memory of the comparison
                part = slice(start, start + 100_000)
                similar[part] = agreement(sigs[a[part]], sigs[b[part]])
            keep = similar >= THRESHOLD
            pairs = {(min(x, y), max(x, y)) for x, y in zip(a[keep].tolist(), b[keep].tolist(), strict=True)}
            edges |= pairs
            reached = {i for e in pairs for i in e} - seen
        else:
            reached = set()
        seen |= reached
        frontier = np.fromiter(sorted(reached), dtype=np.int64, count=len(reached))
    return edges


def _candidates(keys: np.ndarray, order: np.ndarray, ordered: np.ndarray, frontier: np.ndarray) -> np.ndarray:
    """Distinct pairs `(frontier row, other row)` sharing a band key (buckets over `MAX_BUCKET` skipped)."""
    found = []
    for band in range(keys.shape[1]):
        wanted = keys[frontier, band]
        lo = np.searchsorted(ordered[:, band], wanted, side="left")
        hi = np.searchsorted(ordered[:, band], wanted, side="right")
        counts = hi - lo
        counts[counts > MAX_BUCKET] = 0
        total = int(counts.sum())
        if total == 0:
            continue
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(total)
        pairs = np.stack([np.repeat(frontier, counts), order[starts, band]], axis=1)
        found.append(pairs[pairs[:, 0] != pairs[:, 1]])
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(found), axis=0)


def _components(nodes: set[int], edges: set[tuple[int, int]]) -> list[list[int]]:
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
    for n in sorted(nodes):
        out.setdefault(root(n), []).append(n)
    return list(out.values())
