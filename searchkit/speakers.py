"""Rule-based speaker attribution and quote extraction for news text.

Pure Python + `re`; no models, no word lists beyond the small inline ones. Capitalised name runs and sentence
ends are found once per article; then only the places around cues are examined:
  - speech/report verbs ("said", "told", "warned", "according to", any "<verb>ed that"): the name run to the
    left (across adverbs, dates, a parenthetical or an appositive), or to the right in inverted clauses
    (“...,” said X) — titles are split off as the role;
  - verbs next to a direct quote (“...,” X barked / X quipped, “...”), quote bylines (“...” ― X), transcript
    and headline colons (JOEL BENENSON: ..., "Kasich: ...").
Surnames ("Mr. Obama", "Zakharova") resolve to a full name given anywhere in the article, pronouns ("she said")
to the person last named as speaking; organisations, groups, places and unresolvable surnames are dropped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from searchkit.models import Quote, Speaker

__all__ = ["Attribution", "extract"]


@dataclass(frozen=True, slots=True)
class Attribution:
    """Speakers (distinct, in order of first attribution) and their attributed statements."""

    speakers: tuple[Speaker, ...]
    quotes: tuple[Quote, ...]


# ---------------------------------------------------------------------------------------------- word lists


def _words(text: str) -> set[str]:
    """A word list written as whitespace-separated text."""
    return set(text.split())


_HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "madam"}
_TITLES = _words(
    """
sen sens senator rep reps representative gov governor president vice pres secretary minister ministers premier
chancellor speaker leader chairman chairwoman chair chief director spokesman spokeswoman spokesperson judge
justice attorney general gen lt col sgt capt cpt maj adm cmdr prof professor rev reverend father pope king
queen prince princess sheikh ambassador mayor commissioner congressman congresswoman councilman councilwoman
deputy assistant acting former foreign finance defense defence interior justice state prime executive ceo cfo
coo founder editor anchor host nominee candidate hopeful democrat democratic republican gop independent
libertarian u.s u.s. us uk un eu white house senate congress federal national presidential manager adviser
advisor aide strategist analyst economist officer official head lawyer counsel correspondent columnist
reporter commentator officer trooper detective inspector superintendent chairs co-founder cofounder rabbi imam
cardinal bishop archbishop bros mrs mr ms dr sir st
"""
)
_EXTRA_ROLES = _words(
    """
engineer expert pollster consultant activist teacher researcher scientist author writer historian owner
partner member worker resident voter student organizer organiser lobbyist diplomat envoy negotiator president
prosecutor investigator physician doctor nurse economist banker trader investor attorney officer manager
"""
)
_ORG_WORDS = _words(
    """
post times news journal press tribune herald daily network networks cnn fox abc cbs nbc msnbc reuters ap afp
campaign committee department ministry party house senate congress association institute university center
centre council agency service bureau office group inc corp co administration court foundation union
organization organisation commission poll report reports government police fbi cia gop dnc rnc team
republicans democrats state states city county board company magazine website today street reserve book bank
fund exchange market markets index wikileaks politico usa act bill law treasury analysts traders officials
investors economists experts leaders lawmakers voters critics supporters protesters residents sources
observers diplomats authorities prosecutors investigators researchers scientists members kremlin pentagon
twitter facebook google youtube instagram trust capital partners holdings group ltd llc plc airlines motors
systems technologies energy securities research media channel radio tv television club fed force forces army
navy marines guard federation institution caucus coalition alliance society project network association
associates council priorities pac super action fund majority amendment conference academy academies republic
school high college church airport hospital survey beach island islands valley district
square plaza avenue road notice museum library stadium arena hotel resort patriarchate
diocese temple mosque cathedral ratings
"""
)
_NON_NAMES = _words(
    """
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december america american americans korea mexico europe european york jersey
virginia carolina california texas florida washington moscow russia russian china chinese britain british
france french germany german israel israeli iran iraq syria ukraine japan india canada god christmas easter
islam muslim muslims christian christians jews jewish africa african asia asian north south east west new
united kingdom nations union tea twitter afghanistan pakistan saudi arabia egypt turkey brazil argentina
venezuela colombia peru chile cuba nigeria kenya indonesia australia zealand spain italy greece poland
netherlands dutch belgium sweden norway denmark ireland switzerland austria vietnam thailand philippines
singapore taiwan hong kong lebanon qatar emirates kuwait yemen libya morocco
"""
)
_STOP_CAPS = _words(
    """
the a an but and or so yet in on at for if when while as after before since though although because then this
that these those there here it its his her their our my your we they he she i you one some many most also even
still now meanwhile however instead later earlier last next both all every according asked told said says like
with without from by to of not no yes well why what how who where which
"""
)
_ROLE_NOUNS = _TITLES - {"former", "acting", "deputy", "assistant", "foreign", "finance", "defense", "defence",
                         "interior", "state", "prime", "executive", "national", "federal", "presidential",
                         "u.s", "u.s.", "us", "uk", "un", "eu", "white", "house", "senate", "congress", "vice",
                         "democratic", "republican", "gop", "independent", "libertarian", "mr", "mrs", "ms",
                         "dr", "sir", "st", "bros"} | _EXTRA_ROLES
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}

# ---------------------------------------------------------------------------------------------- patterns


def _trie(words: set[str]) -> str:
    """A regex alternation for `words` factored by common prefixes (much faster than a flat alternation)."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        inner = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        if "" in node:
            return "(?:" + inner + ")?"
        return inner

    return emit(root)


