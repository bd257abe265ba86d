"""The engine's own contracts: one-pass analysis equals Whoosh's, period terms, speaker terms."""

from __future__ import annotations

from datetime import date

import pytest

from searchkit.engine import documents, index, schema

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


def test_day_range_terms_cover_exactly_the_days() -> None:
    """Whole years and months collapse to one term; the rest are days."""
    assert index.day_range_terms(date(2019, 1, 1), date(2019, 12, 31)) == ["2019"]
    assert index.day_range_terms(date(2024, 2, 1), date(2024, 2, 29)) == ["2024-02"]
    assert index.day_range_terms(date(2023, 12, 30), date(2024, 2, 2)) == [
        "2023-12-30", "2023-12-31", "2024-01", "2024-02-01", "2024-02-02"]


def test_speaker_terms_fold_and_add_surnames() -> None:
    assert documents.speaker_terms(["María Zajárova", "Ana Ruiz"]) == ["maria zajarova", "zajarova", "ana ruiz", "ruiz"]
