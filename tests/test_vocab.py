"""Batch analysis (`engine.vocab`) gives the words and positions of `analysis.tokens`, text by text."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit import analysis, terms
from searchkit.engine.vocab import Tokens, Vocabulary, splits_cleanly

from .conftest import SEEDS

_PIECES = ["a", "B", "z", "É", "ö", "ß", "İ", "ł", "ﬁ", "Ⅻ", "½", "٣", "中", "e\u0301", "\u0301", "7", "0",
           "'", "’", "-", "‐", "‑", "_", " ", "\n", ".", "—", "“", "s"]


def _expected(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    tokens = [(word, pos) for word, pos, _s, _e in analysis.tokens(text)]
    stems = [analysis.stem(w) for w, _p in tokens if w not in analysis.STOPWORDS]
    return tokens, stems


def _check(vocab: Vocabulary, texts: list[str]) -> None:
    got = vocab.analyse(texts)
    stems = vocab.stem_ids(got.word)
    for number, text in enumerate(texts):
        mine = got.text == number
        words = [(vocab.words[w].decode(), p) for w, p in zip(got.word[mine].tolist(), got.pos[mine].tolist(),
                                                                strict=True)]
        tokens, stemmed = _expected(text)
        assert words == tokens
        assert got.lengths[number] == len(tokens)
        assert [vocab.stems[s].decode() for s in stems[mine].tolist() if s >= 0] == stemmed


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join), max_size=6))
def test_batch_analysis_equals_token_by_token_analysis(texts: list[str]) -> None:
    """Compounds, possessives, accents, combining marks, ligatures and empty texts, in one batch."""
    _check(Vocabulary(), texts)


_PLAIN_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*(?:[-‐‑][^\W_]+(?:['’][^\W_]+)*)*")
"""A token as one plain pattern (greedy, giving back): the reference of the possessive one and its ASCII twin."""
_ASCII_PIECES = ["a", "Bc", "z9", "0", "'", "’", "-", "‐", "‑", "_", " ", "\n", ".", "s", "''", "--", "x'", "-y"]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(_PIECES + _ASCII_PIECES), max_size=40).map("".join), st.integers(0, 40))
def test_the_token_patterns_find_what_the_plain_pattern_finds(text: str, start: int) -> None:
    """The possessive token pattern, and for a text all in ASCII its ASCII class twin, find the plain pattern's
    tokens, from the start and from any offset (`findall(text, pos)`, `search`)."""
    expected = _PLAIN_WORD.findall(text)
    assert analysis._WORD.findall(text) == expected
    assert analysis.word_re(text).findall(text) == expected
    assert analysis.word_re(text).findall(text, start) == _PLAIN_WORD.findall(text, start)
    ascii_text = text.encode("ascii", "replace").decode()
    assert analysis._ASCII_WORD.findall(ascii_text) == _PLAIN_WORD.findall(ascii_text)


def test_a_vocabulary_grows_across_batches_and_reads_real_articles() -> None:
    vocab = Vocabulary()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    _check(vocab, texts[:3])
    _check(vocab, texts)  # known and new raw tokens mixed
    _check(vocab, ["", "", "Cease-fire cease-fire CEASE-FIRE ceasefire"])
    assert vocab.analyse([]).word.dtype == np.int32


def _span_words(vocab: Vocabulary, tokens: Tokens, number: int) -> list[tuple[str, int]]:
    mine = tokens.text == number
    return [(vocab.words[w].decode(), p) for w, p in zip(tokens.word[mine].tolist(), tokens.pos[mine].tolist(),
                                                         strict=True)]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
                          st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4)), max_size=5))
def test_the_tokens_of_a_span_are_those_of_its_own_text(cases: list[tuple[str, list[tuple[int, int]]]]) -> None:
    """A span's tokens, cut from its text's analysis, are the words and positions of the span's text analysed
    on its own, wherever it splits cleanly (compounds, possessives and marks at the ends, empty spans); the
    texts' own tokens are unchanged by the cuts."""
    texts = [text for text, _spans in cases]
    spans = [(number, min(a, b, len(text)), min(max(a, b), len(text)))
             for number, (text, pairs) in enumerate(cases) for a, b in pairs]
    spans = [(n, a, b) for n, a, b in spans if splits_cleanly(texts[n], a) and splits_cleanly(texts[n], b)]
    vocab = Vocabulary()
    whole, parts = vocab.analyse_spans(texts, spans)
    alone = vocab.analyse(texts)
    assert [a.tolist() for a in whole] == [a.tolist() for a in alone]
    assert parts.lengths.tolist() == [len(list(analysis.tokens(texts[n][a:b]))) for n, a, b in spans]
    for number, (n, a, b) in enumerate(spans):
        assert _span_words(vocab, parts, number) == [(w, p) for w, p, _s, _e in analysis.tokens(texts[n][a:b])]


