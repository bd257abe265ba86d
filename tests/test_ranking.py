"""BM25's formula is written once (`ranking.saturation`); its inline bulk form gives the same floats."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from searchkit.engine import ranking

_pos = st.floats(min_value=0.01, max_value=50, allow_nan=False)


@given(_pos, st.floats(min_value=0.1, max_value=3), _pos, st.lists(st.integers(1, 300), min_size=1, max_size=20),
       st.floats(min_value=0.2, max_value=3))
def test_bulk_scores_are_the_saturation_formula(idf: float, k1: float, weight: float, tfs: list[int],
                                                norm: float) -> None:
    pairs = list(enumerate(float(tf) for tf in tfs))
    codes = [0] * len(pairs)
    bulk = ranking.bulk_scores(idf, k1, weight, [norm], codes, pairs)
    assert bulk == {d: ranking.saturation(idf, weight * tf / norm, k1) for d, tf in pairs}


@given(_pos, st.floats(min_value=0.1, max_value=3), _pos,
       st.lists(st.tuples(_pos, st.integers(1, 300)), min_size=1, max_size=20), st.floats(min_value=0.2, max_value=3))
def test_bulk_increments_are_the_saturation_formula(idf: float, k1: float, weight: float,
                                                    earlier: list[tuple[float, int]], norm: float) -> None:
    triples = [(d, b, float(tf)) for d, (b, tf) in enumerate(earlier)]
    codes = [0] * len(triples)
    bulk = ranking.bulk_increments(idf, k1, weight, [norm], codes, triples)
    assert bulk == {d: ranking.saturation(idf, b + weight * tf / norm, k1) - ranking.saturation(idf, b, k1)
                    for d, b, tf in triples}
