"""Stored articles as files other tools load: JSON Lines, CSV, or OpenSearch / Elasticsearch `_bulk` NDJSON
with the index mapping to create first.

Each writer takes the articles (with their statements, for the bulk format) and yields text lines, so the
command line streams an export of any size.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

from searchkit.reports import Statement
from searchkit.results import StoredDoc

FORMATS = ("jsonl", "csv", "opensearch")
CSV_COLUMNS = ("id", "path", "title", "date", "date_source", "speakers", "speaker_roles", "summary", "body")
LIST_SEPARATOR = "; "


def article(doc: StoredDoc) -> dict[str, Any]:
    """One article as a JSON-ready record (the shape of `searchkit show --json` and of an export line)."""
    return {"id": doc.id, "path": doc.source, "title": doc.title, "date": doc.date.isoformat() if doc.date else None,
            "date_source": doc.date_source, "speakers": list(doc.speakers), "speaker_roles": list(doc.roles),
            "summary": doc.summary, "body": doc.body}


def jsonl(docs: Iterable[StoredDoc]) -> Iterator[str]:
    """One JSON object per line."""
    for doc in docs:
        yield json.dumps(article(doc), ensure_ascii=False) + "\n"


def csv_rows(docs: Iterable[StoredDoc]) -> Iterator[str]:
    """A header, then one CSV row per article (lists joined with `; `)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for doc in docs:
        record = article(doc)
        writer.writerow([cell(record[c]) for c in CSV_COLUMNS])
        yield buf.getvalue()
        buf.seek(0)
        buf.truncate()
    yield buf.getvalue()


def cell(value: Any) -> str:
    """A record value as one CSV/TSV cell."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    return str(value)


def bulk(docs: Iterable[tuple[StoredDoc, list[Statement]]], index_name: str) -> Iterator[str]:
    """OpenSearch / Elasticsearch `_bulk` NDJSON: an `index` action line, then the article, per article."""
    for doc, statements in docs:
        yield json.dumps({"index": {"_index": index_name, "_id": doc.id}}, ensure_ascii=False) + "\n"
        yield json.dumps(bulk_source(doc, statements), ensure_ascii=False) + "\n"


def bulk_source(doc: StoredDoc, statements: list[Statement]) -> dict[str, Any]:
    """The `_source` of one article: its record plus its statements (nested objects)."""
    return {**article(doc), "quotes": [{"speaker": s.speaker, "role": s.role, "text": s.text, "start": s.start,
                                        "direct": s.direct} for s in statements]}


def _name_field() -> dict[str, Any]:
    """A person's name: exact (filters, aggregations) with a `.text` sub-field for word matches."""
    return {"type": "keyword", "fields": {"text": {"type": "text"}}}


MAPPING: dict[str, Any] = {
    "settings": {"index": {"number_of_shards": 1}},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "id": {"type": "keyword"},
            "path": {"type": "keyword"},
            "title": {"type": "text", "analyzer": "english"},
            "summary": {"type": "text", "analyzer": "english"},
            "body": {"type": "text", "analyzer": "english"},
            "date": {"type": "date"},
            "date_source": {"type": "keyword"},
            "speakers": _name_field(),
            "speaker_roles": {"type": "text"},
            "quotes": {
                "type": "nested",
                "properties": {
                    "speaker": _name_field(),
                    "role": {"type": "text"},
                    "text": {"type": "text", "analyzer": "english"},
                    "start": {"type": "integer"},
                    "direct": {"type": "boolean"},
                },
            },
        },
    },
}
"""The index to create before loading `bulk` output: English-analysed title, summary and body, `date` as
a date, speakers as keywords with a text sub-field, statements as nested objects (so "Volcker said
*inflation*" matches one statement, not a speaker from one and words from another)."""


def mapping_json() -> str:
    """`MAPPING` as the body of `PUT /<index>`."""
    return json.dumps(MAPPING, indent=2) + "\n"
