"""Choosing and assembling snippets: the passages that cover the most query terms in the room given.

`make_snippet` picks up to `max_fragments` passages, cut at sentence boundaries, that together cover the
most distinct query terms within `max_chars` characters, joined by " … "; whitespace is collapsed.
`highlight_all` highlights every match in the whole, unchanged text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from searchkit.results import MatchSpec, Snippet, Span
from searchkit.snippets.matching import Match, find_matches
from searchkit.snippets.sentences import sentences

ELLIPSIS = "…"
_JOIN = f" {ELLIPSIS} "
_MIN_EXTRA_FRAGMENT = 40  # don't start a second/third fragment with less budget than this
_WS_FIX = re.compile(r"\s{2,}|[^\S ]")  # whitespace that collapsing changes


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
