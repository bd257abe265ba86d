"""Tests for searchkit.dates: every supported form, header search, and --from/--to bounds."""

from __future__ import annotations

from datetime import datetime

import pytest

from searchkit.dates import date_line, dateline, header_date, parse_bound, parse_date
from searchkit.errors import InvalidDate


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-09-19", datetime(2023, 9, 19)),
        ("2023-9-1", datetime(2023, 9, 1)),
        ("2023-09", datetime(2023, 9, 1)),
        ("2023-09-19T10:00:00", datetime(2023, 9, 19, 10)),
        ("2023-09-19 10:00", datetime(2023, 9, 19, 10)),
        ("2023-09-19T10:00:00Z", datetime(2023, 9, 19, 10)),
        ("2023-09-19T10:00:00.250+02:00", datetime(2023, 9, 19, 10, 0, 0, 250_000)),
        ("2023-09-19T23:59:59.9999999-0500", datetime(2023, 9, 19, 23, 59, 59, 999_999)),
        ("19 September 2023", datetime(2023, 9, 19)),
        ("19th of September 2023", datetime(2023, 9, 19)),
        ("19 Sep 2023", datetime(2023, 9, 19)),
        ("September 19, 2023", datetime(2023, 9, 19)),
        ("Sept. 19, 2023", datetime(2023, 9, 19)),
        ("sept 19 2023", datetime(2023, 9, 19)),
        ("Tuesday, September 19, 2023", datetime(2023, 9, 19)),
        ("19.09.2023", datetime(2023, 9, 19)),
        ("19.09.2023 - 17:58", datetime(2023, 9, 19, 17, 58)),
        ("Tue, 19 Sep 2023 10:00:00 +0000", datetime(2023, 9, 19, 10)),
        ("Sun Oct 22, 2006 12:14pm EDT", datetime(2006, 10, 22, 12, 14)),
        ("Fri Oct 20, 2006 6:15pm EDT", datetime(2006, 10, 20, 18, 15)),
        ("Mon Mar 15, 2010 12:05am EDT", datetime(2010, 3, 15, 0, 5)),
        ("May 2, 2024 at 9:30 a.m.", datetime(2024, 5, 2, 9, 30)),
        ("  29 February 2024  ", datetime(2024, 2, 29)),
    ],
)
def test_parse_date_supported_forms(value: str, expected: datetime) -> None:
    """Each supported form parses to the naive wall-clock datetime it names."""
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "", "hello", "2023", "2023-02-30", "31.04.2023", "29 February 2023", "Smarch 3, 2023",
        "2023-13-01", "2023-09-19T25:00", "Sun Oct 22, 2006 13:14pm EDT", "19/09/2023",
        "In September 19, 2023 news", "x" * 200,
    ],
)
def test_parse_date_rejects_non_dates_and_impossible_dates(value: str) -> None:
    """Anything that is not a whole, possible date gives None."""
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("-- Fri Oct 20, 2006 6:15pm EDT", datetime(2006, 10, 20, 18, 15)),
        ("Publication: 19.09.2023 - 17:58", datetime(2023, 9, 19, 17, 58)),
        ("Published on: 2023-09-19", datetime(2023, 9, 19)),
        ("Date: 19 September 2023", datetime(2023, 9, 19)),
        ("*19 September 2023*", None),
        ("The talks ended on 19 September 2023.", None),
    ],
)
def test_date_line(line: str, expected: datetime | None) -> None:
    """A header line counts as a date line only when nothing but markers and a label surround the date."""
    assert date_line(line) == expected


