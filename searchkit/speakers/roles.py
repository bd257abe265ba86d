"""Roles: the title phrase before a name ("Russian Foreign Ministry spokeswoman Maria Zakharova") or the
appositive after it ("Kenneth Baer, a former official, said").

A role is a noun phrase of titles, never a clause fragment: read backwards from the name, it takes capitalised
words, lower-case title and role words ("finance minister", "campaign manager") and "of"/"for"/"and"/"the"
only where they join two such phrases ("Chancellor of the Exchequer", "chairman and chief executive"). Any
other word ("below the 3.3 pct growth rate", "when", "with") ends it.
"""

from __future__ import annotations

from searchkit.speakers.article import Article
from searchkit.speakers.names import Name, clean, misspelt_title
from searchkit.speakers.patterns import APPOSITIVE_RE, UP_RE
from searchkit.speakers.words import ROLE_NOUNS, ROLE_WORDS, STOP_CAPS

_JOINERS = {"of", "for", "and", "the", "&", "to", "on"}
_NOT_ROLES = {"who", "which", "that", "where", "when", "whose", "said", "says", "and", "but", "as", "in"}


def _role_word(word: str) -> bool:
    """A word a title phrase is made of: capitalised ("Foreign", "U.S.", "Ministry's") or a lower-case role word."""
    if word[-1] in ",;:()“”\"[]" or word[0] in "(“\"[" or not word[0].isalpha():
        return False
    c = clean(word)
    return (UP_RE.match(word) is not None and c not in STOP_CAPS) or c in ROLE_WORDS


def _is_role(words: list[str]) -> bool:
    return any(clean(w) in ROLE_NOUNS or misspelt_title(w) for w in words)


def role_before(art: Article, name: Name, floor: int) -> tuple[str, int] | None:
    """Stated role before a name and where it starts: "Russian Foreign Ministry spokeswoman" Maria Z."""
    base = max(floor, name.start - 120)
    seg = art.body[base:name.start]
    words = seg.split()
    k = len(words)
    while k > 0 and len(words) - k < 10:
        w = words[k - 1]
        if _role_word(w):
            k -= 1
        elif clean(w) in _JOINERS and k >= 2 and k < len(words) and _joinable(words[k - 2]):
            k -= 1  # "Chancellor of the Exchequer": "of" and "the" join two title phrases
        else:
            break
    phrase = words[k:]
    while phrase and clean(phrase[0]) in _JOINERS:
        phrase = phrase[1:]
    if not phrase or not _is_role(phrase):
        return None
    start = name.start - len(seg) + seg.rfind(" ".join(phrase))
    return " ".join(phrase), start


def _joinable(word: str) -> bool:
    """The word left of a joiner ends a title phrase ("Chancellor" of, "chairman" and, "of" the)."""
    c = clean(word)
    return c in ROLE_NOUNS or c in {"of", "for"} or misspelt_title(word)


def role_after(art: Article, name: Name) -> str | None:
    """Appositive role after a name: "Kenneth Baer, a former official, said"."""
    m = APPOSITIVE_RE.match(art.body[name.end:name.end + 110])
    if m is None:
        return None
    words = m.group(1).split()
    if not words or clean(words[0]) in _NOT_ROLES or not _is_role(words[:6]):
        return None
    return m.group(1).removeprefix("a ").removeprefix("an ").removeprefix("the ")