_UP = "A-ZÀ-ÖØ-Þ"
_ABBR = r"(?:Mr|Mrs|Ms|Dr|Sen|Sens|Rep|Reps|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Rev|Jr|Sr|St|Adm|Maj|Cmdr|Pres|Del|Supt|Det)\."
_TOKEN = rf"(?:{_ABBR}|[{_UP}]\.(?:[{_UP}]\.)*|[{_UP}][\w'’-]*\w|[{_UP}])"
_SEP = r"(?:[ \t\u00a0]++\n?+[ \t\u00a0]*+|\n[ \t\u00a0]*+)"  # possessive: blanks are taken whole, never split
_RUN_RE = re.compile(rf"(?=[{_UP}])(?<![\w'’-]){_TOKEN}(?:{_SEP}(?:(?:de|van|von|der|bin|al|da|di|del|dos|du|la|le)"
                     rf"{_SEP})?{_TOKEN})*")

_VERBS = _words(
    """
plans planned expects expected fears feared feels felt worries worried doubts doubted agrees disagreed disagrees
intends intended recommended estimated estimates
said says say saying told tells telling wrote writes writing tweeted tweets tweeting added adds adding noted
notes noting stressed stresses warned warns warning argued argues arguing explained explains explaining
announced announces announcing insisted insists insisting acknowledged acknowledges asked asks asking
suggested suggests suggesting claimed claims claiming declared declares declaring replied replies responded
responds continued recalled recalls recalling conceded concedes admitted admits emphasized emphasised
emphasizes emphasises stated stating predicted predicts promised promises promising pledged vowed vows urged
urges agreed observed remarked commented joked complained complains countered cautioned contended contends
maintained maintains asserted asserts alleged accused accuses criticized criticised criticizes praised praises
blamed blames called calls calling described describes denied denies confirmed confirms revealed reveals
testified posted quipped mused boasted lamented laments reiterated reiterates recounted wondered wonders
echoed elaborated rejected dismissed defended defends proposed proposes questioned declined reported reports
endorsed endorses citing cited cites referring concluded concludes indicated indicates hopes hoped wants
wanted believes believed thinks thought knows attacked thanked mocked decried blasted slammed slams reminded
expressed repeated assured offered supported opposed refused sought condemned condemns denounced denounces
scolded likened lambasted bemoaned touted highlighted mentioned identified chided retorted shot pressed
demanded demands raged tweeted wrote
"""
)
_CUE_RE = re.compile(r"(?=[a-zA])(?<!\w)(?:[Aa]ccording\s+to|" + _trie(_VERBS) + r")(?!\w)")
# any past-tense verb opening a that-clause or a direct quote: "Trump asserted that", "X tweeted Monday: “"
_ED_THAT_RE = re.compile(r"ed(?<=[a-z]{5})(?=\s+that\b|[^.!?\n“”\"]{0,60}?[:,]\s*[“\"])")
_VERB_SET = _VERBS
_RIGHT_ONLY = {"according to"}
_INVERTIBLE = _words(
    """
said says added adds wrote writes tweeted noted notes asked continued explained recalled argued replied
responded warned insisted stressed declared conceded admitted countered quipped joked observed remarked
commented announced acknowledged concluded cautioned suggested predicted
"""
)

_DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_ADV_WORDS = ("also|then|later|earlier|again|once|has|had|have|would|will|just|even|still|likewise|first|last|"
              "further|never|already|often|yesterday|today|tonight")
# Adverbials between a name and its verb. Every string has one parse (no two alternatives, and no alternative
# and a repetition, match the same text), so a failing match backtracks linearly, never exponentially.
_ADV = (rf"(?:(?:{_ADV_WORDS}|\w+ly)\b|(?:on\s+)?(?:{_DAYS})\b|last\s+(?:week|month|year|night)\b|"
        r"this\s+(?:week|month|year|morning)\b|via\s+\w+|"
        r"in\s+(?:an\s+)?(?:statement|interview|speech|tweet|email|letter|op-ed)\b|"
        rf"in\s+a\s+\w+(?:\s+(?!(?:{_ADV_WORDS}|on|last|this|via|in|{_DAYS})\b|\w+ly\b)\w+)?)")
_LEFT_GAP_RE = re.compile(
    rf"(?:\s*\([^()\n]{{0,60}}\))?"  # (Vt.), (R-Wis.)
    rf"(?:\s+(?:of|from|at|with)\s+(?:the\s+)?(?:[{_UP}][\w.’'&-]*\s+){{1,6}})?"  # of the National Retail Fed.
    rf"(?:\s*,[^;:\"“”\n]{{1,240}}?,)?"  # , a former official,
    rf"(?:\s+{_ADV})*\s*",  # also / on Tuesday / in a statement
)
# A locative preposition in the gap means the name is a place: "according to brokers in Port Éloise".
_RIGHT_GAP_RE = re.compile(r"\s+(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+)?"
                           r"(?:(?:the|a|an|his|her|its|their)\s+)?"
                           r"(?:(?!(?:in|at|from|near|outside|inside|across|around|throughout|within)\s)[\w’'.-]+\s+){0,7}"
                           r"|\s+(?:(?:the|a|an|another|his|her|its|their)\s+|[A-Z][\w.-]*[’']s\s+)"
                           r"(?:[\w’'.-]+\s+){0,6}[\w’'.-]+,\s+")  # said the bureau's director, James Comey
