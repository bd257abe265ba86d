"""Where names occur in a long body (`orgs.Occurrences`): every whole-word occurrence, in time linear in the
body and the names, however many distinct names share their first words (issue #18, second part; #13 spirit)."""

from __future__ import annotations

import itertools
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.speakers import extract
from searchkit.speakers.orgs import Occurrences, at_boundary, occurrences

_PIECES = st.sampled_from(["Ana", "Ruiz", "Ruizo", "Mar", " ", "  ", "\n", "-", "’", ".", "x", "_", "é", "1",
                           "Ana Ruiz", "Ana Ruiz Mar", "Ana Ruiz-Mar", "Ana Ruiz. Mar", "Ana Ruizo Mar", "Ana  Ruiz"])
_NAMES = st.sampled_from(["Ana", "Ana Ruiz", "Ana Ruiz Mar", "Ana Ruiz-Mar", "Ana Ruiz.", "Ana Ruiz. Mar",
                          "Ana Ruizo", "Ana Ruiz Ma", "Ana R", "Ana -", "Ana  Ruiz", "Ana Ruiz’s"])


class _Indexed(Occurrences):
    INDEX_FROM = 0  # the index and its splits, on short text
    GROUP_FROM = 2


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=20).map("".join), st.lists(_NAMES, min_size=1, max_size=4))
def test_the_split_index_finds_every_whole_word_occurrence(body: str, names: list[str]) -> None:
    where = _Indexed(body)
    for name in names:  # (several names: the splits made for one serve the next)

        def whole(found: list[int], name: str = name) -> list[int]:
            return [i for i in found if at_boundary(body, i) and at_boundary(body, i + len(name))]

        assert whole(list(where(name))) == whole(list(occurrences(name, body)))


def _body(names: object, n: int) -> str:
    return "".join(f"{name} said the tide would rise. " for name, _ in zip(names, range(n), strict=False))


def test_a_megabyte_of_names_sharing_a_first_word_and_more() -> None:
    """Distinct names that share their first word and the characters after it ("Ana Ruizabcd", "Ana Ruizabce")
    fell into one group, each name read the whole group: 1 MB took about a minute."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for names in ((f"Ana Ruiz{''.join(t)}" for t in itertools.product(letters, repeat=4)),
                  (f"Ana Ruiz Ma{''.join(t)}o" for t in itertools.product(letters, repeat=4))):
        body = _body(names, 25_000)
        start = time.process_time()
        found = extract(body)
        assert time.process_time() - start < 8.0  # (CPU: about 1 s; a minute before)
        assert len(found.speakers) == 25_000
