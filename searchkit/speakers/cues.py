"""Cue words ("said", "according to", any "<verb>ed that") and the people they attribute to: the name run to
the left (across adverbs, dates, a parenthetical or an appositive), to the right in inverted clauses
("..., said X"), a second name joined by "and", the subject of "X visited ... and said", and pronouns ("she
said") for the person last named as speaking."""

from __future__ import annotations

import re
from bisect import bisect_left
from string import ascii_lowercase

from searchkit.speakers.article import Article, Event
from searchkit.speakers.names import Name, clean, name_of_run
from searchkit.speakers.patterns import (
    ACCORDING_TAIL_RE,
    ADV_WORDS,
    AND_ONLY_RE,
    AND_RE,
    AND_VERB_RE,
    APPOSITION_RE,
    BARE_GAP_RE,
    BE_WORDS,
    BY_AGENT_RE,
    BYLINE_RE,
    CUE_WORD_BYTES,
    ED_BEFORE_THAT_RE,
    ED_REACH,
    ED_THAT_RE,
    INTRO_RE,
    INVERT_LEFT_RE,
    LY_NOUNS,
    NP_GAP_RE,
    OBJECT_BEFORE_RE,
    OBJECT_LEFT_RE,
    OPEN_APPOSITIVE_RE,
    PARTICIPLE_LEFT_RE,
    PARTICLE_RE,
    PRONOUN_LEFT_RE,
    QUOTE_AFTER_MARK_SCANS,
    RIGHT_GAP_RE,
    ROLE_COMMA_RE,
    UNNAMED_LEFT_RE,
    WORD_BYTES_ONLY,
    left_gap_may_fit,
)
from searchkit.speakers.quotes import statement
from searchkit.speakers.roles import role_after, role_before, stated_role
from searchkit.speakers.words import (
    CRITICISM_VERBS,
    DETERMINERS,
    INVERTIBLE,
    RIGHT_ONLY,
    ROLE_NOUNS,
    ROLE_WORDS,
    STANCE_VERBS,
    THREAT_VERBS,
    VERBS,
)

_ABSORBING = (" a ", " an ", " the ", " of ", " at ", " from ", " with ", " via ", " in ", " on ")  # "in a Medium post"
_BRIDGES_RE = re.compile("[,()—-]")  # a gap holding none of these marks takes a run no farther (a scan in C)


def left_name(art: Article, cue_start: int, floor: int) -> Name | None:
    """The name run ending just before a cue, across an allowed gap (adverbs, dates, appositives).

    A name directly before the cue wins; across an appositive ("X, a former mayor of Nice, France, said")
    the earliest resolvable candidate in the clause is the subject.
    """
    j = bisect_left(art.run_ends, cue_start + 1) - 1
    best: Name | None = None
    body = art.body
    for _ in range(10):
        if j < 0:
            break
        s, e, _txt = art.runs[j]
        if s < floor or cue_start - e > 260:
            break
        gap = body[e:cue_start]
        n, display = art.person(j)
        if n is None or display is None:
            # a run that names no one is never taken: its gap only tells whether to read on, which a mark that
            # bridges or a word that absorbs the run tells first (the gap's patterns spared 18,200 times of 26,000
            # on 2,000 Reuters articles: -0.86% instructions in all, callgrind)
            if (_BRIDGES_RE.search(gap) is None and not body.endswith(_ABSORBING, max(0, s - 6), s)
                    and not _gap_fits(art, gap, s, floor)):
                break
        elif _gap_fits(art, gap, s, floor):
            if OBJECT_BEFORE_RE.search(body, max(0, n.start - 12), n.start):
                pass  # an object is no subject: "At Boca West, X said", "the head of Y Audio told"
            elif ("--" in gap or "—" in gap) and not _opens_dashes(art, n, floor):
                pass  # inside the dashes that close before the cue: "The venue -- owned by X, Y, Z -- said"
            elif "," not in gap:
                return n
            else:
                best = n
        elif _BRIDGES_RE.search(gap) is None and not body.endswith(_ABSORBING, max(0, s - 6), s):
            break  # adverbs alone did not bridge this gap, and nothing can take this run into a farther gap
        j -= 1
    return best


