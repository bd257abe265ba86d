"""Bench rows for the news-analysis features on a built index (#17): a timeline against the same search,
`similar` latency, and the wire-copy figures.

    nice -n 10 python bench/features.py --index INDEX [--queries oil opec ...] [--json OUT.json]

Timings are in-process on one open index, after a warm-up run, median of `--repeat` runs (as the bench's
query timings): `search` is a top-10 search with its exact total, `timeline` is `Reader.day_counts` plus
the grouping into periods (what `searchkit timeline` computes), `similar` is `similar.similar` for
`--articles` articles drawn at random (seed 7) from the index. Targets: timeline ≤ 2× search for a common
word; similar ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from searchkit import collapse, querylang, timeline
from searchkit.copies import CopyStore
from searchkit.search import Searcher
from searchkit.similar import similar

COMMON = ["oil", "market", "said", "percent", "government", "bank", "opec", "china", "election", "crisis"]


def median_ms(fn: Callable[[], Any], repeat: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--queries", nargs="*", default=COMMON)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rows: dict[str, Any] = {"timeline": [], "similar": {}, "copies": {}}
    with Searcher(args.index) as searcher:
        reader = searcher.engine_reader
        print(f"{'query':<12} {'matches':>8} {'search ms':>10} {'timeline ms':>12} {'ratio':>6} "
              f"{'stories':>8} {'collapsed search ms':>20}")
        for text in args.queries:
            tree = querylang.parse(text).tree
            total = reader.search(tree).total
            search_ms = median_ms(lambda tree=tree: reader.search(tree, limit=10), args.repeat)
            timeline_ms = median_ms(lambda text=text: timeline.of_query(reader, text), args.repeat)
            folded = collapse.search(searcher, args.index, text)
            collapsed_ms = median_ms(lambda text=text: collapse.search(searcher, args.index, text), args.repeat)
            row = {"query": text, "matches": total, "search_ms": round(search_ms, 2),
                   "timeline_ms": round(timeline_ms, 2), "ratio": round(timeline_ms / search_ms, 2),
                   "stories": folded.stories, "collapsed_search_ms": round(collapsed_ms, 2)}
            rows["timeline"].append(row)
            print(f"{text:<12} {total:>8} {search_ms:>10.1f} {timeline_ms:>12.1f} {row['ratio']:>6.2f} "
                  f"{folded.stories or 0:>8} {collapsed_ms:>20.1f}")
        docs = list(reader.documents()) if args.articles else []
        picks = random.Random(7).sample(docs, min(args.articles, len(docs)))
        del docs
        times = []
        for doc in picks:
            similar(reader, doc, args.index)  # warm-up for this article
            started = time.perf_counter()
            similar(reader, doc, args.index)
            times.append((time.perf_counter() - started) * 1e3)
        if times:
            rows["similar"] = {"articles": len(times), "median_ms": round(statistics.median(times), 2),
                               "p95_ms": round(sorted(times)[int(0.95 * (len(times) - 1))], 2),
                               "max_ms": round(max(times), 2)}
            print(f"similar: {len(times)} articles, median {rows['similar']['median_ms']} ms, "
                  f"p95 {rows['similar']['p95_ms']} ms, max {rows['similar']['max_ms']} ms")
        documents = reader.doc_count()
    with CopyStore(args.index) as store:
        groups = list(store.groups())
        grouped = sum(len(g.members) for g in groups)
        rows["copies"] = {"documents": documents, "groups": len(groups), "in_groups": grouped,
                          "stories": documents - grouped + len(groups)}
        print(f"copies: {documents} articles, {len(groups)} groups holding {grouped}; "
              f"{rows['copies']['stories']} stories")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
