"""One person, one name across an archive: which recorded name forms are the same person.

Pure: from the archive's mentions (name, role, article date) and the previous map, `canonical_map` returns
alias -> canonical name for every form that is another form's person. A form joins another when the archive
makes it unambiguous:
  - the same name in another case, accents or with a generational suffix ("JOEL BENENSON", "Zoe Lindqvist",
    "Martin Luther King"): the form written most often is canonical;
  - a name with a leading word that is never a name word ("Besides Reagan") or that starts no other name in
    the archive ("Exchequer Nigel Lawson") is the full name after it, when that name is known and reads as
    one (its first word starts other names: not "Frans van Houten" -> "van Houten");
  - a surname alone ("Reagan") is the one known full name with that surname ("Ronald Reagan") quoted within
    `window` days of its mentions; with two or more such full names ("George Bush", "George W. Bush"), or
    when the word starts other names (a first name: "John"), it stays as it is.
Stable across incremental runs: an alias keeps the canonical name the previous map gave it while that name
is still mentioned, and a group keeps its previous canonical form.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from searchkit.analysis import strip_accents
from searchkit.speakers.words import HONORIFICS, LEADING_NOT_NAMES, STOP_CAPS, SURNAME_TITLES, TITLES

__all__ = ["DaysOf", "FormCount", "Mention", "canonical_map", "canonical_of_counts"]

_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_PARTICLES = {"de", "van", "von", "der", "den", "da", "di", "del", "dos", "du", "la", "le", "bin", "al"}
_NOT_FIRST = (STOP_CAPS | LEADING_NOT_NAMES | TITLES | HONORIFICS) - SURNAME_TITLES
WINDOW_DAYS = 730
_EDGES = ".,’'"  # stripped from a name's words


@dataclass(frozen=True, slots=True)
class Mention:
    """One article quoting a person under `name` (with the role it gives, if any) on `day` (None: undated)."""

    name: str
    role: str | None = None
    day: date | None = None


def _words(name: str) -> list[str]:
    """A name's folded words (lower case, accents off, suffix and trailing dots dropped), without leading words
    that are never names ("Besides Reagan", "Californian Thomas Slattery": indexes made before these were
    kept out of names)."""
    words = _folded(name)
    if len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    while len(words) > 1 and words[0] in _NOT_FIRST:
        words.pop(0)
    return words


@dataclass(slots=True)
class _Form:
    """What the archive says about one name form."""

    name: str
    key: str
    count: int = 0
    days: list[int] | None = None  # sorted ordinal days of dated mentions
    undated: bool = False


def canonical_map(mentions: Iterable[Mention], previous: Mapping[str, str] | None = None, *,
                  window: int = WINDOW_DAYS) -> dict[str, str]:
    """Alias -> canonical name for the name forms in `mentions` (forms that are their own canonical name are
    left out). `previous` is the map an earlier run returned."""
    counts: dict[str, list[int]] = {}  # name -> [mentions, undated mentions]
    day_lists: dict[str, list[int]] = {}
    for m in mentions:
        tally = counts.setdefault(m.name, [0, 0])
        tally[0] += 1
        if m.day is None:
            tally[1] += 1
        else:
            day_lists.setdefault(m.name, []).append(m.day.toordinal())
    return canonical_of_counts(((name, n, undated > 0) for name, (n, undated) in counts.items()),
                               lambda names: {n: day_lists[n] for n in names if n in day_lists}, previous,
                               window=window)


FormCount = tuple[str, int, bool]
"""A name form, how many mentions it has, and whether any is undated."""
DaysOf = Callable[[Collection[str]], Mapping[str, Iterable[int]]]
"""The ordinal days of the dated mentions of each of these forms (any order, repeats allowed)."""


def canonical_of_counts(counts: Iterable[FormCount], days_of: DaysOf, previous: Mapping[str, str] | None = None,
                        *, window: int = WINDOW_DAYS) -> dict[str, str]:
    """`canonical_map` from each form's tally (in order of first mention: the map lists aliases in that
    order) rather than from every mention: the days are asked for (`days_of`) only for the surnames alone
    and the full names they may join, so an archive's table of mentions need not be read whole."""
    previous = previous or {}
    forms: dict[str, _Form] = {}
    for name, count, undated in counts:
        words = _words(name)
        if words:
            forms[name] = _Form(name, " ".join(words), count, None, undated)

    # 1. one key (case, accents, suffix): the form written most often, or the one the previous map chose
    by_key: dict[str, list[_Form]] = {}
    for form in forms.values():
        by_key.setdefault(form.key, []).append(form)
    head: dict[str, str] = {}  # key -> canonical display form
    for key, group in by_key.items():
        if len(group) == 1:  # most keys: nothing to rank
            head[key] = group[0].name
            continue
        earlier = {previous.get(f.name, f.name) for f in group} & {f.name for f in group}
        ranked = sorted(group, key=lambda f: (f.name not in earlier or len(earlier) > 1, _leading(f), -f.count,
                                              f.name))
        head[key] = ranked[0].name

    # 2. a leading word that starts no other name: "exchequer nigel lawson" -> "nigel lawson"
    firsts = Counter(key.split(" ", 1)[0] for key in by_key if " " in key)
    target: dict[str, str] = {}  # key -> key it joins
    for key in by_key:
        words = key.split(" ")
        rest = " ".join(words[1:])
        # the rest must read as a full name of its own: its first word starts other names ("michael" of
        # "michael huerta"), unlike a surname's first part ("van houten", "nogueira batista")
        if (len(words) >= 3 and firsts[words[0]] == 1 and rest in by_key and firsts[words[1]] >= 2
                and words[1] not in _PARTICLES):
            target[key] = rest

    # 3. a surname alone: the one full name with that surname quoted within the window
    fulls: dict[str, list[str]] = {}
    for key in by_key:
        if " " in key and key not in target:
            fulls.setdefault(key.rsplit(" ", 1)[1], []).append(key)
    surnames = [key for key in by_key if " " not in key and key in fulls and firsts[key] < 2]
    # ("john", "francois": a word that starts other names is a first name, not a surname)
    wanted = {f.name for key in surnames for group in (by_key[key], *(by_key[k] for k in fulls[key]))
              for f in group}
    for name, days in days_of(wanted).items():
        forms[name].days = sorted(days)
    for key in surnames:
        group = by_key[key]
        near: set[str] = set()
        for form in group:
            for full in fulls[key]:
                if _near(form, by_key[full], window):
                    near.add(full)
        if len(near) == 1:
            target[key] = near.pop()

    # 4. aliases; an earlier choice stands while its canonical name is still mentioned
    out: dict[str, str] = {}
    for key, group in by_key.items():
        end = key
        seen = {key}
        while end in target and target[end] not in seen:
            end = target[end]
            seen.add(end)
        for form in group:
            kept = previous.get(form.name)
            canon = kept if kept is not None and kept in forms else head[end]
            if canon != form.name:
                out[form.name] = canon
    return out


def _leading(form: _Form) -> bool:
    """Whether the form carries a leading word its key dropped ("Exchequer Nigel Lawson")."""
    first = _fold(form.name.split()[0]) if form.name.split() else ""
    return first != form.key.split(" ", 1)[0]


def _folded(name: str) -> list[str]:
    """A name's words, each `_fold`ed, empty ones left out. An ASCII name (most) has no accents to strip: it
    is lowered at once, not word by word (a names merge folds every form of the archive, 5·10^4 at 10^5
    articles: 116M of its instructions)."""
    if name.isascii():
        return [w for w in (part.strip(_EDGES) for part in name.lower().split()) if w]
    return [w for w in (_fold(part) for part in name.split()) if w]


def _fold(word: str) -> str:
    return strip_accents(word).strip(_EDGES).lower()


def _near(form: _Form, fulls: list[_Form], window: int) -> bool:
    """Whether a surname form and a full name (any of its forms) are quoted within `window` days: any undated
    mention is near everything."""
    if form.undated or any(f.undated for f in fulls):
        return True
    for full in fulls:
        days = full.days or []
        for day in form.days or ():
            i = bisect_left(days, day - window)
            if i < len(days) and days[i] <= day + window:
                return True
    return False
