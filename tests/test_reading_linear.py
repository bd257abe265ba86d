"""Reading and date extraction stay linear in their input, whatever the input (#13).

Hypothesis builds hostile text from the pieces real archives are made of (capitals, colons, dashes,
brackets, emphasis marks, quotes, dates, labels, other scripts), repeated to long lines and long files,
and every reader must finish within a generous bound proportional to the size: a guard against
quadratic or exponential blow-up, not a benchmark. Each run is watched by `budget.limit`, so a blow-up
fails the test at the bound instead of hanging it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import dates
from searchkit.budget import OverBudget, limit
from searchkit.errors import UnreadableFile
from searchkit.reading import read_articles
from searchkit.reading.markdown import parse_front_matter, strip_markup
from searchkit.reading.text import paragraphs, title_from_body

PIECES = (
    "A", "THE", "ALLIES", "U.S.", "Mr.", "a", "the", " ", "  ", "\t", ":", ": ", "-", "--", "-- ", "—", "–",
    ",", ".", "!", "?", ";", "[", "]", "(", ")", "![", "](", "<a", "<", ">", "</b>", "*", "**", "_", "__",
    "`", "```", "~~", "#", "# ", "######", ">", "\"", "“", "”", "'", "’", "1960", "12", "2006", "19.09.2023",
    "Sept.", "September", "Fri", "Oct", "20,", "6:15pm", "EDT", "(Reuters)", "WASHINGTON,", "Publication:",
    "Date:", "By", "by", "http://", "www.", "key:", "- ", "---", "...", "=", "===", "Ж", "中文", "é", "İ",
)
SIZE = 100_000  # characters of each generated text
SECONDS_PER_MB = 20.0  # the bound: far above linear cost (well under 1 s per MB), far below a blow-up
SLACK = 2.0


def bound(size: int) -> float:
    """CPU seconds allowed for `size` characters."""
    return SLACK + SECONDS_PER_MB * size / 1_000_000


def within_bound(work: Callable[[], object], size: int) -> float:
    """Run `work` under the bound for `size` characters; the CPU seconds it took (fails past the bound)."""
    started = time.process_time()
    try:
        with limit(bound(size), "test"):
            work()
    except OverBudget:
        pytest.fail(f"took over {bound(size):.1f} s on {size:,} characters")
    except UnreadableFile:
        pass  # a reasoned refusal is an answer too
    return time.process_time() - started


def hostile(unit: list[str], lines: bool) -> str:
    """`unit` repeated to SIZE characters: one long line, or lines of about 80 characters."""
    piece = "".join(unit) or "A"
    text = piece * (SIZE // len(piece) + 1)
    text = text[:SIZE]
    if lines:
        text = "\n".join(text[i:i + 80] for i in range(0, len(text), 80))
    return text


UNITS = st.lists(st.sampled_from(PIECES), min_size=1, max_size=12)
SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _read_as(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8", errors="surrogatepass")
    read_articles(path, name)


@SETTINGS
@given(unit=UNITS, lines=st.booleans())
def test_every_format_reads_hostile_text_in_linear_time(tmp_path: Path, unit: list[str], lines: bool) -> None:
    """Plain text, the seed layout, Markdown (with front matter), JSON and JSON Lines."""
    text = hostile(unit, lines)
    body = json.dumps(text)
    cases = {
        "a.txt": text,
        "seed.txt": f"{text[:300]}\n\nSummary {text[:200]}\n\nPublication: {text[:500]}\n{text}",
        "header.txt": f"-- {text[:200]}\n-- By {text[:300]}\n-- {text[:400]}\n\n{text}",
        "a.md": text,
        "fm.md": f"---\ntitle: {text[:500]}\ndate: {text[:300]}\nspeakers:\n- {text[:400]}\n---\n# {text}",
        "a.json": f'{{"title": {body}, "body": {body}, "date": {json.dumps(text[:200])}}}',
        "a.jsonl": f'{{"body": {body}}}\n' * 2,
    }
    for name, content in cases.items():
        within_bound(lambda n=name, c=content: _read_as(tmp_path, n, c), len(content))


@SETTINGS
@given(unit=UNITS, lines=st.booleans())
def test_text_helpers_and_dates_are_linear(unit: list[str], lines: bool) -> None:
    """The helpers every parser calls, and every date function, on hostile lines."""
    text = hostile(unit, lines)
    split = text.split("\n")
    within_bound(lambda: paragraphs(split, soft_breaks=True), len(text))
    within_bound(lambda: title_from_body(text), len(text))
    within_bound(lambda: [strip_markup(line) for line in split], len(text))
    within_bound(lambda: parse_front_matter(split), len(text))
    within_bound(lambda: [dates.date_line(line) for line in split], len(text))
    within_bound(lambda: [dates.dateline(line) for line in split], len(text))
    within_bound(lambda: [dates.parse_date(line) for line in split], len(text))
    within_bound(lambda: dates.header_date(split), len(text))


# The worst inputs found for each pattern before it was made linear (each was quadratic: 4x the text,
# 16x the time; 40,000 characters took 4-12 s), as one-megabyte lines.
MEGABYTE_LINES = {
    "open brackets": "[" * 1_000_000,
    "links without targets": "[a](" * 250_000,
    "emphasis that never closes": "*a " * 333_333,
    "tags that never close": "<a" * 500_000,
    "heading with a run of spaces": "# x" + " " * 1_000_000 + "y",
    "front matter value with a run of spaces": "key: x" + " " * 1_000_000 + "y",
    "front matter item with a run of spaces": "- x" + " " * 1_000_000 + "y",
    "publication line with a run of spaces": "Publication: x" + " " * 1_000_000 + "y",
    "all caps with colons": "THE ALLIES AFTER NASSAU IN DECEMBER 1960, THE U.S.: A NEW PLAN " * 16_000,
}


@pytest.mark.parametrize("name", sorted(MEGABYTE_LINES))
def test_one_megabyte_lines(tmp_path: Path, name: str) -> None:
    """Each former worst case, as a 1 MB line in a text and a Markdown file, reads well within the bound."""
    line = MEGABYTE_LINES[name]
    for file_name, content in (("a.txt", f"Title\n{line}\n"), ("b.txt", f"T\n\nS\n\n{line}\n"),
                               ("a.md", f"---\n{line}\n---\n{line}\n"), ("b.md", f"# {line}\n\n{line}\n")):
        within_bound(lambda n=file_name, c=content: _read_as(tmp_path, n, c), len(content))
