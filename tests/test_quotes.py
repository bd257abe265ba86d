"""Search inside quotes: statements indexed with their speaker, kept in step with incremental indexing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli
from searchkit.indexer import index_paths
from searchkit.search import search_quotes

from .conftest import SEEDS

ARTICLE = """Harbour talks resume in Tovik

The harbour talks resumed on Monday.

“The harbour must stay open to every fishing boat,” Foreign Minister Elena Marsh said at the port.

Trade envoy Karl Osten said the tariff plan would be withdrawn by June.
"""


def test_seed_quotes_are_searchable_by_speaker(tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([SEEDS / "000_ad256211f7d105d4.txt"], ix, workers=1)
    total, hits = search_quotes(ix, "peacekeepers", speakers=["zakharova"])
    assert total >= 1
    assert {h.speaker for h in hits} == {"Maria Zakharova"}
    assert all("peacekeep" in h.snippet.text.lower() for h in hits)
    assert all(h.article_id == "000_ad256211f7d105d4.txt" for h in hits)


def test_quotes_follow_changes_and_deletions(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    path = src / "harbour.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    ix = tmp_path / "ix"
    index_paths([src], ix, workers=1)
    total, hits = search_quotes(ix, "fishing boat")
    assert total == 1 and hits[0].speaker == "Elena Marsh"
    assert search_quotes(ix, "tariff", speakers=["osten"])[0] == 1

    path.write_text(ARTICLE.replace("fishing boat", "cargo ship"), encoding="utf-8")
    index_paths([src], ix, workers=1)
    assert search_quotes(ix, "fishing boat")[0] == 0
    assert search_quotes(ix, "cargo ship")[0] == 1

    path.unlink()
    index_paths([src], ix, workers=1)
    assert search_quotes(ix, "cargo ship")[0] == 0
    assert search_quotes(ix, "tariff")[0] == 0


def test_quotes_command_json(tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    runner = CliRunner()
    assert runner.invoke(cli, ["index", str(SEEDS), "--index", ix]).exit_code == 0
    result = runner.invoke(cli, ["quotes", "peacekeepers", "--speaker", "Maria Zakharova", "--index", ix, "--json"])
    assert result.exit_code == 0
    obj = json.loads(result.stdout)
    assert obj["total"] >= 1
    hit = obj["hits"][0]
    assert hit["speaker"] == "Maria Zakharova" and hit["date"].startswith("2023-09-19")
    for start, end in hit["highlights"]:
        assert hit["quote"][start:end].lower().startswith("peacekeep")


def _index_records(tmp_path: Path, records: list[dict[str, object]]) -> Path:
    src = tmp_path / "recs.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    ix = tmp_path / "ix"
    index_paths([src], ix, workers=1)
    return ix


def test_speakers_merge_a_surname_into_the_one_full_name_and_keep_ambiguous_apart(tmp_path: Path) -> None:
    from searchkit.search import Searcher

    ix = _index_records(tmp_path, [
        {"id": "1", "title": "a", "body": "x", "speakers": ["Maria Zakharova"]},
        {"id": "2", "title": "b", "body": "x", "speakers": ["Zakharova"]},
        {"id": "3", "title": "c", "body": "x", "speakers": ["Ann Lee"]},
        {"id": "4", "title": "d", "body": "x", "speakers": ["Bob Lee"]},
        {"id": "5", "title": "e", "body": "x", "speakers": ["Lee"]},
    ])
    with Searcher(ix) as s:
        counts = {c.name: c.articles for c in s.speaker_counts()}
    assert counts == {"Maria Zakharova": 2, "Ann Lee": 1, "Bob Lee": 1, "Lee": 1}


def test_speaker_filter_forms_agree(tmp_path: Path) -> None:
    from searchkit.search import Searcher

    ix = _index_records(tmp_path, [
        {"id": "1", "title": "a", "body": "peace", "speakers": ["Maria Zakharova"]},
        {"id": "2", "title": "b", "body": "peace", "speakers": ["Sergei Lavrov"]},
        {"id": "3", "title": "c", "body": "peace", "speakers": ["María Zajárova"]},
    ])
    with Searcher(ix) as s:
        forms = [s.search("peace", speakers=["zakharova"]), s.search("peace", speakers=["Maria Zakharova"]),
                 s.search("peace speaker:zakharova"), s.search('peace speaker:"maria ZAKHAROVA"')]
    assert {tuple(h.id for h in r.hits) for r in forms} == {("1",)}


def test_speaker_filters_analyse_the_recorded_names_once_per_open_index(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The recorded names' query terms are made when the first filter needs them, not again per search."""
    from searchkit.search import Searcher
    from searchkit.speakers import store

    ix = _index_records(tmp_path, [
        {"id": "1", "title": "a", "body": "peace", "speakers": ["Maria Zakharova"]},
        {"id": "2", "title": "b", "body": "peace", "speakers": ["Sergei Lavrov", "Zakharova"]},
    ])
    analysed: list[str] = []
    term = store.speaker_query_term
    monkeypatch.setattr(store, "speaker_query_term", lambda name: analysed.append(name) or term(name))
    with Searcher(ix) as s:
        first = s.search("peace", speakers=["zakharova"])
        once = len(analysed)
        again = [s.search("peace", speakers=[name]) for name in ("Maria Zakharova", "lavrov", "zakharova")]
    assert [h.id for h in first.hits] == ["1", "2"] and [h.id for h in again[2].hits] == ["1", "2"]
    assert [h.id for h in again[1].hits] == ["2"]
    assert analysed[once:] == ["Maria Zakharova", "lavrov", "zakharova"]  # each later query's own name only