def _gap_fits(art: Article, gap: str, run_start: int, floor: int) -> bool:
    """Whether a name run may stand across `gap` before its cue: adverbs, dates, an appositive, a role's commas."""
    # (one blank, "X said", is a gap LEFT_GAP_RE takes: a fifth of those read on Reuters; the other two patterns
    # open with a comma, which most gaps do not)
    return gap == " " or left_gap_may_fit(gap) or (gap[:1] == "," and bool(
        (ROLE_COMMA_RE.fullmatch(gap) and after_role(art, run_start, floor)) or OPEN_APPOSITIVE_RE.fullmatch(gap)))


def _opens_dashes(art: Article, name: Name, floor: int) -> bool:
    """Whether a name before a closing dash names the subject: outside dashes, or first within them ("A former
    candidate -- John McCain, who lost in 2008 -- said"), not one inside ("-- owned by X, Goldman Sachs, Y --")."""
    body, s = art.body, name.run_start
    if (body.count("--", floor, s) + body.count("—", floor, s)) % 2 == 0:
        return True
    k = max(body.rfind("--", floor, s) + 2, body.rfind("—", floor, s) + 1)
    while k < s and body[k] in " \t\n":
        k += 1
    role = role_before(art, name, k) if k < s else None
    return k == s or (role is not None and role[1] == k)


def after_role(art: Article, run_start: int, floor: int) -> bool:
    """True if a name run sits in commas after a role: "the Vatican spokesman, Federico Lombardi, told"."""
    seg = art.body[max(floor, run_start - 90):run_start]
    if not seg.rstrip().endswith(","):
        return False
    words = seg.rstrip(" ,\n").replace("“", ",").replace("”", ",").split(",")[-1].split()
    if not 0 < len(words) <= 9:
        return False
    return (any(clean(w) in ROLE_NOUNS for w in words) or words[0].lower() in DETERMINERS
            or words[0].endswith(("’s", "'s")))

PHRASAL_CUES = CRITICISM_VERBS | STANCE_VERBS | THREAT_VERBS  # cues that a particle makes another verb

# Speech verbs whose passive names the speaker after "by" (not "supported by", "opposed by": no speech).
BY_AGENT_CUES = frozenset(w for w in INVERTIBLE if w.endswith("ed")) | {"pressed", "questioned", "reported", "quoted",
                                                                          "described", "stated", "told"}


def right_name(art: Article, cue_end: int, ceil: int) -> Name | None:
    """The name run just after a cue: "said Maria Zakharova", "tweeted Rubio spokesman Alex Conant".

    Runs joined only by a few lower-case role words form one noun phrase; its last valid name wins.
    """
    j = bisect_left(art.run_starts, cue_end)
    if j >= len(art.runs):
        return None
    s = art.runs[j][0]
    if s >= ceil or s - cue_end > 80 or not RIGHT_GAP_RE.fullmatch(art.body, cue_end, s):
        return None
    best: Name | None = None
    apposed = False  # past a comma after a role that ends in a non-name: "said a spokesman for the Ministry, X"
    for k in range(j, min(j + 4, len(art.runs))):
        s, e, txt = art.runs[k]
        if k > j and not (s < ceil and (NP_GAP_RE.fullmatch(art.body, art.runs[k - 1][1], s)
                                        or _title_and(art, art.runs[k - 1], s))):
            if s >= ceil or best is not None or not APPOSITION_RE.fullmatch(art.body, art.runs[k - 1][1], s):
                break
            apposed = True
        n = name_of_run(txt, s)
        if n is not None and art.resolve(n) is not None:
            if apposed and art.body[e:e + 1] not in ",.;":
                break  # a name in commas closes as an appositive ("..., Oleg Voloshyn, who"), not a clause's subject
            best = n
    return best

def _title_and(art: Article, run: tuple[int, int, str], s: int) -> bool:
    """Whether "and" between two capitalised runs is inside one title: "Energy and Petroleum Minister X" (the
    run before it names no one, the run after it holds a title before its name)."""
    if AND_ONLY_RE.fullmatch(art.body, run[1], s) is None:
        return False
    before = name_of_run(run[2], run[0])
    if before is not None and art.resolve(before) is not None:
        return False
    k = bisect_left(art.run_starts, s)
    n = name_of_run(art.runs[k][2], s) if k < len(art.runs) else None
    return n is not None and n.titled


