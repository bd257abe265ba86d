"""Which files are articles, and reading one: by extension, plain text (`.txt`, `.text`, none; the seed
layout is recognised inside it), Markdown (`.md`, `.markdown`), JSON (`.json`) and JSON Lines (`.jsonl`,
`.ndjson`)."""

from __future__ import annotations

from pathlib import Path

from searchkit.errors import UnreadableFile
from searchkit.models import Article
from searchkit.reading.decoding import decode, read_text
from searchkit.reading.markdown import parse_markdown
from searchkit.reading.plain import parse_plain, parse_seed, seed_publication
from searchkit.reading.records import json_records, jsonl_records, records_to_articles
from searchkit.reading.text import make_article

TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
INDEXABLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES


def suffix(name: str) -> str:
    """The lower-cased extension of a file name ("" for none; a leading dot is not an extension)."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip(".") else ""


def unsupported(name: str) -> str | None:
    """Why a file of this name is not indexable, or None when it is."""
    ext = suffix(name)
    return None if ext in INDEXABLE_SUFFIXES else f"unsupported file type {ext}"


def read_articles(path: Path, rel: str, data: bytes | None = None) -> list[Article]:
    """Read one file as articles (one for text and Markdown, one per record for JSON / JSON Lines).

    `data`, when given, is the file's content already read (the file is not read again).
    Raises `UnreadableFile` with a short reason when the file cannot give any article.
    """
    ext = suffix(path.name)
    if ext not in INDEXABLE_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {ext}")
    text, warnings = read_text(path) if data is None else decode(data)
    if ext in JSON_SUFFIXES or ext in JSONL_SUFFIXES:
        failures: list[str] = []
        is_lines = ext in JSONL_SUFFIXES
        records = jsonl_records(text, failures) if is_lines else json_records(text)
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
