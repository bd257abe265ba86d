"""Text analysis shared by indexing, querying and snippets: tokens with offsets, folding, stemming.

Pure Python (no Whoosh), so snippets and tests use exactly the analysis the index uses.

- Tokens are runs of letters/digits; an apostrophe inside a word is kept ("o'brien"), a trailing
  possessive is dropped ("Russia's" -> "russia").
- Case and accents are folded ("Erdoğan" -> "erdogan", "São" -> "sao").
- A hyphenated compound yields its parts at consecutive positions and the joined form at the first
  part's position, so "cease-fire", "ceasefire" and "cease fire" meet.
- Stemming is Snowball English (PyStemmer), cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

import Stemmer

_LETTER, _APOSTROPHE, _HYPHEN = r"[^\W_]", "['’]", "[-‐‑]"


def _word(letter: str) -> str:
    """A token: letters, then any apostrophe and hyphen parts (`letter+(?:'letter+)*(?:-letter+(?:'letter+)*)*`).
    Each part taken whole (possessive: a token has one reading, so none is given back), and the parts tried only
    where an apostrophe or a hyphen follows the letters (most tokens end at a blank): a third faster."""
    part = rf"{_APOSTROPHE}{letter}++"
    return rf"{letter}++(?:(?=['’‐‑-])(?:{part})*+(?:{_HYPHEN}{letter}++(?:{part})*+)*+)?+"


_WORD = re.compile(_word(_LETTER))
_ASCII_WORD = re.compile(_word("[A-Za-z0-9]"))
"""`_WORD` for a text all in ASCII, where a letter is one of these: a bitmap test, not a Unicode
category's (a 2.6 KB article's tokens in 72 µs instead of 100)."""


def word_re(text: str) -> re.Pattern[str]:
    """The pattern that finds `text`'s tokens: `_WORD`, or its equal for a text all in ASCII."""
    return _ASCII_WORD if text.isascii() else _WORD


_HYPHENS = re.compile(_HYPHEN)
TOKEN_CHAR = re.compile(f"{_LETTER}|{_APOSTROPHE}|{_HYPHEN}")
"""Any one character a token (`_WORD`) is made of."""
_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th",
                          "’": "'"})

STOPWORDS: frozenset[str] = frozenset(
    """
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on
once only or other our ours ourselves out over own same she should so some such than that the their theirs
them themselves then there these they this those through to too under until up very was we were what when
where which while who whom why will with would you your yours yourself yourselves
""".split()  # noqa: SIM905
)

_stemmer = Stemmer.Stemmer("english", 0)
"""Without PyStemmer's own cache (10,000 words by default): `stem` has its cache in front, and `stem_all`
gets words new to a vocabulary, which the library's cache only missed and churned (2.3 us a word; 0.37
without it)."""
CACHE_SIZE = 20_000  # words each for fold and stem: ~97% of tokens hit (98.7% at 200k), ~10x less memory


def strip_accents(text: str) -> str:
    """`text` without its combining marks once decomposed ("Erdoğan" -> "Erdogan"); ASCII text is returned as
    it is (nothing to decompose: most words, several times faster)."""
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=CACHE_SIZE)
def fold(word: str) -> str:
    """Lower-case, strip accents and a trailing possessive: "Erdoğan's" -> "erdogan"."""
    w = strip_accents(word.lower().translate(_SPECIAL))
    if w.endswith("'s"):
        w = w[:-2]
    elif w.endswith("'"):
        w = w[:-1]
    return w


@lru_cache(maxsize=CACHE_SIZE)
def stem(word: str) -> str:
    """Snowball English stem of an already folded word."""
    return _stemmer.stemWord(word)


def stem_all(words: list[str]) -> list[str]:
    """`stem` of each of many folded words, in one call into the stemmer and without `stem`'s cache (for words
    stemmed once each: a vocabulary's new words)."""
    return _stemmer.stemWords(words)


def tokens(text: str) -> Iterator[tuple[str, int, int, int]]:
    """Yield `(folded_word, position, start_char, end_char)` for every token in `text`.

    A hyphenated compound yields the joined form first (same position as its first part, spanning the
    whole compound), then each part at its own position.
    """
    pos = 0
    for m in word_re(text).finditer(text):
        raw = m.group()
        start = m.start()
        if _is_compound(raw):
            joined, parts = _compound(raw)
            if joined:
                yield joined, pos, start, m.end()
            for word, a, b in parts:
                yield word, pos, start + a, start + b
                pos += 1
        else:
            word = fold(raw)
            if word:
                yield word, pos, start, m.end()
                pos += 1


def _is_compound(raw: str) -> bool:
    """Whether a matched word is hyphenated (any of the hyphens `_HYPHENS` splits on)."""
    return "-" in raw or "‐" in raw or "‑" in raw


def _compound(raw: str) -> tuple[str, list[tuple[str, int, int]]]:
    """A hyphenated compound's folded joined form, and its folded parts with their spans in `raw` (parts
    that fold to nothing are left out)."""
    pieces = _HYPHENS.split(raw)
    parts = []
    offset = 0
    for piece in pieces:
        word = fold(piece)
        if word:
            parts.append((word, offset, offset + len(piece)))
        offset += len(piece) + 1
    return fold("".join(pieces)), parts


def _add_compound(positions: dict[str, list[int]], raw: str, pos: int) -> int:
    """Add a hyphenated compound's joined form and parts at their positions (as `tokens` yields them);
    return the position after it."""
    joined, parts = _compound(raw)
    if joined:
        positions.setdefault(joined, []).append(pos)
    for word, _a, _b in parts:
        positions.setdefault(word, []).append(pos)
        pos += 1
    return pos


def word_positions(text: str) -> dict[str, list[int]]:
    """Each folded token of `text` with its positions, in order of first occurrence: `tokens` grouped by
    word, without the character offsets (and without a match object per token)."""
    positions: dict[str, list[int]] = {}
    get = positions.get
    pos = 0
    for raw in word_re(text).findall(text):
        if _is_compound(raw):
            pos = _add_compound(positions, raw, pos)
            continue
        word = fold(raw)
        if word:
            plist = get(word)
            if plist is None:
                positions[word] = [pos]
            else:
                plist.append(pos)
            pos += 1
    return positions


def stemmed_terms(text: str) -> list[str]:
    """The index terms of `text` for the stemmed fields: stems of non-stopword tokens."""
    return [stem(w) for w, _p, _s, _e in tokens(text) if w not in STOPWORDS]


def exact_terms(text: str) -> list[str]:
    """The index terms of `text` for the exact (phrase) fields: every folded token, stopwords kept."""
    return [w for w, _p, _s, _e in tokens(text)]