_NP_GAP_RE = re.compile(r"\s+(?:(?!(?:in|on|at|of|for|to|from|with|by|after|before|during|and|or|who|which|that|"
                        r"when|while|as|about|said|says|told)\s)[a-z][\w-]*\s+){0,3}")
_COLON_RE = re.compile(r":[ \t]*(?=[“\"‘]|[A-Za-z])")
_TITLE_WORDS = rf"(?>{_TOKEN})(?:[ \t]++(?>{_TOKEN}))*+"  # words apart, each taken whole: one way to read a line
_TITLE_RE = re.compile(rf"\s*+({_TITLE_WORDS}(?:[ \t]++and[ \t]++{_TITLE_WORDS})?+)[ \t]*+:\s")
_AND_SPLIT_RE = re.compile(r"\s+and\s+")
_QCLOSE_RE = re.compile(r"[,?!](?:”|\"|'')[ \t]+(?=[A-Z])")
_QDASH_RE = re.compile(r"[”\"](?=[ \t]*(?:―|—|–|--))[ \t]*(?:―|—|–|--)[ \t]*(?=[A-Z])")
_QOPEN_RE = re.compile(r"[,:][ \t]*(?:“|\"|'')(?=\S)")
_VERB_AFTER_RE = re.compile(r"[ \t]+(?:\w+ly[ \t]+)?([a-z]+(?:ed|es|s))\b")
_VERB_BEFORE_RE = re.compile(r"[ \t]+(?:\w+ly[ \t]+)?([a-z]+(?:ed|es|s))")
_DETERMINERS = {"a", "an", "the", "his", "her", "their", "its", "another", "one", "our"}
_SURNAME_TITLES = {"pope", "king", "major", "judge", "bishop", "prince", "cardinal", "may", "june", "april",
                   "august", "england", "israel", "washington", "french", "german", "young", "north", "west"}
_HYPHEN_TAILS = {"based", "era", "led", "born", "backed", "style", "owned", "run"}
_TRIM = " \t\n,;:"
_SENTENCE_REACH = 2000  # characters a sentence may extend either side of a cue (real sentences are far shorter)
_QUOTE_REACH = 3000  # characters between a quote's opening and closing marks
_PARTICLES = {"de", "van", "von", "der", "bin", "al", "da", "di", "del", "dos", "du", "la", "le"}
_ACRONYM_RE = re.compile(rf"(?:[{_UP}]\.){{2,}}")
_INITIAL_RE = re.compile(rf"[{_UP}]\.")
_AND_VERB_RE = re.compile(r"\b(?:and|but)\s+(?:" + _ADV + r"\s+)*$")
_INTRO_RE = re.compile(r"[\s\"“”']*")
_ROLE_COMMA_RE = re.compile(r",\s*")
_AND_RE = re.compile(r",?\s+and\s+")
_PRONOUN_LEFT_RE = re.compile(r"\b(he|she|they|i|we|He|She|They|I|We)(?:\s+" + _ADV + r")*\s*$")
_INVERT_LEFT_RE = re.compile(r"[,\"“”'’:]\s*$|^\s*$")
_ABBRS = "Mr Mrs Ms Dr Sen Sens Rep Reps Gov Gen Lt Col Sgt Capt Prof Rev St Adm Maj Cmdr Pres Jr Sr Ft Mt No vs Del " \
    "Supt Det"
_SENT_END_RE = re.compile(r"[.!?][\"”’']?(?=\s+[\"“‘]?[" + _UP + r"0-9])|\n\s*\n")
_ABBR_TAIL_RE = re.compile(rf"(?:\b(?:{'|'.join(_ABBRS.split())})|\b[A-Za-z]|[A-Za-z]\.[A-Za-z])$")
_QUOTE_AFTER_RE = re.compile(r"\s*+(?:[:,]\s*+)?(“|\"|'')")
_QUOTE_CLOSE = "”\"'"
_APPOSITIVE_RE = re.compile(r"\s*,\s*([^,;:\"“”()\n]{2,100}?)\s*(?:,|\.|$)")  # ", a former official,"
_THAT_RE = re.compile(r"\s*(?:,\s*)?(?:that\s+)?")  # before reported content: "said that ..."


# ---------------------------------------------------------------------------------------------- names


@lru_cache(maxsize=4096)
def _clean(tok: str) -> str:
    """Lower-case a token and drop trailing dots/possessives for list look-ups."""
    return tok.lower().rstrip(".").removesuffix("’s").removesuffix("'s")


@dataclass(slots=True)
class _Name:
    """A name found at the end of a capitalised run: its tokens and where it starts."""

    tokens: list[str]
    start: int
    end: int
    run_start: int  # start of the whole run, titles included
    titled: bool  # preceded in the run by a formal title (Sen., President) — not Mr./Mrs.
    honorific: bool  # preceded by Mr./Mrs./Ms./Dr.


