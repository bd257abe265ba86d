"""Incremental regrouping gives exactly the groups of a from-scratch grouping, and costs what the change
touches: an update reads the signatures of its own articles' candidates, not every signature."""

from __future__ import annotations

import gc
import random
import struct
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from searchkit import copies_bands, copies_update
from searchkit.copies import Entry, Group
from searchkit.copies_update import CopyUpdater
from searchkit.minhash import BINS
from tests.test_copies import entry, story


def _pool(rng: random.Random, size: int) -> list[list[str]]:
    """Bodies from a few families (copies, updates with new leads, chains of rewrites), loners and short ones."""
    families = [story(500 + f) for f in range(8)]
    bodies = []
    for n in range(size):
        kind = n % 5
        fam = families[rng.randrange(len(families))]
        if kind == 0:
            bodies.append(list(fam))  # an exact copy
        elif kind == 1:
            cut = rng.randrange(60, 240)
            bodies.append(fam[cut:] + story(9_000 + n, cut))  # an update keeping part of the story
        elif kind == 2:
            bodies.append(story(20_000 + n, 60) + fam)  # a new lead over the same story
        elif kind == 3:
            bodies.append(story(30_000 + n))  # a story of its own
        else:
            bodies.append(story(40_000 + n, rng.choice([5, 12, 300])))  # short bodies: no or sparse signatures
    return bodies


def _state(store: CopyUpdater) -> tuple[dict[str, str], set[tuple[int, str]]]:
    """The groups (id -> representative) and the band index (key, id) of a store: its rows (checked sorted)
    with its log applied, the entries removed since they were written out, those added in."""
    ids = dict(store.db.execute("SELECT n, id FROM articles"))
    entries = set()
    for prefix, blob in store.db.execute("SELECT prefix, entries FROM buckets"):
        assert len(blob) % 6 == 0  # 6 bytes an entry (layout 2): the key's low 16 bits, the article number
        pairs = [(prefix << 16 | low, number) for low, number in struct.iter_unpack("<HI", blob)]
        assert pairs == sorted(pairs)  # by key, then article number: an update merges into this order
        entries.update(pairs)
    for added, removed in store.db.execute("SELECT added, removed FROM bucket_log"):
        added_codes, removed_codes = (list(struct.unpack(f"<{len(b) // 8}Q", b)) for b in (added, removed))
        assert added_codes == sorted(added_codes) and removed_codes == sorted(set(removed_codes))
        assert {divmod(c, 1 << 32) for c in removed_codes} <= entries  # removed from the rows
        entries -= {divmod(c, 1 << 32) for c in removed_codes}
        entries |= {divmod(c, 1 << 32) for c in added_codes}
    return store.group_ids(), {(key, ids[number]) for key, number in entries}


def _from_scratch(folder: Path, live: dict[str, Entry]) -> tuple[dict[str, str], set[tuple[int, str]]]:
    folder.mkdir()
    with CopyUpdater(folder) as fresh:
        for e in live.values():
            fresh.stage(e.source, [(e.id, e.date.isoformat() if e.date else None, e.signature)])
        fresh.merge(everything=True)
        return _state(fresh)


@pytest.mark.parametrize(("seed", "max_bucket", "log_limit"),
                         [(1, 1_000, None), (2, 1_000, None), (3, 3, None), (4, 4, None), (5, 2, None),
                          (6, 1_000, 150), (3, 3, 150), (5, 2, 1)])
