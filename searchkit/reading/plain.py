"""Plain text: the seed layout (title, summary, `Publication:` line, body) and any other text file
(a title line, an optional header of date, byline and URL lines, then the body)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from searchkit.dates import date_line, dateline, parse_date
from searchkit.errors import UnreadableFile
from searchkit.reading.text import (
    TITLE_MAX,
    collapse,
    has_sentence_end,
    nonempty,
    paragraphs,
    same_text,
    title_from_body,
)

_PUBLICATION = re.compile(r"\s*Publication\s*:(?P<value>.*)", re.I)  # value stripped after: linear
_NOISE_MAX = 60
_MARKER = re.compile(r"^\s*(?:--+|—|–)(?:\s+|$)")
_URL_LINE = re.compile(r"<?(?:https?://|www\.)\S+>?")
_BYLINE = re.compile(r"(?i:by):?\s+[A-ZÀ-Ý]\S*(?:\s+\S+){0,10}")


# --------------------------------------------------------------------------- seed layout


def seed_publication(lines: Sequence[str]) -> int | None:
    """The index of a `Publication:` line among the first non-empty lines (not the title), if any."""
    for index in nonempty(lines)[1:]:
        if _PUBLICATION.fullmatch(lines[index]):
            return index
    return None


def _is_noise(line: str) -> bool:
    """A short site-furniture line ("Abone Ol google-news"): not a sentence, few words."""
    text = line.strip()
    return len(text) <= _NOISE_MAX and len(text.split()) <= 6 and text[-1] not in ".!?:;,\"'”’)"


def parse_seed(lines: list[str], pub: int, warnings: list[str]) -> dict[str, Any]:
    """Fields of a seed-layout article (title, summary, Publication line, repeated title, noise, body)."""
    title_index = nonempty(lines, limit=1)[0]
    title = collapse(lines[title_index])
    summary = " ".join(paragraphs(lines[title_index + 1 : pub])) or None
    value = _PUBLICATION.fullmatch(lines[pub])["value"].strip()  # type: ignore[index]  # matched before
    date = parse_date(value)
    if date is None:
        warnings.append(f"unrecognised publication date {value!r}")
    rest = pub + 1
    if rest < len(lines) and lines[rest].strip() and same_text(lines[rest], title):
        rest += 1
    if rest < len(lines) and lines[rest].strip() and _is_noise(lines[rest]):
        rest += 1
    body = "\n\n".join(paragraphs(lines[rest:]))
    return {"title": title, "summary": summary, "date": date, "date_source": "publication" if date else None,
            "body": body, "source_format": "seed"}


# --------------------------------------------------------------------------- plain text


def _strip_marker(line: str) -> str:
    """Drop a leading "-- " header marker (Reuters style) and surrounding whitespace."""
    return _MARKER.sub("", line, count=1).strip()


def _header_kind(line: str) -> tuple[str | None, datetime | None]:
    """Classify a header line: ("marker" | "url" | "byline" | "date" | None for content, its date)."""
    text = _strip_marker(line)
    if not text:
        return "marker", None
    if _URL_LINE.fullmatch(text):
        return "url", None
    if len(text) <= 80 and text[-1] not in ".!?:;," and _BYLINE.fullmatch(text):
        return "byline", None
    date = date_line(text)
    return ("date" if date else None), date


def _title_line(lines: Sequence[str]) -> int | None:
    """Index of the first line with text once a leading "-- " marker is removed."""
    for index, line in enumerate(lines):
        if _strip_marker(line):
            return index
    return None


def _plain_header(lines: list[str], start: int) -> tuple[datetime | None, str | None, set[int]]:
    """The date, where it came from, and the header lines to drop after the title.

    The header is a leading run of date, byline and URL lines. If that run has no date, a line that is
    only a date among the first non-empty lines is used and dropped; or else a wire-copy dateline opening
    the first body line ("WASHINGTON, Sept. 12, 2006 (Reuters) - ...") is used and the line stays. A
    date anywhere else, inside a sentence, never dates the article.
    """
    date: datetime | None = None
    drop: set[int] = set()
    candidates = nonempty(lines, start)
    for index in candidates:
        kind, found = _header_kind(lines[index])
        if kind is None:
            break
        drop.add(index)
        date = date or found
    if date is not None:
        return date, "header", drop
    rest = [i for i in candidates if i not in drop]
    texts = [_strip_marker(lines[i]) for i in rest]
    for index, text in zip(rest, texts, strict=True):
        if (found := date_line(text)) is not None:
            return found, "header", drop | {index}
    found = dateline(texts[0]) if texts else None
    return found, ("dateline" if found else None), drop


def parse_plain(lines: list[str]) -> dict[str, Any]:
    """Fields of a plain-text article: title line, optional header (date, byline, URL), body.

    A first line that is really a paragraph (long, with a sentence end) stays in the body and the
    title is derived from it.
    """
    title_index = _title_line(lines)
    if title_index is None:  # nothing but "--" marker lines
        raise UnreadableFile("no title and no body")
    title = collapse(_strip_marker(lines[title_index]))
    body_start = title_index + 1
    if len(title) > 2 * TITLE_MAX and has_sentence_end(title):
        title, body_start = title_from_body(title), title_index
    date, source, drop = _plain_header(lines, body_start)
    body_lines = [line for i, line in enumerate(lines[body_start:], body_start) if i not in drop]
    body = "\n\n".join(paragraphs(body_lines, soft_breaks=True))
    return {"title": title, "date": date, "date_source": source, "body": body, "source_format": "text"}
