"""Articles to `add_document` arguments: keyword and id fields analysed into Whoosh posting items, text fields
given as text (the writer analyses them a batch at a time, `batch`).

Runs in worker processes. `analyse` is the per-document analysis of a text field, byte for byte Whoosh's
(tested): the reference the batch build is tested against.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh.system import pack_uint as _pack_uint

from searchkit import analysis, terms
from searchkit.engine.inline import position_value
from searchkit.models import Article

Item = tuple[bytes, int, float, bytes]


def span_end(body: str, text: str, start: Any) -> int | None:
    """Where `text` ends as the span of `body` at `start` (None: it is not that span). A quote that is one
    stores the end instead of its text, and takes its tokens from the body's (`batch`)."""
    if isinstance(start, int) and start >= 0 and text and body.startswith(text, start):
        return start + len(text)
    return None


def _date_fields(article: Article) -> dict[str, Any]:
    """The stored date and the period filter terms of an article (none when it is undated)."""
    if article.date is None:
        return {}
    return {"date": article.date, "period": keyword_items(",".join(terms.period_terms(article.date.date())))}


def id_items(value: str) -> list[Item]:
    """The posting items Whoosh's `ID` field gives a value (one term, no payload), without its analyzer."""
    return [(value.encode("utf-8"), 1, 1.0, b"")]


def keyword_items(value: str) -> list[Item]:
    """The posting items Whoosh's `KEYWORD(commas=True)` field gives a value: stripped comma-separated
    terms with their frequencies (byte for byte, tested), without its analyzer."""
    freqs: dict[str, int] = {}
    for part in value.split(","):
        if part:
            word = part.strip()
            freqs[word] = freqs.get(word, 0) + 1
    return [(w.encode("utf-8"), f, float(f), _pack_uint(f)) for w, f in freqs.items()]


def _add_id(doc: dict[str, Any], name: str, value: str | None) -> None:
    """Put a stored `ID` value into `doc` pre-analysed (its stored form beside it)."""
    if value is not None:
        doc[name] = id_items(value)
        doc["_stored_" + name] = value


def document_key(article: Article) -> str:
    """The unique key of an article: its file and its place in that file."""
    return f"{article.path}#{article.ordinal}"


encode_positions = position_value
"""Whoosh's `Positions.encode`, byte for byte (tested), single positions' encodings shared with `inline`."""


def analyse(text: str, encode_positions: Callable[[list[int]], bytes] = encode_positions
            ) -> tuple[list[Item], list[Item]]:
    """Posting items of `text` for a stemmed field and an exact field, from one pass of the tokenizer.

    Byte-for-byte what Whoosh's Frequency and Positions formats produce through `NewsAnalyzer`
    (tested), without a Token object and a format generator per word. Words are stemmed once each: a
    stem's frequency sums those of its words, and it comes first where its first word does.
    """
    positions = analysis.word_positions(text)
    stops, stem = analysis.STOPWORDS, analysis.stem
    freqs: dict[str, int] = {}
    for word, plist in positions.items():
        if word not in stops:
            st = stem(word)
            freqs[st] = freqs.get(st, 0) + len(plist)
    stemmed = [(w.encode(), f, float(f), _pack_uint(f)) for w, f in freqs.items()]
    exact = [(w.encode(), len(p), float(len(p)), encode_positions(p)) for w, p in positions.items()]
    return stemmed, exact


def pair_items(text: str, words: terms.PairWords) -> list[Item]:
    """Posting items of `text` for a pairs field (`schema.PairText`): `terms.pair_term` of every two words at
    adjacent positions, at the first word's position. The reference the batch build is tested against."""
    at: dict[int, list[str]] = {}
    for word, pos, _start, _end in analysis.tokens(text):
        at.setdefault(pos, []).append(word)
    positions: dict[str, list[int]] = {}
    for pos, here in at.items():
        for first in here:
            for second in at.get(pos + 1, ()):
                term = terms.pair_term(first, second, words)
                if term is not None:
                    positions.setdefault(term, []).append(pos)
    return [(w.encode(), len(p), float(len(p)), encode_positions(p)) for w, p in positions.items()]


def prepare(article: Article) -> dict[str, Any]:
    """Turn an article into `add_document` keyword arguments: keyword and id fields pre-analysed, text fields
    as their text under both the stemmed and the exact name (`schema.ANALYSED`; analysed in batches by the
    writer, `batch`)."""
    names = article.speaker_names
    speakers = ",".join(terms.document_speaker_terms(names))
    doc: dict[str, Any] = {
        "title": article.title,
        "body": article.body,
        "title_exact": article.title,
        "body_exact": article.body,
        "speaker": keyword_items(speakers) if speakers else None,
        "speakers": names,
        "roles": [s.role for s in article.speakers],
        "summary": article.summary,
        "fmt": article.source_format,
        "date_source": article.date_source,
    }
    _add_id(doc, "key", document_key(article))
    _add_id(doc, "id", article.id)
    _add_id(doc, "source", article.path)
    doc.update(_date_fields(article))
    return doc


def prepare_quotes(article: Article) -> list[dict[str, Any]]:
    """`add_document` arguments for each attributed statement of an article (what every quote of the article
    shares made once: its key, file and id, its date fields; each speaker's items once). A statement that is
    a span of the body stores the span's `end`, not its text (the article stores the body): a third of the
    quotes' stored bytes."""
    if not article.quotes:
        return []
    roles = {sp.name: sp.role for sp in article.speakers}
    key = document_key(article)
    shared: dict[str, Any] = {}  # the fields every quote of the article ends with (their items shared, as read only)
    _add_id(shared, "source", article.path)
    _add_id(shared, "article_id", article.id)
    shared.update(_date_fields(article))
    speaker_items: dict[str, list[Item] | None] = {}  # an article quotes a few people, each many times
    docs = []
    for quote in article.quotes:
        if quote.speaker not in speaker_items:
            speakers = ",".join(terms.speaker_terms(quote.speaker))
            speaker_items[quote.speaker] = keyword_items(speakers) if speakers else None
        doc: dict[str, Any] = {
            "text": quote.text,
            "text_exact": quote.text,
            "speaker": speaker_items[quote.speaker],
            "name": quote.speaker,
            "role": roles.get(quote.speaker),
            "start": quote.start,
            "direct": quote.direct,
            "article": key,  # stored only (`schema.build_quote_schema`)
        }
        end = span_end(article.body, quote.text, quote.start)
        if end is not None:
            doc["_stored_text"] = None  # a span of the stored body: `index.stored_quote` reads it there
            doc["end"] = end
        doc.update(shared)
        docs.append(doc)
    return docs