def agent(art: Article, pos: int, ceil: int) -> Name | None:
    """The person named after a passive cue's "by" (at `pos`), read as after an inverted cue: "asked by host
    John Dickerson", "pressed by ABC's host, George Stephanopoulos"."""
    return right_name(art, pos - 1, ceil)  # (pos - 1: the blank before the name, where a gap starts)


def sentence_subject(art: Article, s0: int, limit: int) -> Name | None:
    """The name that opens the sentence ("Trump visited the site and said ..."), after an intro phrase."""
    j = bisect_left(art.run_starts, s0)
    if j >= len(art.runs) or art.runs[j][0] >= limit:
        return None
    s, e, txt = art.runs[j]
    if not INTRO_RE.fullmatch(art.body, s0, s):
        return None
    n = name_of_run(txt, s)
    if n is None or not (n.start == s or n.titled or n.honorific):
        return None  # the run opens with no name or title: "In El Paso, ...", "The Obama administration"
    nxt = art.body[e:e + 30].split(None, 1)
    if nxt and clean(nxt[0]) in ROLE_WORDS:
        return None  # a modifier of the subject, not the subject: "Trump campaign manager Corey Lewandowski"
    return n if art.resolve(n) is not None else None

def coordinated(art: Article, name: Name, floor: int) -> Name | None:
    """A second name joined to `name` by "and": "Hillary Clinton and Bernie Sanders said", "Bank President X and
    Fed chief Y said" (before the role of `name`)."""
    first = name.run_start
    if " and " in art.body[max(floor, first - 120):first - 1]:
        role = role_before(art, name, floor)  # (only where an "and" stands before a role)
        if role is not None and floor <= role[1] < first:
            first = role[1]
    j = bisect_left(art.run_starts, first) - 1
    if j < 0:
        return None
    s, e, txt = art.runs[j]
    if s < floor or not AND_RE.fullmatch(art.body, e, first):
        return None
    n = name_of_run(txt, s)
    return n if n is not None and art.resolve(n) is not None else None

def _object_before(body: str, floor: int, pos: int) -> bool:
    """Whether a lower-case word that is no role word stands right before `pos` ("to" Mr. Castro; not "with",
    "and", nor "former" Maryland Gov. X)."""
    m = OBJECT_LEFT_RE.search(body, floor, pos)
    return m is not None and body[m.start():pos].strip() not in ROLE_WORDS


def cue_words(body: str) -> list[tuple[int, int]]:
    """Offsets of the verb list's cue words, in text order, as `CUE_RE.finditer` finds them (tested).

    The text's words are split off in C and only the cue words among them are looked for, each by `str.find`:
    cheaper than a regex tried at every blank (which reads each word into the verbs' trie)."""
    words = body.encode("utf-8", "surrogatepass").translate(WORD_BYTES_ONLY).split()
    spans: list[tuple[int, int]] = []
    n = len(body)
    for cue in CUE_WORD_BYTES.intersection(words):
        word = cue.decode()
        i = body.find(word)
        while i >= 0:
            j = i + len(word)
            # (a whole word: no `\w` on either side, the engine's test, alphanumeric or "_"; inline, as a call a
            # character cost more than the test)
            if (i == 0 or not ((c := body[i - 1]).isalnum() or c == "_")) and (
                    j == n or not ((c := body[j]).isalnum() or c == "_")):
                if word[1:] != "ccording":
                    spans.append((i, j))
                elif (m := ACCORDING_TAIL_RE.match(body, j)) is not None:
                    spans.append((i, m.end()))
            i = body.find(word, j)
    spans.sort()
    return spans


def cue_spans(body: str) -> list[tuple[int, int]]:
    """Offsets of cue words: the verb list plus any "<verb>ed that", in text order."""
    spans = cue_words(body)
    extra = []
    for ed in ed_verbs(body):
        k = ed
        floor = max(0, k - 40)  # verbs are short: never walk back over a whole long "word"
        while k > floor and body[k - 1].isalpha():
            k -= 1
        if k == floor and k > 0 and body[k - 1].isalpha():
            continue
        if body[k:k + 1].islower() and body[k:ed + 2] not in VERBS:
            extra.append((k, ed + 2))
    return sorted(spans + extra) if extra else spans