def test_incremental_updates_give_the_groups_of_a_full_regroup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               seed: int, max_bucket: int, log_limit: int | None
                                                               ) -> None:
    """Random adds, deletes and replacements, applied one small batch at a time, against a from-scratch
    grouping of what is left after each batch; small `MAX_BUCKET`s make buckets cross it both ways. The band
    index's log keeps every update (the default limit) or is written into the rows now and then (a small
    `LOG_LIMIT`) or at every update (1)."""
    monkeypatch.setattr(copies_bands, "MAX_BUCKET", max_bucket)
    if log_limit is not None:
        monkeypatch.setattr(copies_bands, "LOG_LIMIT", log_limit)
    written = []
    write_log = copies_bands.Buckets._write_log
    monkeypatch.setattr(copies_bands.Buckets, "_write_log", lambda self: written.append(1) or write_log(self))
    monkeypatch.setattr(copies_update, "FULL_SHARE", 1.0)  # never fall back to the full regroup
    full_runs = []
    monkeypatch.setattr(CopyUpdater, "_regroup_all", _counting(CopyUpdater._regroup_all, full_runs))
    rng = random.Random(seed)
    bodies = _pool(rng, 80)
    live: dict[str, Entry] = {}
    crossed = 0
    update = copies_bands.Buckets.update

    def spy(self: copies_bands.Buckets, removed: tuple, added: tuple):
        nonlocal crossed
        found = update(self, removed, added)
        crossed += len(found)
        return found

    monkeypatch.setattr(copies_bands.Buckets, "update", spy)
    (tmp_path / "inc").mkdir()
    with CopyUpdater(tmp_path / "inc") as store:
        for step in range(30):
            added = []
            for _ in range(rng.randrange(0, 5)):
                n = rng.randrange(len(bodies))
                aid = f"a{n:03d}" if rng.random() < 0.8 or not live else rng.choice(sorted(live))  # or a replacement
                added.append(entry(aid, bodies[rng.randrange(len(bodies))], day=rng.choice([None, *range(1, 29)])))
            removed = rng.sample(sorted(live), k=min(len(live), rng.randrange(0, 3)))
            store.apply(added, removed_sources=[live[aid].source for aid in removed])
            for aid in removed:
                del live[aid]
            live.update((e.id, e) for e in added)
            assert _state(store) == _from_scratch(tmp_path / f"full{step}", live), step
        assert store.count() == len(live) > 10
    assert full_runs == [0] * 30  # every step above was incremental (the from-scratch stores count apart)
    assert bool(written) == (log_limit is not None)  # the log was written into the rows, or never
    if max_bucket < 1_000:
        assert crossed  # buckets did cross the limit


def test_a_log_left_behind_by_a_full_regroup_that_knew_none_is_dropped(tmp_path: Path) -> None:
    """A searchkit that knows no band index log finds a logged index stale (`LOGGED`) and regroups everything,
    writing the rows and leaving the log; the next update must read the rows alone."""
    rng = random.Random(11)
    bodies = _pool(rng, 40)
    live = {f"a{n:02d}": entry(f"a{n:02d}", bodies[n]) for n in range(30)}
    (tmp_path / "inc").mkdir()
    with CopyUpdater(tmp_path / "inc") as store:
        store.apply(list(live.values()))
        extra = entry("b00", bodies[31])
        store.apply([extra], removed_sources=[live.pop("a03").source])  # the log removes entries from the rows
        stamp = dict(store.db.execute("SELECT key, value FROM meta"))
        assert stamp["indexed"] == copies_update.LOGGED + stamp["version"]  # the update was logged
        with store.db:  # as the older searchkit leaves it: rows of everything, its own stamp, the log untouched
            log = store.db.execute("SELECT added, removed FROM bucket_log").fetchone()
            copies_bands.Buckets(store.db).rebuild(*copies_update._all_signed(store.db))
            store.db.execute("INSERT INTO bucket_log VALUES (0, ?, ?)", log)
            store.db.execute("UPDATE meta SET value = ? WHERE key = 'indexed'", (stamp["version"],))
        more = entry("b01", bodies[32])
        store.apply([more])
        live.update({extra.id: extra, more.id: more})
        assert _state(store) == _from_scratch(tmp_path / "full", live)  # the stale log took a03 out of rows without it


def _counting(method, calls: list[int]):
    """`method`, recording 1 per call on an incremental store ("inc") and 0 for the others."""

    def wrapper(self: CopyUpdater) -> None:
        calls.append(int(self.path.parent.name == "inc"))
        return method(self)

    return wrapper


