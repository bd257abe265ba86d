"""Why a search found nothing: the filter at fault (an unknown speaker, a reversed or empty date range)
rather than the query, with a suggestion where one can be made."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from searchkit.search import Searcher


def reversed_range(date_from: datetime | None, date_to: datetime | None) -> str | None:
    """A warning when `--from` is after `--to` (nothing can match)."""
    if date_from and date_to and date_from > date_to:
        return f"--from {date_from:%Y-%m-%d} is after --to {date_to:%Y-%m-%d}: the date range is reversed"
    return None


def why_empty(searcher: Searcher, text: str, *, date_from: datetime | None = None,
              date_to: datetime | None = None, speakers: Sequence[str] = ()) -> list[str]:
    """Reasons a search with these filters found nothing; empty when the query alone is to blame (its
    spelling suggestion says the rest)."""
    reversed_note = reversed_range(date_from, date_to)
    if reversed_note:
        return [reversed_note]
    reasons = []
    if (date_from or date_to) and _count(searcher, date_from=date_from, date_to=date_to) == 0:
        reasons.append(f"no article is dated {_period(date_from, date_to)}{_span(searcher)}")
    unknown = [name for name in speakers if _count(searcher, speakers=[name]) == 0]
    if unknown:
        names = [s.name for s in searcher.speaker_counts()]
        for name in unknown:
            reasons.append(f"no article quotes {name!r}" + _did_you_mean(name, names))
    if reasons or not (date_from or date_to or speakers):
        return reasons
    alone = _count(searcher, text=text)
    if alone:
        noun = "article matches" if alone == 1 else "articles match"
        reasons.append(f"{alone} {noun} {text!r} without the filters, none with them" if text.strip("* ")
                       else "no article passes all the filters together")
    return reasons


def _count(searcher: Searcher, text: str = "", **filters: object) -> int:
    return searcher.search(text, limit=1, **filters).total  # type: ignore[arg-type]


def _period(date_from: datetime | None, date_to: datetime | None) -> str:
    if date_from and date_to:
        return f"from {date_from:%Y-%m-%d} to {date_to:%Y-%m-%d}"
    return f"from {date_from:%Y-%m-%d} on" if date_from else f"up to {date_to:%Y-%m-%d}"


def _span(searcher: Searcher) -> str:
    st = searcher.stats(top=0)
    if st.earliest and st.latest:
        return f" (the index spans {st.earliest:%Y-%m-%d} to {st.latest:%Y-%m-%d})"
    return " (the index has no dated articles)"


def _did_you_mean(name: str, names: Sequence[str]) -> str:
    """`; did you mean …?` naming the closest speaker by full name or surname, or nothing."""
    import difflib

    keys: dict[str, str] = {}
    for full in names:
        keys.setdefault(full.lower(), full)
        keys.setdefault(full.rsplit(" ", 1)[-1].lower(), full)
    close = difflib.get_close_matches(name.lower(), list(keys), n=3, cutoff=0.75)
    found = list(dict.fromkeys(keys[k] for k in close))
    if not found:
        return ""
    return "; did you mean " + " or ".join(repr(f) for f in found) + "?"
