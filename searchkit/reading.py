"""Files to `Article` records: find indexable files under folders, decode them and parse each format.

Formats, by extension: plain text (`.txt`, `.text`, no extension; the seed layout with a `Publication:`
line is recognised inside it), Markdown (`.md`, `.markdown`, optional front matter), JSON (an object or
a list of objects) and JSON Lines (`.jsonl`, `.ndjson`). Nothing here prints, exits or touches the index.
"""

from __future__ import annotations

import gc
import json
import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from searchkit.dates import date_line, find_date, parse_date
from searchkit.errors import NoInputFiles, UnreadableFile
from searchkit.models import Article, FileFailure, Speaker

__all__ = ["Discovery", "SourceFile", "decode", "discover", "read_articles"]

TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
INDEXABLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

HEADER_LINES = 6  # how many non-empty lines near the top may hold a date, byline or URL
TITLE_MAX = 100  # characters of a title derived from a body
SNIFF_BYTES = 8192


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to index: `rel` is relative to the folder given (POSIX separators), `key` is `str(path)`."""

    path: Path
    rel: str
    key: str


Stamp = tuple[str, int, int]  # key, size, mtime_ns


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found: indexable files, files skipped by type, folders walked.

    Files are kept as plain data, since a re-run over 10^5 unchanged files only compares them with the
    manifest: `stamps` holds each file's `(key, size, mtime_ns)` from the walk's own stat, `rels` maps
    each key to its `rel`. `files` builds `SourceFile` records (sorted by key) when they are wanted.
    """

    stamps: frozenset[Stamp]
    rels: dict[str, str]
    skipped: tuple[FileFailure, ...]
    roots: tuple[Path, ...]
    unstatable: frozenset[str] = frozenset()  # listed, but stat failed: neither read nor taken as removed

    @property
    def files(self) -> tuple[SourceFile, ...]:
        """Every indexable file as a `SourceFile`, sorted by key."""
        return tuple(SourceFile(Path(key), self.rels[key], key) for key in sorted(self.rels))


def _suffix(name: str) -> str:
    """The lower-cased extension of a file name ("" for none; a leading dot is not an extension)."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip(".") else ""


def _unsupported(name: str) -> str | None:
    """Why a file of this name is not indexable, or None when it is."""
    suffix = _suffix(name)
    return None if suffix in INDEXABLE_SUFFIXES else f"unsupported file type {suffix}"


class _Found:
    """What a walk collects (see `Discovery`); skipped files by key."""

    __slots__ = ("rels", "skipped", "stamps", "unstatable")

    def __init__(self) -> None:
        self.stamps: set[Stamp] = set()
        self.rels: dict[str, str] = {}
        self.skipped: dict[str, FileFailure] = {}
        self.unstatable: set[str] = set()

    def add(self, key: str, rel: str) -> None:
        """Record an indexable file, stat'ed here."""
        try:
            st = os.stat(key)
        except OSError:
            self.unstatable.add(key)
            return
        self.stamps.add((key, st.st_size, st.st_mtime_ns))
        self.rels[key] = rel


