"""Names that are not people: companies written with a stock ticker, the place of a wire dateline, names that
only occur inside an organisation's name ("the Institute for Supply Management")."""

from __future__ import annotations

import re
from collections.abc import Iterator

from searchkit.speakers.names import display_form
from searchkit.speakers.patterns import UP

TICKER = (r"\([ \t]*(?:[A-Z0-9]{1,6}\.[A-Z]{1,3}|(?:NYSE|NASDAQ|Nasdaq|AMEX|LSE|TSX|TSE)[ \t]*:[ \t]*[A-Z0-9.]{1,8})"
          r"[ \t]*\)")  # "( GS.N )", "(NASDAQ: AAPL)"
TICKER_ONLY_RE = re.compile(TICKER)
TICKER_WORD_RE = re.compile(r"[A-Z][\w&.'’-]*")


def ticker_names(body: str) -> set[str]:
    """Names written with a stock ticker ("Goldman Sachs ( GS.N )", "Apple (NASDAQ: AAPL)"): companies.

    Each trailing part of the capitalised run counts ("Investment bank Morgan Stanley ( MS.N )").
    """
    names: set[str] = set()
    for m in TICKER_ONLY_RE.finditer(body):
        before = body[max(0, m.start() - 200):m.start()]
        words: list[str] = []
        capitals = 0
        for w in reversed(before.split()[-10:]):  # up to five capitalised words, "&" between them
            if w == "&" and capitals:
                words.append(w)
            elif TICKER_WORD_RE.fullmatch(w) and capitals < 5:
                words.append(w)
                capitals += 1
            else:
                break
        while words and words[-1] == "&":
            words.pop()
        words.reverse()
        names.update(" ".join(words[i:]) for i in range(len(words)))
    return names


DATELINE_RE = re.compile(r"\A\s*([A-Z][A-Za-z .,'’-]{1,60}?)\s*\((?:Reuters|AP|AFP|Bloomberg|UPI)\)\s*[-–—]")
ORG_HEADS = ("Institute|Bank|University|Department|Ministry|Council|Association|Board|Bureau|Center|Centre|College|"
             "Academy|Society|Federation|Commission|Office|School|Party|Union|Fund|Agency|Foundation|Organization|"
             "Organisation|Church|Museum|Hospital|Court|Committee|Corporation|Authority|Chamber|League")


def dateline_names(body: str) -> set[str]:
    """The place in a wire dateline ("SAN FRANCISCO (Reuters) - ..."), in the forms a speaker would take."""
    m = DATELINE_RE.match(body)
    if not m:
        return set()
    place = m.group(1).split(",")[0].strip()
    return {place, display_form(place), place.title()}


# `\b(?:{ORG_HEADS})\s++(?:of|for|on)\s++(the\s++)?` (tested), with the word boundary before a head tested by a
# lookbehind after it: the pattern opens with the heads' first letters, which the engine skips ahead to, where the
# boundary first made it try every head at every position (111 -> 14 us a Reuters article, when read).
ORG_PREFIX_RE = re.compile("(?:" + "|".join(rf"{head}(?<!\w{head})" for head in ORG_HEADS.split("|"))
                           + r")\s++(?:of|for|on)\s++(the\s++)?")


_BOUNDARY_RE = re.compile(r"\b")


def at_boundary(text: str, i: int) -> bool:
    """Whether `\\b` matches at offset `i` of `text` (the pattern's own test, in C: it looks at the characters on
    both sides of `i`, the text before `pos` included)."""
    return _BOUNDARY_RE.match(text, i) is not None


def occurrences(name: str, body: str) -> Iterator[int]:
    """Offsets of every occurrence of `name` in `body` (overlapping ones too, as a regex scan tries them)."""
    i = body.find(name)
    while i >= 0:
        yield i
        i = body.find(name, i + 1)


class Occurrences:
    """Where names occur in one body. A short body is searched for each name (a string search is quickest);
    in a long one, searching for every name would take time growing with the square of its size, so the
    starts of capitalised words are indexed once, and a name's candidates are the starts of its first word;
    when those are many, they are split by the word that follows (blanks and punctuation before it included),
    and so on word by word, each split made once on first use ("John Smith", "John Doe"; "John Smith Jr.").
    A name is only ever looked for as whole words, and then its next word is a whole word of the body too, so
    the split loses no occurrence: both give every offset where the name starts and ends a word (tested), in
    time linear in the body and the names, however many names share their first words."""

    INDEX_FROM = 1 << 16  # characters
    GROUP_FROM = 16  # starts of one group before they are split by their next word

    def __init__(self, body: str) -> None:
        self.body = body
        self._starts: dict[str, list[int]] | None = None
        self._split: dict[str, dict[str, list[int]]] = {}  # a group's common prefix -> its starts by next word

    def __call__(self, name: str) -> Iterator[int]:
        body = self.body
        first = FIRST_WORD_RE.match(name)
        if len(body) < self.INDEX_FROM or first is None:
            yield from occurrences(name, body)
            return
        if self._starts is None:
            self._starts = {}
            for m in FIRST_WORD_RE.finditer(body):
                self._starts.setdefault(m.group(0), []).append(m.start())
        cut = first.end()
        starts = self._starts.get(first.group(0), [])
        while len(starts) >= self.GROUP_FROM:
            nxt = NAME_NEXT_WORD_RE.match(name, cut)
            if nxt is None:  # the name ends here, or in characters outside words: read the group
                break
            prefix = name[:cut]
            groups = self._split.get(prefix)
            if groups is None:
                groups = self._split[prefix] = {}
                for i in starts:
                    groups.setdefault(body[i + cut:BODY_NEXT_WORD_RE.match(body, i + cut).end()], []).append(i)
            starts = groups.get(name[cut:nxt.end()], [])
            cut = nxt.end()
        for i in starts:
            if body.startswith(name, i):
                yield i


