"""Batch analysis (`engine.vocab`) gives the words and positions of `analysis.tokens`, text by text."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit import analysis
from searchkit.engine.vocab import Vocabulary

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


def test_a_vocabulary_grows_across_batches_and_reads_real_articles() -> None:
    vocab = Vocabulary()
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    _check(vocab, texts[:3])
    _check(vocab, texts)  # known and new raw tokens mixed
    _check(vocab, ["", "", "Cease-fire cease-fire CEASE-FIRE ceasefire"])
    assert vocab.analyse([]).word.dtype == np.int32
