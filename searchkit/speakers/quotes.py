"""Statements: the quoted or reported text a cue attributes, and the attributions that quote marks, dashes and
colons make on their own ("“...,” Oliver barked", "“...” ― Carla Mendes", "JOEL BENENSON: ...", a "Name: ..."
headline)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from searchkit.models import Quote
from searchkit.speakers.article import Article, Event, scan
from searchkit.speakers.names import display_form, name_of_run
from searchkit.speakers.patterns import (
    AND_SPLIT_RE,
    COLON_RE,
    DASH_QUOTE_SCANS,
    DASHES,
    QCLOSE_SCANS,
    QDASH_RE,
    QDASH_STRAIGHT_RE,
    QLINE_END_RE,
    QLINE_RE,
    QLINE_STRAIGHT_RE,
    QOPEN_SCANS,
    QUOTE_AFTER_RE,
    QUOTE_CLOSE,
    QUOTE_REACH,
    THAT_RE,
    TITLE_RE,
    TRIM,
    VERB_AFTER_RE,
    VERB_BEFORE_RE,
)
from searchkit.speakers.words import VERBS


def statement(art: Article, clause_start: int, clause_end: int) -> tuple[int, int, bool] | None:
    """The statement attributed by a cue clause spanning clause_start:clause_end."""
    body = art.body
    before = body[max(0, clause_start - 4):clause_start].rstrip()
    if before and before[-1] in QUOTE_CLOSE and (before[-1] != "'" or before.endswith("''")):
        close = max(0, clause_start - 4) + len(before) - 1
        if before.endswith("''"):
            close -= 1
        start = content_start(body, close)
        ended = body[close - 1:close] == "." and "," in body[close:clause_end]
        if start is not None and not ended:  # '."  Michael Kehs, a spokesman, said': a new sentence
            return start, close, True
    m = QUOTE_AFTER_RE.match(body, clause_end)
    if m:
        end = content_end(body, m.end() - len(m.group(1)))
        if end is not None:
            return m.end(), end, True
    s0, s1 = art.sentence(clause_start)
    seg = body[s0:clause_start].rstrip(" \n")
    after = THAT_RE.match(body, clause_end, max(s1, clause_end)).end()  # the clause may end past the bound
    rest = body[after:s1].strip(" \n.\"”'")
    opened = after > clause_end and body[after - 5:after].rstrip() == "that"  # "suggested that ...": after it
    if len(seg.strip()) > 15 and seg.endswith(",") and not opened and (
            len(rest) < 25 or rest.startswith(("and ", "but "))):
        # reported content precedes ("X, Zakharova said."), unless the clause opens what follows ("In an
        # opinion piece, Geithner said he saw ...": the prefix is no statement)
        seg = seg.rstrip(" ,\n")
        lead = len(seg) - len(seg.lstrip())
        return s0 + lead, s0 + len(seg), False
    start = after
    end = s1
    while end > start and body[end - 1] in " \n.\"”'":
        end -= 1
    if end - start > 10:
        return start, end, False
    return None

def content_start(body: str, close: int) -> int | None:
    """Start of the quoted text whose closing mark (”, " or '') is at `close`; same paragraph only."""
    para = max(body.rfind("\n\n", max(0, close - 2000), close), close - 2000, 0)
    mark = body[close]
    if mark == "”":
        k = body.rfind("“", para, close)
    elif mark == "\"":
        k = body.rfind("\"", para, close)
    else:
        k = body.rfind("''", para, close)
        return k + 2 if k >= 0 else None
    return k + 1 if k >= 0 else None

def content_end(body: str, opn: int) -> int | None:
    """End of the quoted text whose opening mark (“, " or '') is at `opn`."""
    mark = "”" if body[opn] == "“" else "''" if body.startswith("''", opn) else "\""
    k = body.find(mark, opn + len(mark), opn + QUOTE_REACH)
    return k if k >= 0 else None

def colon_events(art: Article) -> list[Event]:
    """Transcript and quote-introducing colons: "JOEL BENENSON: This is...", "Mark Blumenthal: “Although..."."""
    body = art.body
    events: list[Event] = []
    for start, after in colon_marks(body):
        j = bisect_left(art.run_ends, start)
        if j >= len(art.runs) or art.runs[j][1] != start:
            continue
        s, _e, txt = art.runs[j]
        quoted = body[after:after + 1] in "“\"‘" or body.startswith("''", after)
        if not quoted and not starts_line(body, s):
            continue
        name = name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is None or " " not in display:
            continue
        end = body.find("\n", after, after + QUOTE_REACH)
        end = min(len(body), after + QUOTE_REACH) if end < 0 else end
        text_start = after
        while text_start < end and body[text_start].isspace():
            text_start += 1
        events.append(Event(s, display, None, (text_start, end, quoted) if end > text_start else None))
    return events


def colon_marks(body: str) -> list[tuple[int, int]]:
    """Where a colon or a dash may end a speaker's name, and where what follows starts: a colon before a quote
    or a letter, from the colon; blanks and a dash before a quote, from the first blank (as the one plain scan
    finds them, in text order: tested)."""
    marks = [m.span() for m in COLON_RE.finditer(body)] if ":" in body else []
    for dash, pattern in DASH_QUOTE_SCANS:
        if dash not in body:
            continue
        for m in pattern.finditer(body):
            k = m.start()
            while k > 0 and body[k - 1] in " \t":
                k -= 1
            if k < m.start():  # (a dash right after a word or a mark follows no name: "well--“")
                marks.append((k, m.end()))
    marks.sort()
    return marks


_LINE_SCANS = (QLINE_RE, QLINE_STRAIGHT_RE)


def _dashed(body: str) -> list[re.Match[str]]:
    """Dashes between a closing quote and a name: on the quote's line, or opening the next line (the scans for
    straight quotes where the text has no curly closing one, and the first only where it has a dash)."""
    straight = "”" not in body
    found: list[re.Match[str]] = []
    if any(dash in body for dash in DASHES):
        found = list((QDASH_STRAIGHT_RE if straight else QDASH_RE).finditer(body))
    if "\n" in body:
        found += (QLINE_STRAIGHT_RE if straight else QLINE_RE).finditer(body)
    return found


def starts_line(body: str, pos: int) -> bool:
    """Whether only blanks and dashes stand between the start of the line and `pos` ("— JOEL BENENSON:")."""
    k = pos
    while k > 0 and body[k - 1] in " \t-—–":
        k -= 1
    return k == 0 or body[k - 1] == "\n"


def quote_events(art: Article) -> list[Event]:
    """Any verb adjacent to a direct quote attributes it: "“...,” Oliver barked." / "Clinton cracked, “...”"."""
    body = art.body
    events: list[Event] = []
    for m in scan(body, QCLOSE_SCANS):  # “...,” NAME verbed
        j = bisect_left(art.run_starts, m.end())
        if j >= len(art.runs) or art.runs[j][0] != m.end():
            continue
        s, e, txt = art.runs[j]
        v = VERB_AFTER_RE.match(body, e)
        if v is None or v.group(1) in VERBS:
            continue
        name = name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is not None:
            start = content_start(art.body, m.start() + 1)
            span = (start, m.start() + 1, True) if start is not None else None
            events.append(Event(s, display, None, span))
    for m in _dashed(body):  # “...” ― NAME, “...”\n- NAME.
        j = bisect_left(art.run_starts, m.end())
        if j >= len(art.runs) or art.runs[j][0] != m.end():
            continue
        s, _e, txt = art.runs[j]
        if m.re in _LINE_SCANS and not QLINE_END_RE.match(body, _e):
            continue  # a line that goes on is no attribution: "...”\n- Ann Marsh won the vote"
        name = name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is not None:
            start = content_start(art.body, m.start())
            events.append(Event(s, display, None, (start, m.start(), True) if start is not None else None))
    for m in scan(body, QOPEN_SCANS):  # NAME verbed, “...”
        j = bisect_left(art.run_ends, m.start() - 30)
        while j < len(art.runs) and art.runs[j][1] <= m.start():
            s, e, txt = art.runs[j]
            v = VERB_BEFORE_RE.fullmatch(body, e, m.start())
            j += 1
            if v is None or v.group(1) in VERBS:
                continue
            name = name_of_run(txt, s)
            display = art.resolve(name) if name is not None else None
            if display is not None:
                opn = m.end() - (2 if body.startswith("''", m.end() - 2) else 1)
                end = content_end(art.body, opn)
                events.append(Event(s, display, None, (m.end(), end, True) if end is not None else None))
            break
    return events


def title_speakers(title: str, art: Article) -> list[str]:
    """Speakers named in a headline of the form "Name: ..." ("Kasich: 'We are going to Cleveland'")."""
    m = TITLE_RE.match(title, 0, 300)  # a headline label is short: never read a whole long line
    if not m:
        return []
    out = []
    for part in AND_SPLIT_RE.split(m.group(1)):
        name = name_of_run(part.strip(), 0)
        display = art.resolve(name) if name is not None else None
        if display:
            out.append(display)
    return out


def cited(body: str, events: list[Event], every: list[Event]) -> list[Quote]:
    """The statements of `events` as quotes one can cite: each once per speaker, without an attribution clause
    (of any event in `every`) inside it, blanks and clause punctuation trimmed."""
    clauses = sorted((ev.pos, max(ev.clause_end, ev.pos + 1)) for ev in every)
    starts = [c[0] for c in clauses]
    recent: dict[str, list[tuple[int, int]]] = {}
    quotes: list[Quote] = []
    for ev in events:
        if ev.span is None:
            continue
        a, b, direct = ev.span
        # "..., claimed Mr Brown": a clause that opens or closes the span is not the statement; one inside
        # ("X, he said, Y") stays, as cutting there would truncate it. Two look-ups, whatever the span holds.
        i = bisect_right(starts, a - 3)
        if i < len(clauses) and clauses[i][0] - a <= 2 and clauses[i][0] < b:
            a = max(a, clauses[i][1])
        i = bisect_left(starts, b) - 1
        if i >= 0 and a < clauses[i][0] < b and not body[clauses[i][1]:b].strip(" \t\n.,;:\"”'"):
            b = clauses[i][0]
        while b > a and body[b - 1] in TRIM:
            b -= 1
        if b > a + 1 and body[b - 1] in QUOTE_CLOSE and body[b - 2] in ",.?!" and not direct:
            b -= 2  # a reported statement that ends where a quote closed: 'my motion,"'
        while a < b and (body[a].isspace() or body[a] in TRIM):
            a += 1
        if b <= a:
            continue
        name = display_form(ev.speaker)
        seen = recent.setdefault(name, [])
        if any(min(b, y) - max(a, x) > (min(b - a, y - x)) // 2 for x, y in seen):
            continue  # the same statement again (a quote and its reported form, two cues in one sentence)
        seen.append((a, b))
        del seen[:-4]
        quotes.append(Quote(name, body[a:b], a, b, direct))
    return quotes