def test_a_statement_takes_its_articles_id_title_and_file_from_the_article(tmp_path: Path) -> None:
    """A statement stores only its article's key (schema 7: it stored the article's title, file and id
    again, a third of the quotes' stored bytes): hits still show them, and a statement whose article is not
    in the index (as between the two commits of a killed run) shows none instead of failing."""
    from searchkit import querylang
    from searchkit.engine import api, index

    src = tmp_path / "src"
    src.mkdir()
    (src / "harbour.txt").write_text(ARTICLE, encoding="utf-8")
    ix = tmp_path / "ix"
    index_paths([src], ix, workers=1)
    _total, hits = search_quotes(ix, "fishing boat")
    assert (hits[0].article_id, hits[0].title, hits[0].path) == ("harbour.txt", "Harbour talks resume in Tovik",
                                                               str(src / "harbour.txt"))
    with index.searching(ix, "quotes") as searcher:
        stored = [searcher.stored_fields(n) for n in range(searcher.doc_count_all())]
    assert all(set(f) <= {"article", "text", "end", "name", "role", "start", "direct", "date"} for f in stored), stored
    assert {f["article"] for f in stored} == {str(src / "harbour.txt") + "#0"}
    with api.QuoteReader(ix) as reader:
        reader._by_key[str(src / "harbour.txt") + "#0"] = None  # its article gone
        ranked = reader.search(querylang.parse("fishing").tree)
    (quote, _score), = ranked.hits
    assert (quote.article_id, quote.title, quote.source, quote.speaker) == ("", "", "", "Elena Marsh")
    assert quote.text == ""  # a span of the body it cannot read (schema 8)


def test_a_statement_that_is_a_span_of_its_body_stores_the_span_not_the_text(tmp_path: Path) -> None:
    """Schema 8: a statement whose text is `body[start:end]` stores `end` instead of the text (the article
    stores the body: a third of the quotes' stored bytes) and reads back the same text; one whose text is
    not its span stores the text."""
    from searchkit import querylang
    from searchkit.engine import api, index
    from searchkit.models import Article, Quote

    body = "“The harbour is open,” Ana Ruiz said. Ruiz said ships may dock."
    quotes = (Quote("Ana Ruiz", "The harbour is open", 1, 20), Quote("Ana Ruiz", "Ships may dock", 48, 62, False))
    article = Article(id="h1", path=str(tmp_path / "h.txt"), title="Harbour", body=body, source_format="text",
                      quotes=quotes)
    ix = tmp_path / "ix"
    with api.WriteSession(ix) as session:
        session.add([article])
        session.commit()
    with index.searching(ix, "quotes") as searcher:
        stored = sorted((searcher.stored_fields(n) for n in range(searcher.doc_count_all())),
                        key=lambda f: f["start"])
    assert body[1:20] == "The harbour is open" and "text" not in stored[0] and stored[0]["end"] == 20
    assert stored[1]["text"] == "Ships may dock" and "end" not in stored[1]
    with api.Reader(ix) as reader:
        (doc,) = reader.documents()
    with api.QuoteReader(ix) as reader:
        assert [(q.text, q.start) for q in reader.of_article(doc)] == [("The harbour is open", 1),
                                                                     ("Ships may dock", 48)]
        ranked = reader.search(querylang.parse("harbour").tree)
        assert [q.text for q, _score in ranked.hits] == ["The harbour is open"]
