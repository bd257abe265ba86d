"""Where searchkit's time goes: cProfile of indexing a sample and of running the bench queries.

    nice -n 10 python bench/profile_searchkit.py [--docs 2000] [--top 40] [--index-only | --search-only [--index DIR]]

Indexes the first N documents of the bench selection (a fresh hard-linked folder under bench/.cache/profile/)
with `searchkit.indexer.index_paths`, then runs the 110 bench queries (+ unfiltered twins) twice with
`searchkit.search.Searcher`, profiling the second pass. Prints the top functions by cumulative and by own
time, and saves `.prof` files next to the index for snakeviz / pstats.
Worker processes started by the indexer are not profiled (their time shows as waiting in the parent).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import time
from pathlib import Path

import corpus
import queries as qmod
from worker import Searchkit

OUT = corpus.CACHE_DIR / "profile"


def _print(prof: cProfile.Profile, path: Path, top: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(path))
    stats = pstats.Stats(prof)
    stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def profile_index(n_docs: int, top: int) -> Path:
    from searchkit.indexer import index_paths

    sel = corpus.select(n_docs)
    docs, index = OUT / "docs", OUT / "index"
    shutil.rmtree(OUT, ignore_errors=True)
    corpus.link_tree(sel.root, sel.base, docs)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    summary = prof.runcall(index_paths, [docs], index)
    wall = time.perf_counter() - t0
    print(f"indexed {summary.added} docs in {wall:.1f} s ({summary.added / wall:.0f} docs/s, profiled)")
    _print(prof, OUT / "index.prof", top)
    return index


def profile_search(index: Path, top: int) -> None:
    specs = qmod.with_baselines(qmod.load())
    sk = Searchkit(index)
    sk.open()
    for spec in specs:  # warm
        sk.search(spec)
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    for spec in specs:
        sk.search(spec)
    prof.disable()
    wall = time.perf_counter() - t0
    print(f"{len(specs)} queries in {wall:.2f} s ({wall * 1000 / len(specs):.1f} ms/query, profiled)")
    _print(prof, OUT / "search.prof", top)
    sk.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--index-only", action="store_true")
    ap.add_argument("--search-only", action="store_true", help="profile searching an existing index")
    ap.add_argument("--index", type=Path, default=OUT / "index", help="index for --search-only")
    args = ap.parse_args()
    index = args.index if args.search_only else profile_index(args.docs, args.top)
    if not args.index_only:
        profile_search(index, args.top)


if __name__ == "__main__":
    main()
