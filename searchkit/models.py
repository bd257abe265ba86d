"""searchkit's own records: what flows from files to the index and from the index to the user."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class Speaker:
    """A person quoted or reported as speaking; `role` is the title or function stated in the text."""

    name: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """An attributed statement: what `speaker` said, at `start:end` (character offsets) in the body."""

    speaker: str
    text: str
    start: int
    end: int
    direct: bool = True


@dataclass(frozen=True, slots=True)
class Article:
    """One parsed article, ready to index.

    `id` is the record's own id (JSON/JSONL) or the file path relative to the indexed folder;
    `path` is the file it came from (absolute); `ordinal` its position in that file.
    """

    id: str
    path: str
    title: str
    body: str
    source_format: str
    summary: str | None = None
    date: datetime | None = None
    speakers: tuple[Speaker, ...] = ()
    quotes: tuple[Quote, ...] = ()
    ordinal: int = 0
    warnings: tuple[str, ...] = ()

    @property
    def speaker_names(self) -> list[str]:
        """Display names of the speakers, in order of first appearance."""
        return [s.name for s in self.speakers]


@dataclass(frozen=True, slots=True)
class FileFailure:
    """A file that could not be indexed, and why."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What one `index` run did."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    failed: tuple[FileFailure, ...] = ()
    warnings: tuple[FileFailure, ...] = ()
    documents: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Span:
    """A highlighted range `start:end` inside a snippet's text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Snippet:
    """Plain text around the best matches, with the matched words' offsets in that text."""

    text: str
    highlights: tuple[Span, ...] = ()


@dataclass(frozen=True, slots=True)
class Hit:
    """One ranked result."""

    rank: int
    id: str
    path: str
    title: str
    date: datetime | None
    speakers: tuple[str, ...]
    score: float
    snippet: Snippet
    roles: tuple[str | None, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchResult:
    """A page of hits for one query; `total` counts every matching document."""

    query: str
    total: int
    page: int
    hits: tuple[Hit, ...]
    fallback_any: bool = False
    suggestion: str | None = None
    query_id: str | None = None


@dataclass(frozen=True, slots=True)
class QuoteHit:
    """A statement matching a `quotes` search."""

    rank: int
    article_id: str
    title: str
    date: datetime | None
    speaker: str
    role: str | None
    score: float
    snippet: Snippet


@dataclass(frozen=True, slots=True)
class SpeakerCount:
    """A speaker and how many articles quote them."""

    name: str
    articles: int
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IndexStats:
    """What `stats` reports about an index."""

    path: str
    documents: int
    earliest: datetime | None
    latest: datetime | None
    size_bytes: int
    last_update: datetime | None
    top_speakers: tuple[SpeakerCount, ...] = field(default_factory=tuple)
