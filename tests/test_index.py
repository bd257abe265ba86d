"""The engine's own contracts: one-pass analysis equals Whoosh's (term rules: test_terms.py)."""

from __future__ import annotations

import pytest

from searchkit.engine import documents, schema

from .conftest import SEEDS

TEXTS = [
    "Russia's cease-fire with Erdoğan in São Paulo, O'Brien 38.101 multi-agent talks; talks again.",
    "The the THE and-or — “quoted” words, 2019-03-15 and e-mail.",
    "",
]


@pytest.mark.parametrize("text", TEXTS + [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))[:4]])
def test_one_pass_analysis_matches_whoosh_formats(text: str) -> None:
    """`analyse` must give exactly the posting items Whoosh's formats produce through NewsAnalyzer."""
    sch = schema.schema()
    stemmed, exact = documents.analyse(text, sch["body_exact"].format.encode)
    assert sorted(stemmed) == sorted(sch["body"].index(text))
    assert sorted(exact) == sorted(sch["body_exact"].index(text))
