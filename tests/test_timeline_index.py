"""Timelines over a real index: the engine's per-day counts equal a brute-force count over the matching
set, for any query shape and filter, and the per-speaker counts agree with the documents."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from searchkit import querylang, timeline
from searchkit.engine.api import Reader
from searchkit.indexer import index_paths

WORDS = ["oil", "opec", "quota", "price", "talks", "ceasefire", "election", "bank", "rate", "strike"]
PEOPLE = ["Elena Marsh", "Tomas Berg", "Ana Ruiz", "Kim Jong-un"]
QUERIES = ["oil", "oil opec", "oil OR election", "bank -rate", '"oil price"', "pri*", "speaker:berg", "quota~",
           "title:talks", "*"]


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(11)
    folder = tmp_path_factory.mktemp("wires")
    records = []
    for n in range(400):
        day = date(2006, 10, 20) + timedelta(days=rng.randrange(2_600))
        record = {"id": f"r{n}", "title": " ".join(rng.sample(WORDS, 2)),
                  "body": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 40))),
                  "speakers": rng.sample(PEOPLE, rng.randrange(0, 3))}
        if n % 9:
            record["date"] = datetime(day.year, day.month, day.day, rng.randrange(24), 30).isoformat()
        records.append(record)
    (folder / "wires.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("ix")
    index_paths([folder], out, workers=1)
    return out


def brute_force(reader: Reader, text: str, **filters: object) -> tuple[Counter[date], int]:
    tree = querylang.parse(text).tree
    docs = list(reader.matching(tree, **filters))  # type: ignore[arg-type]
    return Counter(d.date.date() for d in docs if d.date), sum(1 for d in docs if d.date is None)


@pytest.mark.parametrize("text", QUERIES)
@pytest.mark.parametrize("filters", [{}, {"date_from": datetime(2008, 1, 1), "date_to": datetime(2010, 6, 30)},
                                     {"speakers": ["Ana Ruiz", "berg"]}])
def test_day_counts_equal_a_brute_force_count(index_dir: Path, text: str, filters: dict[str, object]) -> None:
    with Reader(index_dir) as reader:
        tree = querylang.parse(text).tree
        counts = reader.day_counts(tree, **filters)  # type: ignore[arg-type]
        days, undated = brute_force(reader, text, **filters)
        assert (Counter(counts.days), counts.undated) == (days, undated)
        if tree is not None:
            assert sum(counts.days.values()) + counts.undated == reader.search(tree, **filters).total  # type: ignore[arg-type]


def test_speaker_day_counts_agree_with_the_documents(index_dir: Path) -> None:
    with Reader(index_dir) as reader:
        tree = querylang.parse("oil").tree
        found = reader.speaker_day_counts(tree)
        expected: dict[str, Counter[date]] = {}
        for doc in reader.matching(tree):
            for name in doc.speakers:
                if doc.date:
                    expected.setdefault(name, Counter())[doc.date.date()] += 1
        assert {name: Counter(days) for name, days in found.items()} == expected


def test_a_timeline_of_a_query_splits_by_speaker(index_dir: Path) -> None:
    with Reader(index_dir) as reader:
        line = timeline.of_query(reader, "oil", speakers=["Ana Ruiz", "Tomas Berg"], unit="year", split=True,
                                 top_speakers=2)
        both, _ = brute_force(reader, "oil", speakers=["Ana Ruiz", "Tomas Berg"])
        ana, _ = brute_force(reader, "oil", speakers=["Ana Ruiz"])
    assert [p.name for p in line.periods] == [str(y) for y in range(2006, 2014)]
    years = range(2006, 2014)
    assert [p.count for p in line.periods] == [sum(n for d, n in both.items() if d.year == y) for y in years]
    assert line.split[0] == ("Ana Ruiz", tuple(sum(n for d, n in ana.items() if d.year == y) for y in years))
    assert all(len(p.speakers) <= 2 for p in line.periods)
    assert any(p.speakers for p in line.periods)
