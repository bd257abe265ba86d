"""Reading one file in its format, chosen by extension (see `files`): plain text (the seed layout is
recognised inside it), Markdown, JSON and JSON Lines."""

from __future__ import annotations

from pathlib import Path

from searchkit.errors import UnreadableFile
from searchkit.models import Article
from searchkit.reading.decoding import decode
from searchkit.reading.files import (
    DEFAULT_MAX_SIZE,
    INDEXABLE_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    MARKDOWN_SUFFIXES,
    load,
    suffix,
)
from searchkit.reading.markdown import parse_markdown
from searchkit.reading.plain import parse_plain, parse_seed, seed_publication
from searchkit.reading.records import json_records, jsonl_records, records_to_articles
from searchkit.reading.text import make_article


def read_articles(path: Path, rel: str, data: bytes | None = None, *, max_size: int = DEFAULT_MAX_SIZE,
                  ) -> list[Article]:
    """Read one file as articles (one for text and Markdown, one per record for JSON / JSON Lines).

    `data`, when given, is the file's content already read (see `files.load`; the file is not read again);
    otherwise at most `max_size` bytes of it are read. Raises `UnreadableFile` with a short reason when
    the file cannot give any article.
    """
    ext = suffix(path.name)
    if ext not in INDEXABLE_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {ext}")
    loaded: list[str] = []
    if data is None:
        data, loaded = load(str(path), max_size)
    text, warnings = decode(data)
    warnings = loaded + warnings
    if ext in JSON_SUFFIXES or ext in JSONL_SUFFIXES:
        failures: list[str] = []
        is_lines = ext in JSONL_SUFFIXES
        records = jsonl_records(text.split("\n"), failures) if is_lines else json_records(text)
        return records_to_articles(records, path, rel, "jsonl" if is_lines else "json", warnings, failures)
    lines = text.split("\n")
    if ext in MARKDOWN_SUFFIXES:
        fields = parse_markdown(lines, warnings)
        article_id = fields.pop("id") or rel
        if not fields["title"] and not fields["body"]:
            raise UnreadableFile("no title and no body")
        return [make_article(fields, article_id, path, 0, warnings, "markdown")]
    pub = seed_publication(lines)
    fields = parse_seed(lines, pub, warnings) if pub is not None else parse_plain(lines)
    return [make_article(fields, rel, path, 0, warnings, "text")]
