"""JSON and JSON Lines: one article per record (`title`, `body` / `text` / `content`, `date`, `id`,
`summary`, `speakers`); a bad record is reported and its neighbours are kept."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from searchkit.errors import UnreadableFile
from searchkit.models import Article, Speaker
from searchkit.reading.text import collapse, make_article, meta_date, scalar, title_from_body

_BODY_KEYS = ("body", "text", "content")

Record = tuple[int, str, object]  # (ordinal, "line 7: " / "record 2: " / "", parsed JSON value)


def _record_body(record: dict[str, Any]) -> str:
    """The first non-empty of `body` / `text` / `content` (a list of strings is joined as paragraphs)."""
    for key in _BODY_KEYS:
        value = record.get(key)
        if isinstance(value, list):
            value = "\n\n".join(v for v in value if isinstance(v, str))
        if isinstance(value, str) and value.strip():
            return value.replace("\r\n", "\n").strip()
    return ""


def _record_speakers(record: dict[str, Any]) -> tuple[Speaker, ...]:
    """Explicit speakers: `speakers` / `speaker` as a string, a list of names or of `{name, role}`."""
    value = record.get("speakers", record.get("speaker"))
    items = value if isinstance(value, list) else [value]
    speakers: list[Speaker] = []
    for item in items:
        if isinstance(item, dict) and scalar(item.get("name")):
            speakers.append(Speaker(scalar(item["name"]) or "", scalar(item.get("role"))))
        elif isinstance(item, str) and item.strip():
            speakers.append(Speaker(collapse(item)))
    return tuple(speakers)


def _record_fields(record: object, where: str, warnings: list[str]) -> dict[str, Any]:
    """Article fields of one JSON record; raises `UnreadableFile` for a record that cannot be one.

    A record with an `id` but no title and no body is returned with `"empty": True` (see
    `records_to_articles`: such records are kept only beside readable ones).
    """
    if not isinstance(record, dict):
        raise UnreadableFile(f"{where}not a JSON object")
    body = _record_body(record)
    title = collapse(scalar(record.get("title")) or "")
    record_id = scalar(record.get("id"))
    if not title and not body and record_id is None:
        raise UnreadableFile(f"{where}record has no title and no body")
    date = meta_date(record.get("date"), warnings, where)
    return {
        "id": record_id,
        "title": title or title_from_body(body),
        "summary": scalar(record.get("summary")),
        "date": date,
        "date_source": "json" if date else None,
        "speakers": _record_speakers(record),
        "body": body,
        "empty": not title and not body,
    }


def json_records(text: str) -> list[Record]:
    """The records of a JSON file: one object, or a list of them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise UnreadableFile("invalid JSON: nested too deeply") from None
    if isinstance(data, dict):
        return [(0, "", data)]
    if isinstance(data, list) and data:
        return [(n, f"record {n + 1}: ", item) for n, item in enumerate(data)]
    kind = "an empty list" if isinstance(data, list) else f"a {type(data).__name__}"
    raise UnreadableFile(f"JSON must be an object or a list of objects, not {kind}")


def jsonl_records(lines: Iterable[str], failures: list[str]) -> Iterator[Record]:
    """The records of JSON Lines, one at a time; a line that is not JSON goes to `failures` (and keeps its
    number)."""
    ordinal = 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield ordinal, f"line {lineno}: ", json.loads(line)
        except json.JSONDecodeError as exc:
            failures.append(f"line {lineno}: invalid JSON ({exc.msg}, column {exc.colno})")
        except RecursionError:
            failures.append(f"line {lineno}: invalid JSON (nested too deeply)")
        ordinal += 1


def iter_articles(records: Iterable[Record], path: Path, rel: str, fmt: str, failures: list[str],
                  ) -> Iterator[Article]:
    """Articles for the readable records, as they come; the others add to `failures`.

    A record with an id but no title and no body is kept (with a warning) only beside real articles: it
    waits for the first real one, and if none comes it is a failure too.
    """
    waiting: list[Article] | None = []  # None once a real article has been seen
    for ordinal, where, record in records:
        warnings: list[str] = []
        try:
            fields = _record_fields(record, where, warnings)
        except UnreadableFile as exc:
            failures.append(str(exc))
            continue
        empty = fields.pop("empty")
        if empty:
            warnings.append(f"{where}record has no title and no body")
        record_id = fields.pop("id") or f"{rel}#{ordinal + 1}"
        article = make_article(fields, record_id, path, ordinal, warnings, fmt)
        if waiting is None:
            yield article
        elif empty:
            waiting.append(article)
        else:
            yield from waiting
            yield article
            waiting = None
    if waiting:
        failures.extend(a.warnings[-1] for a in waiting)


def no_article(failures: list[str]) -> UnreadableFile:
    """The error for a file of records none of which is an article."""
    extra = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
    return UnreadableFile((failures[0] if failures else "no records") + extra)


def records_to_articles(
    records: Iterable[Record], path: Path, rel: str, fmt: str, file_warnings: list[str], failures: list[str],
) -> list[Article]:
    """Articles for the readable records; the others add to `failures`. Raises if none is readable.

    File-level warnings and the failures go on the first article.
    """
    articles = list(iter_articles(records, path, rel, fmt, failures))
    if not articles:
        raise no_article(failures)
    if file_warnings or failures:
        head = articles[0]
        articles[0] = replace(head, warnings=(*file_warnings, *failures, *head.warnings))
    return articles
