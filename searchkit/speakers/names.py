"""Names in capitalised runs: the trailing personal name of "Foreign Minister Elena Marsh", titles split off."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from searchkit.speakers.patterns import ACRONYM_RE, INITIAL_RE
from searchkit.speakers.words import (
    GIVEN_NAME_WORDS,
    HONORIFICS,
    HYPHEN_TAILS,
    KNOWN_ACRONYMS,
    LEADING_NOT_NAMES,
    NON_NAMES,
    NOT_NAME_WORDS,
    ORG_WORDS,
    PARTICLES,
    STOP_CAPS,
    SUFFIXES,
    SURNAME_TITLES,
    TITLES,
)


@lru_cache(maxsize=4096)
def clean(tok: str) -> str:
    """Lower-case a token and drop trailing dots/possessives for list look-ups."""
    return tok.lower().rstrip(".").removesuffix("’s").removesuffix("'s")


@dataclass(slots=True)
class Name:
    """A name found at the end of a capitalised run: its tokens and where it starts."""

    tokens: list[str]
    start: int
    end: int
    run_start: int  # start of the whole run, titles included
    titled: bool  # preceded in the run by a formal title (Sen., President) — not Mr./Mrs.
    honorific: bool  # preceded by Mr./Mrs./Ms./Dr.
    suffix: str = ""  # "Jr.", "III": shown with the name, not part of its surname

    @property
    def full(self) -> str:
        """The name as displayed: "Martin Luther King Jr."."""
        return " ".join(self.tokens) + (" " + self.suffix if self.suffix else "")


def name_of_run(text: str, start: int, possessive: bool = False) -> Name | None:
    """Split a capitalised run into leading titles and the trailing personal name; None if not a person.

    A possessive run ("Clinton's campaign") is no speaker, but with `possessive` it still names a person.
    """
    parsed = _parse_run(text, possessive)
    if parsed is None:
        return None
    words, offset, titled, honorific, suffix = parsed
    return Name(list(words), start + offset, start + len(text), start, titled, honorific, suffix)


@lru_cache(maxsize=8192)
def _parse_run(text: str, possessive: bool) -> tuple[tuple[str, ...], int, bool, bool, str] | None:
    """`name_of_run` relative to the run (the same runs are read for many cues and surnames)."""
    raw = text.rsplit(None, 8)  # a name is its last few words: never split a whole long run
    if len(raw) > 8:
        raw[0] = raw[0].rsplit(None, 1)[-1]  # the rest of a long run, as one word that ends the name
    if not raw:
        return None
    if raw[-1].endswith(("’s", "'s", "’", "'")):
        if not possessive:
            return None
        raw[-1] = raw[-1].rstrip("s").rstrip("’'")
    words: list[str] = []
    suffix: list[str] = []
    i = len(raw) - 1
    while i >= 0:
        w = raw[i]
        c = clean(w)
        if c in SUFFIXES and not words and i >= len(raw) - 2 and i > 0:  # "Jr.", "Jr. III"
            suffix.insert(0, w)
            i -= 1
            continue
        if len(words) > 4:
            return None
        acronym = ACRONYM_RE.fullmatch(w) is not None
        if (acronym and (not words or c in KNOWN_ACRONYMS)) or (
                w.isalpha() and w.isupper() and len(w) > 1 and words and not words[-1].isupper()):
            break  # "N.J.", "U.S.", a capitalised tag ("PUSH Richard Hastings") end the name
        if acronym or INITIAL_RE.fullmatch(w) or (w in PARTICLES and words):  # "G.K. Butterfield"
            words.append(w)
            i -= 1
            continue
        given = bool(words) and c in GIVEN_NAME_WORDS  # "Bill" Maher, "Christian" Estrosi: before a surname
        blocked = c in TITLES or c in HONORIFICS or (c in NON_NAMES and not given) or (words and (
            c in LEADING_NOT_NAMES or (c.endswith("ing") and len(c) > 5)))  # "Cross-examining Ronald Greenidge"
        if blocked and not words and c in SURNAME_TITLES and (
                i == 0 or plain(raw[i - 1]) or clean(raw[i - 1]) in HONORIFICS):
            blocked = False  # a surname that is also a title word: "Amy Pope", "Peter T. King"
        if "-" in c and not blocked:  # "Kremlin-backed", "U.S.-based"; not "Jong-un"
            blocked = any((len(p) > 2 and (p in TITLES or p in ORG_WORDS)) or p in HYPHEN_TAILS for p in c.split("-"))
        if (blocked or (c in ORG_WORDS and not given) or c in STOP_CAPS
                or w.endswith(("’s", "'s"))):
            break
        words.append(w)
        i -= 1
    words.reverse()
    while words and words[0] in PARTICLES:
        words.pop(0)
    if len(words) >= 3 and misspelt_title(words[0]):  # "Trade Represenative Clayton Yeutter"
        words.pop(0)
    if not words or len(words) > 4:
        return None
    prev = clean(raw[i]) if i >= 0 else ""
    if clean(words[-1]) in ORG_WORDS:
        return None
    for w in words[:-1]:
        c = clean(w)
        if c in ORG_WORDS and c not in GIVEN_NAME_WORDS:
            return None
    offset = text.rfind(words[0])
    # titled: after a title ("Sen. Sanders", "Republican Trump"), not a place ("U.S. Trustee")
    titled = prev in TITLES and prev not in HONORIFICS and prev not in KNOWN_ACRONYMS and prev not in _PLACES
    return tuple(words), offset, titled, prev in HONORIFICS, " ".join(suffix)


_PLACES = {"u.s.", "us", "uk", "un", "eu"}
_LONG_TITLES = frozenset(w for w in TITLES if len(w) >= 7 and w.isalpha())
_ONE_OFF = frozenset(t[:i] + t[i + 1:] for t in _LONG_TITLES for i in range(len(t))) | _LONG_TITLES


@lru_cache(maxsize=4096)
def misspelt_title(word: str) -> bool:
    """A long capitalised word one letter off a title ("Represenative", "Secretray", "Chancelor"): not a name.

    One letter off: a letter left out, added or changed, or two swapped (a symmetric deletion shared)."""
    c = word.lower()
    if len(c) < 7 or not c.isalpha() or c in TITLES or c.endswith(("ed", "ing")):
        return False  # (a verb is no title: "reported" is one letter off "reporter")
    return c in _ONE_OFF or any(c[:i] + c[i + 1:] in _ONE_OFF for i in range(len(c)))


def plain(word: str) -> bool:
    """True for a capitalised word that could be a first name (not a title, organisation or stop word)."""
    c = clean(word)
    return (word[:1].isupper() and c not in TITLES and c not in HONORIFICS
            and (c not in ORG_WORDS or c in GIVEN_NAME_WORDS)
            and c not in STOP_CAPS and c not in NOT_NAME_WORDS and not word.endswith(("’s", "'s", ".")))


def surname(tokens: list[str]) -> str:
    """Last word of a name, lower-cased, suffixes dropped."""
    return clean(tokens[-1])


def display_form(name: str) -> str:
    """Title-case names written in capitals (transcripts: "JOEL BENENSON")."""
    return name.title() if name.isupper() and len(name) > 3 else name
