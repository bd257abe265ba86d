"""The engine's interface (`engine/api.py`): every read operation returns searchkit records, with the
stored `date_source`, exact totals and the undated count."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from searchkit import querylang
from searchkit.engine import api
from searchkit.reports import StoredQuote
from searchkit.results import StoredDoc


def tree(text: str) -> querylang.Node | None:
    return querylang.parse(text).tree


def test_reader_operations(built: Path, corpus: Path) -> None:
    with api.Reader(built) as reader:
        ranked = reader.search(tree("oil prices"), limit=1)
        assert ranked.total == 2 and len(ranked.hits) == 1 and not ranked.fallback_any
        doc, score = ranked.hits[0]
        assert isinstance(doc, StoredDoc) and score > 0 and "oil" in ranked.spec.stems
        assert [d.id for d, _ in reader.search(tree("oil prices"), offset=1, limit=5).hits] != [doc.id]
        fallback = reader.search(tree("oil zebra"), fallback_any=True)
        assert fallback.total == 2 and fallback.fallback_any
        assert reader.search(tree("oil zebra")).total == 0
        a1 = reader.get("a1")
        assert a1 is not None and a1.date_source == "json" and a1.date == datetime(2023, 1, 15, 9, 0)
        assert reader.get(a1.key) == a1 and reader.get("nope") is None
        assert reader.get("a5").date_source is None  # undated: no source
        assert [d.id for d in reader.by_source(a1.source)] == ["a1", "a2", "a3", "a4", "a5"]
        assert sorted(d.id for d in reader.documents()) == ["a1", "a2", "a3", "a4", "a5"]
        assert [d.id for d in reader.matching(None, speakers=["ruiz"])] == ["a4", "a3"]  # newest first
        assert reader.doc_count() == 5 and reader.undated_count() == 1
        assert reader.date_span() == (datetime(2023, 1, 15, 9, 0), datetime(2024, 2, 29, 8, 30))
        assert reader.year_span() == (2023, 2024)
        assert [(c.name, c.articles) for c in reader.speaker_counts(2)] == [("Ana Ruiz", 2), ("Elena Marsh", 2)]
        assert reader.suggest(tree("pease")) == {"pease": "peace"}
    assert api.doc_count(built) == 5 and api.index_size(built) > 0 and api.last_update(built) is not None


def test_quote_reader(tmp_path: Path) -> None:
    from searchkit.indexer import index_paths

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "n.txt").write_text("Harbour note\n\n“The harbour is open,” Ana Ruiz said. “Ships may dock,” Ruiz said.\n",
                                encoding="utf-8")
    index_paths([docs], tmp_path / "ix", workers=1)
    with api.Reader(tmp_path / "ix") as reader:
        (note,) = reader.documents()
    with api.QuoteReader(tmp_path / "ix") as quotes:
        ranked = quotes.search(tree("harbour"), speakers=["ruiz"])
        assert ranked.total == 1 and isinstance(ranked.hits[0][0], StoredQuote)
        assert ranked.hits[0][0].source == note.source and ranked.hits[0][0].article_id == note.id
        statements = quotes.of_article(note)
        assert [q.text for q in statements] == ["The harbour is open", "Ships may dock"]
        assert [q.speaker for q in statements] == ["Ana Ruiz", "Ana Ruiz"]
        assert statements[0].start < statements[1].start


def test_write_session_commits_once_or_not_at_all(tmp_path: Path) -> None:
    from searchkit.models import Article

    ix = tmp_path / "ix"
    article = Article(id="x1", path=str(tmp_path / "x.txt"), title="Harbour", body="The harbour opened.",
                      source_format="text", date_source=None)
    with api.WriteSession(ix) as session:
        session.add([article])  # not committed: leaving the block cancels
    assert api.doc_count(ix) == 0
    with api.WriteSession(ix) as session:
        session.add([article])
        assert session.commit() == 1
    with api.Reader(ix) as reader:
        assert reader.get("x1") is not None and reader.undated_count() == 1
    with api.WriteSession(ix) as session:
        session.delete_sources([article.path])
        assert session.commit() == 0