def _name_of_run(text: str, start: int, possessive: bool = False) -> _Name | None:
    """Split a capitalised run into leading titles and the trailing personal name; None if not a person.

    A possessive run ("Clinton's campaign") is no speaker, but with `possessive` it still names a person.
    """
    raw = text.rsplit(None, 8)  # a name is its last few words: never split a whole long run
    if len(raw) > 8:
        raw[0] = raw[0].rsplit(None, 1)[-1]  # the rest of a long run, as one word that ends the name
    if not raw:
        return None
    if raw[-1].endswith(("’s", "'s", "’", "'")):
        if not possessive:
            return None
        raw[-1] = raw[-1].rstrip("s").rstrip("’'")
    words: list[str] = []
    i = len(raw) - 1
    while i >= 0:
        w = raw[i]
        c = _clean(w)
        if c in _SUFFIXES and not words and i >= len(raw) - 2 and i > 0:  # "Jr.", "Jr. III"
            i -= 1
            continue
        if len(words) > 4:
            return None
        if _ACRONYM_RE.fullmatch(w) or (w.isalpha() and w.isupper() and len(w) > 1 and words
                                         and not words[-1].isupper()):
            break  # "N.J.", "U.S.", a capitalised tag ("PUSH Richard Hastings") end the name
        if _INITIAL_RE.fullmatch(w) or (w in _PARTICLES and words):
            words.append(w)
            i -= 1
            continue
        blocked = c in _TITLES or c in _HONORIFICS or c in _NON_NAMES
        if blocked and not words and c in _SURNAME_TITLES and (i == 0 or _plain(raw[i - 1])):
            blocked = False  # a surname that is also a title word: "Amy Pope", "Peter T. King"
        if "-" in c and not blocked:
            blocked = any(p in _TITLES or p in _ORG_WORDS or p in _HYPHEN_TAILS for p in c.split("-"))
        if (blocked or c in _ORG_WORDS or c in _STOP_CAPS or w.endswith(("’s", "'s"))):
            break
        words.append(w)
        i -= 1
    words.reverse()
    while words and words[0] in _PARTICLES:
        words.pop(0)
    if not words or len(words) > 4:
        return None
    prev = _clean(raw[i]) if i >= 0 else ""
    if any(_clean(w) in _ORG_WORDS for w in words):
        return None
    offset = text.rfind(words[0])
    return _Name(words, start + offset, start + len(text), start,
                 titled=prev in _TITLES and prev not in _HONORIFICS, honorific=prev in _HONORIFICS)


def _plain(word: str) -> bool:
    """True for a capitalised word that could be a first name (not a title, organisation or stop word)."""
    c = _clean(word)
    return (word[:1].isupper() and c not in _TITLES and c not in _HONORIFICS and c not in _ORG_WORDS
            and c not in _STOP_CAPS and c not in _NON_NAMES and not word.endswith(("’s", "'s", ".")))


def _surname(tokens: list[str]) -> str:
    """Last word of a name, lower-cased, suffixes dropped."""
    return _clean(tokens[-1])


# ---------------------------------------------------------------------------------------------- article


