"""Dates in articles and in `--from` / `--to` bounds: parsing without dateutil, with compiled regexes.

Supported forms (an optional leading weekday and a trailing time are allowed on each):
`2023-09-19`, `2023-09-19T10:00:00+02:00`, `2023-09`, `19.09.2023 - 17:58`, `19 September 2023`,
`September 19, 2023`, `Sept. 19, 2023`, `Tue, 19 Sep 2023 10:00:00 +0000`, `Sun Oct 22, 2006 12:14pm EDT`.
Time zones are dropped: the wall-clock time is kept as a naive datetime.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from searchkit.errors import InvalidDate

__all__ = ["date_line", "dateline", "header_date", "parse_bound", "parse_date"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
        ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
        ("oct", "october"), ("nov", "november"), ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_MONTH = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:(?:mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:r(?:s(?:day)?)?)?|fri(?:day)?"
    r"|sat(?:urday)?|sun(?:day)?)\.?,?\s+)?"
)
_TZ = r"(?:Z|[+-]\d{2}(?::?\d{2})?|(?:UTC|GMT)(?:\s?[+-]\d{1,2}(?::?\d{2})?)?|\(?(?-i:[A-Z]{2,5})\)?)"
_TIME = (
    r"(?:(?:\s*[T,]\s*|\s+-\s+|\s+at\s+|\s+)"
    r"(?P<hh>\d{1,2}):(?P<mm>\d{2})(?::(?P<ss>\d{2})(?:[.,](?P<frac>\d+))?)?"
    r"(?:\s*(?P<ampm>[ap])\.?\s?m\b\.?)?"
    r"(?:\s*" + _TZ + r")?)?"
)
_DAY = r"(?P<d>\d{1,2})(?:st|nd|rd|th)?"
_ISO_MONTH = r"(?P<y>\d{4})-(?P<m>\d{1,2})"
_DATE_FORMS = (
    _ISO_MONTH + r"(?:-(?P<d>\d{1,2}))?",  # ISO (day optional)
    _DAY + r"\.(?P<m>\d{1,2})\.(?P<y>\d{4})",  # 19.09.2023
    _DAY + r"\s+(?:of\s+)?" + _MONTH + r",?\s+(?P<y>\d{4})",  # 19 September 2023
    _MONTH + r"\s+" + _DAY + r",?\s+(?P<y>\d{4})",  # September 19, 2023 / Sun Oct 22, 2006
)
# A whole value: weekday? date time?
_FULL = tuple(re.compile(r"\s*" + _WEEKDAY + form + _TIME + r"\s*", re.I) for form in _DATE_FORMS)
# A wire-copy dateline opening a line: "WASHINGTON, Sept. 19, 2023 (Reuters) - ...": a place in capitals
# (maybe ", Region"), a day-precise date with its year, an optional agency in brackets, then a dash.
_DATELINE = tuple(
    re.compile(
        r"\s*(?P<place>[^\W\d_][\w.'’-]*(?:[ \t]+[^\W\d_][\w.'’-]*){0,3})"
        r"(?:,[ \t]+[^\W\d_][\w.'’-]*(?:[ \t]+[^\W\d_][\w.'’-]*){0,2})?"
        r",[ \t]+" + _WEEKDAY + form + _TIME + r"(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*(?:-{1,2}|–|—)(?:\s|$)",
        re.I,
    )
    for form in (_ISO_MONTH + r"-(?P<d>\d{1,2})", *_DATE_FORMS[1:])
)
# A header line that is only a date, maybe behind markers and a label ("-- ", "Publication:", "Date:").
_LINE_PREFIX = re.compile(
    r"^[\s\-–—*#>_|]*(?:(?:publication|published|posted|updated|last updated|date|dated)(?:\s+on)?\s*:?\s*)?",
    re.I,
)
_BOUND = re.compile(r"\s*(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?\s*")
_BOUND_ERROR = "invalid date '{}': use YYYY, YYYY-MM or YYYY-MM-DD"


def _month_number(match: re.Match[str]) -> int:
    """The month of a match, from a number group `m` or a name group `mon`."""
    groups = match.groupdict()
    if groups.get("m"):
        return int(groups["m"])
    return _MONTHS[groups["mon"].lower().rstrip(".")]


def _from_match(match: re.Match[str]) -> datetime | None:
    """Build the datetime a date regex matched, or None when it is impossible (2023-02-30, 25:00)."""
    g = match.groupdict()
    hour = int(g["hh"]) if g.get("hh") else 0
    if g.get("ampm"):
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if g["ampm"].lower() == "p" else 0)
    frac = g.get("frac") or ""
    try:
        return datetime(
            int(g["y"]), _month_number(match), int(g["d"] or 1), hour, int(g["mm"] or 0),
            int(g["ss"] or 0), int((frac + "000000")[:6]),
        )
    except ValueError:
        return None


def parse_date(value: str) -> datetime | None:
    """Parse a whole string in any supported form; None if it is not a (possible) date."""
    if not value or len(value) > 80:
        return None
    for pattern in _FULL:
        match = pattern.fullmatch(value)
        if match:
            return _from_match(match)
    return None


def date_line(line: str) -> datetime | None:
    """The date a header line holds when it is only a date, maybe behind "-- " or "Publication:"."""
    if len(line) > 200:  # no label and date take that much: spare the slices of a long line
        return None
    match = _LINE_PREFIX.match(line)
    return parse_date(line[match.end():] if match else line)


def header_date(lines: Sequence[str]) -> tuple[datetime | None, int | None]:
    """The first of `lines` that is only a date (see `date_line`): `(date, index)`, or `(None, None)`."""
    for index, line in enumerate(lines):
        found = date_line(line)
        if found:
            return found, index
    return None, None


def dateline(line: str) -> datetime | None:
    """The date of a wire-copy dateline opening `line` ("WASHINGTON, Sept. 19, 2023 (Reuters) - ...").

    Only a place in capitals, then the date, then a dash make a dateline: a date inside a sentence
    ("attacks on 11 September 2001") is never an article's date. A dateline without a year gives None.
    """
    if len(line) < 12 or "," not in line[:120]:
        return None
    head = line[:200]
    for pattern in _DATELINE:
        match = pattern.match(head)
        if match and match["place"].isupper():
            return _from_match(match)
    return None


def _bound_error(value: str) -> InvalidDate:
    """The error raised for an unusable `--from` / `--to` value."""
    return InvalidDate(_BOUND_ERROR.format(value))


def _end_of_given_time(value: str, start: datetime) -> datetime:
    """The last microsecond of the minute or second a full ISO datetime names."""
    match = _FULL[0].fullmatch(value)
    if match is None or not match["hh"]:
        return start
    if not match["ss"]:
        return start + timedelta(seconds=59, microseconds=999_999)
    return start if match["frac"] else start + timedelta(microseconds=999_999)


def parse_bound(value: str, *, end: bool) -> datetime:
    """Parse a `--from` / `--to` bound: YYYY, YYYY-MM, YYYY-MM-DD or a full ISO datetime.

    With `end=True` the result is the last microsecond of the whole period named
    ("2019-02" -> 2019-02-28 23:59:59.999999), so both bounds are inclusive.
    """
    match = _BOUND.fullmatch(value)
    if match is None:
        if "T" not in value.upper() and ":" not in value:
            raise _bound_error(value)
        start = parse_date(value)
        if start is None or _FULL[0].fullmatch(value) is None:
            raise _bound_error(value)
        return _end_of_given_time(value, start) if end else start
    year, month, day = int(match["y"]), match["m"], match["d"]
    try:
        if month is None:
            first, last = datetime(year, 1, 1), datetime(year, 12, 31)
        elif day is None:
            first = datetime(year, int(month), 1)
            last = first.replace(day=calendar.monthrange(year, int(month))[1])
        else:
            first = last = datetime(year, int(month), int(day))
    except ValueError:
        raise _bound_error(value) from None
    if not end:
        return first
    return last.replace(hour=23, minute=59, second=59, microsecond=999_999)