FIRST_WORD_RE = re.compile(rf"\b[{UP}]\w*")  # a word that starts with a capital, whole (as a name's first word)
NAME_NEXT_WORD_RE = re.compile(r"\W*\w+")  # the next word of a name, with what stands before it
BODY_NEXT_WORD_RE = re.compile(r"\W*\w*")  # the same in the body (where the text may end first)


def named_alone(name: str, body: str, where: Occurrences | None = None) -> bool:
    """Whether `name` occurs as whole words, not right after "of ", "for ", "on " or "the ".

    The same as searching `(?<!of )(?<!for )(?<!on )(?<!the )\\bNAME\\b` (tested), without compiling a
    pattern per name.
    """
    end = len(name)
    found = (where or Occurrences(body))(name)
    return any(at_boundary(body, i) and at_boundary(body, i + end)
               and not body.endswith(("of ", "for ", "on ", "the "), 0, i) for i in found)


class OrgNames:
    """Which names of an article occur only inside an organisation's name ("the Institute for Supply
    Management said"): one scan of the body for organisation heads, then a set look-up per occurrence."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.where = Occurrences(body)
        self._after_heads: set[int] | None = None
        self._seen: dict[str, bool] = {}

    def after_heads(self) -> set[int]:
        """Offsets right after "Institute for ", "Bank of the " (both with and without the "the")."""
        if self._after_heads is None:
            self._after_heads = set()
            for m in ORG_PREFIX_RE.finditer(self.body):
                self._after_heads.add(m.end())
                if m.group(1):
                    self._after_heads.add(m.start(1))
        return self._after_heads

    def inside(self, name: str) -> bool:
        """True when `\\b(?:HEADS)\\s+(?:of|for|on)\\s+(?:the\\s+)?NAME\\b` matches and the name never
        occurs alone (tested against those patterns)."""
        if name not in self._seen:
            body, end = self.body, len(name)
            self._seen[name] = " " in name and not named_alone(name, body, self.where) and any(
                at_boundary(body, i + end) and i in self.after_heads() for i in self.where(name))
        return self._seen[name]

    def company(self, name: str) -> bool:
        """True when the article writes `name` the way it writes a company: "Merrill Lynch & Co", "Morgan
        Stanley analysts", "an economist at Goldman Sachs", "Lehman say" (a plural verb)."""
        key = "\0" + name
        if key not in self._seen:
            body, end = self.body, len(name)
            self._seen[key] = any(
                at_boundary(body, i) and at_boundary(body, i + end) and (
                    COMPANY_AFTER_RE.match(body, i + end) is not None
                    or (_company_before_tail(body, i) and COMPANY_BEFORE_RE.search(body, max(0, i - 40), i) is not None)
                    or (PLURAL_VERB_RE.match(body, i + end) is not None
                        and not body.endswith(("and ", "& ", ", "), 0, i)))
                for i in self.where(name))
        return self._seen[key]


# Company evidence right after a name: a corporate suffix or "&", staff nouns a person does not have, or a plural
# verb ("Merrill Lynch say") unless the name is one of several ("Clinton and Obama say").
COMPANY_AFTER_RE = re.compile(
    r"(?:’s|'s)?[ \t]*(?:&|(?:Inc|Corp|Co|Cos|Ltd|LLC|Plc|PLC|AG|SA|NV|Group|Holdings|Securities|Capital|Partners|"
    r"Brothers|Bros|International|Bank)\b)"
    r"|[ \t]+(?:analysts?|economists?|strategists?|traders?|shares|stock|clients|customers|employees|subsidiary|"
    r"unit)\b|(?:’s|'s)[ \t]+(?:shares|stock|profits?|earnings|revenues?|clients|customers|subsidiary|unit)\b")
PLURAL_VERB_RE = re.compile(r"[ \t]+(?:say|expect|believe|estimate|predict|forecast|argue|warn)\b")
# ... or right before it: "an economist at Goldman Sachs", "analysts with Merrill Lynch", "analyst for Wood
# Mackenzie" (an analyst works for a firm; not "a manager for" a candidate).
COMPANY_BEFORE_RE = re.compile(
    r"\b(?i:analysts?|economists?|strategists?|traders?|dealers?|brokers?|bankers?|executives?|chief|head|director|"
    r"officer|partner|manager|president|strategy|research)[ \t]+(?:at|with|from)[ \t]+(?:the[ \t]+)?\Z"
    r"|\b(?i:analysts?|economists?|strategists?)[ \t]+for[ \t]+(?:the[ \t]+)?\Z")  # "analyst for Wood Mackenzie"


def _company_before_tail(body: str, i: int) -> bool:
    """Whether blanks after "at", "with", "from", "for" or "the" end the text before `i`: what COMPANY_BEFORE_RE
    ends with, tested before its search (which tries each word of its window against the staff words)."""
    before = body[max(0, i - 40):i]
    word = before.rstrip(" \t")
    return len(word) < len(before) and word.endswith(("at", "with", "from", "for", "the"))


def inside_org_name(name: str, body: str) -> bool:
    """True when the name only follows an organisation head (see `OrgNames.inside`)."""
    return OrgNames(body).inside(name)


def named_in_body(name: str, body: str) -> bool:
    """Whether a headline name appears in the body: the whole name, or a one-word name capitalised."""
    if " " in name:
        return name.lower() in body.lower()
    return re.search(rf"\b{re.escape(name.title() if name.isupper() else name)}\b", body) is not None
