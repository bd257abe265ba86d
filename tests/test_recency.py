"""Recency blend: bounded decay, half-life parsing, and exact re-ranking from a relevance-ordered prefix."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from searchkit import recency
from searchkit.errors import InvalidQuery

NEWEST = datetime(2013, 11, 20)


def test_decay_halves_towards_the_floor() -> None:
    decay = recency.Decay(30, NEWEST)
    assert decay.factor(NEWEST) == 1.0
    assert decay.factor(NEWEST + timedelta(days=5)) == 1.0  # never above 1
    assert decay.factor(NEWEST - timedelta(days=30)) == pytest.approx(0.75)
    assert decay.factor(NEWEST - timedelta(days=60)) == pytest.approx(0.625)
    assert decay.factor(NEWEST - timedelta(days=10_000)) == pytest.approx(recency.FLOOR)
    assert decay.factor(None) == recency.FLOOR
    assert decay.blend(8.0, NEWEST - timedelta(days=30)) == pytest.approx(6.0)


@pytest.mark.parametrize(("text", "days"), [("30", 30), ("30d", 30), ("2w", 14), ("6m", 182.625), ("1Y", 365.25),
                                            ("1.5d", 1.5)])
def test_half_life_forms(text: str, days: float) -> None:
    assert recency.parse_half_life(text) == pytest.approx(days)


@pytest.mark.parametrize("text", ["", "0", "-3d", "3 weeks", "d"])
def test_bad_half_lives_are_errors(text: str) -> None:
    with pytest.raises(InvalidQuery):
        recency.parse_half_life(text)


def test_rerank_from_a_prefix_equals_reranking_everything() -> None:
    rng = random.Random(5)
    decay = recency.Decay(90, NEWEST)
    matches = [(f"d{n}", rng.uniform(1, 20), NEWEST - timedelta(days=rng.randrange(3_000)) if n % 7 else None)
               for n in range(500)]
    by_relevance = sorted(matches, key=lambda m: -m[1])
    full, exact = recency.rerank(by_relevance, 10, decay, lambda m: m[1], lambda m: m[2], complete=True)
    assert exact
    size = 10
    while True:
        part, certain = recency.rerank(by_relevance[:size], 10, decay, lambda m: m[1], lambda m: m[2],
                                       complete=False)
        if certain:
            break
        size *= 2
    assert [m[0] for m, _s in part] == [m[0] for m, _s in full]
    assert size < len(matches)  # the bound let it stop early
    assert [m[0] for m, _s in full] != [m[0] for m in by_relevance[:10]]  # and recency did reorder
