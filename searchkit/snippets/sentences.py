"""Sentence boundaries, for cutting snippets: a stop, closing marks, a space, then no lower-case letter, and
not after an abbreviation or an initial. Sentence ends in ASCII texts are found by one regex with every rule
built in; other texts check each candidate in Python. Both give the same sentences (see the tests).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

_CLOSING = "[.!?\"'”’»)\\]]"  # a stop char or a closing quote/bracket (regex class)
# A possible sentence end: [.!?] plus closing chars, whitespace (group 1), then anything but a lower-case ASCII
# letter (after which no sentence starts: checking it here spares most calls to `_is_cut`).
_STOP = re.compile(rf"[.!?]{_CLOSING}*(\s+)(?=[^\sa-z])")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_SPACES = re.compile(r"\s*")
_OPENERS = "\"'“‘«([„"
_ABBREVIATION_LIST = (
    "mr mrs ms dr prof gen gov sen rep col lt sgt capt cmdr adm maj st jr sr rev hon pres supt messrs mme mlle"
    " no nos vs jan feb mar apr jun jul aug sep sept oct nov dec approx dept fig"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())

def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the "." at `dot` ends an abbreviation or initial ("Mr.", "U.S.", "John F.")."""
    k = dot
    while k > 0 and text[k - 1].isalpha():
        k -= 1
    word = text[k:dot]
    return len(word) == 1 or word.lower() in _ABBREVIATIONS


def _ascii_stop(stop: str) -> re.Pattern[str]:
    """`_STOP` (with stop chars `stop`, a regex class) plus all of `_is_cut`: exact for ASCII text, where
    `isupper`, `isalpha`, `isalnum` and `lower` only know ASCII letters and digits.

    A lone "." must not follow an initial or a known abbreviation (one negative look-behind per length: they
    must have a fixed width); the next char must be a capital or digit, or an ASCII opener followed by a char
    that is not a lower-case letter.
    """
    by_length: dict[int, list[str]] = defaultdict(list)
    for word in sorted(_ABBREVIATIONS):
        by_length[len(word)].append(word)
    not_after = r"(?<!(?<![A-Za-z])[A-Za-z]\.)" + "".join(
        rf"(?<!(?<![A-Za-z])(?i:{'|'.join(words)})\.)" for _n, words in sorted(by_length.items())
    )
    openers = re.escape("".join(c for c in _OPENERS if c.isascii()))
    return re.compile(rf"{stop}(?:{not_after}(?=\s)|{_CLOSING}+)(\s+)(?=[A-Z0-9]|[{openers}][^a-z])")


_ASCII_STOP = _ascii_stop("[.!?]")
_ASCII_DOT_STOP = _ascii_stop(r"\.")  # for texts without "!" or "?": a literal first char is found much faster


def _stop_cuts(text: str) -> list[tuple[int, int]]:
    """The whitespace gap `(end of a sentence, start of the next)` after each [.!?] run that ends a sentence."""
    if text.isascii():
        stop = _ASCII_STOP if "!" in text or "?" in text else _ASCII_DOT_STOP
        return [m.span(1) for m in stop.finditer(text)]
    return [m.span(1) for m in _STOP.finditer(text) if _is_cut(text, m)]


def _is_cut(text: str, stop: re.Match[str]) -> bool:
    """Whether the `_STOP` match `stop` ends a sentence: the next one starts with a capital, digit or opening
    quote, and a lone "." does not end an abbreviation or initial."""
    i = stop.end()
    c = text[i]
    if c in _OPENERS and i + 1 < len(text):
        c = text[i + 1] if text[i + 1].isalnum() else "A"
    if not (c.isupper() or c.isdigit()):
        return False
    dot = stop.start()
    return not (stop.start(1) - dot == 1 and text[dot] == "." and _is_abbreviation(text, dot))


def _paragraph_gaps(text: str) -> Iterator[tuple[int, int]]:
    """The whitespace run `(start, end)` around each blank line, once per run: a run of n newlines holds
    n/2 blank lines, and walking the whole run for each made it quadratic."""
    last_end = -1
    for m in _PARAGRAPH.finditer(text):
        if m.start() < last_end:
            continue  # inside the run already yielded
        a = m.start()
        while a > 0 and text[a - 1].isspace():
            a -= 1
        last_end = _SPACES.match(text, m.end()).end()
        yield a, last_end


def sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` of `text`, trimmed of whitespace.

    A sentence ends at [.!?] (plus closing quotes/brackets) followed by whitespace and a capital, digit or
    opening quote, unless the "." ends a known abbreviation or an initial; a blank line always ends one.
    The sentences are the text between those whitespace runs ("gaps"), which leaves only the text's own
    leading and trailing whitespace to trim.
    """
    gaps = _stop_cuts(text)
    if "\n" in text:
        gaps = sorted({*gaps, *_paragraph_gaps(text)})
    starts = [len(text) - len(text.lstrip()), *(b for _a, b in gaps)]
    ends = [*(a for a, _b in gaps), len(text.rstrip())]
    return [(a, b) for a, b in zip(starts, ends, strict=True) if a < b]
