"""Helpers every format parser shares: whitespace, blocks and paragraphs, derived titles, field values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from searchkit.models import Article

HEADER_LINES = 6  # how many non-empty lines near the top may hold a date, byline or URL
TITLE_MAX = 100  # characters of a title derived from a body

# Two or more spaces after a sentence end: a paragraph break in hard-wrapped wire copy. Spelled to start with
# a space or tab (the sentence end checked behind it): the regex engine then skips to the next space or tab,
# where a lookbehind first would be tried at every character (a third of the split's time).
_SOFT_BREAK = re.compile(r"[ \t](?<=[.!?\"'”’)][ \t])[ \t]+(?=[\"“‘'(]?[A-Z0-9])")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return " ".join(text.split())


def same_text(a: str, b: str) -> bool:
    """Equal up to case and whitespace."""
    return collapse(a).casefold() == collapse(b).casefold()


def blocks(lines: Sequence[str]) -> Iterator[list[str]]:
    """Group lines into blocks separated by blank lines."""
    block: list[str] = []
    for line in lines:
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def _join_wrapped(block: Sequence[str]) -> str:
    """Join hard-wrapped lines; a line ending in whitespace continues directly (keeps double spaces)."""
    return "".join(line if line[-1:] in (" ", "\t") else line + " " for line in block)


def paragraphs(lines: Sequence[str], *, soft_breaks: bool = False) -> list[str]:
    """Paragraphs of body lines, one line each; `soft_breaks` also splits at double-spaced sentence ends."""
    out: list[str] = []
    for block in blocks(lines):
        text = _join_wrapped(block)
        parts = _SOFT_BREAK.split(text) if soft_breaks and "  " in text else (text,)
        out.extend(p for p in map(collapse, parts) if p)
    return out


def has_sentence_end(text: str) -> bool:
    """Whether `text` holds a sentence end (".", "!" or "?" before whitespace or the end)."""
    return _SENTENCE_END.search(text) is not None


def title_from_body(body: str) -> str:
    """A title for an untitled record: the body's first sentence or line, cut to about TITLE_MAX chars."""
    first = collapse(body.lstrip().split("\n", 1)[0])
    end = _SENTENCE_END.search(first)
    if end and end.start() > 0:
        first = first[: end.end()].rstrip(" .") or first
    if len(first) <= TITLE_MAX:
        return first
    cut = first.rfind(" ", 0, TITLE_MAX)
    return first[: cut if cut > TITLE_MAX // 2 else TITLE_MAX].rstrip(" ,;:") + "…"


def nonempty(lines: Sequence[str], start: int = 0, limit: int = HEADER_LINES) -> list[int]:
    """Indices of the first `limit` non-empty lines from `start`."""
    found: list[int] = []
    for index in range(start, len(lines)):
        if lines[index].strip():
            found.append(index)
            if len(found) == limit:
                break
    return found


def scalar(value: object) -> str | None:
    """A non-empty string from a string or number field (ids: 7 -> "7", 7.0 -> "7"), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return text or None
    return None


def as_list(value: object) -> list[str]:
    """A front-matter or JSON value as a list of non-empty strings."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def meta_date(value: object, warnings: list[str], where: str = "") -> datetime | None:
    """A record's date from a string (any supported form) or a Unix timestamp; warn when unusable."""
    from searchkit.dates import parse_date  # here: its patterns (~7 ms) are for files read, and a re-run reads none

    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            pass
    elif isinstance(value, str) and (found := parse_date(value)) is not None:
        return found
    warnings.append(f"{where}unrecognised date {value!r}")
    return None


def make_article(
    fields: dict[str, Any], article_id: str, path: Path, ordinal: int, warnings: Sequence[str], fmt: str,
) -> Article:
    """Build an `Article` from parsed fields."""
    fields.setdefault("source_format", fmt)
    return Article(id=article_id, path=str(path), ordinal=ordinal, warnings=tuple(warnings), **fields)
