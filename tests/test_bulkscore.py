"""The whole-posting-list scorer gives Whoosh's own answers: same documents, same scores, exact totals.

A synthetic collection (Zipf-distributed words, so there are common, mid and rare terms) is indexed in
three runs, so the index has several segments and deleted documents; every query is then answered by
`bulkscore` and by Whoosh's collector without any limit (the reference).
"""

from __future__ import annotations

import json
import pickle
import random
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import pytest
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.system import pack_uint

from searchkit import querylang
from searchkit.engine import bulkscore, codec, index, positions, query, writing
from searchkit.indexer import index_paths

VOCAB = [f"w{i}" for i in range(300)] + ["the", "of", "and", "cease-fire", "ceasefire", "talks", "oil", "prices"]


def _text(rng: random.Random, n: int) -> str:
    weights = [1.0 / (i + 1) for i in range(len(VOCAB))]
    return " ".join(rng.choices(VOCAB, weights=weights, k=n))


def _articles(rng: random.Random, start: int, count: int) -> list[dict[str, Any]]:
    return [{"id": f"d{i}", "title": _text(rng, rng.randint(2, 8)), "speakers": [],
             "body": _text(rng, rng.randint(5, 120)),
             **({"date": f"20{10 + i % 5}-0{1 + i % 9}-1{i % 9}"} if i % 7 else {})}  # every 7th undated
            for i in range(start, start + count)]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(7)
    root = tmp_path_factory.mktemp("bulk")
    docs, ix = root / "docs", root / "index"
    docs.mkdir()
    for batch in range(3):  # three runs: three segments
        (docs / f"batch{batch}.jsonl").write_text(
            "\n".join(json.dumps(a) for a in _articles(rng, batch * 150, 150)), encoding="utf-8")
        index_paths([docs], ix, workers=1)
    (docs / "batch1.jsonl").write_text(  # a changed file: its old documents become deletions
        "\n".join(json.dumps(a) for a in _articles(rng, 1000, 40)), encoding="utf-8")
    index_paths([docs], ix, workers=1)
    return ix


@pytest.fixture(scope="module")
def mixed_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Segments in every block layout (Whoosh's, with per-posting position values; `codec`'s layouts 4 and 5
    as written before layout 7, with pickled position keys and packed frequencies; and byte planes), with
    small blocks, so a posting list spans many blocks and phrase checks skip some of them."""
    rng = random.Random(5)
    root = tmp_path_factory.mktemp("mixed")
    docs, ix = root / "docs", root / "index"
    docs.mkdir()
    whoosh_codec = W3Codec(blocklimit=8, compression=1, inlinelimit=2)
    block_codec = codec.BlockCodec(blocklimit=8, compression=1, inlinelimit=2)
    for batch, (chosen, keys) in enumerate([(whoosh_codec, False), (block_codec, True), (block_codec, False)] * 2):
        (docs / f"batch{batch}.jsonl").write_text(
            "\n".join(json.dumps(a) for a in _articles(rng, batch * 100, 100)), encoding="utf-8")
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(writing, "CODEC", chosen)
            if keys:
                mp.setattr(positions, "block_data", _keys_layout)
            index_paths([docs], ix, workers=1)
    return ix


def _keys_layout(ids: Any, weights: Any, planes: bytes | None, gaps: bytes | None = None,
                 bounds: Any = None) -> tuple[Any, ...]:
    """A block as written before layout 7: a positional one's position keys, delta-coded and pickled (layout
    4); a frequency block's values, each its frequency packed, beside its bounds (layout 5)."""
    if planes is None:
        return ids, weights, b"".join(map(pack_uint, positions.counts(weights, len(ids)))), None, bounds
    keys = positions.keys(list(accumulate(ids)), weights, planes)
    return ids, weights, None, pickle.dumps([keys[0], *map(int.__sub__, keys[1:], keys)], 5)


