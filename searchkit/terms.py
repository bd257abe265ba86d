"""The one place where a value becomes index terms: speaker names, dates and date ranges.

Indexing and querying both call these functions, so what is written and what is looked up cannot drift
apart (a property test checks that they agree for any name and date). Pure Python, no Whoosh.

- **Speakers.** A name's words are its folded tokens (`analysis.tokens`), a hyphenated part split like
  any other word: "Kim Jong-un" -> `kim jong un`, "Jean-Pierre Raffarin" -> `jean pierre raffarin`. An
  article is indexed under each speaker's full name, the full name without a generational suffix
  ("Martin Luther King Jr." -> `martin luther king`) and the surname (the last word written with a space
  before it, suffix aside: `raffarin`, `jong un`, `king`). A query names a speaker by any of these, in
  any case, with or without accents.
- **Dates.** A dated document holds its year, month and day (`2019`, `2019-03`, `2019-03-15`); a range
  of days is the fewest of those terms that cover it.
- **Word pairs** (Lucene's CommonGrams, for exact phrases). Two words at adjacent positions form a pair
  term `"first second"` when neither is a stopword, both are among the index's frequent words and either is
  among its common words (sets fixed when the index is first built and stored with it). A phrase whose
  adjacent words form pair terms is found from the pairs' shorter posting lists, with the same results.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from searchkit import analysis

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
"""Generational suffixes: not a surname, and optional in a full name."""


def word_parts(text: str) -> tuple[list[str], str | None]:
    """The folded words of `text` (a hyphenated compound as its parts) and, when `text` holds a
    compound, the first compound's joined form ("cease-fire" -> `["cease", "fire"], "ceasefire"`)."""
    toks = list(analysis.tokens(text))
    parts: list[str] = []
    joined = None
    for i, (word, pos, _start, _end) in enumerate(toks):
        if i + 1 < len(toks) and toks[i + 1][1] == pos:  # a compound's joined form shares its first position
            joined = joined or word
            continue
        parts.append(word)
    return parts, joined


class PairWords(NamedTuple):
    """The words an index pairs: a pair needs both words `frequent` and either `common` (among them)."""

    common: frozenset[str]
    frequent: frozenset[str]


def pair_role(word: str, words: PairWords) -> int:
    """How a folded word takes part in pairs: 0 never (a stopword, a word not frequent), 2 as a common word,
    else 1."""
    if word not in words.frequent or word in analysis.STOPWORDS:
        return 0
    return 2 if word in words.common else 1


def forms_pair(first_role: Any, second_role: Any) -> Any:
    """Whether words of these `pair_role`s form a pair: both take part, either as a common word (roles are 0,
    1 or 2, so the product is 2 or 4 exactly then). Ints or numpy arrays of roles alike."""
    return first_role * second_role >= 2


def pair_term(first: str, second: str, words: PairWords) -> str | None:
    """The pair term of two words at adjacent positions (`first` before `second`), or None when they form none."""
    return pair_text(first, second) if forms_pair(pair_role(first, words), pair_role(second, words)) else None


def pair_text(first: str, second: str) -> str:
    """How a pair term is spelled (words never hold a space)."""
    return f"{first} {second}"


SPEAKER_CACHE = 4096  # names (~0.5 KB each with their terms)


def _name_words(text: str) -> list[str]:
    """The folded words of a name. Accents are taken off first, so a decomposed accent (a letter followed by
    a combining mark, as in "İ".lower()) does not split a word in two as the tokenizer would."""
    return word_parts(analysis.strip_accents(text))[0]


def speaker_query_term(text: str) -> str | None:
    """The term a speaker filter looks up for `text` (a full name or a surname); None when it has no words."""
    return " ".join(_name_words(text)) or None


@lru_cache(maxsize=SPEAKER_CACHE)
def speaker_terms(name: str) -> tuple[str, ...]:
    """The terms an article quoting `name` is indexed under: full name, full name without a suffix, surname
    (each once, in that order; none for a name without words). Cached: an article's speaker comes back in
    each of its quotes, and the same people are quoted across an archive."""
    words = [parts for parts in (_name_words(w) for w in name.replace(",", " ").split()) if parts]
    if not words:
        return ()
    suffixed = len(words) > 1 and len(words[-1]) == 1 and words[-1][0] in SUFFIXES
    core = words[:-1] if suffixed else words
    terms = [" ".join(w for parts in words for w in parts), " ".join(w for parts in core for w in parts),
             " ".join(core[-1])]
    return tuple(dict.fromkeys(terms))


def document_speaker_terms(names: Iterable[str]) -> list[str]:
    """The speaker terms of a document quoting `names`, each once."""
    return list(dict.fromkeys(t for name in names for t in speaker_terms(name)))


def period_terms(day: date) -> list[str]:
    """The date terms of a day: its year, month and day."""
    return [f"{day.year:04d}", f"{day.year:04d}-{day.month:02d}", f"{day.year:04d}-{day.month:02d}-{day.day:02d}"]


def day_range_terms(first: date, last: date) -> list[str]:
    """Fewest period terms covering every day from `first` to `last` inclusive (none when `first > last`)."""
    terms: list[str] = []
    day: date | None = first
    while day is not None and day <= last:
        year_end = date(day.year, 12, 31)
        month_end = date(day.year, day.month, monthrange(day.year, day.month)[1])
        if (day.month, day.day) == (1, 1) and year_end <= last:
            term, end = period_terms(day)[0], year_end
        elif day.day == 1 and month_end <= last:
            term, end = period_terms(day)[1], month_end
        else:
            term, end = period_terms(day)[2], day
        terms.append(term)
        day = end + timedelta(days=1) if end < date.max else None
    return terms