def ed_verbs(body: str) -> list[int]:
    """Where the "ed" of a verb before "that" or a quote stands, as `ED_THAT_RE.finditer` finds them (tested).

    Only an "ed" at most `ED_REACH` before a colon or comma that opens a quote is tried with the pattern, rather
    than the pattern reading on from every "ed". Each mark's window starts at the last mark of its scan at the
    nearest (an "ed" before it was tried then, and none starts on a mark), so every "ed" is visited once a scan:
    marks packed closer than `ED_REACH` (`'ed,"' * 50_000`) no longer revisit the same ones (0.19 s -> 0.06 CPU)."""
    found = [m.start() for m in ED_BEFORE_THAT_RE.finditer(body)]
    if '"' not in body and "“" not in body:
        return found
    tried = set(found)
    for scan in QUOTE_AFTER_MARK_SCANS:
        last = 0
        for mark in scan.finditer(body):
            p = mark.start()
            k = body.find("ed", max(last, p - ED_REACH), p)
            last = p
            while k >= 0:
                if k not in tried:
                    tried.add(k)
                    if ED_THAT_RE.match(body, k) is not None:
                        found.append(k)
                k = body.find("ed", k + 2, p)
    found.sort()
    return found


def cue_names(art: Article, start: int, end: int, cue: str) -> tuple[list[Name], tuple[int, int], bool]:
    """The people a cue at start:end attributes to, the span of the attribution clause, and whether the
    sentence holds what they said (not after a passive's "by": the question "pressed by Holt" is not there)."""
    body = art.body
    s0, s1 = art.sentence(start)
    if cue not in RIGHT_ONLY:
        # (a passive's subject is no speaker: asked only once a subject is found, as most cues find none)
        name = left_name(art, start, s0)  # "Zakharova said", "X, a former official, said"
        if name is not None and cue.endswith("ing") and BARE_GAP_RE.fullmatch(body, name.end, start) and (
                _object_before(body, max(s0, name.run_start - 20), name.run_start)):
            name = None  # a bare participle after an object modifies it: "a letter to Mr. Castro criticizing"
            # (not after "with": "with Obama telling Republicans")
        if name is not None:
            if not passive(body, start, cue):
                other = coordinated(art, name, s0)  # "X and Y said"
                names = [name] if other is None else [other, name]
                return names, (names[0].run_start, end), True
        elif ((((k := max(s0, start - 30)) <= body.find("and", k, start) or k <= body.find("but", k, start))
                and AND_VERB_RE.search(body, k, start)) or (
                cue.endswith("ing") and PARTICIPLE_LEFT_RE.search(body, max(s0, start - 8), start)
                and not body.startswith(" to ", end))) and not passive(body, start, cue):
            # (not "won the primary, adding to her lead"; AND_VERB_RE only where "and" or "but" stands: in seven
            # windows of eight on Reuters neither does, and two `str.find` cost less than the pattern)
            # "X visited ... and said", "X ratcheted up his attacks on Y, saying"
            name = sentence_subject(art, s0, start)
            if name is not None:
                return [name], (start, end), True
    by = BY_AGENT_RE.match(body, end) if cue in BY_AGENT_CUES else None  # "(when) pressed by Holt": the asker
    if by is not None:
        name = agent(art, by.end(), s1)
        if name is not None:
            return [name], (start, name.end), False
    inverted = cue in RIGHT_ONLY or (
        cue in INVERTIBLE and INVERT_LEFT_RE.search(body, max(s0, start - 3), start) is not None
    )
    if inverted:  # "..., said X", "according to X"
        name = right_name(art, end, s1)
        if name is not None:
            return [name], (start, name.end), True
    return [], (start, end), True


