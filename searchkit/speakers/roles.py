"""Roles: the title phrase before a name ("Russian Foreign Ministry spokeswoman Maria Zakharova") or the
appositive after it ("Kenneth Baer, a former official, said").

A role is a noun phrase of titles, never a clause fragment: read backwards from the name, it takes capitalised
words, lower-case title and role words ("finance minister", "campaign manager") and "of"/"for"/"and"/"the"
only where they join two such phrases ("Chancellor of the Exchequer", "chairman and chief executive"). Any
other word ("below the 3.3 pct growth rate", "when", "with") ends it.
"""

from __future__ import annotations

import itertools
import re

from searchkit.speakers.article import Article
from searchkit.speakers.names import Name, clean, misspelt_title, plain, surname
from searchkit.speakers.patterns import APPOSITIVE_RE, INITIAL_RE, UP_RE
from searchkit.speakers.words import ROLE_NOUNS, ROLE_WORDS, STOP_CAPS, TITLES

_WORD_RE = re.compile(r"\S+")
_JOINERS = {"of", "for", "and", "the", "&", "to", "on"}
_NOT_ROLES = {"who", "which", "that", "where", "when", "whose", "said", "says", "and", "but", "as", "in"}


def _role_word(word: str) -> bool:
    """A word a title phrase is made of: capitalised ("Foreign", "U.S.", "Ministry's") or a lower-case role word."""
    if word[-1] in ",;:()“”\"[]" or word[0] in "(“\"[" or not word[0].isalpha():
        return False
    c = clean(word)
    return (UP_RE.match(word) is not None and c not in STOP_CAPS) or c in ROLE_WORDS


def _is_role(words: list[str]) -> bool:
    """Whether a phrase holds a role noun ("spokeswoman", "Co-President", a misspelt "Represenative")."""
    for w in words:  # (a plural is no one person's role: "Democrats", "JPMorgan analysts")
        c = clean(w)
        if c in ROLE_NOUNS or (misspelt_title(w) and c[:-1] not in TITLES) or (
                "-" in w and c.rsplit("-", 1)[1] in ROLE_NOUNS):
            return True
    return False


def role_before(art: Article, name: Name, floor: int) -> tuple[str, int] | None:
    """Stated role before a name and where it starts: "Russian Foreign Ministry spokeswoman" Maria Z."""
    base = max(floor, name.start - 120)
    seg = art.body[base:name.start]
    words = seg.split()  # (the words `_WORD_RE` finds: both split at the characters `str.isspace` holds blank)
    if words and words[-1].endswith(",") and seg.endswith(", "):  # "Their leader, Jo Haines, said"
        words[-1] = words[-1][:-1]
        if not words[-1]:  # a comma standing alone: "Jessica Hall , Ransdell Pierson"
            words.pop()
    k = len(words)
    mixed = not all(map(str.isupper, name.tokens))  # a text not written in capitals throughout
    while k > 0 and len(words) - k < 10:
        w = words[k - 1]
        if mixed and k >= 2 and _caps(w) and _caps(words[k - 2]) and clean(w) not in TITLES:
            break  # words in capitals end a subheading run into the text: "THE SAME FALLBACK Democratic ..."
            # (not a title in capitals after a company's: "UPS CEO Scott Davis")
        if _role_word(w):
            k -= 1
        elif (clean(w) in _JOINERS and 2 <= k < len(words) and _joins(words[k - 2], words[k])
              and not (w == "and" and k >= 3 and plain(words[k - 2])
                       and (plain(words[k - 3]) or INITIAL_RE.fullmatch(words[k - 3])))):
            k -= 1  # "Chancellor of the Exchequer", "Securities and Exchange Commission": joined phrases
            # (not across a name: "President James Bullard and Richmond Fed chief" Jeffrey Lacker)
        else:
            break
    while k < len(words) and clean(words[k]) in _JOINERS:
        k += 1
    phrase = words[k:]
    if not phrase or not _is_role(phrase):
        return None
    # where its first word is (blanks between may be any), found only for a role
    return " ".join(phrase), base + next(itertools.islice(_WORD_RE.finditer(seg), k, None)).start()


def _caps(word: str) -> bool:
    """A word in capitals, not an initial or an abbreviation with dots ("SAME", "SEC"; not "U.S.", "A")."""
    word = word.strip("'’\"“”")
    return len(word) > 1 and word.isalpha() and word.isupper()


def _joins(left: str, right: str) -> bool:
    """Whether a joiner between `left` and `right` joins two title phrases: a title on its left ("Chancellor"
    of, "chairman" and, "of" the), or capitalised words on both sides ("Securities and Exchange"), never a
    place and a lower-case role ("Newcastle and manager")."""
    c = clean(left)
    if c in ROLE_NOUNS or c in {"of", "for"} or misspelt_title(left):
        return True
    return UP_RE.match(left) is not None and (UP_RE.match(right) is not None or clean(right) == "the")


def role_after(art: Article, name: Name, limit: int | None = None) -> str | None:
    """Appositive role after a name: "Kenneth Baer, a former official, said"; it ends by `limit` (the cue after
    the name: "X, the director for the Iowa Democratic Party said")."""
    end = min(name.end + 110, art.sentence(name.end)[1])
    m = APPOSITIVE_RE.match(art.body, name.end, end if limit is None or limit <= name.end else min(end, limit))
    if m is None:
        return None
    words = m.group(1).split()
    if not words or clean(words[0]) in _NOT_ROLES or not _is_role(words[:6]):
        return None
    return m.group(1).removeprefix("a ").removeprefix("an ").removeprefix("the ")


def stated_role(art: Article, name: Name) -> str | None:
    """The role stated where the article gives the full name a surname mention resolves to (read once per
    surname: an article names most people it quotes again and again)."""
    sur = surname(name.tokens)
    if sur not in art.stated_roles:
        full = art.full_mention(sur)
        role = None
        if full is not None:
            before = role_before(art, full, art.sentence(full.start)[0])
            role = before[0] if before else role_after(art, full)
        art.stated_roles[sur] = role
    return art.stated_roles[sur]
