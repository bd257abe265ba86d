"""Search results: what flows from the index to the user (stored documents, ranked hits with snippets,
quotes, speakers, index statistics), and what a query asks snippets to highlight (`MatchSpec`).

Kept apart from the parsed-article records (`models`) so that a search does not build the indexing side's
classes (each frozen dataclass costs ~1 ms to create at import)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """A document's stored fields, as the engine returns them."""

    id: str
    key: str
    source: str
    title: str
    body: str
    date: datetime | None
    speakers: tuple[str, ...]
    roles: tuple[str | None, ...]
    summary: str | None
    source_format: str
    date_source: str | None = None  # where the date came from (`models.Article.date_source`)


@dataclass(frozen=True, slots=True)
class StoredQuote:
    """An attributed statement's stored fields, as the engine returns them."""

    article_id: str
    title: str
    date: datetime | None
    speaker: str
    role: str | None
    text: str
    start: int = 0
    direct: bool = True
    source: str = ""  # the file the article came from
    article_key: str = ""  # the key of the article it was said in


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """What to highlight; every string is already folded (see `analysis.fold`)."""

    stems: frozenset[str]
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.stems or self.words or self.prefixes or self.phrases)


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
    date_source: str | None = None
    copies: tuple[str, ...] = ()  # ids of this story's other matching copies (wire-copy collapse), earliest first


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
    stories: int | None = None  # distinct stories among the `total` matches, when copies are collapsed
    notes: tuple[str, ...] = ()  # what the query language repaired or bounded (`querylang`, `engine.expansion`)


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
    path: str = ""


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
    undated: int = 0  # documents without a date


@dataclass(frozen=True, slots=True)
class Statement:
    """An attributed statement stored with an article (what `export` writes beside the article)."""

    speaker: str
    role: str | None
    text: str
    start: int
    direct: bool
