"""One article's scans, made once: capitalised runs, sentence ends, and the full names its surnames resolve to."""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from searchkit.speakers.names import Name, clean, name_of_run, surname
from searchkit.speakers.patterns import (
    ABBR_TAIL_RE,
    ASCII_RUN_RE,
    PARAGRAPH_RE,
    RUN_RE,
    SENT_END_SCANS,
    SENTENCE_REACH,
)
from searchkit.speakers.words import SUFFIXES


class Article:
    """Per-article precomputed scans: name runs, sentence boundaries, the full-name inventory."""

    def __init__(self, body: str) -> None:
        self.body = body
        # (offsets and texts taken by C-level maps: ~50 runs an article)
        found = list((ASCII_RUN_RE if body.isascii() else RUN_RE).finditer(body))
        self.run_starts = list(map(re.Match.start, found))
        self.run_ends = list(map(re.Match.end, found))
        self.runs = list(zip(self.run_starts, self.run_ends, map(re.Match.group, found), strict=True))
        self.sent_ends = sentence_ends(body)
        self._people: list[tuple[Name | None, str | None] | None] = [None] * len(self.runs)
        self._paragraphs: list[int] | None = None
        self._asked: tuple[int, tuple[int, int]] = (-1, (0, 0))
        self._by_last: dict[str, list[int]] | None = None
        self._full: dict[str, str | None] = {}
        self._mention: dict[str, Name] = {}
        self.stated_roles: dict[str, str | None] = {}  # surname -> the role stated with its full name (`roles`)

    def person(self, j: int) -> tuple[Name | None, str | None]:
        """The name of run `j` (`name_of_run`) and the display name it resolves to, each None if none: made once
        a run, for every cue whose left reach takes it in."""
        found = self._people[j]
        if found is None:
            s, _e, txt = self.runs[j]
            n = name_of_run(txt, s)
            found = self._people[j] = (n, None if n is None else self.resolve(n))
        return found

    def by_last(self) -> dict[str, list[int]]:
        """Index of multi-word runs by their last word (lower-cased), built on first use."""
        if self._by_last is None:
            self._by_last = {}
            for i, (_s, _e, txt) in enumerate(self.runs):
                if txt.isalpha():
                    continue  # one word
                parts = txt.rsplit(None, 2)
                if len(parts) == 3 and clean(parts[2]) in SUFFIXES:  # "Martin Luther King Jr."
                    parts = parts[:2]
                if len(parts) >= 2:
                    self._by_last.setdefault(clean(parts[-1]).rstrip("’'"), []).append(i)
        return self._by_last

    def full_name(self, sur: str) -> str | None:
        """The first full name (two or more words) in the article ending in surname `sur`, if any."""
        if sur not in self._full:
            found = None
            titled = False  # named after a title or an honorific ("Sen. Sanders", "Mr. Regalado")
            for i in self.by_last().get(sur, ()):
                s, _e, txt = self.runs[i]
                n = name_of_run(txt, s, possessive=True)
                if n is None:
                    continue
                if len(n.tokens) >= 2:
                    found = n.full
                    self._mention[sur] = n
                    break
                titled = titled or n.titled or n.honorific
            self._full[sur] = found if found or not titled else ""
        return self._full[sur]

    def full_mention(self, sur: str) -> Name | None:
        """Where the full name of surname `sur` is given (for a role stated there), once resolved."""
        return self._mention.get(sur)

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence around `pos`, at most `SENTENCE_REACH` characters to either side.

        The bound keeps the work per cue constant on text without sentence ends (a 1 MB line)."""
        if pos == self._asked[0]:
            return self._asked[1]  # the steps around one cue ask for its sentence several times
        i = bisect_right(self.sent_ends, pos)
        start = self.sent_ends[i - 1] if i else 0
        end = self.sent_ends[i] if i < len(self.sent_ends) else len(self.body)
        bounds = max(start, pos - SENTENCE_REACH), min(end, pos + SENTENCE_REACH)
        self._asked = (pos, bounds)
        return bounds

    def paragraph(self, pos: int) -> int:
        """The number of the paragraph (blocks apart by a blank line) holding `pos`."""
        if self._paragraphs is None:
            self._paragraphs = [m.end() for m in PARAGRAPH_RE.finditer(self.body)]
        return bisect_right(self._paragraphs, pos)

    def paragraph_start(self, index: int) -> int:
        """Where paragraph number `index` starts."""
        self.paragraph(0)
        return self._paragraphs[index - 1] if index and self._paragraphs else 0

    def resolve(self, name: Name) -> str | None:
        """Display name for a name mention: full names as given, surnames via the article's full names."""
        if len(name.tokens) >= 2:
            return name.full
        full = self.full_name(surname(name.tokens))
        if full == "":  # only titled mentions ("Sen. Sanders", "Mr. Regalado"): a person without a first name
            return name.tokens[0]
        return full


def sentence_ends(body: str) -> list[int]:
    """Where sentences end: a period after an abbreviation or initial ("Mr.", "J.", "U.S.") ends none.

    Each scan's ends are gathered by itself and then sorted, not merged match by match (`scan`): the matches
    of the scans never overlap (tested), so their ends sort as their starts do, and a list of integers costs
    the collector nothing."""
    ends: list[int] = []
    for mark, pattern in SENT_END_SCANS:
        if mark not in body:
            continue
        if mark != ".":
            ends += map(re.Match.end, pattern.finditer(body))
            continue
        for m in pattern.finditer(body):
            k = m.start()
            tail = body[k - 4:k]  # no abbreviation ends in four lower-case letters: spare the pattern
            if (k >= 4 and tail.isalpha() and tail.islower()) or not ABBR_TAIL_RE.search(body, max(0, k - 5), k):
                ends.append(m.end())
    ends.sort()
    return ends


def scan(body: str, scans: tuple[tuple[str, re.Pattern[str]], ...]) -> Iterator[re.Match[str]]:
    """The matches of scans that each start with their own character (`patterns._scans`), in text order: a scan
    runs only where the text holds its character. Streamed, merged as they come (a list of every match held
    ~64 MB for the 500,000 of a megabyte of `,"`, and its garbage collection grew faster than the text)."""
    found = [pattern.finditer(body) for mark, pattern in scans if mark in body]
    return found[0] if len(found) == 1 else heapq.merge(*found, key=re.Match.start)


@dataclass(slots=True)
class Event:
    """One attribution found in the text: who (display name, role) and the statement span."""

    pos: int  # where the attribution clause starts
    speaker: str
    role: str | None
    span: tuple[int, int, bool] | None
    clause_end: int = -1  # where the attribution clause ends (-1: unknown)
