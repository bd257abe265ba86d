"""The records of the commands other than `search`: attributed statements (`quotes`, `export`), speaker
counts and index statistics (`speakers`, `stats`). Apart from `results` so that a one-shot search does not
create their classes at import."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from searchkit.results import Snippet


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

