"""The fast scans of speaker extraction find exactly what their reference patterns find (issue #18: same output).

Cue words are found by scans that start with a literal character or a small class (the regex engine skips ahead
to them) instead of one pattern with a lookbehind tried at every position; sentence ends skip the abbreviation
pattern after four lower-case letters. Each is compared with what it replaces on hostile and ordinary text.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.speakers.article import sentence_ends
from searchkit.speakers.cues import cue_spans, cue_words
from searchkit.speakers.patterns import ABBR_TAIL_RE, CUE_RE, SENT_END_RE

_PIECES = [
    " ", "  ", "\n", "\n\n", "\t", "\u00a0", "\x7f", ",", ".", ":", ";", "!", "?", "(", ")", "[", "-", " -", "--", "—",
    "'", "’", "‘", "“", "”", '"', "_", "1", "é", "Šimon", "Ελένη", "Łukasz", "北京", "\U0001d400",
    "Elena", "Marsh", "Mr.", "Mrs.", "Sens.", "J.", "U.S.", "de", "van", "O'Neill", "Jean-Pierre", "Jr.", "THE",
    "said", "Said", "says", "told", "according to", "According\nto", "unsaid", "said_", "x", "ab", "abcd", "St",
    "wanted", "agreed that", "posted: “", "he", "Co", "Inc", "e.g", "a.m",
]
_TEXT = st.lists(st.sampled_from(_PIECES), min_size=0, max_size=40).map("".join)


def _reference_sentence_ends(body: str) -> list[int]:
    return [m.end() for m in SENT_END_RE.finditer(body)
            if body[m.start()] != "." or not ABBR_TAIL_RE.search(body, max(0, m.start() - 5), m.start())]


@settings(max_examples=600, deadline=None)
@given(_TEXT)
def test_scans_find_what_the_single_patterns_find(body: str) -> None:
    assert cue_words(body) == [m.span() for m in CUE_RE.finditer(body)]
    assert sentence_ends(body) == _reference_sentence_ends(body)


def test_scans_on_examples() -> None:
    body = ("“Yes,” said Elena Marsh.\n(said) Mr. Ludwig van Beethoven told—Ana Ruiz, according to\tO'Neill; "
            "Šimon Novak's aide Jean-Pierre said_ x. Ms. Ruiz agreed that U.S. officials\u00a0Said so.")
    assert [body[s:e] for s, e in cue_spans(body)] == ["said", "said", "told", "according to", "agreed"]
    assert cue_spans("said Elena") == [(0, 4)]
    assert sentence_ends(body) == _reference_sentence_ends(body)
