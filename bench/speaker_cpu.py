"""CPU of speaker extraction in two source trees, measured side by side in one process.

    python bench/speaker_cpu.py OLD_SRC [--articles N] [--every K] [--rounds R]

Both trees' `searchkit` packages are imported into this process (the old one first, then this checkout's), and
the same Reuters articles (every K-th of the bench corpus, N of them) go through each `extract` in alternating
chunks of 100, the order flipped chunk by chunk, timed by `time.thread_time`. On a machine shared with other
work this cancels most of the load that separate runs see (two runs of one tree: ±10%; here an identical pair
reads within ~1%). Every article's result is compared first: a difference stops the run.
"""

from __future__ import annotations

import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 100


def load(tree: Path) -> tuple[Callable, Callable]:
    """`extract` and `read_articles` of the `searchkit` package in `tree` (the previous one unloaded)."""
    for name in [n for n in sys.modules if n == "searchkit" or n.startswith("searchkit.")]:
        del sys.modules[name]
    sys.path.insert(0, str(tree))
    try:
        extract = importlib.import_module("searchkit.speakers.attribution").extract
        read = importlib.import_module("searchkit.reading").read_articles
    finally:
        sys.path.remove(str(tree))
    return extract, read


def main(argv: list[str]) -> int:
    args = iter(argv)
    old, n, every, rounds = None, 2000, 50, 3
    for arg in args:
        if arg == "--articles":
            n = int(next(args))
        elif arg == "--every":
            every = int(next(args))
        elif arg == "--rounds":
            rounds = int(next(args))
        else:
            old = Path(arg)
    if old is None:
        raise SystemExit(__doc__)
    old_extract, read = load(old)
    new_extract, _ = load(ROOT)
    listing = ROOT / "bench" / ".cache" / "ReutersNews106521.files.txt"
    corpus = listing.parent / "ReutersNews106521"
    files = [corpus / rel for rel in listing.read_text(encoding="utf-8").split()[::every][:n]]
    texts = [(a.body, a.title) for f in files for a in read(f, f.name)]
    for body, title in texts:  # (and warms both trees' caches alike)
        if repr(old_extract(body, title)) != repr(new_extract(body, title)):
            raise SystemExit(f"results differ: {title!r}")
    spent = {old_extract: 0.0, new_extract: 0.0}
    for r in range(rounds):
        for i in range(0, len(texts), CHUNK):
            pair = (old_extract, new_extract) if (i // CHUNK + r) % 2 == 0 else (new_extract, old_extract)
            for extract in pair:
                t = time.thread_time()
                for body, title in texts[i:i + CHUNK]:
                    extract(body, title)
                spent[extract] += time.thread_time() - t
    per = {f: spent[f] / (len(texts) * rounds) * 1e3 for f in spent}
    print(f"{len(texts)} articles x {rounds}: old {per[old_extract]:.4f} ms/article, new {per[new_extract]:.4f}"
          f" ms/article, {100 * (per[new_extract] / per[old_extract] - 1):+.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
