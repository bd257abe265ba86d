"""Wire-copy signatures and groups: who groups with whom, and groups kept current through updates."""

from __future__ import annotations

import hashlib
import random
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit import minhash
from searchkit.copies import Entry, Group
from searchkit.copies_update import CopyUpdater

VOCAB = [f"w{n}" for n in range(3_000)]

_WORD_PIECES = ["a", "Bc", "9", " ", "  ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85",
                "\xa0", "\u2003", "É", "ß", "İ", ".", "-", "\x00"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORD_PIECES), max_size=30).map("".join))
def test_signature_words_are_the_lower_cased_words(body: str) -> None:
    """The words a signature hashes are `str.split`'s of the lower-cased text, in UTF-8, also where the fast
    path for ASCII text meets a separator only `str.split` knows."""
    assert minhash.utf8_words(body) == [w.encode("utf-8") for w in body.lower().split()]


def story(seed: int, words: int = 300) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCAB) for _ in range(words)]


def text(words: list[str]) -> str:
    return " ".join(words) + "."


def entry(aid: str, words: list[str], day: int | None = 1, source: str | None = None) -> Entry:
    date = datetime(2024, 1, day) if day is not None else None
    return Entry(aid, source or f"/src/{aid}.txt", date, minhash.signature(text(words)))


def jaccard(a: list[str], b: list[str]) -> float:
    sa = {tuple(a[i:i + minhash.SHINGLE]) for i in range(len(a) - minhash.SHINGLE + 1)}
    sb = {tuple(b[i:i + minhash.SHINGLE]) for i in range(len(b) - minhash.SHINGLE + 1)}
    return len(sa & sb) / len(sa | sb)


def groups(store: CopyUpdater) -> set[Group]:
    return set(store.groups())


@pytest.fixture
def store(tmp_path: Path) -> CopyUpdater:
    with CopyUpdater(tmp_path) as s:
        yield s


def test_signature_estimates_shingle_jaccard() -> None:
    base = story(1)
    for keep in (300, 240, 180, 120, 60):
        other = base[:keep] + story(2, 300 - keep)
        estimate = minhash.similarity(minhash.signature(text(base)), minhash.signature(text(other)))
        assert abs(estimate - jaccard(base, other)) < 0.2, keep


def test_signature_is_stable_and_sees_folded_words() -> None:
    words = story(3)
    assert minhash.signature(text(words)) == minhash.signature(text([w.upper() for w in words]))
    assert minhash.signature(text(words)) == minhash.signature("  \n".join(words) + ".")  # any white space
    assert len(minhash.signature(text(words)) or b"") == minhash.SIGNATURE_BYTES
    assert minhash.signature("Too short to judge.") is None


SPACED = ("Prime Minister\u00a0Jos\u00e9 Garc\u00eda said on Monday the talks\u2009would resume. " * 3
          + "\u00c9COLE \u00e9t\u00e9\u3000caf\u00e9 na\u00efve \x1cfile\x1dsep "
          + " ".join(f"w{i % 37}" for i in range(400)))
"""Non-ASCII words, white space that is not ASCII (no-break, thin, ideographic, the separators \\x1c-\\x1f)
and shingles seen many times."""


def reference_hashes(body: str) -> list[int]:
    """`minhash.shingle_hashes` spelled out in Python integers, word by word."""
    mask = (1 << 64) - 1
    crcs = [zlib.crc32(w.encode("utf-8")) for w in body.lower().split()]
    out = set()
    for i in range(len(crcs) - minhash.SHINGLE + 1):
        h = crcs[i]
        for c in crcs[i + 1:i + minhash.SHINGLE]:
            h = (h * 0x9E3779B97F4A7C15 + c) & mask
        for mult in (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53):
            h = ((h ^ (h >> 33)) * mult) & mask
        out.add(h ^ (h >> 33))
    return sorted(out)


def test_signatures_do_not_change() -> None:
    # stored signatures group copies: a signature computed differently would split groups across updates
    assert minhash.shingle_hashes(SPACED).tolist() == reference_hashes(SPACED)
    assert len(reference_hashes(SPACED)) == 57
    signature = minhash.signature(SPACED) or b""
    assert hashlib.sha256(signature).hexdigest() == "3416b5e2e353857b5f12beb803a9f3399da05e28566549029a7239751c2e8bf6"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["oil", "OIL", "prices", "rose", "said", "é", "\u3000", "\x1c"]),
                         max_size=40).map(" ".join), max_size=12))
def test_signatures_of_many_texts_are_each_texts_signature(bodies: list[str]) -> None:
    """`minhash.signatures` (a batch at once: shingles must not span two texts, short texts get None) gives
    the bytes `signature` gives each text alone."""
    texts = [*bodies, SPACED, text(story(5)), "Too short to judge.", ""]
    assert minhash.signatures(texts) == [minhash.signature(t) for t in texts]
    assert minhash.signatures(bodies) == [minhash.signature(t) for t in bodies]


def test_signatures_take_batches_larger_than_their_numbering() -> None:
    texts = [text(story(seed, 10 + seed % 7)) for seed in range(2 * minhash._BATCH + 5)]
    assert minhash.signatures(texts) == [minhash.signature(t) for t in texts]


def test_signatures_take_long_texts_in_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [text(story(seed, 10 + seed % 7)) for seed in range(40)]
    expected = [minhash.signature(t) for t in texts]
    parts: list[int] = []
    parted = minhash._parts
    monkeypatch.setattr(minhash, "_parts", lambda ts: parts.append(len(ts)) or parted(ts))
    monkeypatch.setattr(minhash, "_BATCH_CHARS", 3 * max(map(len, texts)))
    assert minhash.signatures(texts) == expected
    assert parts == [40]  # split once, into parts that each fit
    assert all(sum(map(len, p)) <= minhash._BATCH_CHARS or len(p) == 1 for p in parted(texts))
    assert len(parted(texts)) > 1 and [t for part in parted(texts) for t in part] == texts


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["oil", "OIL", "prices", "rose", "said", "é", "İ", "\u3000", "\x1c", "—"]),
                max_size=300).map(" ".join))
