"""Quotes take their tokens from their article's analysed body (`batch.link`): the quotes index is byte for byte
what analysing each quote's own text writes, and a quote that is not a clean span of its body is analysed."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from searchkit.engine import batch, workers, writing
from searchkit.engine.schema import QUOTES_NAME
from searchkit.engine.session import WriteSession
from searchkit.indexer import index_paths
from searchkit.models import Article, Quote

from .test_writing import _all_segment_files

_WORDS = ["harbour", "cease-fire", "O'Brien's", "Erdoğan", "talks", "the", "x-ray", "re-re-elect", "São", "38.101",
          "e-mail", "won't", "rock’n’roll", "ﬁne", "Straße", "and", "of", "2019-03-15", "tide", "port"]


def _quotes_files(index_dir: Path) -> list[tuple[str, bytes]]:
    return _all_segment_files(index_dir, QUOTES_NAME)


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the quotes whose tokens were cut from their article's, and those analysed on their own."""
    counts = {"reused": 0, "reanalysed": 0}
    original = batch._with_quotes

    def counted(vocab: Any, bodies: list[str], quotes: batch.TextPool) -> Any:
        before = quotes.reused, quotes.reanalysed
        out = original(vocab, bodies, quotes)
        counts["reused"] += quotes.reused - before[0]
        counts["reanalysed"] += quotes.reanalysed - before[1]
        return out

    monkeypatch.setattr(batch, "_with_quotes", counted)
    return counts


def _article(number: int, body: str, quotes: list[tuple[str, int]]) -> Article:
    return Article(id=f"a{number}", path=f"/docs/a{number}.txt", title=f"Note {number}", body=body,
                   source_format="txt", ordinal=0,
                   quotes=tuple(Quote("Ana Ruiz", text, start, start + len(text)) for text, start in quotes))


def _tricky() -> tuple[list[Article], int]:
    """Articles whose quotes are clean spans (compounds, possessives and marks at their ends, a whole body,
    overlaps) and some that are not (a normalised text, spans cutting a word, an apostrophe or a compound, a
    start past the body or before it, an empty body); and how many are not."""
    body = "“Cease-fire talks, O'Brien's x-ray,” Ana Ruiz said. Harbour re-re-elect won't — 2019-03-15 São."
    clean = [(body[1:35], 1), (body[:1], 0), (body, 0), (body[12:17], 12), (body[1:12], 1), (body[37:45], 37),
             (body[52:], 52), (body[60:77], 60)]
    unclean = [("Cease-fire  talks", 1), (body[2:12], 2), (body[1:7], 1), (body[21:30], 21), ("talks", 500),
               (body[1:40], 0), (body[:3], 0), (body[5:12], 5), (body[-4:], -4)]
    articles = [_article(0, body, clean + unclean), _article(1, "", [("nothing here", 0)]),
                _article(2, "Short one.", [])]
    rng = random.Random(7)
    for number in range(3, 40):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(0, 60))]
        text = " ".join(words) + "."
        spans = []
        for _ in range(rng.randint(0, 4)):
            if len(words) > 2:
                a, b = sorted(rng.sample(range(len(words) + 1), 2))
                start = len(" ".join(words[:a])) + (1 if a else 0)
                spans.append((" ".join(words[a:b]), start))
        articles.append(_article(number, text, spans))
    return articles, len(unclean) + 1


def _write(index_dir: Path, articles: list[Article]) -> None:
    with WriteSession(index_dir, rebuild=True) as session:
        session.add(articles)
        session.commit()


@pytest.mark.parametrize("batch_docs", [256, 3, 1])
def test_quote_postings_are_those_of_analysing_each_quote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          batch_docs: int) -> None:
    """Quotes cut from their articles' tokens write the same quotes segment (terms, positions, lengths, stored
    fields) as every quote analysed on its own, batches of articles large or small; only the quotes that are
    not clean spans of their body are analysed."""
    monkeypatch.setattr(batch, "BATCH_DOCS", batch_docs)
    articles, unclean = _tricky()
    quotes = sum(len(a.quotes) for a in articles)
    counts = _counting(monkeypatch)
    _write(tmp_path / "reused", articles)
    assert counts == {"reused": quotes - unclean, "reanalysed": unclean}
    monkeypatch.setattr(batch, "splits_cleanly", lambda _text, _offset: False)  # no span is clean: all analysed
    _write(tmp_path / "analysed", articles)
    assert counts == {"reused": quotes - unclean, "reanalysed": quotes + unclean}
    reused, analysed = _quotes_files(tmp_path / "reused"), _quotes_files(tmp_path / "analysed")
    assert len(reused) >= 4
    assert reused == analysed


def test_segment_workers_reuse_article_tokens_for_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers writing their own segments (extracted quotes, batches ending between an article and its
    quotes) write the quotes segments that analysing every quote writes."""
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 4)
    monkeypatch.setattr(batch, "BATCH_DOCS", 3)
    docs = tmp_path / "docs"
    docs.mkdir()
    rng = random.Random(3)
    for i in range(24):
        said = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12)))
        (docs / f"n{i:03}.txt").write_text(f"Note {i}\n\n“{said},” Ana Ruiz said. Harbour talks.\n\n"
                                           f"“The cease-fire holds,” Karl Osten said on Monday.\n", encoding="utf-8")
    index_paths([docs], tmp_path / "reused", workers=2)
    monkeypatch.setattr(batch, "splits_cleanly", lambda _text, _offset: False)
    index_paths([docs], tmp_path / "analysed", workers=2)
    reused, analysed = _quotes_files(tmp_path / "reused"), _quotes_files(tmp_path / "analysed")
    assert len(reused) >= 8  # two segments
    assert reused == analysed


def test_a_quote_waits_for_its_article(tmp_path: Path) -> None:
    """Quotes added before their article (as `IndexWriter.add` adds them) wait in the quotes pool until the
    article's batch is analysed; flushing the quotes writer first processes the articles."""
    writer = writing.IndexWriter(tmp_path / "ix", rebuild=True)
    try:
        body = "“Harbour talks,” Ana Ruiz said."
        writer.add({"title": "t", "body": body, "title_exact": "t", "body_exact": body},
                   [{"text": "Harbour talks", "text_exact": "Harbour talks", "start": 1}])
        assert len(writer.quote_writer.pool.pending) == 1
        assert writer.quote_writer.pool.origins == [0]
        batch.process(writer.quote_writer)
        assert writer.writer.pool.pending == writer.quote_writer.pool.pending == []
        assert (writer.quote_writer.pool.reused, writer.quote_writer.pool.reanalysed) == (1, 0)
    finally:
        writer.cancel()
