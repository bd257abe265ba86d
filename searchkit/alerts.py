"""Saved searches and alerts: tell the user once about each article that newly matches a saved search.

Stored beside the index in SQLite (`alerts.sqlite`): the saved searches, and for each the stable ids of
the articles it has already reported (never engine document numbers, so a restart, an update or a
`--rebuild` reports nothing twice). A new saved search usually starts from what already matches (given
to `add` as `known`), so that only later arrivals are reported. Which articles match is the caller's
business (`Matcher`): this module only keeps the books.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from searchkit.errors import AlertExists, AlertNotFound, InvalidQuery
from searchkit.sidecar import SideTable

if TYPE_CHECKING:
    from searchkit.engine.api import Reader

ALERTS_NAME = "alerts.sqlite"
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS searches (name TEXT PRIMARY KEY, query TEXT NOT NULL, options TEXT NOT NULL,"
    " created TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS reported (name TEXT NOT NULL, id TEXT NOT NULL, at TEXT NOT NULL,"
    " PRIMARY KEY (name, id)) WITHOUT ROWID;"
)


@dataclass(frozen=True, slots=True)
class SavedSearch:
    """A named query with its filters (`date_from`/`date_to` as ISO dates, `speakers`, `match`)."""

    name: str
    query: str
    date_from: str | None = None
    date_to: str | None = None
    speakers: tuple[str, ...] = ()
    match: str = "all"
    created: str = ""
    reported: int = 0


@dataclass(frozen=True, slots=True)
class Matched:
    """An article matching a saved search, as the matcher sees it."""

    id: str
    title: str
    date: datetime | None
    path: str


@dataclass(frozen=True, slots=True)
class Alert:
    """An article newly matching saved search `name`."""

    name: str
    query: str
    article: Matched


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one `check` found: the new matches, and how many saved searches were run."""

    alerts: tuple[Alert, ...] = ()
    searches: int = 0


Matcher = Callable[[SavedSearch], Iterable[Matched]]
"""Every article currently matching a saved search."""


class AlertStore(SideTable):
    """The alerts database of an index folder."""

    derived = False  # the user's saved searches: a rebuild keeps them

    def __init__(self, index_dir: Path) -> None:
        super().__init__(index_dir, ALERTS_NAME, _SCHEMA)

    def add(self, search: SavedSearch, known: Iterable[str] = ()) -> None:
        """Save a search; the articles `known` (ids, usually those matching now) count as already reported."""
        if not search.name.strip():
            raise InvalidQuery("an alert needs a name")
        if not search.query.strip() and not (search.speakers or search.date_from or search.date_to):
            raise InvalidQuery("an alert needs a query or a filter")
        options = {"date_from": search.date_from, "date_to": search.date_to, "speakers": list(search.speakers),
                   "match": search.match}
        try:
            with self.db:
                now = _now()
                self.db.execute("INSERT INTO searches VALUES (?, ?, ?, ?)",
                                (search.name, search.query, json.dumps(options), now))
                self.db.executemany("INSERT OR IGNORE INTO reported VALUES (?, ?, '')",  # seen, never reported
                                    ((search.name, i) for i in known))
        except sqlite3.IntegrityError:
            raise AlertExists(f"an alert named {search.name!r} already exists") from None

    def remove(self, name: str) -> None:
        """Forget a saved search and what it reported."""
        with self.db:
            if self.db.execute("DELETE FROM searches WHERE name = ?", (name,)).rowcount == 0:
                raise AlertNotFound(f"no alert named {name!r}")
            self.db.execute("DELETE FROM reported WHERE name = ?", (name,))

    def searches(self) -> list[SavedSearch]:
        """The saved searches, by name, with how many articles each has reported."""
        counts = dict(self.db.execute("SELECT name, COUNT(*) FROM reported WHERE at != '' GROUP BY name"))
        rows = self.db.execute("SELECT name, query, options, created FROM searches ORDER BY name").fetchall()
        return [_saved(name, query, options, created, counts.get(name, 0)) for name, query, options, created in rows]

    def check(self, matcher: Matcher, names: Iterable[str] = ()) -> CheckResult:
        """Run the saved searches (all, or `names`) and return the articles each matches for the first time,
        oldest first, recording them so they are never returned again."""
        wanted = set(names)
        searches = [s for s in self.searches() if not wanted or s.name in wanted]
        missing = wanted - {s.name for s in searches}
        if missing:
            raise AlertNotFound(f"no alert named {sorted(missing)[0]!r}")
        alerts: list[Alert] = []
        for search in searches:
            found = {m.id: m for m in matcher(search)}
            known = {i for (i,) in self.db.execute("SELECT id FROM reported WHERE name = ?", (search.name,))}
            fresh = [found[i] for i in sorted(found.keys() - known, key=lambda i: (_when(found[i]), i))]
            with self.db:  # recorded before they are shown: a crash after this loses a report, never repeats one
                self.db.executemany("INSERT OR IGNORE INTO reported VALUES (?, ?, ?)",
                                    ((search.name, m.id, _now()) for m in fresh))
            alerts.extend(Alert(search.name, search.query, m) for m in fresh)
        return CheckResult(tuple(alerts), len(searches))


def _saved(name: str, query: str, options: str, created: str, reported: int) -> SavedSearch:
    opts = json.loads(options)
    return SavedSearch(name=name, query=query, date_from=opts.get("date_from"), date_to=opts.get("date_to"),
                       speakers=tuple(opts.get("speakers") or ()), match=opts.get("match", "all"), created=created,
                       reported=reported)


def _when(article: Matched) -> tuple[bool, str]:
    """Oldest first, undated last."""
    return article.date is None, article.date.isoformat() if article.date else ""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def index_matcher(reader: Reader) -> Matcher:
    """A matcher over an open index: every article a saved search matches (its query, dates and speakers
    read as `search` reads them)."""
    from searchkit import querylang
    from searchkit.dates import parse_bound

    def match(search: SavedSearch) -> Iterator[Matched]:
        tree = querylang.parse(search.query).tree
        date_from = parse_bound(search.date_from, end=False) if search.date_from else None
        date_to = parse_bound(search.date_to, end=True) if search.date_to else None
        for doc in reader.matching(tree, match_all=search.match == "all", date_from=date_from, date_to=date_to,
                                   speakers=search.speakers):
            yield Matched(doc.id, doc.title, doc.date, doc.source)

    return match