class _Article:
    """Per-article precomputed scans: name runs, sentence boundaries, the full-name inventory."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.runs = [(m.start(), m.end(), m.group(0)) for m in _RUN_RE.finditer(body)]
        self.run_starts = [r[0] for r in self.runs]
        self.run_ends = [r[1] for r in self.runs]
        self.sent_ends = [  # a period after an abbreviation or initial ("Mr.", "J.", "U.S.") ends no sentence
            m.end() for m in _SENT_END_RE.finditer(body)
            if body[m.start()] != "." or not _ABBR_TAIL_RE.search(body, max(0, m.start() - 5), m.start())
        ]
        self._by_last: dict[str, list[int]] | None = None
        self._full: dict[str, str | None] = {}

    def by_last(self) -> dict[str, list[int]]:
        """Index of multi-word runs by their last word (lower-cased), built on first use."""
        if self._by_last is None:
            self._by_last = {}
            for i, (_s, _e, txt) in enumerate(self.runs):
                parts = txt.rsplit(None, 1)
                if len(parts) == 2:
                    self._by_last.setdefault(_clean(parts[1]).rstrip("’'"), []).append(i)
        return self._by_last

    def full_name(self, sur: str) -> str | None:
        """The first full name (two or more words) in the article ending in surname `sur`, if any."""
        if sur not in self._full:
            found = None
            titled = False
            for i in self.by_last().get(sur, ()):
                s, _e, txt = self.runs[i]
                n = _name_of_run(txt, s, possessive=True)
                if n is None:
                    continue
                if len(n.tokens) >= 2:
                    found = " ".join(n.tokens)
                    break
                titled = titled or n.titled
            self._full[sur] = found if found or not titled else ""
        return self._full[sur]

    def sentence(self, pos: int) -> tuple[int, int]:
        """Bounds of the sentence around `pos`, at most `_SENTENCE_REACH` characters to either side.

        The bound keeps the work per cue constant on text without sentence ends (a 1 MB line)."""
        i = bisect_right(self.sent_ends, pos)
        start = self.sent_ends[i - 1] if i else 0
        end = self.sent_ends[i] if i < len(self.sent_ends) else len(self.body)
        return max(start, pos - _SENTENCE_REACH), min(end, pos + _SENTENCE_REACH)

    def resolve(self, name: _Name) -> str | None:
        """Display name for a name mention: full names as given, surnames via the article's full names."""
        if len(name.tokens) >= 2:
            return " ".join(name.tokens)
        full = self.full_name(_surname(name.tokens))
        if full == "":  # only titled mentions ("Sen. Sanders"): a known person without a first name
            return name.tokens[0]
        return full

    def left_name(self, cue_start: int, floor: int) -> _Name | None:
        """The name run ending just before a cue, across an allowed gap (adverbs, dates, appositives).

        A name directly before the cue wins; across an appositive ("X, a former mayor of Nice, France, said")
        the earliest resolvable candidate in the clause is the subject.
        """
        j = bisect_left(self.run_ends, cue_start + 1) - 1
        best: _Name | None = None
        for _ in range(10):
            if j < 0:
                break
            s, e, txt = self.runs[j]
            if s < floor or cue_start - e > 260:
                break
            gap = self.body[e:cue_start]
            if _LEFT_GAP_RE.fullmatch(gap) or (_ROLE_COMMA_RE.fullmatch(gap) and self._after_role(s, floor)):
                n = _name_of_run(txt, s)
                if n is not None and self.resolve(n) is not None:
                    if "," not in gap:
                        return n
                    best = n
            j -= 1
        return best

    def _after_role(self, run_start: int, floor: int) -> bool:
        """True if a name run sits in commas after a role: "the Vatican spokesman, Federico Lombardi, told"."""
        seg = self.body[max(floor, run_start - 90):run_start]
        if not seg.rstrip().endswith(","):
            return False
        words = seg.rstrip(" ,\n").replace("“", ",").replace("”", ",").split(",")[-1].split()
        if not 0 < len(words) <= 9:
            return False
        return (any(_clean(w) in _ROLE_NOUNS for w in words) or words[0].lower() in _DETERMINERS
                or words[0].endswith(("’s", "'s")))

    def right_name(self, cue_end: int, ceil: int) -> _Name | None:
        """The name run just after a cue: "said Maria Zakharova", "tweeted Rubio spokesman Alex Conant".

        Runs joined only by a few lower-case role words form one noun phrase; its last valid name wins.
        """
        j = bisect_left(self.run_starts, cue_end)
        if j >= len(self.runs):
            return None
        s = self.runs[j][0]
        if s > ceil or s - cue_end > 80 or not _RIGHT_GAP_RE.fullmatch(self.body, cue_end, s):
            return None
        best: _Name | None = None
        for k in range(j, min(j + 4, len(self.runs))):
            s, _e, txt = self.runs[k]
            if k > j and (s > ceil or not _NP_GAP_RE.fullmatch(self.body, self.runs[k - 1][1], s)):
                break
            n = _name_of_run(txt, s)
            if n is not None and self.resolve(n) is not None:
                best = n
        return best

    def sentence_subject(self, s0: int, limit: int) -> _Name | None:
        """The name that opens the sentence ("Trump visited the site and said ..."), after an intro phrase."""
        j = bisect_left(self.run_starts, s0)
        if j >= len(self.runs) or self.runs[j][0] >= limit:
            return None
        s, _e, txt = self.runs[j]
        if not _INTRO_RE.fullmatch(self.body, s0, s):
            return None
        n = _name_of_run(txt, s)
        return n if n is not None and self.resolve(n) is not None else None

    def coordinated(self, name: _Name, floor: int) -> _Name | None:
        """A second name joined to `name` by "and": "Hillary Clinton and Bernie Sanders said"."""
        j = bisect_left(self.run_starts, name.run_start) - 1
        if j < 0:
            return None
        s, e, txt = self.runs[j]
        if s < floor or not _AND_RE.fullmatch(self.body, e, name.run_start):
            return None
        n = _name_of_run(txt, s)
        return n if n is not None and self.resolve(n) is not None else None

    def role_before(self, name: _Name, floor: int) -> tuple[str, int] | None:
        """Stated role before a name and where it starts: "Russian Foreign Ministry spokeswoman" Maria Z."""
        base = max(floor, name.start - 120)
        seg = self.body[base:name.start]
        cut = max(seg.rfind(ch) for ch in ",;:“”\"(")
        if cut >= 0:
            base, seg = base + cut + 1, seg[cut + 1:]
        words = seg.split()
        while words and _clean(words[0]) in _STOP_CAPS:
            words = words[1:]
        words = words[-8:]
        while words and _clean(words[0]) in _STOP_CAPS:
            words = words[1:]
        if words and any(_clean(w) in _ROLE_NOUNS for w in words):
            return " ".join(words), seg.rfind(words[0], 0, len(seg) - len(" ".join(words[1:]))) + base
        return None

    def role_after(self, name: _Name) -> str | None:
        """Appositive role after a name: "Kenneth Baer, a former official, said"."""
        m = _APPOSITIVE_RE.match(self.body[name.end:name.end + 110])
        if m and any(_clean(w) in _ROLE_NOUNS for w in m.group(1).split()):
            return m.group(1).removeprefix("a ").removeprefix("an ").removeprefix("the ")
        return None

    # ------------------------------------------------------------------------------------------ quotes

    def statement(self, clause_start: int, clause_end: int) -> tuple[int, int, bool] | None:
        """The statement attributed by a cue clause spanning clause_start:clause_end."""
        body = self.body
        before = body[max(0, clause_start - 4):clause_start].rstrip()
        if before and before[-1] in _QUOTE_CLOSE and (before[-1] != "'" or before.endswith("''")):
            close = max(0, clause_start - 4) + len(before) - 1
            if before.endswith("''"):
                close -= 1
            start = self._content_start(close)
            if start is not None:
                return start, close, True
        m = _QUOTE_AFTER_RE.match(body, clause_end)
        if m:
            end = self._content_end(m.end() - len(m.group(1)))
            if end is not None:
                return m.end(), end, True
        s0, s1 = self.sentence(clause_start)
        seg = body[s0:clause_start].rstrip(" \n")
        if len(seg.strip()) > 15 and seg.endswith(","):  # reported content precedes: "X, Zakharova said."
            seg = seg.rstrip(" ,\n")
            lead = len(seg) - len(seg.lstrip())
            return s0 + lead, s0 + len(seg), False
        start = _THAT_RE.match(body, clause_end, s1).end()
        end = s1
        while end > start and body[end - 1] in " \n.\"”'":
            end -= 1
        if end - start > 10:
            return start, end, False
        return None

    def _content_start(self, close: int) -> int | None:
        """Start of the quoted text whose closing mark (”, " or '') is at `close`; same paragraph only."""
        body = self.body
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

    def _content_end(self, opn: int) -> int | None:
        """End of the quoted text whose opening mark (“, " or '') is at `opn`."""
        body = self.body
        mark = "”" if body[opn] == "“" else "''" if body.startswith("''", opn) else "\""
        k = body.find(mark, opn + len(mark), opn + _QUOTE_REACH)
        return k if k >= 0 else None


