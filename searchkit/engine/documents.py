"""Articles to `add_document` arguments: text analysed once into Whoosh posting items, plus keyword terms.

Runs in worker processes, so the writer only pools postings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from whoosh.system import pack_uint as _pack_uint

from searchkit import analysis
from searchkit.engine.schema import quote_schema, schema
from searchkit.models import Article


def period_terms(when: date) -> list[str]:
    """The date filter terms of a day: its year, month and day."""
    return [f"{when.year:04d}", f"{when.year:04d}-{when.month:02d}", when.strftime("%Y-%m-%d")]


def speaker_terms(names: Sequence[str]) -> list[str]:
    """Keyword terms for speakers: each folded full name and its surname."""
    terms: list[str] = []
    for name in names:
        words = [analysis.fold(w) for w in name.replace(",", " ").split()]
        words = [w for w in words if w]
        if not words:
            continue
        full = " ".join(words)
        for term in (full, words[-1]):
            if term not in terms:
                terms.append(term)
    return terms


def _date_fields(article: Article) -> dict[str, Any]:
    """The stored date and the period filter terms of an article (none when it is undated)."""
    if article.date is None:
        return {}
    return {"date": article.date, "period": ",".join(period_terms(article.date.date()))}


def document_key(article: Article) -> str:
    """The unique key of an article: its file and its place in that file."""
    return f"{article.path}#{article.ordinal}"

Item = tuple[bytes, int, float, bytes]


def analyse(text: str, encode_positions: Any) -> tuple[list[Item], list[Item]]:
    """Posting items of `text` for a stemmed field and an exact field, from one pass of the tokenizer.

    Byte-for-byte what Whoosh's Frequency and Positions formats produce through `NewsAnalyzer`
    (tested), without a Token object and a format generator per word.
    """
    stops, stem = analysis.STOPWORDS, analysis.stem
    freqs: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    for word, pos, _start, _end in analysis.tokens(text):
        plist = positions.get(word)
        if plist is None:
            positions[word] = [pos]
        else:
            plist.append(pos)
        if word not in stops:
            st = stem(word)
            freqs[st] = freqs.get(st, 0) + 1
    stemmed = [(w.encode("utf-8"), f, float(f), _pack_uint(f)) for w, f in freqs.items()]
    exact = [(w.encode("utf-8"), len(p), float(len(p)), encode_positions(p)) for w, p in positions.items()]
    return stemmed, exact


def prepare(article: Article) -> dict[str, Any]:
    """Turn an article into `add_document` keyword arguments, with text fields pre-analysed."""
    sch = schema()
    names = article.speaker_names
    encode = sch["body_exact"].format.encode
    title, title_exact = analyse(article.title, encode)
    body, body_exact = analyse(article.body, encode)
    doc: dict[str, Any] = {
        "key": document_key(article),
        "id": article.id,
        "source": article.path,
        "title": title,
        "_stored_title": article.title,
        "body": body,
        "_stored_body": article.body,
        "title_exact": title_exact,
        "body_exact": body_exact,
        "speaker": ",".join(speaker_terms(names)) or None,
        "speakers": names,
        "roles": [s.role for s in article.speakers],
        "summary": article.summary,
        "fmt": article.source_format,
    }
    doc.update(_date_fields(article))
    return doc


def prepare_quotes(article: Article) -> list[dict[str, Any]]:
    """`add_document` arguments for each attributed statement of an article."""
    encode = quote_schema()["text_exact"].format.encode
    roles = {sp.name: sp.role for sp in article.speakers}
    docs = []
    for n, quote in enumerate(article.quotes):
        text, text_exact = analyse(quote.text, encode)
        doc: dict[str, Any] = {
            "key": f"{document_key(article)}#q{n}",
            "source": article.path,
            "article_id": article.id,
            "title": article.title,
            "text": text,
            "_stored_text": quote.text,
            "text_exact": text_exact,
            "speaker": ",".join(speaker_terms([quote.speaker])) or None,
            "name": quote.speaker,
            "role": roles.get(quote.speaker),
            "start": quote.start,
            "direct": quote.direct,
        }
        doc.update(_date_fields(article))
        docs.append(doc)
    return docs