@pytest.fixture(scope="module")
def bounded_collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Small blocks with score bounds every 3 postings, several segments and deletions: a word's postings
    span many bounded runs, so a single-word search can skip most of them."""
    rng = random.Random(9)
    root = tmp_path_factory.mktemp("bounded")
    docs, ix = root / "docs", root / "index"
    docs.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(writing, "CODEC", codec.BlockCodec(blocklimit=16, compression=1, inlinelimit=2))
        mp.setattr(codec, "BOUND_CHUNK", 3)
        for batch in range(3):
            (docs / f"batch{batch}.jsonl").write_text(
                "\n".join(json.dumps(a) for a in _articles(rng, batch * 150, 150)), encoding="utf-8")
            index_paths([docs], ix, workers=1)
        (docs / "batch0.jsonl").write_text(
            "\n".join(json.dumps(a) for a in _articles(rng, 2000, 30)), encoding="utf-8")
        index_paths([docs], ix, workers=1)
    return ix


@pytest.mark.parametrize("limit", [1, 2, 10, 40])
def test_one_word_scores_only_the_runs_that_can_reach_the_top(bounded_collection: Path, limit: int,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipping runs by their bounds gives exactly the answer of scoring every posting (same documents in
    the same order, same scores to the bit, ties to the lower number, same total), with and without a
    filter, and does skip."""
    runs = []
    real_bisect, real_word = bulkscore.bisect_right, bulkscore._group_word
    monkeypatch.setattr(bulkscore, "bisect_right", lambda *a: runs.append(1) or real_bisect(*a))
    skipped = 0
    with index.searching(bounded_collection) as s:
        assert s.reader().has_deletions()
        n = s.doc_count_all()
        filters = [None, set(range(0, n, 3)), set(range(0, n, 40)),
                   set(range(n // 4, n // 2)), {*range(10, 60), *range(n - 90, n - 20)}]  # periods: few ranges
        for word in [*VOCAB[:25], "the", "of", "oil", "w150", "nosuchword"]:
            q = query.compile_query(querylang.parse(word).tree, match_all=True).query
            for allowed in filters:
                runs.clear()
                found = bulkscore.top_docs(s, q, allowed, limit)
                scored = len(runs)
                monkeypatch.setattr(bulkscore, "_group_word", lambda q, m: None)  # score every posting
                assert found == bulkscore.top_docs(s, q, allowed, limit)
                monkeypatch.setattr(bulkscore, "_group_word", real_word)
                results = s.search(q, limit=None, filter=allowed, optimize=False)
                ranked = sorted((-results.score(i), results.docnum(i)) for i in range(len(results)))
                assert found is not None and found[0] == len(results)
                assert [d for d, _ in found[1]] == [d for _, d in ranked[:limit]]
                if allowed is None:
                    postings_ = [bulkscore._Segment(r, bulkscore._Stats(s, s.weighting, set())).postings("body", word)
                                 for r, _ in s.reader().leaf_readers()]
                    assert all(p.bounds is not None for p in postings_ if len(p.ids) > 2)
                    skipped += sum(len(p.bounds or ()) for p in postings_) - scored
    assert skipped > 100


def _phrases() -> list[str]:
    rng = random.Random(3)
    common = [*VOCAB[:12], "the", "of"]
    return [f'"{a} {b}"' for a, b in (rng.sample(common, 2) for _ in range(12))] + [
        f'"{a} {b} {c}"' for a, b, c in (rng.sample(common, 3) for _ in range(8))] + ['"w0 w0"', '"w1 w1 w1"']


@pytest.mark.parametrize("text", _phrases())
def test_phrases_in_every_block_layout(mixed_collection: Path, text: str) -> None:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=True)
    with index.searching(mixed_collection) as s:
        layouts = {_layout(r, "body_exact", "w0") for r, _ in s.reader().leaf_readers()}
        assert layouts == {3, 4, positions.LAYOUT}
        found = bulkscore.top_docs(s, compiled.query, None, 10)
        assert found is not None
        total, top = found
        ref_total, ref_top = _reference(s, compiled.query, None, 10)
        assert total == ref_total
        assert [d for d, _ in top] == [d for d, _ in ref_top]


@pytest.mark.parametrize("text", ["w0", "w3 w9", "the", "w1 -w2", "title:w4", "w7 OR w150"])
def test_words_in_every_block_layout(mixed_collection: Path, text: str) -> None:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=True)
    with index.searching(mixed_collection) as s:
        assert {_layout(r, "body", "w0") for r, _ in s.reader().leaf_readers()} == {3, 5, positions.LAYOUT}
        found = bulkscore.top_docs(s, compiled.query, None, 10)
        assert found is not None
        ref_total, ref_top = _reference(s, compiled.query, None, 10)
        assert found[0] == ref_total
        assert [d for d, _ in found[1]] == [d for d, _ in ref_top]


def _layout(reader: Any, fieldname: str, text: str) -> int:
    """The layout (data tuple length, `contract` rule 3) of a term's first posting block."""
    m = reader.postings(fieldname, text)
    m = getattr(m, "child", m)
    m._read_data()
    return len(m._data)


def _queries() -> list[str]:
    rng = random.Random(11)
    words = VOCAB[:60] + VOCAB[200:230]
    out = ["w0", "w1 w2", "the", "the of", '"w0 w1"', '"w3 w0 w1"', "w5 OR w150", "w0 -w1", "title:w4",
           "body:w4", "cease-fire", "w0 w1 w2 w3", '"the w0"', "w0 (w1 OR w2)", "nosuchword", "w0 nosuchword",
           "w1*", "w1* w2", "w22~", "w0 w1~1", "title:w2*", "ceas*", "w3* -w30"]
    out += [" ".join(rng.sample(words, rng.randint(1, 3))) for _ in range(40)]
    out += [f'"{a} {b}"' for a, b in (rng.sample(VOCAB[:20], 2) for _ in range(20))]
    return out


def _expanded(q: Any, reader: Any) -> Any:
    """`q` with prefixes and fuzzy words written out as the OR of their terms: how Whoosh scores them on an
    index of more than 5,000 documents (on smaller ones it gives every match of the OR the same score)."""
    if isinstance(q, (wq.Prefix, wq.FuzzyTerm)):
        terms = [wq.Term(q.fieldname, t if isinstance(t, str) else t.decode()) for _f, t in q.expanded_terms(reader)]
        return wq.Or(terms) if len(terms) > 1 else (terms[0] if terms else wq.NullQuery)
    if isinstance(q, (wq.And, wq.Or)):
        return type(q)([_expanded(sub, reader) for sub in q.subqueries])
    if isinstance(q, wq.AndNot):
        return wq.AndNot(_expanded(q.a, reader), _expanded(q.b, reader))
    return q


def _reference(searcher: Any, q: Any, flt: Any, limit: int) -> tuple[int, list[tuple[int, float]]]:
    allowed = query.docset(searcher, flt) if flt is not None else None
    if allowed is not None and not allowed:
        return 0, []
    results = searcher.search(_expanded(q, searcher.reader()), limit=None, filter=allowed, optimize=False)
    ranked = sorted(((results.score(i), results.docnum(i)) for i in range(len(results))),
                    key=lambda p: (-p[0], p[1]))
    return len(results), [(d, s) for s, d in ranked[:limit]]


@pytest.mark.parametrize("text", _queries())
@pytest.mark.parametrize("match_all", [True, False])
def test_same_answers_as_whoosh(collection: Path, text: str, match_all: bool) -> None:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=match_all)
    if compiled.query is None:
        pytest.skip("nothing to search")
    with index.searching(collection) as s:
        for flt in (None, query.speaker_filter(["nobody"]), query.date_filter(s, *_bounds())):
            found = bulkscore.top_docs(s, compiled.query, query.docset(s, flt) if flt is not None else None, 10)
            assert found is not None, "a term/phrase query must take the fast path"
            total, top = found
            ref_total, ref_top = _reference(s, compiled.query, flt, 10)
            assert total == ref_total
            assert [d for d, _ in top] == [d for d, _ in ref_top]
            assert [s_ for _, s_ in top] == pytest.approx([s_ for _, s_ in ref_top], rel=1e-12)


