"""Similar articles: ranked by the source's distinctive words, without the source and its wire copies."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from searchkit.engine.api import Reader
from searchkit.indexer import index_paths
from searchkit.similar import distinctive_words, similar

TOPICS = {
    "opec": "opec oil output quota barrel crude saudi vienna ministers cartel supply",
    "quake": "earthquake magnitude rescue collapsed tremor epicentre survivors rubble aftershock",
    "vote": "election ballot voters turnout candidate polling parliament coalition campaign",
}
FILLER = ["the", "a", "said", "on", "in", "of", "to", "and", "with", "for", "at", "by", "from", "was", "were"]


def story(rng: random.Random, topic: str, words: int = 90) -> str:
    vocab = TOPICS[topic].split()
    return " ".join(rng.choice(vocab) if rng.random() < 0.4 else rng.choice(FILLER) for _ in range(words)) + "."


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = random.Random(5)
    folder = tmp_path_factory.mktemp("wires")
    for topic in TOPICS:
        for n in range(8):
            text = story(rng, topic)
            (folder / f"{topic}{n}.txt").write_text(f"{topic} report {n}\n\n{text}\n", encoding="utf-8")
    source = (folder / "opec0.txt").read_text(encoding="utf-8")
    (folder / "opec0-copy.txt").write_text(source.replace("report 0", "report 0 (repeat)"), encoding="utf-8")
    other = (folder / "opec1.txt").read_text(encoding="utf-8")
    (folder / "opec1-copy.txt").write_text(other.replace("report 1", "report 1 (repeat)"), encoding="utf-8")
    out = tmp_path_factory.mktemp("ix")
    index_paths([folder], out, workers=1)
    return out


def test_similar_articles_share_the_topic_and_leave_out_copies(index_dir: Path) -> None:
    with Reader(index_dir) as reader:
        doc = reader.get("opec0.txt")
        assert doc is not None
        found = similar(reader, doc, index_dir, limit=8)
    ids = [d.id for d, _s in found.hits]
    assert all(i.startswith("opec") for i in ids[:7])
    assert "opec0.txt" not in ids and "opec0-copy.txt" not in ids
    assert len({"opec1.txt", "opec1-copy.txt"} & set(ids[:7])) == 1  # one article per story: opec1 to 7
    assert found.copies == 1
    scores = [s for _d, s in found.hits]
    assert scores == sorted(scores, reverse=True)


def test_distinctive_words_skip_common_and_unique_words(index_dir: Path) -> None:
    with Reader(index_dir) as reader:
        doc = reader.get("quake3.txt")
        assert doc is not None
        words = distinctive_words(reader, doc)
    assert words
    assert set(words[:5]) <= set(TOPICS["quake"].split()) | {"quake"}  # the topic's words weigh most
    assert not set(words) & set(TOPICS["opec"].split())  # absent from the article