def test_header_date_takes_the_first_date_only_line() -> None:
    """A date-only line gives the date and its index; a date inside a line before it does not count."""
    lines = ["MERENBURG, 1 May 2020 - text", "-- By Someone", "-- Sun Oct 22, 2006 12:14pm EDT"]
    assert header_date(lines) == (datetime(2006, 10, 22, 12, 14), 2)
    assert header_date(["A title", "The talks ended on 19 September 2023."]) == (None, None)
    assert header_date([]) == (None, None)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("WASHINGTON, Sept. 19, 2023 (AP) - Officials said", datetime(2023, 9, 19)),
        ("NEW YORK, Oct 20, 2006 (Reuters) -- Stocks rose", datetime(2006, 10, 20)),
        ("MERENBURG, Sept. 19, 2023 - The council met.", datetime(2023, 9, 19)),
        ("ANCHORAGE, Alaska, 20 October 2006 (Reuters) — Exxon", datetime(2006, 10, 20)),
        ("SÃO PAULO, 2023-09-19 - Brazil's", datetime(2023, 9, 19)),
        ("  LONDON, Tuesday, 19 September 2023 - text", datetime(2023, 9, 19)),
        # not datelines: no year, a place not in capitals, a date inside the sentence, no dash
        ("WASHINGTON, Sept. 12 (Reuters) - The Senate", None),
        ("Washington, Sept. 19, 2023 - text", None),
        ("The attacks on 11 September 2001 changed everything.", None),
        ("He was born in LONDON, 5 April 1920 - and", None),
        ("LONDON, 5 April 1920 and more", None),
        ("WASHINGTON, Sept. 31, 2023 (AP) - impossible day", None),
        ("", None),
    ],
)
def test_dateline(line: str, expected: datetime | None) -> None:
    """Only a wire-copy dateline opening the line (place in capitals, date with year, dash) is a date."""
    assert dateline(line) == expected


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2019", datetime(2019, 1, 1), datetime(2019, 12, 31, 23, 59, 59, 999_999)),
        ("2019-02", datetime(2019, 2, 1), datetime(2019, 2, 28, 23, 59, 59, 999_999)),
        ("2020-02", datetime(2020, 2, 1), datetime(2020, 2, 29, 23, 59, 59, 999_999)),
        ("2000-02", datetime(2000, 2, 1), datetime(2000, 2, 29, 23, 59, 59, 999_999)),
        ("1900-02", datetime(1900, 2, 1), datetime(1900, 2, 28, 23, 59, 59, 999_999)),
        ("2024-12", datetime(2024, 12, 1), datetime(2024, 12, 31, 23, 59, 59, 999_999)),
        ("2024-04-30", datetime(2024, 4, 30), datetime(2024, 4, 30, 23, 59, 59, 999_999)),
        ("2024-2-9", datetime(2024, 2, 9), datetime(2024, 2, 9, 23, 59, 59, 999_999)),
        ("2023-09-19T10:00", datetime(2023, 9, 19, 10), datetime(2023, 9, 19, 10, 0, 59, 999_999)),
        ("2023-09-19T10:00:05", datetime(2023, 9, 19, 10, 0, 5), datetime(2023, 9, 19, 10, 0, 5, 999_999)),
        ("2023-09-19T10:00:05.5Z", datetime(2023, 9, 19, 10, 0, 5, 500_000),
         datetime(2023, 9, 19, 10, 0, 5, 500_000)),
    ],
)
def test_parse_bound_covers_whole_periods(value: str, start: datetime, end: datetime) -> None:
    """Start bounds are the first instant of the period, end bounds its last microsecond (inclusive)."""
    assert parse_bound(value, end=False) == start
    assert parse_bound(value, end=True) == end


@pytest.mark.parametrize(
    "value", ["", "19", "20190", "2019-13", "2019-00", "2019-02-29", "2019-04-31", "abc", "19.09.2023",
              "September 2019", "2019-02-01T24:00", "2019/02/01"],
)
def test_parse_bound_rejects_invalid_values(value: str) -> None:
    """Invalid bounds raise InvalidDate with the fixed, actionable message."""
    with pytest.raises(InvalidDate) as caught:
        parse_bound(value, end=True)
    assert str(caught.value) == f"invalid date '{value}': use YYYY, YYYY-MM or YYYY-MM-DD"
