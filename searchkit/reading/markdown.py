"""Markdown articles: optional front matter (a simple YAML subset), a title heading, the body without
markup."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from searchkit.dates import dateline, header_date
from searchkit.models import Speaker
from searchkit.reading.text import as_list, blocks, collapse, meta_date, nonempty, same_text, scalar

# Each pattern is linear in its line: no two quantified parts can match the same characters, a bracket or
# tag cannot open inside another (so a line of "[[[[" is scanned once), and emphasis spans are bounded.
EMPHASIS_MAX = 300  # characters an emphasised span may hold
_HEADING = re.compile(r"\s{0,3}(?P<level>#{1,6})\s+(?P<text>.*)")  # closing "#"s: see `_heading_text`
_SETEXT = re.compile(r"\s{0,3}(?:=+|-+)\s*")
_RULE = re.compile(r"\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\[\]]*)\](?:\([^()]*\)|\[[^\[\]]*\])")
_EMPHASIS = re.compile(rf"(\*\*|__|\*|`{{1,3}}|~~)(?=\S)(.{{1,{EMPHASIS_MAX}}}?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_FM_KEY = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:(?P<value>(?:\s.*)?)")
_FM_ITEM = re.compile(r"\s*-\s(?P<value>.*)")
_FRONT_MATTER_END = frozenset({"---", "..."})


def _heading_text(match: re.Match[str]) -> str:
    """A heading's text without a closing sequence of "#"s (which must follow whitespace)."""
    text = match["text"].strip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and bare[-1:].isspace() else text


def _unquote(value: str) -> str:
    """Strip matching quotes from a front-matter scalar."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value


def _fm_value(raw: str) -> str | list[str]:
    """A front-matter value: a scalar, or an inline list `[a, "b"]`."""
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return [v for v in (_unquote(item) for item in raw[1:-1].split(",")) if v]
    return _unquote(raw)


def parse_front_matter(lines: Sequence[str]) -> dict[str, str | list[str]]:
    """Parse the simple YAML subset used in front matter: `key: value`, quotes, inline and dash lists."""
    data: dict[str, str | list[str]] = {}
    key: str | None = None
    for line in lines:
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _FM_ITEM.fullmatch(line)
        if item and key is not None:
            current = data.get(key)
            items = current if isinstance(current, list) else []
            items.append(_unquote(item["value"]))
            data[key] = items
            continue
        match = _FM_KEY.fullmatch(line)
        if match:
            key = match["key"].lower()
            data[key] = _fm_value(match["value"])
    return data


def _split_front_matter(lines: list[str]) -> tuple[dict[str, str | list[str]], list[str]]:
    """`(front matter, remaining lines)`; no front matter unless the file starts with a closed `---` block."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for index in range(1, len(lines)):
        if lines[index].strip() in _FRONT_MATTER_END:
            return parse_front_matter(lines[1:index]), lines[index + 1 :]
    return {}, lines


def strip_markup(line: str) -> str:
    """Plain text of one Markdown line: no heading/quote markers, emphasis, code ticks, links or tags."""
    heading = _HEADING.fullmatch(line)
    if heading:
        line = _heading_text(heading)
    line = line.lstrip()
    while line.startswith(">"):
        line = line[1:].lstrip()
    line = _IMAGE_OR_LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return _HTML_TAG.sub("", line)


def _markdown_title(lines: list[str]) -> tuple[str | None, int | None]:
    """The document's title and the line(s) it occupies: a leading heading, a `# ` heading, or line one."""
    first = nonempty(lines, limit=1)
    if not first:
        return None, None
    top = first[0]
    if top + 1 < len(lines) and lines[top + 1].strip() and _SETEXT.fullmatch(lines[top + 1]):
        return collapse(strip_markup(lines[top])), top
    for index, line in enumerate(lines):
        heading = _HEADING.fullmatch(line)
        if heading and (index == top or len(heading["level"]) == 1):
            return collapse(strip_markup(line)), index
    return collapse(strip_markup(lines[top])), top


def _markdown_body(lines: Sequence[str]) -> str:
    """Body paragraphs of Markdown lines with simple markup removed; list items keep their own lines."""
    out: list[str] = []
    for block in blocks(lines):
        kept = [line for line in block if not _RULE.fullmatch(line) and not _SETEXT.fullmatch(line)]
        if any(_LIST_ITEM.match(line) for line in kept):
            text = "\n".join(collapse(strip_markup(line)) for line in kept)
        else:
            text = collapse(" ".join(strip_markup(line) for line in kept))
        if text.strip():
            out.append(text.strip())
    return "\n\n".join(out)


def _header_date(lines: list[str]) -> tuple[datetime | None, str | None, list[str]]:
    """The date of an article without front matter, its source and the lines left: a line that is only a
    date among the first non-empty lines (dropped), or a dateline opening the first one (kept)."""
    header = nonempty(lines)
    texts = [strip_markup(lines[i]) for i in header]
    date, found = header_date(texts)
    if found is not None:
        return date, "header", [line for i, line in enumerate(lines) if i != header[found]]
    date = dateline(texts[0]) if texts else None
    return date, ("dateline" if date else None), lines


def parse_markdown(lines: list[str], warnings: list[str]) -> dict[str, Any]:
    """Fields of a Markdown article: front matter, then title heading, then body."""
    meta, lines = _split_front_matter(lines)
    title = scalar(meta.get("title"))
    heading_title, heading_index = _markdown_title(lines)
    drop: set[int] = set()
    if heading_index is not None and (not title or same_text(title, heading_title or "")):
        title = title or heading_title
        drop.add(heading_index)
        if heading_index + 1 < len(lines) and _SETEXT.fullmatch(lines[heading_index + 1]):
            drop.add(heading_index + 1)
    body_lines = [line for i, line in enumerate(lines) if i not in drop]
    date = meta_date(meta.get("date"), warnings)
    source = "front-matter" if date else None
    if date is None and "date" not in meta:
        date, source, body_lines = _header_date(body_lines)
    speakers = as_list(meta.get("speakers", meta.get("speaker")))
    return {
        "id": scalar(meta.get("id")),
        "title": title or "",
        "summary": scalar(meta.get("summary", meta.get("description"))),
        "date": date,
        "date_source": source,
        "speakers": tuple(Speaker(name) for name in speakers),
        "body": _markdown_body(body_lines),
        "source_format": "markdown",
    }
