"""The compiled patterns of speaker attribution.

Every pattern runs in time linear in the text it reads: no two of its parts can match the same characters
(blanks are taken possessively, words atomically, and each adverbial has one parse), and the patterns tried
at a place in the text read a bounded window around it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from searchkit.speakers.words import VERBS


def trie(words: set[str]) -> str:
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


def _capital_codes() -> list[int]:
    """Every capital letter (upper or title case) of every script, as code points in order."""
    return [c for c in range(0x20000) if chr(c).isupper() or chr(c).istitle()]


def _ranges(codes: list[int]) -> str:
    """A character class body of the code points `codes` (ascending), as ranges."""
    ranges, first, last = [], codes[0], codes[0]
    for c in [*codes[1:], -1]:
        if c != last + 1:
            ranges.append(re.escape(chr(first)) + ("" if first == last else "-" + re.escape(chr(last))))
            first = c
        last = c
    return "".join(ranges)


_CAPITALS = _capital_codes()
UP = _ranges(_CAPITALS)  # "Šimon", "Łukasz", "İlker", "Ελένη" start names as "Anna" does
# A capital as the patterns match it: [UP] read faster. The engine tests a class with characters past the Basic
# Multilingual Plane as a bitmap of its BMP part, then range by range for the rest (about forty for UP's
# mathematical and historic capitals), so every character that is no capital cost the forty; here a character past
# the BMP passes one range and is then checked against UP behind it. Matches exactly the characters [UP] matches
# (tested over every code point).
_UPPER_OR_ASTRAL = rf"[{_ranges([c for c in _CAPITALS if c < 0x10000])}\U00010000-\U0010ffff]"
UPPER = rf"{_UPPER_OR_ASTRAL}(?<=[{UP}])"
UP_RE = re.compile(UPPER)
_ABBR_WORDS = "Mr|Mrs|Ms|Dr|Sen|Sens|Rep|Reps|Gov|Gen|Lt|Col|Sgt|Capt|Prof|Rev|Jr|Sr|St|Adm|Maj|Cmdr|Pres|Del|Supt|Det"
ABBR = rf"(?:{_ABBR_WORDS})\."
# (a token starts with a capital: the lookahead spares the abbreviations' alternatives before other words)


def _token(first: str, upper: str) -> str:
    """A capitalised token (an abbreviation, initials, a word, a lone capital), `upper` a capital, `first`
    the class it must start with."""
    return rf"(?={first})(?:{ABBR}|{upper}\.(?:{upper}\.)*|{upper}[\w'’-]*\w|{upper})"


TOKEN = _token(_UPPER_OR_ASTRAL, UPPER)
SEP = r"(?:[ \t\u00a0]++\n?+[ \t\u00a0]*+|\n[ \t\u00a0]*+)"  # possessive: blanks are taken whole, never split
# A run starts at a capital not inside a word (after a hyphen only where the hyphen opens a list item: "-Nate Cohn
# explains"). Read plainly (the tests' reference): a lookahead for RUN_LETTER, a letter that is not a Latin lower-case
# one, then the lookbehinds, then TOKEN and RUN_TAIL; so tried at every position of the text. RUN_RE finds exactly
# the same runs (tested) faster: it starts
# with a class, so the engine skips ahead in C to the next capital. The class is that of the Basic Multilingual
# Plane's capitals (a bitmap; a class with characters past it, as UP is, is tried range by range at every
# position) plus any character past it, which then has to be a capital of UP. The lookbehinds that follow look
# past that first character, and the first token goes on from it: an abbreviation's letters after the first
# (each after its own first letter, in ABBR's order; the lookahead spares the ten lookbehinds after most
# capitals), an initial's period, a word's rest, or nothing.
RUN_LETTER = r"[^\W\d_a-zß-öø-ÿ]"
RUN_TAIL = rf"(?:{SEP}(?:(?:de|van|von|der|bin|al|da|di|del|dos|du|la|le){SEP})?{TOKEN})*"  # the run's further tokens


def _abbr_rest() -> str:
    """ABBR after its first letter: "(?<=M)(?:r|rs|s|aj)|(?<=D)(?:r|el|et)|..." (each first letter where its first
    word stands; words of different first letters never both match)."""
    words = _ABBR_WORDS.split("|")
    firsts = list(dict.fromkeys(w[0] for w in words))
    return "|".join(f"(?<={f})(?:{'|'.join(w[1:] for w in words if w[0] == f)})" for f in firsts)


def _run_rest(upper: str, token: str) -> str:
    """A run after its first capital, with `upper` for a capital and `token` for TOKEN."""
    return (rf"(?:(?<![\w'’-].)|(?<=\s-.))(?:(?=[a-z]{{1,3}}\.)(?:{_abbr_rest()})\.|\.(?:{upper}\.)*|[\w'’-]*\w|)"
            + RUN_TAIL.replace(TOKEN, token))


_RUN_FIRST = _ranges([c for c in _CAPITALS if c < 0x10000 and re.fullmatch(RUN_LETTER, chr(c))])
RUN_RE = re.compile(rf"[{_RUN_FIRST}\U00010000-\U0010ffff](?<={RUN_LETTER})(?<=[{UP}]){_run_rest(UPPER, TOKEN)}")
# The same for a text all in ASCII (wire copy): an ASCII capital is a RUN_LETTER and in UP (no lookbehinds for
# them), and [A-Z] is UPPER (-5% instructions). The first class holds two characters no ASCII text has, which make
# the engine test it as a bitmap, not as a range, at each character it skips (the run scan -12% time). In ASCII,
# \w is [0-9A-Za-z_] and a blank is no \u00a0: classes of ASCII characters, bitmaps, where \w asked the Unicode
# database about every letter of every word in a run (-15% time). Its abbreviations are a trie, one first letter
# tried where each of the 26 was at every word of a run (at most one of them and its period match: -8% time).
ASCII_TOKEN = _token("[A-Z]", "[A-Z]")
_ASCII_WORD = "0-9A-Za-z_"
ASCII_RUN_RE = re.compile(rf"[A-Z\x80\x82]{_run_rest('[A-Z]', ASCII_TOKEN)}".replace(r"[\w'’-]", f"[{_ASCII_WORD}'-]")
                          .replace(r"\w", f"[{_ASCII_WORD}]").replace(r"[ \t\u00a0]", r"[ \t]")
                          .replace(ABBR, rf"(?:{trie(set(_ABBR_WORDS.split('|')))})\."))

CUE_WORDS = r"(?:[Aa]ccording\s+to|" + trie(VERBS) + r")(?!\w)"
CUE_RE = re.compile(r"(?<!\w)" + CUE_WORDS)  # the cue words as whole words (`cues.cue_words` finds them faster)
# A cue word is a whole word (a maximal run of \w) of the verb list or "[Aa]ccording" before "to". Mapping every byte
# of the UTF-8 text that is no ASCII word character to a blank leaves each such word whole, a word of its own: the
# words of the mapped text that are cue words tell which to look for (a superset: "said" in "saidé" too).
CUE_WORD_BYTES = frozenset(w.encode() for w in VERBS) | {b"according", b"According"}
assert all(re.fullmatch(rb"\w+", w) for w in CUE_WORD_BYTES), "a cue word the bytes split cannot find whole"
WORD_BYTES_ONLY = bytes(c if re.fullmatch(rb"\w", bytes([c])) else 32 for c in range(256))  # bytes.translate table
ACCORDING_TAIL_RE = re.compile(r"\s+to(?!\w)")  # "according" is a cue only with this after it
# any past-tense verb opening a that-clause or a direct quote: "Trump asserted that", "X tweeted Monday: “"
_ED_GAP = 60  # at most this many characters between such a verb's "ed" and the colon or comma opening the quote
ED_THAT_RE = re.compile(rf"ed(?<=[a-z]{{5}})(?=\s+that\b|[^.!?\n“”\"]{{0,{_ED_GAP}}}?[:,]\s*[“\"])")
# ED_THAT_RE read fast (`cues.ed_verbs`): its first alternative alone, where the engine skips ahead to each "ed"; the
# second (a quote opened after a colon or comma at most 60 characters on) looked for back from each such colon or comma
ED_BEFORE_THAT_RE = re.compile(r"ed(?<=[a-z]{5})(?=\s+that\b)")
QUOTE_AFTER_MARK_SCANS = tuple(re.compile(mark + r"(?=\s*[“\"])") for mark in ",:")  # (literal first: skipped to)
ED_REACH = _ED_GAP + 2  # where an "ed" may start before such a mark ("ed" itself, then the gap)

OBJECT_BEFORE_RE = re.compile(r"(?<![\w’'-])(?:[Tt]he|[Aa]t|[Ii]n|[Ff]rom|[Nn]ear|of)"
                              r"[ \t]+\Z")
BY_AGENT_RE = re.compile(r"[ \t]+by[ \t]+")  # a passive cue's agent: "was asked by Holt"
BYLINE_RE = re.compile(rf"[ \t]+from[ \t]+{UPPER}")  # after "reported": where a reporter filed from
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
ADV_WORDS = ("also|then|later|earlier|again|once|has|had|have|would|will|just|even|still|likewise|first|last|"
              "further|never|already|often|yesterday|today|tonight|is|was|are|were|been|being|not|both")
BE_WORDS = frozenset({"is", "was", "are", "were", "be", "been", "being"})  # "is said": a passive, no speaker
# Adverbials between a name and its verb. Every string has one parse (no two alternatives, and no alternative
# and a repetition, match the same text), so a failing match backtracks linearly, never exponentially.
LY_NOUNS = "ally|family|rally|assembly|supply|bully|belly|july|italy"  # "-ly" words that are no adverbs
LY = rf"(?!(?:{LY_NOUNS})\b)\w+ly"  # an adverb: "reportedly", "also"; not "A Clinton ally said"
ADV = (rf"(?:(?:{ADV_WORDS}|{LY})\b|(?:is|was|are|were|does|did|do|has|have|had|would|could|wo|ca)n[’']t\b|"
        rf"(?:on\s+)?(?:{DAYS})\b|last\s+(?:week|month|year|night)\b|"
        r"this\s+(?:past\s+)?(?:week|month|year|morning)\b|via\s+\w+|"
        r"in\s+(?:an\s+)?(?:statement|interview|speech|tweet|email|letter|op-ed)\b|"
        rf"in\s+a\s+\w+(?:\s+(?!(?:{ADV_WORDS}|on|last|this|via|in|{DAYS})\b|{LY}\b)\w+)?)")
LEFT_GAP_RE = re.compile(
    rf"(?:\s*\([^()\n]{{0,60}}\))?"  # (Vt.), (R-Wis.)
    rf"(?:\s+(?:of|from|at|with)\s+(?:the\s+)?(?:{UPPER}[\w.’'&-]*\s+){{1,6}})?"  # of the National Retail Fed.
    rf"(?:\s*,[^;:\"“”\n]{{1,240}}?(?:,|[ \t]+(?:--|—))|[ \t]+(?:--|—)[^;:\"“”\n—]{{1,240}}?[ \t]+(?:--|—))?"
    # , a former official, / , a former official -- / -- a former official --
    rf"(?:\s+{ADV})*\s*",  # also / on Tuesday / in a statement
)

def left_gap_may_fit(gap: str) -> bool:
    """Whether LEFT_GAP_RE can take `gap`, by a cheap test first: the pattern takes a comma only in brackets, or
    in an appositive a second comma or a dash closes, so a gap with one comma and none of those never fits (a
    third of the gaps read on Reuters, where the pattern tried every closing place up to 240 characters on).
    Change the two together."""
    if gap.count(",") == 1 and "(" not in gap and "--" not in gap and "—" not in gap:
        return False
    return LEFT_GAP_RE.fullmatch(gap) is not None


# An appositive left open before the cue, which ends in an organisation's name: "X, the communications director
# for the Iowa Democratic Party said"
OPEN_APPOSITIVE_RE = re.compile(rf",[ \t]+(?:(?:the|a|an|who[ \t]+is)[ \t]+)?(?:[a-z][\w-]*[ \t]+){{1,6}}"
                                rf"(?:of|for|at)[ \t]+(?:the[ \t]+)?(?:{UPPER}[\w.’'&-]*[ \t]+){{1,6}}")
# A locative preposition in the gap means the name is a place: "according to brokers in Port Éloise"; after
# "that" or "if" a name is the reported clause's subject ("Forbes says that Mr. Kamprad is ...").
RIGHT_GAP_RE = re.compile(r"\s+(?:(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\s+)?"
                           r"(?:(?:the|a|an|his|her|its|their)\s+)?"
                           r"(?:(?!(?:in|at|from|near|outside|inside|across|around|throughout|within|that|if|whether)\s)[\w’'.-]+\s+){0,7}"
                           rf"|\s+(?:(?:the|a|an|another|his|her|its|their)\s+|{UPPER}[\w.-]*[’']s\s+)"
                           r"(?:[\w’'.-]+\s+){0,6}[\w’'.-]+,\s+")  # said the bureau's director, James Comey
NP_GAP_RE = re.compile(r"\s+(?:(?!(?:in|on|at|of|for|to|from|with|by|after|before|during|and|or|who|which|that|"
                        r"when|while|as|about|said|says|told)\s)[a-z0-9][\w-]*\s+){0,4}")
# Between a role's last capitalised run and a name in commas after it: "Foreign Ministry, Oleg", "Twitter user, Jo"
APPOSITION_RE = re.compile(r"(?:[ \t]+[a-z][\w-]*){0,3},[ \t]+")
# Scans read as several, one for each character (or dash) they may start with (`article.scan` runs those whose mark
# the text holds and merges their matches in text order). A pattern that starts with a class is tried character by
# character, at some forty instructions each; one that starts with a literal character skips ahead in C. The
# matches are those of the one pattern (`[.!?]...|\n...` for SENT_END): no match of one holds where another could
# start (tested).
def _scans(marks: Iterable[str], after: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((mark, re.compile(re.escape(mark) + after)) for mark in marks)


# A colon after a name, or a dash before a quote: "JOEL BENENSON: ...", "Mitt Romney -- ''It is ...''". Read plainly
# (the tests' reference): one scan, from a colon or from the first blank of a run of blanks before a dash
# (`[:\t ](?:(?<=:)COLON_AFTER|(?<=[ \t])(?<![ \t][ \t])[ \t]*+DASH_BEFORE_QUOTE)`), tried at every blank. The
# scans here start with the colon and with the dash, which the engine skips ahead to (a blank is a character in
# seven); `quotes.colon_marks` takes the blanks before a dash and merges the two in text order (tested).
COLON_AFTER = r"[ \t]*(?=[“\"‘]|[^\W\d_])"  # a quote or a letter after the colon: "NAME: “...", "NAME: This"
SPEAKER_DASHES = ("--", "—", "―")  # a dash after a speaker, before the quote: "Mitt Romney -- ''It is ...''"
_QUOTE_AFTER_DASH = r"[ \t]*(?=[“\"]|'')"
DASH_BEFORE_QUOTE = "(?:" + "|".join(map(re.escape, SPEAKER_DASHES)) + ")" + _QUOTE_AFTER_DASH
COLON_RE = re.compile(":" + COLON_AFTER)
# one scan a dash, each starting with its own dash (the engine skips ahead to it; the alternation of the three was
# tried at every character): their matches never overlap, so together and sorted they are DASH_BEFORE_QUOTE's
DASH_QUOTE_SCANS = _scans(SPEAKER_DASHES, _QUOTE_AFTER_DASH)
TITLE_WORDS = rf"(?>{TOKEN})(?:[ \t]++(?>{TOKEN}))*+"  # words apart, each taken whole: one way to read a line
TITLE_RE = re.compile(rf"\s*+({TITLE_WORDS}(?:[ \t]++and[ \t]++{TITLE_WORDS})?+)[ \t]*+:\s")
AND_SPLIT_RE = re.compile(r"\s+and\s+")
QCLOSE_AFTER = rf"(?:”|\"|'')[ \t]+(?={UPPER})"  # after a comma, "?" or "!": a closing quote before a name
DASHES = ("―", "—", "–", "--")  # a dash between a quote and its speaker (QDASH_RE is made of them)
_DASH = "|".join(DASHES)
QDASH = rf"CLOSE(?=[ \t]*(?:{_DASH}))[ \t]*(?:{_DASH})[ \t]*(?={UPPER})"
QDASH_RE = re.compile(QDASH.replace("CLOSE", "[”\"]"))
# A dash that opens the line after a quote and names who said it: "...”\n\n- Ann Marsh." / "-Ann Marsh, Ohio."
QLINE = rf"CLOSE[ \t]*\n\s*(?:{_DASH}|-)[ \t]*(?={UPPER})"
QLINE_RE = re.compile(QLINE.replace("CLOSE", "[”\"]"))
# The same two for a text without a curly closing quote (most wire copy): they start with the one character '"',
# which the engine finds fastest (a class is tested character by character).
QDASH_STRAIGHT_RE = re.compile(QDASH.replace("CLOSE", "\""))
QLINE_STRAIGHT_RE = re.compile(QLINE.replace("CLOSE", "\""))
QLINE_END_RE = re.compile(r"[.,]?[ \t]*(?:\n|\Z)|,")
QOPEN_AFTER = r"[ \t]*(?:“|\"|'')(?=\S)"  # after a comma or a colon: an opening quote
VERB_AFTER_RE = re.compile(r"[ \t]+(?:\w+ly[ \t]+)?([a-z]+(?:ed|es|s))\b")
VERB_BEFORE_RE = re.compile(r"[ \t]+(?:\w+ly[ \t]+)?([a-z]+(?:ed|es|s))")
TRIM = " \t\n,;:"
SENTENCE_REACH = 2000  # characters a sentence may extend either side of a cue (real sentences are far shorter)
QUOTE_REACH = 3000  # characters between a quote's opening and closing marks
ACRONYM_RE = re.compile(rf"(?:{UPPER}\.){{2,}}")
INITIAL_RE = re.compile(rf"{UPPER}\.")
PARTICIPLE_LEFT_RE = re.compile(r"(?:,|--|—|–)[ \t]*$")  # a participle clause: "X beat Y, saying"
BARE_GAP_RE = re.compile(r"[ \t]+")
PARTICLE_RE = re.compile(r"[ \t]+(?:out|down|off|away|up)\b")  # "backed out", "knocked down"
OBJECT_LEFT_RE = re.compile(r"(?<![\w’'-])(?!(?:with|and|but|as|while)[ \t])[a-z]+[ \t]+\Z")  # "to X criticizing"
AND_VERB_RE = re.compile(r"\b(?:and|but)\s+(?:" + ADV + r"\s+)*$")
INTRO_RE = re.compile(r"[\s\"“”']*")
ROLE_COMMA_RE = re.compile(rf",\s*(?:{ADV}\s+)*")  # "the host, Abby Martin, had previously said"
AND_RE = re.compile(r",?\s+and\s+")
AND_ONLY_RE = re.compile(r"[ \t]+and[ \t]+")  # "Energy and Petroleum Minister"
PRONOUN_LEFT_RE = re.compile(r"\b(he|she|He|She)(?:\s+" + ADV + r")*\s*$")  # one person: not "they", "we"
# A speaker the text does not name ("one analyst said", "the ministry said", "they said"): a later "he said" is
# not the person named before it.
UNNAMED_LEFT_RE = re.compile(r"\b(?:analysts?|dealers?|traders?|sources?|officials?|economists?|strategists?|"
                             r"spokes(?:man|woman|person)|diplomats?|bankers?|executives?|experts?|observers?|"
                             r"brokers?|people|witnesses|residents?|lawyers?|aides?|ministry|company|government|"
                             r"statement|report|it|they|we|I)(?:\s+" + ADV + r")*\s*$")
INVERT_LEFT_RE = re.compile(r"[,\"“”'’:]\s*$|^\s*$")
ABBRS = "Mr Mrs Ms Dr Sen Sens Rep Reps Gov Gen Lt Col Sgt Capt Prof Rev St Adm Maj Cmdr Pres Jr Sr Ft Mt No vs Del " \
    "Supt Det"
PARAGRAPH_RE = re.compile(r"\n[ \t]*+\n")


_END_AFTER = r"[\"”’']?(?=\s+[\"“‘]?[" + UP + r"0-9])"
_BLANK_LINE = r"\n\s*\n"
SENT_END = rf"[.!?]{_END_AFTER}|{_BLANK_LINE}"  # a sentence's end mark, or a blank line (as one pattern: the tests')
SENT_END_SCANS = (*_scans(".!?", _END_AFTER), ("\n", re.compile(_BLANK_LINE)))
QCLOSE_SCANS = _scans(",?!", QCLOSE_AFTER)  # “...,” NAME
QOPEN_SCANS = _scans(",:", QOPEN_AFTER)  # NAME verbed, “...
ABBR_TAIL_RE = re.compile(rf"(?:\b(?:{'|'.join(ABBRS.split())})|\b[A-Za-z]|[A-Za-z]\.[A-Za-z])$")
QUOTE_AFTER_RE = re.compile(r"\s*+(?:(?:him|her|them|us|me|reporters|journalists)\s*+)?(?:[:,]\s*+)?(“|\"|'')")
QUOTE_CLOSE = "”\"'"
# ", a former official," up to a comma, a period that ends no initial or "St." ("president of the U.S.
# Chamber", "at J.P. Morgan", "in St. Louis"), a dash, or the end of the sentence; an acronym in brackets within
# ("the Consumer Product Safety Commission (CPSC)"; not a ticker "( MS.N )", "(Reuters)" or "(Alaska)")
# (the period is matched before the lookbehinds that look back past it: the end is tried after every character of
# the appositive, and a literal fails at once where two lookbehinds were read each time)
APPOSITIVE_RE = re.compile(r"\s*,\s*((?:[^,;:\"“”()\n—-]|-(?!-)|\([A-Z][\w&]{0,9}[A-Z0-9]\)){2,100}?)\s*"
                           r"(?:,|--|—|\.(?<![\s.][A-Z]\.)(?<!\bSt\.)(?=\s)|\.?[\"”’']?$)")
# Before reported content: "said that ...", "said on Sunday that ...", "said then that ..." (adverbials are taken
# only when "that" follows them).
THAT_RE = re.compile(rf"\s*(?:,\s*)?(?:(?:{ADV}\s+)*that\s+)?")
