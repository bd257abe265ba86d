"""Synthetic wire stories, deterministic: for machines without the Reuters archive (CI) and for tests.

Each story has a title, a dateline the reader recognises, a few paragraphs and two or three attributed
quotes, so the quotes index gets entries (the kill tests count them).
"""

from __future__ import annotations

import random
from pathlib import Path

PEOPLE = ["Elena Marsh", "Tomas Varga", "Ana Ruiz", "Mehmet Erdoglu", "Priya Nandakumar", "Luc Ferrand",
          "Ines Albescu", "Oskar Bellweather", "Zoe Lindqvist", "Maria Santos", "Kenji Watanabe", "Ruth Okafor"]
ROLES = ["the finance minister", "a spokeswoman for the ministry", "chief economist at Merenburg Bank",
         "the port authority's director", "an analyst at Tovik Securities", "the union leader"]
TOPICS = ["oil prices", "the fishing quota", "interest rates", "the harbour strike", "grain exports",
          "the peace talks", "bond yields", "the new tariff", "factory output", "the currency"]
VERBS = ["rose", "fell", "stalled", "recovered", "slipped", "surged", "held steady", "wavered"]
WORDS = ["market", "government", "company", "shares", "trade", "talks", "report", "budget", "deal", "growth", "export",
         "import", "bank", "minister", "official", "analyst", "week", "month", "quarter", "percent", "profit", "loss",
         "forecast", "demand", "supply"]


def story(rng: random.Random, n: int) -> str:
    """One article in the seed layout."""
    topic, verb = rng.choice(TOPICS), rng.choice(VERBS)
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2006, 2013)
    title = f"{topic.capitalize()} {verb} as officials meet, report {n}"
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 60)))
        paragraphs.append(f"The {rng.choice(WORDS)} {words}.")
    for _ in range(rng.randint(2, 3)):
        person, role = rng.choice(PEOPLE), rng.choice(ROLES)
        said = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
        paragraphs.insert(rng.randint(0, len(paragraphs)),
                          f"\u201c{topic.capitalize()} {verb} because the {said},\u201d said {person}, {role}.")
    return (f"{title}\n\nA summary of how {topic} {verb}.\n\nPublication: {day:02d}.{month:02d}.{year} - 09:15\n"
            f"{title}\n\n" + "\n\n".join(paragraphs) + "\n")


def write_corpus(dest: Path, n: int, seed: int = 13, start: int = 0) -> list[Path]:
    """Write stories `start .. start+n-1` into `dest` (100 per sub-folder); the same seed gives the same files."""
    out = []
    for i in range(start, start + n):
        rng = random.Random(seed * 1_000_003 + i)
        folder = dest / f"batch{i // 100:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"story-{i:05d}.txt"
        path.write_text(story(rng, i), encoding="utf-8")
        out.append(path)
    return out
