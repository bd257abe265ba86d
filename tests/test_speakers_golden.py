"""Golden speaker set (tests/golden/speakers.txt): short articles written for this project, with the speakers,
roles and quotes a reader would cite, covering the failure kinds of issue #14."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from searchkit.speakers import extract

GOLDEN = Path(__file__).resolve().parent / "golden" / "speakers.txt"


@dataclass
class Case:
    id: str
    title: str = ""
    body: str = ""
    speakers: list[tuple[str, str | None]] = field(default_factory=list)
    quotes: list[tuple[str, str]] = field(default_factory=list)
    no_quotes: list[str] = field(default_factory=list)
    count: int | None = None


def _cases() -> list[Case]:
    cases: list[Case] = []
    for block in GOLDEN.read_text(encoding="utf-8").split("\n=== ")[1:]:
        head, _, text = block.partition("\n---\n")
        lines = head.split("\n")
        case = Case(lines[0].strip())
        for line in lines[1:]:
            key, _, value = line.partition(": ")
            if key == "speaker":
                name, _, role = value.partition(" | ")
                case.speakers.append((name.strip(), role.strip() or None))
            elif key == "quote":
                name, _, quote = value.partition(" => ")
                case.quotes.append((name.strip(), quote.strip()))
            elif key == "no-quote":
                case.no_quotes.append(value.strip())
            elif key == "quotes":
                case.count = int(value)
        case.title, _, case.body = text.strip("\n").partition("\n\n")
        cases.append(case)
    return cases


CASES = _cases()


def test_the_golden_set_is_large_enough() -> None:
    assert len(CASES) >= 30
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_golden_article(case: Case) -> None:
    found = extract(case.body, case.title)
    assert [(s.name, s.role) for s in found.speakers] == case.speakers
    texts = {(q.speaker, q.text) for q in found.quotes}
    for quote in case.quotes:
        assert quote in texts
    for fragment in case.no_quotes:
        assert not any(fragment in q.text for q in found.quotes), fragment
    assert case.count is None or len(found.quotes) == case.count
    assert all(case.body[q.start:q.end] == q.text for q in found.quotes)
