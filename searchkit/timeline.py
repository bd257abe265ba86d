"""Timelines: how many matching articles fall in each day, week, month or year.

The engine counts matches per day (`DayCounts`); this module groups the days into periods, chooses the
period from the span when not told (the finest of day, week, month, year that needs at most `MAX_BARS`
bars), and fills empty periods with zero so a chart shows gaps as gaps. Undated articles are counted
apart, never placed in a period. Weeks are ISO weeks (Monday first), named `2024-W07`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Literal

from searchkit.errors import InvalidQuery

if TYPE_CHECKING:
    from searchkit.engine.api import Reader

Unit = Literal["day", "week", "month", "year"]
UNITS: tuple[Unit, ...] = ("day", "week", "month", "year")
MAX_BARS = 100
DayCounts = Mapping[date, int]


@dataclass(frozen=True, slots=True)
class Period:
    """One bar: the period's name and first day, its article count, and its most quoted speakers."""

    name: str
    start: date
    count: int
    speakers: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Timeline:
    """Counts of matching articles per period, oldest first; `undated` matched but have no date. `split`
    holds, for each speaker asked for apart, their count in each period (aligned with `periods`)."""

    query: str
    unit: Unit
    periods: tuple[Period, ...]
    undated: int
    total: int
    split: tuple[tuple[str, tuple[int, ...]], ...] = ()


def period_start(day: date, unit: Unit) -> date:
    """The first day of the period holding `day`."""
    if unit == "day":
        return day
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return date(day.year, 1, 1)


def next_start(start: date, unit: Unit) -> date:
    """The first day of the period after the one starting at `start`."""
    if unit == "day":
        return start + timedelta(days=1)
    if unit == "week":
        return start + timedelta(days=7)
    if unit == "month":
        return date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return date(start.year + 1, 1, 1)


def period_name(start: date, unit: Unit) -> str:
    """`2024-02-12`, `2024-W07`, `2024-02` or `2024`."""
    if unit == "day":
        return start.isoformat()
    if unit == "week":
        year, week, _ = start.isocalendar()
        return f"{year:04d}-W{week:02d}"
    if unit == "month":
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.year:04d}"


def periods_between(first: date, last: date, unit: Unit) -> int:
    """How many periods of `unit` cover `first` to `last`."""
    if unit == "day":
        return (last - first).days + 1
    if unit == "week":
        return (period_start(last, "week") - period_start(first, "week")).days // 7 + 1
    if unit == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    return last.year - first.year + 1


def choose_unit(first: date, last: date) -> Unit:
    """The finest unit that draws `first` to `last` in at most `MAX_BARS` bars."""
    for unit in UNITS[:-1]:
        if periods_between(first, last, unit) <= MAX_BARS:
            return unit
    return "year"


def build(query: str, days: DayCounts, undated: int = 0, unit: Unit | None = None,
          speakers: Mapping[date, Mapping[str, int]] | None = None, top_speakers: int = 0) -> Timeline:
    """Group per-day counts into periods (every period from the first to the last dated match, empty ones
    included). `speakers` gives, per day, articles per speaker; each period keeps its `top_speakers`."""
    if unit is not None and unit not in UNITS:
        raise InvalidQuery(f"unknown timeline unit {unit!r} (use {', '.join(UNITS)})")
    dated = {d: n for d, n in days.items() if n}
    total = sum(dated.values()) + undated
    if not dated:
        return Timeline(query, unit or "day", (), undated, total)
    first, last = min(dated), max(dated)
    unit = unit or choose_unit(first, last)
    counts: dict[date, int] = {}
    people: dict[date, dict[str, int]] = {}
    for day, n in dated.items():
        start = period_start(day, unit)
        counts[start] = counts.get(start, 0) + n
        if speakers and top_speakers:
            bucket = people.setdefault(start, {})
            for name, k in speakers.get(day, {}).items():
                bucket[name] = bucket.get(name, 0) + k
    periods = []
    start, end = period_start(first, unit), period_start(last, unit)
    while start <= end:
        top = sorted(people.get(start, {}).items(), key=lambda kv: (-kv[1], kv[0]))[:top_speakers]
        periods.append(Period(period_name(start, unit), start, counts.get(start, 0), tuple(top)))
        start = next_start(start, unit)
    return Timeline(query, unit, tuple(periods), undated, total)


def day_counts(dates: Iterable[date | None]) -> tuple[dict[date, int], int]:
    """Per-day counts and the number of undated entries, from one date per article (the plain way, for
    callers holding the dates and for checking the engine's counts)."""
    out: dict[date, int] = {}
    undated = 0
    for d in dates:
        if d is None:
            undated += 1
        else:
            out[d] = out.get(d, 0) + 1
    return out, undated


def of_query(reader: Reader, text: str, *, match: str = "all", date_from: datetime | None = None,
             date_to: datetime | None = None, speakers: Sequence[str] = (), unit: Unit | None = None,
             top_speakers: int = 0, split: bool = False, canonical: Callable[[str], str] = str,
             forms: Callable[[Sequence[str]], Sequence[str]] = list,
             companies: Callable[[Iterable[str]], set[str]] = lambda names: set()) -> Timeline:
    """The timeline of a query (words and filters, as `search` takes them) over an open index. With `split`,
    each of `speakers` also gets its own count per period. `canonical` names a recorded speaker form's person
    and `forms` gives every recorded form of the people named (the speaker table's), so that top speakers
    and speaker filters count one person once, as `search` and `speakers` do; `companies` picks the names
    that are no person, which `speakers` leaves out and top speakers do too."""
    from searchkit import querylang

    tree = querylang.parse(text).tree
    options = {"match_all": match == "all", "date_from": date_from, "date_to": date_to}
    wanted = forms(speakers)
    counts = reader.day_counts(tree, speakers=wanted, **options)
    people: dict[date, dict[str, int]] = {}
    if top_speakers:
        for name, days in reader.speaker_day_counts(tree, speakers=wanted, **options).items():
            person = canonical(name)
            for day, n in days.items():
                bucket = people.setdefault(day, {})
                bucket[person] = bucket.get(person, 0) + n
        drop = companies({name for bucket in people.values() for name in bucket})
        people = {day: {n: c for n, c in bucket.items() if n not in drop} for day, bucket in people.items()}
    line = build(text, counts.days, counts.undated, unit, people, top_speakers)
    if not split or not line.periods:
        return line
    series = []
    for name in speakers:
        theirs = reader.day_counts(tree, speakers=forms([name]), **options).days
        per_period: dict[date, int] = {}
        for day, n in theirs.items():
            start = period_start(day, line.unit)
            per_period[start] = per_period.get(start, 0) + n
        series.append((name, tuple(per_period.get(p.start, 0) for p in line.periods)))
    return replace(line, split=tuple(series))
