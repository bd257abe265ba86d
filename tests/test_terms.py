"""Term rules (`searchkit.terms`): the terms a document is indexed under and the terms a query looks up
agree for any name and any date, and a search finds a speaker by full displayed name or surname."""

from __future__ import annotations

import json
import unicodedata
from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from searchkit import terms
from searchkit.indexer import index_paths
from searchkit.search import Searcher

LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZáéíóúàèäöüñçãøłßğşıİÉÖÜ"
_word = st.text(LETTERS, min_size=1, max_size=8)
_joined = st.lists(_word, min_size=1, max_size=3).flatmap(
    lambda parts: st.sampled_from(["-", "'", "’", "‐"]).map(lambda sep: sep.join(parts)))
_name = st.lists(st.one_of(_word, _joined), min_size=1, max_size=4).map(" ".join)
_suffix = st.sampled_from(["", " Jr.", " Sr", " III", ", Jr."])


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@given(_name, _suffix)
def test_a_speaker_is_found_by_full_name_and_surname_in_any_case(name: str, suffix: str) -> None:
    """Whatever the query side makes of the displayed name, the surname, or their case and accent
    variants is one of the terms the index side wrote."""
    shown = name + suffix
    indexed = set(terms.document_speaker_terms([shown]))
    words = shown.replace(",", " ").split()
    if len(words) > 1 and terms.speaker_query_term(words[-1]) in terms.SUFFIXES:
        words = words[:-1]  # "King Jr." -> King; and "A JR" -> A, as the rule reads it
    surname = words[-1]
    for variant in (shown, name, surname, shown.upper(), shown.lower(), surname.upper(), _strip_accents(shown)):
        assert terms.speaker_query_term(variant) in indexed, (variant, indexed)


@given(_name)
def test_speaker_terms_are_keyword_safe(name: str) -> None:
    """Speaker terms go into a comma-separated keyword field: never empty, never a comma, no outer spaces."""
    for term in terms.speaker_terms(name):
        assert term and "," not in term and term == term.strip() and "  " not in term


_day = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


@given(_day, _day, _day)
def test_a_day_is_in_a_range_exactly_when_their_terms_meet(day: date, a: date, b: date) -> None:
    first, last = min(a, b), max(a, b)
    covering = terms.day_range_terms(first, last)
    assert bool(set(terms.period_terms(day)) & set(covering)) == (first <= day <= last)
    assert len(covering) == len(set(covering))


def test_examples() -> None:
    assert terms.speaker_terms("Kim Jong-un") == ("kim jong un", "jong un")
    assert terms.speaker_terms("Jean-Pierre Raffarin") == ("jean pierre raffarin", "raffarin")
    assert terms.speaker_terms("Martin Luther King Jr.") == ("martin luther king jr", "martin luther king", "king")
    assert terms.document_speaker_terms(["María Zajárova", "Ana Ruiz"]) == [
        "maria zajarova", "zajarova", "ana ruiz", "ruiz"]
    assert terms.speaker_terms("A JR") == ("a jr", "a")  # a last word that reads as a suffix is one
    assert terms.speaker_terms(" , ") == ()
    assert terms.speaker_query_term("¿?") is None
    assert terms.day_range_terms(date(2019, 1, 1), date(2019, 12, 31)) == ["2019"]
    assert terms.day_range_terms(date(2024, 2, 1), date(2024, 2, 29)) == ["2024-02"]
    assert terms.day_range_terms(date(2023, 12, 30), date(2024, 2, 2)) == [
        "2023-12-30", "2023-12-31", "2024-01", "2024-02-01", "2024-02-02"]
    assert terms.day_range_terms(date(9999, 12, 1), date(9999, 12, 31)) == ["9999-12"]


NAMES = ["Kim Jong-un", "Jean-Pierre Raffarin", "Martin Luther King Jr.", "Recep Tayyip Erdoğan"]


def test_hyphenated_and_suffixed_names_are_found_by_full_name(tmp_path: Path) -> None:
    """The bug this module fixes: names with a hyphen or a suffix were not found by their displayed name."""
    folder = tmp_path / "docs"
    folder.mkdir()
    rows = [{"id": f"n{i}", "title": f"Statement {i}", "body": "Talks resumed.", "speakers": [name]}
            for i, name in enumerate(NAMES)]
    (folder / "a.jsonl").write_text("\n".join(map(json.dumps, rows)), encoding="utf-8")
    index_paths([folder], tmp_path / "ix", workers=1)
    with Searcher(tmp_path / "ix") as s:
        for i, name in enumerate(NAMES):
            for query in (name, name.upper(), _strip_accents(name), name.replace(" Jr.", "")):
                assert [h.id for h in s.search("", speakers=[query]).hits] == [f"n{i}"], query
        assert [h.id for h in s.search("", speakers=["raffarin"]).hits] == ["n1"]
        assert [h.id for h in s.search("", speakers=["King"]).hits] == ["n2"]
        assert [h.id for h in s.search("", speakers=["Jong-un"]).hits] == ["n0"]
        assert [(c.name, c.articles) for c in s.speaker_counts()] == [(n, 1) for n in sorted(
            NAMES, key=lambda n: terms.speaker_terms(n)[0])]
