"""Where a query matches a text: every token the index would match, found fast.

Matching first scans a case/accent-folded copy of the text for short "needles" (prefixes every matching
token must start with) and runs the shared tokenizer only on the words found there; texts whose characters
do not fold one-to-one fall back to tokenizing everything. Both paths give the same matches (see the tests).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import NamedTuple

from searchkit import analysis
from searchkit.analysis import STOPWORDS, fold, stem, tokens
from searchkit.results import MatchSpec

_WORD: re.Pattern[str] | None = getattr(analysis, "_WORD", None)  # the tokenizer's word pattern (fast path)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_JOINERS = "'’-‐‑"
_HYPHEN_OPT = "[-‐‑]?"

Match = tuple[int, int, tuple[str, ...]]  # (start, end, term keys) in text offsets

def _term_keys(word: str, spec: MatchSpec) -> tuple[str, ...]:
    """The query terms a token with folded form `word` matches (stems and exact words share keys)."""
    keys: list[str] = []
    if word in spec.words:
        keys.append("s:" + stem(word))
    if spec.stems and word not in STOPWORDS:
        s = stem(word)
        if s in spec.stems:
            keys.append("s:" + s)
    keys.extend("p:" + p for p in spec.prefixes if word.startswith(p))
    return tuple(dict.fromkeys(keys))


def _phrase_key(phrase: tuple[str, ...]) -> str:
    return "q:" + " ".join(phrase)


def _phrase_matches(toks: Sequence[tuple[str, int, int, int]], phrases: Iterable[tuple[str, ...]]) -> list[Match]:
    """Occurrences of `phrases` in `toks`: one match from the first word's start to the last word's end."""
    by_pos: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for w, p, _s, e in toks:
        by_pos[p].append((w, e))
    out: list[Match] = []
    for phrase in phrases:
        if not phrase:
            continue
        key = (_phrase_key(phrase),)
        for w, p, s, e in toks:
            if w != phrase[0]:
                continue
            end = e
            for k, pw in enumerate(phrase[1:], 1):
                end = next((e2 for w2, e2 in by_pos.get(p + k, ()) if w2 == pw), -1)
                if end < 0:
                    break
            else:
                out.append((s, end, key))
    return out


def _matches_slow(text: str, spec: MatchSpec) -> list[Match]:
    """Reference matcher: tokenize the whole text."""
    toks = list(tokens(text))
    memo: dict[str, tuple[str, ...]] = {}
    out: list[Match] = []
    for w, _p, s, e in toks:
        keys = memo.get(w)
        if keys is None:
            keys = memo[w] = _term_keys(w, spec)
        if keys:
            out.append((s, e, keys))
    if spec.phrases:
        out.extend(_phrase_matches(toks, spec.phrases))
    return sorted(set(out))


@lru_cache(maxsize=100_000)
def _word_tokens(raw: str) -> tuple[tuple[str, int, int, int], ...]:
    """The tokens of one tokenizer match (a word or hyphenated compound), offsets relative to it."""
    return tuple(tokens(raw))


@lru_cache(maxsize=4096)
def _char_fold(c: str) -> str:
    return fold(c + "x")[:-1]  # the "x" keeps fold from dropping a lone apostrophe as a possessive


def _folded_copy(text: str) -> str | None:
    """`text` lower-cased and accent-folded char by char (same offsets), or None if that is impossible."""
    if text.isascii():
        return text.lower()
    table: dict[int, str] = {}
    for c in set(_NON_ASCII.findall(text)):
        f = _char_fold(c)
        if len(f) != 1:
            return None
        table[ord(c)] = f
    low = text.translate(table).lower()
    return low if len(low) == len(text) else None


class _Needles(NamedTuple):
    """The needle regex twice: `scan` (fast to search: no leading `\\b`) and `exact` (`\\b` + the same)."""

    scan: re.Pattern[str]
    exact: re.Pattern[str]

    def starts(self, low: str) -> Iterator[int]:
        """The start offsets of `exact.finditer(low)`, found with `scan` and confirmed with `exact.match`.

        A leading `\\b` keeps the regex engine from skipping ahead to the needles' first characters, which
        makes `exact.finditer` several times slower than this loop over `scan`'s candidates.
        """
        pos = 0
        while (m := self.scan.search(low, pos)) is not None:
            hit = self.exact.match(low, m.start())
            if hit is None:
                pos = m.start() + 1
            else:
                yield m.start()
                pos = hit.end()


@lru_cache(maxsize=512)
def _needle_pattern(spec: MatchSpec) -> _Needles | None:
    """Regexes for the folded text that find (a superset of) the starts of all matching tokens.

    A stem's first characters (up to 3, never its last) start every word with that stem; Snowball's "-ying"
    words ("tying" -> "tie") get a "y" variant. Optional hyphens let joined compounds ("e-mail") match.
    """
    needles: set[str] = set()
    for s in spec.stems:
        n = max(1, min(3, len(s) - 1))
        needles.add(s[:n])
        if s.endswith("ie"):
            needles.add((s[:-2] + "y")[:n])
    needles.update(w[:3] for w in spec.words)
    needles.update(p[:3] for p in spec.prefixes)
    needles.update(ph[0][:3] for ph in spec.phrases if ph)
    if not needles or "" in needles or _WORD is None:
        return None
    alts = sorted((_HYPHEN_OPT.join(map(re.escape, n)) for n in needles), key=len, reverse=True)
    body = "(?:" + "|".join(alts) + ")"
    return _Needles(re.compile(body), re.compile(r"\b" + body))  # tokens start at word boundaries


def _matches_fast(text: str, low: str, spec: MatchSpec, needles: _Needles) -> list[Match]:
    """Tokenize only the words where a needle occurs (see `_needle_pattern`)."""
    assert _WORD is not None
    memo: dict[str, tuple[str, ...]] = {}
    firsts = {ph[0] for ph in spec.phrases if ph}
    seen: set[int] = set()
    out: list[Match] = []
    last_end = -1  # the end of the last word tokenised: a needle inside it finds that word again
    for i in needles.starts(low):
        if i < last_end:
            continue  # walking back over a long joined word ("abc-abc-…") for each needle was quadratic
        j = i
        while j > 0 and (text[j - 1].isalnum() or text[j - 1] in _JOINERS):
            j -= 1
        w = _WORD.search(text, j)
        while w is not None and w.end() <= i:
            w = _WORD.search(text, w.end())
        if w is None or w.start() > i or w.start() in seen:
            continue
        base = w.start()
        seen.add(base)
        last_end = w.end()
        subs = _word_tokens(w.group())
        for word, _rp, rs, re_ in subs:
            keys = memo.get(word)
            if keys is None:
                keys = memo[word] = _term_keys(word, spec)
            if keys:
                out.append((base + rs, base + re_, keys))
        if firsts and any(t[0] in firsts for t in subs):
            out.extend(_phrases_from(text, base, w.end(), spec.phrases))
    return sorted(set(out))


def _phrases_from(text: str, base: int, end: int, phrases: Sequence[tuple[str, ...]]) -> list[Match]:
    """Phrase occurrences that start inside the tokenizer match `text[base:end]`."""
    assert _WORD is not None
    need = max(len(p) for p in phrases)
    local: list[tuple[str, int, int, int]] = []
    pos = 0
    first_positions = -1
    for w in _WORD.finditer(text, base):
        subs = _word_tokens(w.group())
        local.extend((word, pos + rp, w.start() + rs, w.start() + re_) for word, rp, rs, re_ in subs)
        if subs:
            pos += subs[-1][1] + 1
        if first_positions < 0:
            first_positions = pos
        if pos >= first_positions + need:
            break
    return [mt for mt in _phrase_matches(local, phrases) if base <= mt[0] < end]


def find_matches(text: str, spec: MatchSpec) -> list[Match]:
    """All matches of `spec` in `text` as sorted `(start, end, term_keys)`; phrases span their words."""
    if not spec or not text:
        return []
    needles = _needle_pattern(spec)
    low = _folded_copy(text) if needles is not None else None
    if needles is None or low is None:
        return _matches_slow(text, spec)
    return _matches_fast(text, low, spec, needles)


# -------------------------------------------------------------------------------------------- sentences
