"""Parsed articles: what flows from files to the index, and what an index run reports.

What flows back from the index to the user is in `results`."""

from __future__ import annotations

from dataclasses import dataclass
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
    `path` is the file it came from (absolute); `ordinal` its position in that file. `date_source` says
    where `date` came from: "publication", "front-matter", "json", "header" or "dateline" (None: undated).
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
    date_source: str | None = None
    companies: tuple[str, ...] = ()  # names the article writes as a company (`speakers`), not stored in the index

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
