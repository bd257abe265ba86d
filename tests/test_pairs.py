"""Common-word pairs (`terms.pair_term`): phrases found through pair postings give exactly the answers of
word positions alone, the common set is the one stored with the index, and no statistic counts pairs.

A generated collection whose common words are some of its own words (Zipf-distributed, with stopwords and
hyphenated compounds) is indexed in several runs, with deletions; every phrase is answered by the bulk scorer
with pairs and again with pairs switched off (`schema.PAIRED` emptied).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import querylang, terms
from searchkit.engine import bulkscore, index, query, schema
from searchkit.errors import IndexCorrupt
from searchkit.indexer import index_paths

VOCAB = [f"w{i}" for i in range(60)] + ["the", "of", "and", "cease-fire", "ceasefire", "cease", "fire", "talks"]
COMMON = frozenset({"w0", "w1", "w2", "w3", "fire", "talks"})
FREQUENT = frozenset({f"w{i}" for i in range(30)} | {"cease", "fire", "talks"})
PAIRED = terms.PairWords(COMMON, FREQUENT)
PHRASE_WORDS = [w for w in VOCAB if "-" not in w]


def _text(rng: random.Random, n: int) -> str:
    weights = [1.0 / (i + 1) for i in range(len(VOCAB))]
    return " ".join(rng.choices(VOCAB, weights=weights, k=n))


def _articles(rng: random.Random, start: int, count: int) -> list[dict[str, Any]]:
    return [{"id": f"d{i}", "title": _text(rng, rng.randint(2, 8)), "speakers": [],
             "body": _text(rng, rng.randint(5, 90))} for i in range(start, start + count)]


def _write(docs: Path, name: str, articles: list[dict[str, Any]]) -> None:
    (docs / name).write_text("\n".join(json.dumps(a) for a in articles), encoding="utf-8")


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(11)
    root = tmp_path_factory.mktemp("pairs")
    docs, ix = root / "docs", root / "index"
    docs.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema, "_SCHEMA", schema.build_schema(COMMON, FREQUENT))  # the sets a first build stores
        for batch in range(3):  # three runs: three segments
            _write(docs, f"batch{batch}.jsonl", _articles(rng, batch * 120, 120))
            index_paths([docs], ix, workers=1)
    _write(docs, "batch1.jsonl", _articles(rng, 1000, 30))  # an update with today's set: deletions, a segment
    index_paths([docs], ix, workers=1)
    return ix


def _answers(ix: Path, text: str, pairs: bool) -> tuple[int, list[tuple[int, float]]]:
    compiled = query.compile_query(querylang.parse(text).tree, match_all=True)
    assert compiled.query is not None
    saved = dict(schema.PAIRED)
    try:
        if not pairs:
            schema.PAIRED.clear()
        with index.searching(ix) as searcher:
            found = bulkscore.top_docs(searcher, compiled.query, None, 10_000)
    finally:
        schema.PAIRED.update(saved)
    assert found is not None
    return found


def test_the_stored_common_set_survives_an_update(collection: Path) -> None:
    """The update ran with other sets in the code (`common_words`): the index keeps the ones it was built
    with, and the update's segment paired by them."""
    with index.searching(collection) as searcher:
        for name in ("body_pairs", "title_pairs"):
            assert searcher.schema[name].pair_words() == PAIRED
        readers = [r for r, _offset in searcher.reader().leaf_readers()]
        assert len(readers) >= 2
        for reader in readers:
            pairs = [t.decode() for t in reader.lexicon("body_pairs")]
            assert pairs
            assert all(terms.pair_term(*p.split(" "), PAIRED) == p for p in pairs)


def test_pairs_count_in_no_statistic(collection: Path) -> None:
    """Pairs have postings but no field length: averages and lengths of the scored fields are the words'."""
    with index.searching(collection) as searcher:
        assert not searcher.avg_field_length("body_pairs")
        assert searcher.doc_count_all() > 0
        reader = searcher.reader()
        assert any(reader.doc_frequency("body_pairs", t.decode()) for t in reader.lexicon("body_pairs"))
        assert sum(reader.doc_field_length(d, "body_pairs", 0) for d in range(searcher.doc_count_all())) == 0


@pytest.mark.parametrize("text", ['"w0 w1"', '"w5 w0"', '"w1 w2 w3"', '"w0 w7 w1"', '"the w0"', '"w0 of w1"',
                                  '"cease fire talks"', '"ceasefire talks"', '"w0 fire"', 'title:"w1 w0"',
                                  '"w0 w1" -"w2 w3"', '"w0 w2" w9', '"w0 w1" OR "fire talks"', '"w4 w5"',
                                  '"w0 cease"', '"w0 cease fire"', '"w0 ceasefire"', '"w1 cease fire w0"',
                                  '"w0 w45"', '"w45 w1 w2"', '"w40 w41"'])
def test_named_phrases_with_and_without_pairs(collection: Path, text: str) -> None:
    assert _answers(collection, text, True) == _answers(collection, text, False)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PHRASE_WORDS), min_size=2, max_size=4))
def test_any_phrase_with_and_without_pairs(collection: Path, words: list[str]) -> None:
    text = '"' + " ".join(words) + '"'
    assert _answers(collection, text, True) == _answers(collection, text, False)


def test_pairs_are_used_where_words_form_them(collection: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase of pairs reads the pairs' postings (not every word's positions)."""
    read: list[tuple[str, str]] = []
    postings = bulkscore._Segment.postings

    def spy(self: Any, fieldname: str, text: str, positions: bool = False) -> Any:
        if positions:
            read.append((fieldname, text))
        return postings(self, fieldname, text, positions)

    monkeypatch.setattr(bulkscore._Segment, "postings", spy)
    _answers(collection, '"w1 w2 w9 w50"', True)
    assert {("body_pairs", "w1 w2"), ("body_pairs", "w2 w9"), ("body_exact", "w50")} <= set(read)
    assert ("body_exact", "w9") not in read and ("body_pairs", "w9 w50") not in read


def test_a_phrase_of_one_pair_decodes_no_positions(collection: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A phrase one pair covers is found by the pair's documents alone: no positions to compare (decoding
    every block's keys of a common pair was a third of "chief executive" at 10^5 articles); a longer phrase
    still compares them."""
    answer = _answers(collection, '"w0 w1"', True)
    decoded: list[Any] = []
    block_keys = bulkscore.postings.block_keys
    monkeypatch.setattr(bulkscore.postings, "block_keys", lambda block: decoded.append(block) or block_keys(block))
    assert _answers(collection, '"w0 w1"', True) == answer
    assert answer[0] > 0 and decoded == []
    _answers(collection, '"w0 w1 w2"', True)
    assert decoded


def test_an_index_of_the_previous_schema_asks_for_a_rebuild(collection: Path, tmp_path: Path) -> None:
    ix = tmp_path / "old"
    ix.mkdir()
    for f in collection.iterdir():
        if f.is_file():
            (ix / f.name).write_bytes(f.read_bytes())
    (ix / "searchkit.json").write_text(json.dumps({"schema_version": schema.SCHEMA_VERSION - 1}), encoding="utf-8")
    with pytest.raises(IndexCorrupt, match="another searchkit version"):
        index.open_index(ix)