def test_signature_keeps_each_bins_smallest_hash(body: str) -> None:
    """`minhash.signature` spelled out in Python integers: per bin (a hash's top bits), the 32 bits below the
    bin of its smallest hash, `EMPTY` for a bin no hash fell in; no signature below `MIN_SHINGLES` hashes."""
    hashes = reference_hashes(body)
    if len(hashes) < minhash.MIN_SHINGLES:
        assert minhash.signature(body) is None
        return
    bins = [minhash.EMPTY] * minhash.BINS
    for h in reversed(hashes):  # ascending: the smallest of a bin is written last
        bins[h >> (64 - 6)] = (h >> (64 - 6 - 32)) & 0xFFFFFFFF
    assert minhash.signature(body) == b"".join(v.to_bytes(4, "little") for v in bins)


def test_empty_bins_of_short_bodies_are_no_evidence() -> None:
    short_a, short_b = story(70, 12), story(71, 12)  # a dozen shingles: most of the 64 bins stay empty
    assert minhash.similarity(minhash.signature(text(short_a)), minhash.signature(text(short_b))) == 0.0
    assert minhash.similarity(minhash.signature(text(short_a)), minhash.signature(text(short_a))) == 1.0


def test_copies_group_under_their_earliest_member(store: CopyUpdater) -> None:
    base = story(10)
    resend = [*base[:150], "corrected", *base[151:]]
    update = story(11, 60) + base  # a new lead over the same story
    store.apply([entry("b", resend, day=3), entry("a", base, day=2), entry("c", update, day=4),
                 entry("x", story(12), day=1)])
    assert groups(store) == {Group("a", ("a", "b", "c"))}
    assert store.group_of("c") == Group("a", ("a", "b", "c"))
    assert store.group_of("x") is None
    assert store.group_ids() == {"a": "a", "b": "a", "c": "a"}


def test_different_stories_sharing_a_background_do_not_group(store: CopyUpdater) -> None:
    background = story(20, 80)
    store.apply([entry("a", story(21, 220) + background), entry("b", story(22, 220) + background)])
    assert groups(store) == set()


def test_a_new_copy_joins_and_deleting_the_representative_promotes_another(store: CopyUpdater) -> None:
    base = story(30)
    store.apply([entry("a", base, day=1), entry("b", base, day=5)])
    store.apply([entry("c", base, day=3)])
    assert groups(store) == {Group("a", ("a", "c", "b"))}
    store.apply([], removed_sources=["/src/a.txt"])
    assert groups(store) == {Group("c", ("c", "b"))}
    store.apply([], removed_sources=["/src/c.txt"])
    assert groups(store) == set()
    assert store.group_of("b") is None


def test_deleting_the_link_of_a_chain_splits_it(store: CopyUpdater) -> None:
    a = story(40)
    b = a[:200] + story(41, 100)  # shares 2/3 with a
    c = b[100:] + story(42, 100)  # shares 2/3 with b, little with a
    assert jaccard(a, c) < 0.2
    store.apply([entry("a", a, day=1), entry("b", b, day=2), entry("c", c, day=3)])
    assert groups(store) == {Group("a", ("a", "b", "c"))}
    store.apply([], removed_sources=["/src/b.txt"])
    assert groups(store) == set()


def test_replacing_an_article_by_id_regroups_it(store: CopyUpdater) -> None:
    base = story(50)
    store.apply([entry("a", base), entry("b", base, day=2)])
    store.apply([entry("b", story(51), day=2)])  # the file changed into another story
    assert groups(store) == set()
    assert store.count() == 2


def test_undated_copies_come_last_and_short_bodies_never_group(store: CopyUpdater) -> None:
    base = story(60)
    store.apply([entry("u", base, day=None), entry("z", base, day=9),
                 Entry("s1", "/src/s1", None, None), Entry("s2", "/src/s2", None, None)])
    assert groups(store) == {Group("z", ("z", "u"))}


def test_groups_do_not_depend_on_arrival_order(tmp_path: Path) -> None:
    rng = random.Random(7)
    families = [story(100 + f) for f in range(6)]
    entries = []
    for n in range(40):
        fam = families[n % 6]
        start = rng.randrange(0, 40)
        words = fam[start:] + story(1_000 + n, start) if n % 3 else story(2_000 + n)
        entries.append(entry(f"d{n:02d}", words, day=1 + n % 20))
    (tmp_path / "all").mkdir()
    with CopyUpdater(tmp_path / "all") as together:
        together.apply(entries)
        expected = groups(together)
    assert expected  # the families did group
    shuffled = entries[:]
    rng.shuffle(shuffled)
    (tmp_path / "inc").mkdir()
    with CopyUpdater(tmp_path / "inc") as incremental:
        for i in range(0, len(shuffled), 7):
            incremental.apply(shuffled[i:i + 7])
        assert groups(incremental) == expected
        incremental.apply([], removed_sources=[e.source for e in entries[::5]])
        kept = [e for e in entries if e not in entries[::5]]
    (tmp_path / "kept").mkdir()
    with CopyUpdater(tmp_path / "kept") as fresh:
        fresh.apply(kept)
        with CopyUpdater(tmp_path / "inc") as again:  # reopened: stored, not held in memory
            assert groups(again) == groups(fresh)