# ---------------------------------------------------------------------------------------------- extract


@dataclass(slots=True)
class _Event:
    """One attribution found in the text: who (display name, role) and the statement span."""

    pos: int
    speaker: str
    role: str | None
    span: tuple[int, int, bool] | None


def _cue_spans(body: str) -> list[tuple[int, int]]:
    """Offsets of cue words: the verb list plus any "<verb>ed that", in text order."""
    spans = [m.span() for m in _CUE_RE.finditer(body)]
    extra = []
    for m in _ED_THAT_RE.finditer(body):
        k = m.start()
        floor = max(0, k - 40)  # verbs are short: never walk back over a whole long "word"
        while k > floor and body[k - 1].isalpha():
            k -= 1
        if k == floor and k > 0 and body[k - 1].isalpha():
            continue
        if body[k:k + 1].islower() and body[k:m.end()] not in _VERB_SET:
            extra.append((k, m.end()))
    return sorted(spans + extra) if extra else spans


def _cue_names(art: _Article, start: int, end: int, cue: str) -> tuple[list[_Name], tuple[int, int]]:
    """The people a cue at start:end attributes to, and the span of the attribution clause."""
    body = art.body
    s0, s1 = art.sentence(start)
    if cue not in _RIGHT_ONLY:
        name = art.left_name(start, s0)  # "Zakharova said", "X, a former official, said"
        if name is not None:
            other = art.coordinated(name, s0)  # "X and Y said"
            names = [name] if other is None else [other, name]
            return names, (names[0].run_start, end)
        if _AND_VERB_RE.search(body, max(s0, start - 30), start):  # "X visited ... and said"
            name = art.sentence_subject(s0, start)
            if name is not None:
                return [name], (start, end)
    inverted = cue in _RIGHT_ONLY or (
        cue in _INVERTIBLE and _INVERT_LEFT_RE.search(body, max(s0, start - 3), start) is not None
    )
    if inverted:  # "..., said X", "according to X"
        name = art.right_name(end, s1)
        if name is not None:
            return [name], (start, name.end)
    return [], (start, end)


def _cue_events(art: _Article) -> list[_Event]:
    """Attributions around cue verbs: "X said", "said X", "according to X", "..., she said"."""
    body = art.body
    events: list[_Event] = []
    last: str | None = None  # the person last named as speaking, for pronouns
    for start, end in _cue_spans(body):
        if body[max(0, start - 3):start] == "to ":
            continue  # infinitive: "nothing to say", "wants to tell"
        cue = " ".join(body[start:end].lower().split())
        names, clause = _cue_names(art, start, end, cue)
        found: list[tuple[str, str | None]] = []
        for name in names:
            display = art.resolve(name)
            if display is not None:
                before = art.role_before(name, art.sentence(start)[0])
                if before is not None and before[1] < clause[0]:
                    clause = (before[1], clause[1])
                found.append((display, before[0] if before else art.role_after(name)))
        if not names and last is not None:
            pron = _PRONOUN_LEFT_RE.search(body, max(art.sentence(start)[0], start - 40), start)
            if pron is not None:
                found.append((last, None))
                clause = (pron.start(), end)
        if found:
            span = art.statement(*clause)
            for display, role in found:
                events.append(_Event(clause[0], display, role, span))
                last = display
    return events


