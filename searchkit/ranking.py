"""Ranking parameters: the BM25F weighting and how much a title match counts.

Kept in one place so ranking can be tuned (on principle, across collections) without touching the
index or query code. Changing `TITLE_BOOST` or the weighting needs no re-index.
"""

from __future__ import annotations

from typing import Any

from whoosh import scoring

K1 = 1.2
B = 0.75
TITLE_BOOST = 2.0


def weighting() -> Any:
    """The Whoosh weighting model every searcher uses."""
    return scoring.BM25F(B=B, K1=K1)