def cue_events(art: Article) -> list[Event]:
    """Attributions around cue verbs: "X said", "said X", "according to X", "..., she said"."""
    body = art.body
    events: list[Event] = []
    last: str | None = None  # the person last named as speaking, for pronouns
    last_para = -1  # the paragraph where `last` was named
    for start, end in cue_spans(body):
        if body.endswith("to ", 0, start) and (start == 3 or not body[start - 4].isalnum()):
            continue  # infinitive: "nothing to say", "wants to tell" (not "Ditto said")
        cue = body[start:end].lower()
        if not cue.isalpha():
            cue = " ".join(cue.split())  # "according\nto"
        if cue in PHRASAL_CUES and PARTICLE_RE.match(body, end):
            continue  # another verb with its particle: "backed out of", "knocked down"
        if cue == "reported" and BYLINE_RE.match(body, end):
            continue  # a byline: "Lisa Lerer reported from Los Angeles."
        if cue not in RIGHT_ONLY and after_plain_word(body, start):
            names, clause, says = [], (start, end), True  # "the company said": no name, pronoun or inversion
        else:
            names, clause, says = cue_names(art, start, end, cue)
        found: list[tuple[str, str | None]] = []
        for name in names:
            display = art.resolve(name)
            if display is not None:
                before = role_before(art, name, art.sentence(start)[0])
                if before is not None and before[1] < clause[0]:
                    clause = (before[1], clause[1])
                role = before[0] if before else role_after(art, name, start)
                if role is None and len(name.tokens) == 1:
                    role = stated_role(art, name)  # "Foreign Minister Elena Marsh arrived ... Mrs. Marsh said"
                found.append((display, role))
        if not names and last is not None:  # (nobody named before: a pronoun or an unnamed speaker changes nothing)
            floor = max(art.sentence(start)[0], start - 40)
            he = body.find("he", floor, start) >= 0 or body.find("He", floor, start) >= 0  # (in "she", "She" too)
            pron = PRONOUN_LEFT_RE.search(body, floor, start) if he else None
            if pron is not None and continues(art, last_para, pron.start()):
                found.append((last, None))
                clause = (pron.start(), end)
            elif pron is None and UNNAMED_LEFT_RE.search(body, floor, start):
                last = None  # someone unnamed spoke since: "he said" is no longer the person named before
        if found:
            span = statement(art, *clause) if says else None
            for display, role in found:
                events.append(Event(clause[0], display, role, span, clause[1]))
                if names and says:  # (the asker of a passive is not who answers: "pressed by Holt, he said")
                    last, last_para = display, art.paragraph(clause[0])
    return events


# Words a gap between a name and its cue may end with (`patterns.ADV`); any other lower-case word right before a
# cue ("the company said", "analysts said") leaves it without a name, an "and"-subject, a pronoun or an inversion.
_GAP_ENDINGS = frozenset(ADV_WORDS.split("|")) | {"and", "but", "he", "she", "week", "month", "year", "night",
                                                    "morning", "statement", "interview", "speech", "tweet", "email",
                                                    "letter", "op-ed"}


def after_plain_word(body: str, start: int) -> bool:
    """Whether the word right before a cue is a lower-case word no name-to-cue gap can end with (a cheap test
    that spares the search for a name; "in a Medium post said" and "via email said" are not plain)."""
    k = start
    while k > 0 and body[k - 1] in " \t\n":
        k -= 1
    w_end, floor = k, max(0, k - 30)
    k = floor + len(body[floor:w_end].rstrip(ascii_lowercase))  # back over lower-case letters (at most 30)
    if k == w_end or (k > 0 and (body[k - 1].isalnum() or body[k - 1] in "-'’.")):
        return False
    word = body[k:w_end]
    if word in _GAP_ENDINGS or adverb(word):
        return False
    before = body[max(0, k - 12):k].split()[-2:]  # "via X", "in a X", "in a X Y"
    return _VIA_A.isdisjoint(before)


def adverb(word: str) -> bool:
    """A word in "-ly" that is no noun ("reportedly", not "ally")."""
    return word.endswith("ly") and word.lower() not in _LY_NOUNS


_LY_NOUNS = frozenset(LY_NOUNS.split("|"))
_VIA_A = frozenset({"via", "a", "an"})


def passive(body: str, start: int, cue: str) -> bool:
    """Whether the cue is a passive participle ("Clinton is said to ...", "he was told"): its subject is no
    speaker."""
    if cue.endswith("ing"):
        return False
    before = body[max(0, start - 40):start].split()[-4:]
    while before and (before[-1] in _GAP_ENDINGS or adverb(before[-1])) and before[-1] not in BE_WORDS:
        before.pop()  # "was once asked", "is widely expected"
    return bool(before) and before[-1].lower() in BE_WORDS


def continues(art: Article, para: int, pos: int) -> bool:
    """Whether a pronoun at `pos` can be the person last named, in paragraph `para`: the same paragraph, or
    one that carries on that person's quote (the paragraph before ends inside an open quote)."""
    here = art.paragraph(pos)
    if here == para:
        return True
    if here != para + 1:
        return False
    start = art.paragraph_start(here)
    prev = art.body[max(0, start - 2000):start]
    return prev.count("“") > prev.count("”") or (prev.count('"') % 2 == 1 and "“" not in prev)