def test_a_one_article_update_reads_only_its_candidates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding one copy to 300 articles reads the signatures of its few candidates, not all 300 (the regroup
    used to load and band every signature at each update: ~2 s at 10^5 articles)."""
    rng = random.Random(9)
    with CopyUpdater(tmp_path) as store:
        store.apply([entry(f"s{n:03d}", story(70_000 + n)) for n in range(300)])
        store.apply([entry("c1", story(70_007)), entry("c2", story(70_008)[:250] + story(1, 50))])
        read: list[int] = []
        real = copies_update._Signatures._read

        def counting(self: copies_update._Signatures, numbers) -> None:
            before = len(self.numbers)
            real(self, numbers)
            read.append(len(self.numbers) - before)

        monkeypatch.setattr(copies_update._Signatures, "_read", counting)
        monkeypatch.setattr(CopyUpdater, "_regroup_all", lambda self: pytest.fail("regrouped everything"))
        store.apply([entry("new", story(70_007)[rng.randrange(5):])])
        assert store.group_of("new") == Group("c1", ("c1", "new", "s007"))
        assert 0 < sum(read) <= 10


def test_a_full_regroup_works_in_bounded_chunks_with_the_same_groups(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The regroup of every article (a first build) reads, bands and compares a few articles at a time
    (`limits.MEMORY_BUDGET`: it was the largest process of a 10^5-article build), with the same groups and
    band index as in one piece."""
    bodies = _pool(random.Random(6), 60)
    live = {f"a{n:03d}": entry(f"a{n:03d}", body, day=n % 28 + 1) for n, body in enumerate(bodies)}
    whole = _from_scratch(tmp_path / "whole", live)
    sizes: list[int] = []
    candidates = copies_bands.Buckets.candidates

    def spy(self: copies_bands.Buckets, numbers, sigs):
        sizes.append(len(numbers))
        return candidates(self, numbers, sigs)

    monkeypatch.setattr(copies_bands.Buckets, "candidates", spy)
    monkeypatch.setattr(copies_update, "EDGE_CHUNK", 4)
    monkeypatch.setattr(copies_update, "PAIR_CHUNK", 3)
    monkeypatch.setattr(copies_bands, "_CHUNK", 5)
    chunked = _from_scratch(tmp_path / "chunked", live)
    assert chunked == whole
    assert len(whole[0]) > 10 and len(sizes) > 10 and max(sizes) <= 4


def test_a_regroup_of_everything_holds_no_signature_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge that regroups every article (a first build) keeps only the numbers of the articles it added, not
    their signatures as rows (~37 MB at 10^5 articles, held through the grouping that reads them again)."""
    held: list[int] = []
    regroup_all = CopyUpdater._regroup_all

    def spy(self: CopyUpdater) -> None:
        held.append(sum(1 for o in gc.get_objects()
                        if type(o) is tuple and len(o) == 2 and isinstance(o[1], bytes) and len(o[1]) == 4 * BINS))
        regroup_all(self)

    monkeypatch.setattr(CopyUpdater, "_regroup_all", spy)
    bodies = _pool(random.Random(7), 30)
    store = CopyUpdater(tmp_path)
    gc.disable()  # a collection untracks tuples of ints and bytes: the rows would hide from gc.get_objects()
    try:
        store.apply([entry(f"a{n:03d}", body) for n, body in enumerate(bodies)])
    finally:
        gc.enable()
    assert held == [0] and len(list(store.groups())) > 1


def test_entries_are_split_back_without_a_temporary_of_their_size() -> None:
    """`_uncodes` writes each half of the codes straight into its column: a uint64 temporary per half was the
    peak of a first build's banding (27 MB each at 10^5 articles)."""
    codes = np.random.default_rng(3).integers(0, 2**63, 250_000, dtype=np.uint64)
    tracemalloc.start()
    try:
        pairs = copies_bands._uncodes(codes)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < pairs.nbytes + 256 * 1024  # ufunc buffers: 64 KB; each old temporary, 2 MB
    assert pairs[:, 0].tolist() == (codes >> np.uint64(32)).tolist()
    assert pairs[:, 1].tolist() == (codes & np.uint64(0xFFFFFFFF)).tolist()
