"""Timeline periods: grouping days, choosing the unit, zero-filled gaps, undated articles apart."""

from __future__ import annotations

import random
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from searchkit import timeline
from searchkit.errors import InvalidQuery


def test_days_group_into_months_with_gaps_filled() -> None:
    days = {date(2024, 1, 31): 2, date(2024, 1, 2): 1, date(2024, 4, 1): 5}
    tl = timeline.build("oil", days, undated=3, unit="month")
    assert [(p.name, p.count) for p in tl.periods] == [("2024-01", 3), ("2024-02", 0), ("2024-03", 0),
                                                       ("2024-04", 5)]
    assert (tl.undated, tl.total, tl.unit) == (3, 11, "month")


def test_weeks_are_iso_weeks_across_the_year_end() -> None:
    days = {date(2024, 12, 29): 1, date(2024, 12, 30): 2, date(2025, 1, 5): 4, date(2025, 1, 6): 8}
    tl = timeline.build("q", days, unit="week")
    assert [(p.name, p.start, p.count) for p in tl.periods] == [
        ("2024-W52", date(2024, 12, 23), 1), ("2025-W01", date(2024, 12, 30), 6), ("2025-W02", date(2025, 1, 6), 8)]


@pytest.mark.parametrize(("span", "unit"), [(0, "day"), (99, "day"), (100, "week"), (600, "week"),
                                            (800, "month"), (3_000, "month"), (3_100, "year")])
def test_unit_is_the_finest_that_fits_the_bars(span: int, unit: str) -> None:
    first = date(2006, 10, 20)
    assert timeline.choose_unit(first, first + timedelta(days=span)) == unit
    tl = timeline.build("q", {first: 1, first + timedelta(days=span): 1})
    assert tl.unit == unit
    assert len(tl.periods) <= timeline.MAX_BARS


def test_only_undated_matches_give_no_periods() -> None:
    tl = timeline.build("q", {}, undated=4)
    assert (tl.periods, tl.undated, tl.total) == ((), 4, 4)
    with pytest.raises(InvalidQuery):
        timeline.build("q", {}, unit="decade")  # type: ignore[arg-type]


def test_top_speakers_per_period() -> None:
    d1, d2, d3 = date(2024, 1, 1), date(2024, 1, 20), date(2024, 2, 3)
    speakers = {d1: {"Ana Ruiz": 2, "Tomas Berg": 1}, d2: {"Tomas Berg": 2}, d3: {"Elena Marsh": 1}}
    tl = timeline.build("q", {d1: 2, d2: 2, d3: 1}, unit="month", speakers=speakers, top_speakers=1)
    assert [p.speakers for p in tl.periods] == [(("Tomas Berg", 3),), (("Elena Marsh", 1),)]


@given(st.lists(st.one_of(st.none(), st.dates(date(1990, 1, 1), date(2030, 12, 31))), max_size=60),
       st.sampled_from([None, *timeline.UNITS]))
def test_periods_add_up_to_a_plain_count(dates: list[date | None], unit: timeline.Unit | None) -> None:
    days, undated = timeline.day_counts(dates)
    tl = timeline.build("q", days, undated, unit)
    assert sum(p.count for p in tl.periods) + tl.undated == len(dates)
    for d in (d for d in dates if d is not None):
        owner = [p for p in tl.periods if p.start <= d < timeline.next_start(p.start, tl.unit)]
        assert len(owner) == 1
        assert owner[0].count == sum(1 for x in dates if x is not None and owner[0].start <= x
                                     < timeline.next_start(owner[0].start, tl.unit))
    starts = [p.start for p in tl.periods]
    assert starts == sorted(starts)
    assert all(timeline.next_start(a, tl.unit) == b for a, b in pairwise(starts))


def test_names_round_trip_randomly() -> None:
    rng = random.Random(3)
    for _ in range(200):
        day = date(2000, 1, 1) + timedelta(days=rng.randrange(12_000))
        for unit in timeline.UNITS:
            start = timeline.period_start(day, unit)
            assert start <= day < timeline.next_start(start, unit)
            assert timeline.period_name(start, unit) == timeline.period_name(timeline.period_start(start, unit), unit)