def test_a_span_splits_cleanly_only_between_a_token_and_what_is_no_token() -> None:
    text = "O'Brien's cease-fire, said: “x”"
    assert [i for i in range(len(text) + 1) if splits_cleanly(text, i)] == [0, 9, 10, 20, 21, 22, 26, 27, 28, 29,
                                                                            30, 31]


def _numbered(count: int, batch: int = 500) -> list[list[str]]:
    """Texts of `count` distinct words (each its own stem), each between two common words: `count` distinct
    raw tokens, words, stems and pairs, in batches."""
    words = [f"q{chr(97 + i % 26)}{i:07d}x" for i in range(count)]
    return [[f"alpha {w} beta" for w in words[i:i + batch]] for i in range(0, count, batch)]


_PAIRED = terms.PairWords(frozenset({"alpha", "beta"}), frozenset({"alpha", "beta"}) | frozenset(
    f"q{chr(97 + i % 26)}{i:07d}x" for i in range(20_000)))


def test_pairs_keep_their_ids_across_batches_and_new_ones_come_in_key_order() -> None:
    vocab = Vocabulary()
    seen: dict[str, int] = {}
    batches = _numbered(3_000, batch=700)
    for texts in [*batches, batches[1], [" ".join(batches[0][:50])]]:
        tokens = vocab.analyse(texts)
        pair, text, pos = vocab.pair_rows(tokens, _PAIRED)
        words = [vocab.words[w].decode() for w in tokens.word.tolist()]
        at = {(t, p): w for w, t, p in zip(words, tokens.text.tolist(), tokens.pos.tolist(), strict=True)}
        for pid, t, p in zip(pair.tolist(), text.tolist(), pos.tolist(), strict=True):
            term = vocab.pairs[pid].decode()
            assert term == terms.pair_term(at[t, p], at[t, p + 1], _PAIRED)
            assert seen.setdefault(term, pid) == pid
    assert sorted(seen.values()) == list(range(len(vocab.pairs)))
    assert len(vocab.pairs) == len(set(vocab.pairs))


def test_a_vocabulary_holds_each_word_once() -> None:
    """~570 bytes per distinct word with its raw token, stem and two pairs (~1,000 when words and stems were
    held as str and bytes and pair ids in a dict of int objects); no timing, a count of bytes allocated."""
    batches = _numbered(20_000)
    vocab = Vocabulary()
    tracemalloc.start()
    try:
        for texts in batches:
            tokens = vocab.analyse(texts)
            vocab.pair_rows(tokens, _PAIRED)
        vocab._views = None  # rebuilt per batch; not what this counts
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(vocab.words) == 20_002 and len(vocab.pairs) == 40_000
    assert held / 20_000 < 700


def test_a_closed_vocabulary_keeps_its_terms_drops_its_lookups_and_refuses_texts() -> None:
    """`close` (a segment's texts all analysed, its flush next) keeps the term lists the flush reads and
    drops the tables that only number new tokens; a text analysed afterwards would get wrong ids: refused."""
    vocab = Vocabulary()
    tokens = vocab.analyse(["Harbour talks resumed in well-known ports", "the talks went on"])
    paired = terms.PairWords(frozenset({"the"}), frozenset({"the", "talks", "harbour"}))
    vocab.pair_rows(tokens, paired)
    words, stems, pairs = list(vocab.words), list(vocab.stems), list(vocab.pairs)
    vocab.close()
    assert (vocab.words, vocab.stems, vocab.pairs) == (words, stems, pairs)
    assert not vocab._entries and not vocab._word_ids and not vocab._stem_ids and not len(vocab._flat_word)
    assert not len(vocab._pair_keys) and vocab._views is None
    with pytest.raises(ValueError, match="closed"):
        vocab.analyse(["more talks"])
    with pytest.raises(ValueError, match="closed"):
        vocab.pair_rows(tokens, paired)