def _colon_events(art: _Article) -> list[_Event]:
    """Transcript and quote-introducing colons: "JOEL BENENSON: This is...", "Mark Blumenthal: “Although..."."""
    body = art.body
    events: list[_Event] = []
    for m in _COLON_RE.finditer(body):
        j = bisect_left(art.run_ends, m.start())
        if j >= len(art.runs) or art.runs[j][1] != m.start():
            continue
        s, _e, txt = art.runs[j]
        quoted = body[m.end():m.end() + 1] in "“\"‘"
        if not quoted and not _starts_line(body, s):
            continue
        name = _name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is None or " " not in display:
            continue
        end = body.find("\n", m.end(), m.end() + _QUOTE_REACH)
        end = min(len(body), m.end() + _QUOTE_REACH) if end < 0 else end
        text_start = m.end()
        while text_start < end and body[text_start].isspace():
            text_start += 1
        events.append(_Event(s, display, None, (text_start, end, quoted) if end > text_start else None))
    return events


def _starts_line(body: str, pos: int) -> bool:
    """Whether only blanks and dashes stand between the start of the line and `pos` ("— JOEL BENENSON:")."""
    k = pos
    while k > 0 and body[k - 1] in " \t-—–":
        k -= 1
    return k == 0 or body[k - 1] == "\n"


def _quote_events(art: _Article) -> list[_Event]:
    """Any verb adjacent to a direct quote attributes it: "“...,” Oliver barked." / "Clinton cracked, “...”"."""
    body = art.body
    events: list[_Event] = []
    for m in _QCLOSE_RE.finditer(body):  # “...,” NAME verbed
        j = bisect_left(art.run_starts, m.end())
        if j >= len(art.runs) or art.runs[j][0] != m.end():
            continue
        s, e, txt = art.runs[j]
        v = _VERB_AFTER_RE.match(body, e)
        if v is None or v.group(1) in _VERB_SET:
            continue
        name = _name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is not None:
            start = art._content_start(m.start() + 1)
            span = (start, m.start() + 1, True) if start is not None else None
            events.append(_Event(s, display, None, span))
    for m in _QDASH_RE.finditer(body):  # “...” ― NAME
        j = bisect_left(art.run_starts, m.end())
        if j >= len(art.runs) or art.runs[j][0] != m.end():
            continue
        s, _e, txt = art.runs[j]
        name = _name_of_run(txt, s)
        display = art.resolve(name) if name is not None else None
        if display is not None:
            start = art._content_start(m.start())
            events.append(_Event(s, display, None, (start, m.start(), True) if start is not None else None))
    for m in _QOPEN_RE.finditer(body):  # NAME verbed, “...”
        j = bisect_left(art.run_ends, m.start() - 30)
        while j < len(art.runs) and art.runs[j][1] <= m.start():
            s, e, txt = art.runs[j]
            v = _VERB_BEFORE_RE.fullmatch(body, e, m.start())
            j += 1
            if v is None or v.group(1) in _VERB_SET:
                continue
            name = _name_of_run(txt, s)
            display = art.resolve(name) if name is not None else None
            if display is not None:
                opn = m.end() - (2 if body.startswith("''", m.end() - 2) else 1)
                end = art._content_end(opn)
                events.append(_Event(s, display, None, (m.end(), end, True) if end is not None else None))
            break
    return events


def _title_speakers(title: str, art: _Article) -> list[str]:
    """Speakers named in a headline of the form "Name: ..." ("Kasich: 'We are going to Cleveland'")."""
    m = _TITLE_RE.match(title, 0, 300)  # a headline label is short: never read a whole long line
    if not m:
        return []
    out = []
    for part in _AND_SPLIT_RE.split(m.group(1)):
        name = _name_of_run(part.strip(), 0)
        display = art.resolve(name) if name is not None else None
        if display:
            out.append(display)
    return out


_TICKER = (r"\([ \t]*(?:[A-Z0-9]{1,6}\.[A-Z]{1,3}|(?:NYSE|NASDAQ|Nasdaq|AMEX|LSE|TSX|TSE)[ \t]*:[ \t]*[A-Z0-9.]{1,8})"
           r"[ \t]*\)")  # "( GS.N )", "(NASDAQ: AAPL)"
_TICKER_ONLY_RE = re.compile(_TICKER)
_TICKER_WORD_RE = re.compile(r"[A-Z][\w&.'’-]*")


def _ticker_names(body: str) -> set[str]:
    """Names written with a stock ticker ("Goldman Sachs ( GS.N )", "Apple (NASDAQ: AAPL)"): companies.

    Each trailing part of the capitalised run counts ("Investment bank Morgan Stanley ( MS.N )").
    """
    names: set[str] = set()
    for m in _TICKER_ONLY_RE.finditer(body):
        before = body[max(0, m.start() - 200):m.start()]
        words: list[str] = []
        capitals = 0
        for w in reversed(before.split()[-10:]):  # up to five capitalised words, "&" between them
            if w == "&" and capitals:
                words.append(w)
            elif _TICKER_WORD_RE.fullmatch(w) and capitals < 5:
                words.append(w)
                capitals += 1
            else:
                break
        while words and words[-1] == "&":
            words.pop()
        words.reverse()
        names.update(" ".join(words[i:]) for i in range(len(words)))
    return names


