"""Query-aware snippets: the best passage(s) of a text with every matched word highlighted.

Pure Python on top of `searchkit.analysis`, so a word is highlighted exactly when the index would match it.

- `MatchSpec` says what counts as a match: stems (stemmed query words), exact folded words (prefix/fuzzy
  expansions, exact-field terms), `word*` prefixes and quoted phrases (consecutive positions).
- `make_snippet` picks up to `max_fragments` passages, cut at sentence boundaries, that together cover the most
  distinct query terms within `max_chars` characters, joined by " … "; whitespace is collapsed.
- `highlight_all` highlights every match in the whole, unchanged text.

Speed: matching first scans a case/accent-folded copy of the text for short "needles" (prefixes every matching
token must start with) and runs the shared tokenizer only on the words found there; texts whose characters do
not fold one-to-one fall back to tokenizing everything. Both paths give the same matches (see the tests).
Sentence ends in ASCII texts are found by one regex with every rule built in; other texts check each candidate
in Python. Both give the same sentences (see the tests).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from searchkit import analysis
from searchkit.analysis import STOPWORDS, fold, stem, tokens
from searchkit.results import MatchSpec, Snippet, Span

__all__ = ["ELLIPSIS", "MatchSpec", "highlight_all", "make_snippet"]

ELLIPSIS = "…"
_JOIN = f" {ELLIPSIS} "
_MIN_EXTRA_FRAGMENT = 40  # don't start a second/third fragment with less budget than this
_WORD: re.Pattern[str] | None = getattr(analysis, "_WORD", None)  # the tokenizer's word pattern (fast path)

_CLOSING = "[.!?\"'”’»)\\]]"  # a stop char or a closing quote/bracket (regex class)
# A possible sentence end: [.!?] plus closing chars, whitespace (group 1), then anything but a lower-case ASCII
# letter (after which no sentence starts: checking it here spares most calls to `_is_cut`).
_STOP = re.compile(rf"[.!?]{_CLOSING}*(\s+)(?=[^\sa-z])")
_PARAGRAPH = re.compile(r"\n[^\S\n]*\n")
_SPACES = re.compile(r"\s*")
_WS_FIX = re.compile(r"\s{2,}|[^\S ]")  # whitespace that collapsing changes
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_OPENERS = "\"'“‘«([„"
_JOINERS = "'’-‐‑"
_HYPHEN_OPT = "[-‐‑]?"
_ABBREVIATION_LIST = (
    "mr mrs ms dr prof gen gov sen rep col lt sgt capt cmdr adm maj st jr sr rev hon pres supt messrs mme mlle"
    " no nos vs jan feb mar apr jun jul aug sep sept oct nov dec approx dept fig"
)
_ABBREVIATIONS = frozenset(_ABBREVIATION_LIST.split())

Match = tuple[int, int, tuple[str, ...]]  # (start, end, term keys) in text offsets


@dataclass(slots=True)
class _Fragment:
    """A passage `text[a:b]`; `first..last` are its sentences; `cut_*`: it was cut inside a sentence."""

    a: int
    b: int
    first: int
    last: int
    cut_left: bool = False
    cut_right: bool = False
    keys: set[str] = field(default_factory=set)

    @property
    def cost(self) -> int:
        return self.b - self.a + 2 * self.cut_left + 2 * self.cut_right


# --------------------------------------------------------------------------------------------- matching


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


@dataclass(frozen=True, slots=True)
class _Needles:
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
    for i in needles.starts(low):
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
    """The whitespace run `(start, end)` around each blank line."""
    for m in _PARAGRAPH.finditer(text):
        a = m.start()
        while a > 0 and text[a - 1].isspace():
            a -= 1
        yield a, _SPACES.match(text, m.end()).end()


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


# -------------------------------------------------------------------------------------------- selection


def _window_in_sentence(text: str, s: int, e: int, core: tuple[int, int], width: int) -> tuple[int, int, bool, bool]:
    """Grow `core` (a char range in sentence `s:e`) to at most `width` chars, centred, cut at word ends."""
    cs, ce = core
    if ce - cs >= width:
        ce = cs + width
    extra = width - (ce - cs)
    a, b = cs - extra // 2, ce + extra - extra // 2
    if a < s:
        a, b = s, b + (s - a)
    if b > e:
        a, b = max(s, a - (b - e)), e
    if a > s and not text[a - 1].isspace():  # move forward to a word start
        k = a
        while k < cs and not text[k].isspace():
            k += 1
        a = k if k < cs else cs
    if b < e and not text[b].isspace():  # move back to a word end
        k = b
        while k > ce and not text[k - 1].isspace():
            k -= 1
        b = k if k > ce else (ce if ce > cs else b)
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b, a > s, b < e


def _best_in_long_sentence(
    text: str, span: tuple[int, int], matches: list[Match], covered: set[str], width: int
) -> tuple[tuple[int, int], _Fragment | None]:
    """The char window (of a sentence too long for the budget) with the most new distinct terms."""
    counts: dict[str, int] = {}
    best: tuple[int, int] = (0, 0)
    best_core: tuple[int, int] | None = None
    left = 0
    for right, (_ms, me, keys) in enumerate(matches):
        for k in keys:
            if k not in covered:
                counts[k] = counts.get(k, 0) + 1
        while left <= right and me - matches[left][0] > width:
            for k in matches[left][2]:
                if k in counts:
                    counts[k] -= 1
                    if not counts[k]:
                        del counts[k]
            left += 1
        if left > right:
            continue
        score = (len(counts), right - left + 1)
        if score > best:
            best, best_core = score, (matches[left][0], me)
    if best_core is None:
        return best, None
    a, b, cl, cr = _window_in_sentence(text, span[0], span[1], best_core, width)
    keys = {k for ms, me, ks in matches if a <= ms and me <= b for k in ks if k not in covered}
    return best, _Fragment(a, b, -1, -1, cl, cr, keys)


class _Chooser:
    """Greedy choice of fragments over sentence spans (each step: the most new distinct terms)."""

    def __init__(self, text: str, spans: list[tuple[int, int]], matches: list[Match]) -> None:
        self.text = text
        self.spans = spans
        self.starts = [s for s, _ in spans]
        self.used = [False] * len(spans)
        self.by_sentence: dict[int, list[Match]] = defaultdict(list)
        for mt in matches:
            i = bisect_right(self.starts, mt[0]) - 1
            if i >= 0 and mt[0] < spans[i][1]:
                self.by_sentence[i].append(mt)
        self.keys = {i: {k for mt in ms for k in mt[2]} for i, ms in self.by_sentence.items()}

    def best(self, covered: set[str], budget: int) -> _Fragment | None:
        """The window of whole sentences (or the part of one long sentence) adding most new terms."""
        spans, used = self.spans, self.used
        best_score: tuple[int, int, int] = (0, 0, 0)
        best: _Fragment | None = None
        for i in sorted(self.keys):
            if used[i] or not (self.keys[i] - covered):
                continue
            s0, e0 = spans[i]
            if e0 - s0 > budget:
                width = budget - 4  # room for "… " and " …"
                if width < 1:
                    continue
                (n, cnt), frag = _best_in_long_sentence(self.text, spans[i], self.by_sentence[i], covered, width)
                if frag is not None and (n, cnt, -i) > best_score:
                    frag.first = frag.last = i
                    best_score, best = (n, cnt, -i), frag
                continue
            new: set[str] = set()
            cnt = 0
            for j in range(i, len(spans)):
                if used[j] or spans[j][1] - s0 > budget:
                    break
                add = self.keys.get(j, set()) - covered
                if add:
                    new |= add
                    cnt += len(self.by_sentence[j])
                    if (len(new), cnt, -i) > best_score:
                        best_score, best = (len(new), cnt, -i), _Fragment(s0, spans[j][1], i, j, keys=set(new))
        if best is not None:
            for k in range(best.first, best.last + 1):
                used[k] = True
        return best

    def lead(self, budget: int) -> _Fragment | None:
        """The first sentence (or its start, cut at a word end) for texts without matches."""
        if not self.spans:
            return None
        s, e = self.spans[0]
        self.used[0] = True
        if e - s <= budget:
            return _Fragment(s, e, 0, 0)
        a, b, _cl, cr = _window_in_sentence(self.text, s, e, (s, s), max(1, budget - 2))
        return _Fragment(a, b, 0, 0, False, cr)

    def expand(self, frags: list[_Fragment], room: int, *, backwards: bool = True) -> None:
        """Add whole neighbouring sentences (next, then previous) to the fragments while `room` lasts."""
        spans, used = self.spans, self.used
        grown = True
        while grown:
            grown = False
            for f in frags:
                if f.cut_left or f.cut_right:
                    continue
                nxt = f.last + 1
                if nxt < len(spans) and not used[nxt] and spans[nxt][1] - f.b <= room:
                    room -= spans[nxt][1] - f.b
                    f.b, f.last, used[nxt], grown = spans[nxt][1], nxt, True, True
                prv = f.first - 1
                if backwards and prv >= 0 and not used[prv] and f.a - spans[prv][0] <= room:
                    room -= f.a - spans[prv][0]
                    f.a, f.first, used[prv], grown = spans[prv][0], prv, True, True


# ------------------------------------------------------------------------------------------- assembling


def _collapse(text: str, a: int, b: int) -> tuple[str, list[int], list[int]]:
    """`text[a:b]` with whitespace runs collapsed, plus run ends and cumulative removed chars for mapping."""
    seg = text[a:b]
    ends: list[int] = []
    removed: list[int] = []
    total = 0
    for m in _WS_FIX.finditer(seg):
        total += m.end() - m.start() - 1
        ends.append(a + m.end())
        removed.append(total)
    return (_WS_FIX.sub(" ", seg) if ends else seg), ends, removed


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[Span, ...]:
    out: list[list[int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return tuple(Span(s, e) for s, e in out)


def _assemble(text: str, frags: list[_Fragment], matches: list[Match]) -> Snippet:
    parts: list[str] = []
    marks: list[tuple[int, int]] = []
    match_starts = [mt[0] for mt in matches]
    length = 0
    prev: _Fragment | None = None
    for f in sorted(frags, key=lambda f: f.a):
        if prev is None:
            sep = f"{ELLIPSIS} " if f.cut_left else ""
        elif prev.cut_right or f.cut_left or text[prev.b : f.a].strip():
            sep = _JOIN
        else:
            sep = " "
        parts.append(sep)
        length += len(sep)
        piece, ends, removed = _collapse(text, f.a, f.b)
        for k in range(bisect_left(match_starts, f.a), len(matches)):
            ms, me, _keys = matches[k]
            if ms >= f.b:
                break
            if me <= f.b:
                r0 = bisect_right(ends, ms)
                r1 = bisect_right(ends, me)
                d0 = removed[r0 - 1] if r0 else 0
                d1 = removed[r1 - 1] if r1 else 0
                marks.append((length + ms - f.a - d0, length + me - f.a - d1))
        parts.append(piece)
        length += len(piece)
        prev = f
    if prev is not None and prev.cut_right:
        parts.append(f" {ELLIPSIS}")
    return Snippet("".join(parts), _merge(marks))


# ----------------------------------------------------------------------------------------------- public


def _analysed_part(text: str, window_chars: int | None) -> str:
    if window_chars is None or len(text) <= window_chars:
        return text
    cut = max(text.rfind(" ", 0, window_chars), text.rfind("\n", 0, window_chars))
    return text[: cut if cut > 0 else window_chars]


def make_snippet(
    text: str,
    spec: MatchSpec,
    *,
    max_chars: int = 300,
    max_fragments: int = 3,
    window_chars: int | None = None,
) -> Snippet:
    """The passage(s) of `text` covering the most distinct query terms, at most `max_chars` long.

    Up to `max_fragments` fragments (whole sentences where they fit) are joined by " … "; whitespace is
    collapsed and `highlights` index the returned text. Without any match: the first sentence(s).
    `window_chars` limits the analysis (and the snippet) to the start of long texts.
    """
    text = _analysed_part(text, window_chars)
    matches = find_matches(text, spec)
    chooser = _Chooser(text, sentences(text), matches)
    frags: list[_Fragment] = []
    covered: set[str] = set()
    room = max_chars
    while len(frags) < max(1, max_fragments):
        budget = room - (len(_JOIN) if frags else 0)
        if frags and budget < _MIN_EXTRA_FRAGMENT:
            break
        frag = chooser.best(covered, budget)
        if frag is None:
            break
        frags.append(frag)
        covered |= frag.keys
        room = budget - frag.cost
    if frags:
        chooser.expand(frags, room)
    else:
        lead = chooser.lead(max_chars)
        if lead is None:
            return Snippet("")
        frags = [lead]
        chooser.expand(frags, max_chars - lead.cost, backwards=False)
    return _assemble(text, frags, matches)


def highlight_all(text: str, spec: MatchSpec) -> Snippet:
    """The whole `text`, unchanged, with every match highlighted (offsets into `text`)."""
    return Snippet(text, _merge((ms, me) for ms, me, _k in find_matches(text, spec)))