def _bounds() -> tuple[Any, Any]:
    from searchkit.dates import parse_bound

    return parse_bound("2011", end=False), parse_bound("2012", end=True)


def test_deleted_documents_never_match(collection: Path) -> None:
    with index.searching(collection) as s:
        assert s.reader().has_deletions()
        total, top = bulkscore.top_docs(s, query.compile_query(querylang.parse("w0").tree, match_all=True).query,
                                        None, 1000) or (0, [])
        live = {d for d in range(s.doc_count_all()) if not s.reader().is_deleted(d)}
        assert total == len(top) > 0
        assert {d for d, _ in top} <= live


@pytest.mark.parametrize("text", ['"w0 w1"~3', "speaker:nobody", "speaker:nob*"])
def test_other_queries_go_to_whoosh(collection: Path, text: str) -> None:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=True)
    with index.searching(collection) as s:
        assert bulkscore.top_docs(s, compiled.query, None, 10) is None


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("text", ["w0", "w1 w2", '"w0 w1"', "w3* -w30"])
def test_date_order_with_relevance_scores(collection: Path, text: str, sort: str) -> None:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=True)
    with index.searching(collection) as s:
        total, top = bulkscore.top_docs(s, compiled.query, None, 15, sort) or (0, [])
        ref_total, ranked = _reference(s, compiled.query, None, 10_000)
        scores = dict(ranked)

        def key(d: int) -> tuple[bool, float, int]:
            when = s.stored_fields(d).get("date")
            stamp = when.timestamp() if when else 0.0
            return (when is None, -stamp if sort == "newest" else stamp, d)

        assert total == ref_total > 0
        assert [d for d, _ in top] == sorted(scores, key=key)[:15]
        assert [sc for _, sc in top] == pytest.approx([scores[d] for d, _ in top], rel=1e-12)