_DATELINE_RE = re.compile(r"\A\s*([A-Z][A-Za-z .,'’-]{1,60}?)\s*\((?:Reuters|AP|AFP|Bloomberg|UPI)\)\s*[-–—]")
_ORG_HEADS = ("Institute|Bank|University|Department|Ministry|Council|Association|Board|Bureau|Center|Centre|College|"
              "Academy|Society|Federation|Commission|Office|School|Party|Union|Fund|Agency|Foundation|Organization|"
              "Organisation|Church|Museum|Hospital|Court|Committee|Corporation|Authority|Chamber|League")


def _dateline_names(body: str) -> set[str]:
    """The place in a wire dateline ("SAN FRANCISCO (Reuters) - ..."), in the forms a speaker would take."""
    m = _DATELINE_RE.match(body)
    if not m:
        return set()
    place = m.group(1).split(",")[0].strip()
    return {place, _display(place), place.title()}


_ORG_PREFIX_RE = re.compile(rf"\b(?:{_ORG_HEADS})\s++(?:of|for|on)\s++(the\s++)?")


def _is_word_char(ch: str) -> bool:
    """A character `\\w` matches (Unicode `str` patterns: alphanumeric or underscore)."""
    return ch.isalnum() or ch == "_"


def _at_boundary(text: str, i: int) -> bool:
    """Whether `\\b` matches at offset `i` of `text`."""
    return (i > 0 and _is_word_char(text[i - 1])) != (i < len(text) and _is_word_char(text[i]))


def _occurrences(name: str, body: str) -> Iterator[int]:
    """Offsets of every occurrence of `name` in `body` (overlapping ones too, as a regex scan tries them)."""
    i = body.find(name)
    while i >= 0:
        yield i
        i = body.find(name, i + 1)


def _named_alone(name: str, body: str) -> bool:
    """Whether `name` occurs as whole words, not right after "of ", "for ", "on " or "the ".

    The same as searching `(?<!of )(?<!for )(?<!on )(?<!the )\\bNAME\\b` (tested), without compiling a
    pattern per name.
    """
    end = len(name)
    return any(_at_boundary(body, i) and _at_boundary(body, i + end)
               and not body.endswith(("of ", "for ", "on ", "the "), 0, i) for i in _occurrences(name, body))


class _OrgNames:
    """Which names of an article occur only inside an organisation's name ("the Institute for Supply
    Management said"): one scan of the body for organisation heads, then a set look-up per occurrence."""

    def __init__(self, body: str) -> None:
        self.body = body
        self._after_heads: set[int] | None = None
        self._seen: dict[str, bool] = {}

    def after_heads(self) -> set[int]:
        """Offsets right after "Institute for ", "Bank of the " (both with and without the "the")."""
        if self._after_heads is None:
            self._after_heads = set()
            for m in _ORG_PREFIX_RE.finditer(self.body):
                self._after_heads.add(m.end())
                if m.group(1):
                    self._after_heads.add(m.start(1))
        return self._after_heads

    def inside(self, name: str) -> bool:
        """True when `\\b(?:HEADS)\\s+(?:of|for|on)\\s+(?:the\\s+)?NAME\\b` matches and the name never
        occurs alone (tested against those patterns)."""
        if name not in self._seen:
            body, end = self.body, len(name)
            self._seen[name] = " " in name and not _named_alone(name, body) and any(
                _at_boundary(body, i + end) and i in self.after_heads() for i in _occurrences(name, body))
        return self._seen[name]


def _inside_org_name(name: str, body: str) -> bool:
    """True when the name only follows an organisation head (see `_OrgNames.inside`)."""
    return _OrgNames(body).inside(name)


def _named_in_body(name: str, body: str) -> bool:
    """Whether a headline name appears in the body: the whole name, or a one-word name capitalised."""
    if " " in name:
        return name.lower() in body.lower()
    return re.search(rf"\b{re.escape(name.title() if name.isupper() else name)}\b", body) is not None


def _display(name: str) -> str:
    """Title-case names written in capitals (transcripts: "JOEL BENENSON")."""
    return name.title() if name.isupper() and len(name) > 3 else name


def extract(body: str, title: str = "") -> Attribution:
    """Find who is quoted or reported as speaking in `body` (and a "Name: ..." headline), with statements."""
    art = _Article(body)
    events = _cue_events(art) + _quote_events(art)
    if ":" in body:
        events += _colon_events(art)
    events.sort(key=lambda ev: ev.pos)
    not_people = (_ticker_names(body) if "(" in body else set()) | _dateline_names(body)
    orgs = _OrgNames(body)
    speakers: dict[str, Speaker] = {}
    for name in _title_speakers(title, art) if ":" in title else ():
        if _named_in_body(name, body):  # a headline label ("INSTANT VIEW: ...") is not a person
            speakers.setdefault(_display(name), Speaker(_display(name)))
    quotes: list[Quote] = []
    for ev in events:
        name = _display(ev.speaker)
        if name in not_people or orgs.inside(ev.speaker):
            continue
        if name not in speakers or (ev.role and speakers[name].role is None):
            speakers[name] = Speaker(name, ev.role)
        if ev.span is not None:
            a, b, direct = ev.span
            while b > a and body[b - 1] in _TRIM:
                b -= 1
            while a < b and body[a].isspace():
                a += 1
            if b > a:
                quotes.append(Quote(name, body[a:b], a, b, direct))
    return Attribution(tuple(speakers.values()), tuple(quotes))