def _walk_folder(root: str, found: _Found) -> None:
    """Collect the files under `root` into `found`; hidden names are skipped.

    Keys are strings straight from `os.scandir` (`DirEntry.path`, or the real path of a symbolic link),
    stamps come from `DirEntry.stat`, and no `Path` is built per file. Symlinked folders are followed once
    each; a folder already walked (a loop) is not entered again.
    """
    stamps, rels, skipped, unstatable = found.stamps, found.rels, found.skipped, found.unstatable
    seen = {root}
    stack = [(root, "")]
    while stack:
        real_dir, prefix = stack.pop()
        try:
            scan = os.scandir(real_dir)
        except OSError:
            continue
        with scan:
            for entry in scan:
                name = entry.name
                if name[0] == ".":
                    continue
                if entry.is_dir():
                    target = os.path.realpath(entry.path) if entry.is_symlink() else entry.path
                    if target not in seen:
                        seen.add(target)
                        stack.append((target, f"{prefix}{name}/"))
                    continue
                if entry.is_symlink():
                    key = os.path.realpath(entry.path)
                    if not entry.is_file():
                        skipped[key] = FileFailure(key, "broken symbolic link")
                        continue
                else:
                    key = entry.path
                    if not entry.is_file():
                        skipped[key] = FileFailure(key, "not a regular file")
                        continue
                if "." in name and (reason := _unsupported(name)) is not None:
                    skipped[key] = FileFailure(key, reason)
                    continue
                try:
                    st = entry.stat()
                except OSError:  # gone since it was listed, or not ours to see
                    unstatable.add(key)
                    continue
                stamps.add((key, st.st_size, st.st_mtime_ns))
                rels[key] = prefix + name


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while allocating many acyclic objects (2x faster walks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def discover(paths: Sequence[Path]) -> Discovery:
    """Find the files to index under `paths` (folders are walked recursively, hidden names skipped).

    Raises `NoInputFiles` for a path that does not exist.
    """
    with _gc_paused():
        return _discover(paths)


def _discover(paths: Sequence[Path]) -> Discovery:
    """`discover` without the collector pause."""
    found = _Found()
    roots: dict[Path, None] = {}
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            raise NoInputFiles(f"no such file or directory: {given}")
        resolved = path.resolve()
        if resolved.is_dir():
            roots[resolved] = None
            _walk_folder(str(resolved), found)
        elif (reason := _unsupported(resolved.name)) is not None:
            found.skipped[str(resolved)] = FileFailure(str(resolved), reason)
        else:
            found.add(str(resolved), path.name)
    skipped, stamps = found.skipped, found.stamps
    if len(stamps) != len(found.rels):  # a file seen twice and changed in between: one stamp per key
        stamps = set({stamp[0]: stamp for stamp in stamps}.values())
    return Discovery(
        stamps=frozenset(stamps),
        rels=found.rels,
        skipped=tuple(skipped[key] for key in sorted(skipped)),
        roots=tuple(roots),
        unstatable=frozenset(found.unstatable),
    )


# --------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[str, list[str]]:
    """Decode file bytes to text with `\\n` line ends: `(text, warnings)`.

    UTF-8 (with or without BOM) or UTF-16 with a BOM; otherwise cp1252, then latin-1, with a warning.
    Raises `UnreadableFile` for binary data (NUL bytes near the start).
    """
    warnings: list[str] = []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise UnreadableFile("binary file (invalid UTF-16)") from None
    elif b"\x00" in data[:SNIFF_BYTES]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = "cp1252"
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                encoding = "latin-1"
                text = data.decode(encoding)
            warnings.append(f"not UTF-8; decoded as {encoding}")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise UnreadableFile("empty file")
    return text, warnings


def _read_text(path: Path) -> tuple[str, list[str]]:
    """Read and decode a file (see `decode`)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    return decode(data)


# --------------------------------------------------------------------------- shared text helpers

# Two or more spaces after a sentence end: a paragraph break in hard-wrapped wire copy.
_SOFT_BREAK = re.compile(r"(?<=[.!?\"'”’)])[ \t]{2,}(?=[\"“‘'(]?[A-Z0-9])")
_MARKER = re.compile(r"^\s*(?:--+|—|–)(?:\s+|$)")
_URL_LINE = re.compile(r"<?(?:https?://|www\.)\S+>?")
_BYLINE = re.compile(r"(?i:by):?\s+[A-ZÀ-Ý]\S*(?:\s+\S+){0,10}")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_FRONT_MATTER_END = frozenset({"---", "..."})


def _collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return " ".join(text.split())


def _strip_marker(line: str) -> str:
    """Drop a leading "-- " header marker (Reuters style) and surrounding whitespace."""
    return _MARKER.sub("", line, count=1).strip()


def _blocks(lines: Sequence[str]) -> Iterator[list[str]]:
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
    for block in _blocks(lines):
        text = _join_wrapped(block)
        parts = _SOFT_BREAK.split(text) if soft_breaks and "  " in text else (text,)
        out.extend(p for p in map(_collapse, parts) if p)
    return out


def title_from_body(body: str) -> str:
    """A title for an untitled record: the body's first sentence or line, cut to about TITLE_MAX chars."""
    first = _collapse(body.lstrip().split("\n", 1)[0])
    end = _SENTENCE_END.search(first)
    if end and end.start() > 0:
        first = first[: end.end()].rstrip(" .") or first
    if len(first) <= TITLE_MAX:
        return first
    cut = first.rfind(" ", 0, TITLE_MAX)
    return first[: cut if cut > TITLE_MAX // 2 else TITLE_MAX].rstrip(" ,;:") + "…"


def _nonempty(lines: Sequence[str], start: int = 0, limit: int = HEADER_LINES) -> list[int]:
    """Indices of the first `limit` non-empty lines from `start`."""
    found: list[int] = []
    for index in range(start, len(lines)):
        if lines[index].strip():
            found.append(index)
            if len(found) == limit:
                break
    return found


# --------------------------------------------------------------------------- seed layout

_PUBLICATION = re.compile(r"\s*Publication\s*:\s*(?P<value>.*?)\s*", re.I)
_NOISE_MAX = 60


def _seed_publication(lines: Sequence[str]) -> int | None:
    """The index of a `Publication:` line among the first non-empty lines (not the title), if any."""
    for index in _nonempty(lines)[1:]:
        if _PUBLICATION.fullmatch(lines[index]):
            return index
    return None


def _same_text(a: str, b: str) -> bool:
    """Equal up to case and whitespace."""
    return _collapse(a).casefold() == _collapse(b).casefold()


def _is_noise(line: str) -> bool:
    """A short site-furniture line ("Abone Ol google-news"): not a sentence, few words."""
    text = line.strip()
    return len(text) <= _NOISE_MAX and len(text.split()) <= 6 and text[-1] not in ".!?:;,\"'”’)"


def _parse_seed(lines: list[str], pub: int, warnings: list[str]) -> dict[str, Any]:
    """Fields of a seed-layout article (title, summary, Publication line, repeated title, noise, body)."""
    title_index = _nonempty(lines, limit=1)[0]
    title = _collapse(lines[title_index])
    summary = " ".join(paragraphs(lines[title_index + 1 : pub])) or None
    value = _PUBLICATION.fullmatch(lines[pub])["value"]  # type: ignore[index]  # matched before
    date = parse_date(value)
    if date is None:
        warnings.append(f"unrecognised publication date {value!r}")
    rest = pub + 1
    if rest < len(lines) and lines[rest].strip() and _same_text(lines[rest], title):
        rest += 1
    if rest < len(lines) and lines[rest].strip() and _is_noise(lines[rest]):
        rest += 1
    body = "\n\n".join(paragraphs(lines[rest:]))
    return {"title": title, "summary": summary, "date": date, "body": body, "source_format": "seed"}


# --------------------------------------------------------------------------- plain text


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


def _plain_header(lines: list[str], start: int) -> tuple[datetime | None, set[int]]:
    """Date and the header lines to drop after the title: a leading run of date/byline/URL lines.

    If that run has no date, a date-only line among the first non-empty lines is used and dropped,
    or else a date inside one of the two opening lines (a dateline) is used and the line stays.
    """
    date: datetime | None = None
    drop: set[int] = set()
    candidates = _nonempty(lines, start)
    for index in candidates:
        kind, found = _header_kind(lines[index])
        if kind is None:
            break
        drop.add(index)
        date = date or found
    if date is not None:
        return date, drop
    rest = [i for i in candidates if i not in drop]
    texts = [_strip_marker(lines[i]) for i in rest]
    for index, text in zip(rest, texts, strict=True):
        if (found := date_line(text)) is not None:
            return found, drop | {index}
    return find_date(texts[:2])[0], drop


def _parse_plain(lines: list[str]) -> dict[str, Any]:
    """Fields of a plain-text article: title line, optional header (date, byline, URL), body.

    A first line that is really a paragraph (long, with a sentence end) stays in the body and the
    title is derived from it.
    """
    title_index = _title_line(lines)
    assert title_index is not None  # decode() rejected blank files
    title = _collapse(_strip_marker(lines[title_index]))
    body_start = title_index + 1
    if len(title) > 2 * TITLE_MAX and _SENTENCE_END.search(title):
        title, body_start = title_from_body(title), title_index
    date, drop = _plain_header(lines, body_start)
    body_lines = [line for i, line in enumerate(lines[body_start:], body_start) if i not in drop]
    body = "\n\n".join(paragraphs(body_lines, soft_breaks=True))
    return {"title": title, "date": date, "body": body, "source_format": "text"}


# --------------------------------------------------------------------------- markdown

_HEADING = re.compile(r"\s{0,3}(?P<level>#{1,6})\s+(?P<text>.*?)(?:\s+#+)?\s*")
_SETEXT = re.compile(r"\s{0,3}(?:=+|-+)\s*")
_RULE = re.compile(r"\s{0,3}(?:(?:\*\s*){3,}|(?:-\s*){3,}|(?:_\s*){3,})")
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")
_IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`+|~~)(?=\S)(.+?)(?<=\S)\1")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>\n]*>")
_FM_KEY = re.compile(r"(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s+(?P<value>.*?))?\s*")
_FM_ITEM = re.compile(r"\s*-\s+(?P<value>.*?)\s*")


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
            data[key] = _fm_value(match["value"] or "")
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
        line = heading["text"]
    line = line.lstrip()
    while line.startswith(">"):
        line = line[1:].lstrip()
    line = _IMAGE_OR_LINK.sub(r"\1", line)
    line = _EMPHASIS.sub(r"\2", line)
    return _HTML_TAG.sub("", line)


def _markdown_title(lines: list[str]) -> tuple[str | None, int | None]:
    """The document's title and the line(s) it occupies: a leading heading, a `# ` heading, or line one."""
    first = _nonempty(lines, limit=1)
    if not first:
        return None, None
    top = first[0]
    if top + 1 < len(lines) and lines[top + 1].strip() and _SETEXT.fullmatch(lines[top + 1]):
        return _collapse(strip_markup(lines[top])), top
    for index, line in enumerate(lines):
        heading = _HEADING.fullmatch(line)
        if heading and (index == top or len(heading["level"]) == 1):
            return _collapse(strip_markup(line)), index
    return _collapse(strip_markup(lines[top])), top


def _markdown_body(lines: Sequence[str]) -> str:
    """Body paragraphs of Markdown lines with simple markup removed; list items keep their own lines."""
    out: list[str] = []
    for block in _blocks(lines):
        kept = [line for line in block if not _RULE.fullmatch(line) and not _SETEXT.fullmatch(line)]
        if any(_LIST_ITEM.match(line) for line in kept):
            text = "\n".join(_collapse(strip_markup(line)) for line in kept)
        else:
            text = _collapse(" ".join(strip_markup(line) for line in kept))
        if text.strip():
            out.append(text.strip())
    return "\n\n".join(out)


def _as_list(value: object) -> list[str]:
    """A front-matter or JSON value as a list of non-empty strings."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, list):
        return [str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()]
    return []


def _parse_markdown(lines: list[str], warnings: list[str]) -> dict[str, Any]:
    """Fields of a Markdown article: front matter, then title heading, then body."""
    meta, lines = _split_front_matter(lines)
    title = _scalar(meta.get("title"))
    heading_title, heading_index = _markdown_title(lines)
    drop: set[int] = set()
    if heading_index is not None and (not title or _same_text(title, heading_title or "")):
        title = title or heading_title
        drop.add(heading_index)
        if heading_index + 1 < len(lines) and _SETEXT.fullmatch(lines[heading_index + 1]):
            drop.add(heading_index + 1)
    body_lines = [line for i, line in enumerate(lines) if i not in drop]
    date = _meta_date(meta.get("date"), warnings)
    if date is None and "date" not in meta:
        header = _nonempty(body_lines)
        date, found = find_date([strip_markup(body_lines[i]) for i in header])
        if found is not None:
            body_lines.pop(header[found])
    speakers = _as_list(meta.get("speakers", meta.get("speaker")))
    return {
        "id": _scalar(meta.get("id")),
        "title": title or "",
        "summary": _scalar(meta.get("summary", meta.get("description"))),
        "date": date,
        "speakers": tuple(Speaker(name) for name in speakers),
        "body": _markdown_body(body_lines),
        "source_format": "markdown",
    }


# --------------------------------------------------------------------------- JSON records

_BODY_KEYS = ("body", "text", "content")


def _scalar(value: object) -> str | None:
    """A non-empty string from a string or number field (ids: 7 -> "7", 7.0 -> "7"), else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str | int | float):
        text = str(value).strip()
        return text or None
    return None


def _meta_date(value: object, warnings: list[str], where: str = "") -> datetime | None:
    """A record's date from a string (any supported form) or a Unix timestamp; warn when unusable."""
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
        if isinstance(item, dict) and _scalar(item.get("name")):
            speakers.append(Speaker(_scalar(item["name"]) or "", _scalar(item.get("role"))))
        elif isinstance(item, str) and item.strip():
            speakers.append(Speaker(_collapse(item)))
    return tuple(speakers)


def _record_fields(record: object, where: str, warnings: list[str]) -> dict[str, Any]:
    """Article fields of one JSON record; raises `UnreadableFile` for a record that cannot be one.

    A record with an `id` but no title and no body is returned with `"empty": True` (see
    `_records_to_articles`: such records are kept only beside readable ones).
    """
    if not isinstance(record, dict):
        raise UnreadableFile(f"{where}not a JSON object")
    body = _record_body(record)
    title = _collapse(_scalar(record.get("title")) or "")
    record_id = _scalar(record.get("id"))
    if not title and not body and record_id is None:
        raise UnreadableFile(f"{where}record has no title and no body")
    return {
        "id": record_id,
        "title": title or title_from_body(body),
        "summary": _scalar(record.get("summary")),
        "date": _meta_date(record.get("date"), warnings, where),
        "speakers": _record_speakers(record),
        "body": body,
        "empty": not title and not body,
    }


Record = tuple[int, str, object]  # (ordinal, "line 7: " / "record 2: " / "", parsed JSON value)


def _json_records(text: str) -> list[Record]:
    """The records of a JSON file: one object, or a list of them."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableFile(f"invalid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if isinstance(data, dict):
        return [(0, "", data)]
    if isinstance(data, list) and data:
        return [(n, f"record {n + 1}: ", item) for n, item in enumerate(data)]
    kind = "an empty list" if isinstance(data, list) else f"a {type(data).__name__}"
    raise UnreadableFile(f"JSON must be an object or a list of objects, not {kind}")


def _jsonl_records(text: str, failures: list[str]) -> list[Record]:
    """The records of a JSON Lines file; a line that is not JSON goes to `failures` (and keeps its number)."""
    records: list[Record] = []
    ordinal = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            records.append((ordinal, f"line {lineno}: ", json.loads(line)))
        except json.JSONDecodeError as exc:
            failures.append(f"line {lineno}: invalid JSON ({exc.msg}, column {exc.colno})")
        ordinal += 1
    return records


def _records_to_articles(
    records: list[Record], path: Path, rel: str, fmt: str, file_warnings: list[str], failures: list[str],
) -> list[Article]:
    """Articles for the readable records; the others add to `failures`. Raises if none is readable.

    A record with an id but no title and no body is kept (with a warning) only beside real articles.
    File-level warnings and the failures go on the first article.
    """
    articles: list[Article] = []
    empty: list[str] = []
    for ordinal, where, record in records:
        warnings: list[str] = []
        try:
            fields = _record_fields(record, where, warnings)
        except UnreadableFile as exc:
            failures.append(str(exc))
            continue
        if fields.pop("empty"):
            empty.append(f"{where}record has no title and no body")
            warnings.append(empty[-1])
        record_id = fields.pop("id") or f"{rel}#{ordinal + 1}"
        articles.append(_article(fields, record_id, path, ordinal, warnings, fmt))
    if len(empty) == len(articles):  # nothing real: an empty record alone is not an article
        failures, articles = failures + empty, []
    if not articles:
        extra = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        raise UnreadableFile((failures[0] if failures else "no records") + extra)
    if file_warnings or failures:
        head = articles[0]
        articles[0] = replace(head, warnings=(*file_warnings, *failures, *head.warnings))
    return articles


# --------------------------------------------------------------------------- assembling


def _article(
    fields: dict[str, Any], article_id: str, path: Path, ordinal: int, warnings: Sequence[str], fmt: str,
) -> Article:
    """Build an `Article` from parsed fields."""
    fields.setdefault("source_format", fmt)
    return Article(id=article_id, path=str(path), ordinal=ordinal, warnings=tuple(warnings), **fields)


def read_articles(path: Path, rel: str, data: bytes | None = None) -> list[Article]:
    """Read one file as articles (one for text and Markdown, one per record for JSON / JSON Lines).

    `data`, when given, is the file's content already read (the file is not read again).
    Raises `UnreadableFile` with a short reason when the file cannot give any article.
    """
    suffix = _suffix(path.name)
    if suffix not in INDEXABLE_SUFFIXES:
        raise UnreadableFile(f"unsupported file type {suffix}")
    text, warnings = _read_text(path) if data is None else decode(data)
    if suffix in JSON_SUFFIXES or suffix in JSONL_SUFFIXES:
        failures: list[str] = []
        is_lines = suffix in JSONL_SUFFIXES
        records = _jsonl_records(text, failures) if is_lines else _json_records(text)
        return _records_to_articles(records, path, rel, "jsonl" if is_lines else "json", warnings, failures)
    lines = text.split("\n")
    if suffix in MARKDOWN_SUFFIXES:
        fields = _parse_markdown(lines, warnings)
        article_id = fields.pop("id") or rel
        if not fields["title"] and not fields["body"]:
            raise UnreadableFile("no title and no body")
        return [_article(fields, article_id, path, 0, warnings, "markdown")]
    pub = _seed_publication(lines)
    fields = _parse_seed(lines, pub, warnings) if pub is not None else _parse_plain(lines)
    return [_article(fields, rel, path, 0, warnings, "text")]
