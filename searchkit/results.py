"""Search results: what flows from the index to a search's user (stored documents, ranked hits with
snippets), and what a query asks snippets to highlight (`MatchSpec`).

Kept apart from the parsed-article records (`models`) and from the other commands' records (`reports`:
quotes, statements, speaker counts, index statistics) so that a search does not build their classes. These
are named tuples, not frozen dataclasses: a frozen dataclass costs ~0.3-0.6 ms to create at import (its
methods are compiled from source, ~4.6M instructions), a named tuple ~0.07 ms, and every search makes all of
them. Copy one with `_replace`."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple


class StoredDoc(NamedTuple):
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



class MatchSpec(NamedTuple):
    """What to highlight; every string is already folded (see `analysis.fold`)."""

    stems: frozenset[str]
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.stems or self.words or self.prefixes or self.phrases)


class Span(NamedTuple):
    """A highlighted range `start:end` inside a snippet's text."""

    start: int
    end: int


class Snippet(NamedTuple):
    """Plain text around the best matches, with the matched words' offsets in that text."""

    text: str
    highlights: tuple[Span, ...] = ()


class Hit(NamedTuple):
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


class SearchResult(NamedTuple):
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