@pytest.mark.parametrize("docs", [[], [5], [1, 2, 3], [0, 2, 3, 4, 9], [7, 8, 10, 11, 12, 20]])
def test_a_filter_share_keeps_its_ranges_of_consecutive_documents(docs: list[int]) -> None:
    spans = bulkscore._spans(docs)
    assert [d for lo, hi in spans for d in range(lo, hi + 1)] == docs
    assert all(b[0] > a[1] + 1 for a, b in pairwise(spans))  # maximal: no two ranges touch


@pytest.mark.parametrize("sort", ["newest", "oldest"])
@pytest.mark.parametrize("text", ['"w0 w1"~3', "*", "speaker:nob*"])
def test_queries_left_to_whoosh_are_in_the_same_date_order(collection: Path, text: str, sort: str) -> None:
    """Whoosh's sorting collector put undated articles first when newest came first; they come last."""
    q = query.compile_query(querylang.parse(text).tree, match_all=True).query or query.everything()
    with index.searching(collection) as s:
        total, top = query.run(s, q, None, sort=sort, limit=25)
        matched = query.docset(s, q)

        def key(d: int) -> tuple[bool, float, int]:
            when = s.stored_fields(d).get("date")
            stamp = when.timestamp() if when else 0.0
            return (when is None, -stamp if sort == "newest" else stamp, d)

        assert total == len(matched)
        assert [d for d, _ in top] == sorted(matched, key=key)[:25]
        if text == "*":
            assert any(s.stored_fields(d).get("date") is None for d in matched)  # the case that was wrong
