"""CPU of speaker extraction in two source trees: instructions an article, or thread time side by side.

    python bench/speaker_cpu.py OLD_SRC [--articles N] [--every K] [--rounds R] [--callgrind]

The same Reuters articles (every K-th of the bench corpus, N of them) go through each tree's `extract`.

With --callgrind, each tree runs in its own process under `valgrind --tool=callgrind`, both at once, counting
only the instructions of one pass over the articles after a first pass that warms the caches (collection is
switched on inside the `eval` that runs the pass, and nowhere else: imports and reading are not counted).
Repeatable to a few in ten thousand however loaded the machine is; ~4 minutes for 300 articles.

Without it, both trees' packages are imported into this process (the old one first, then this checkout's), and
the articles go through each `extract` in alternating chunks of 100, the order flipped chunk by chunk, timed by
`time.thread_time`, after every article's result is compared (a difference stops the run). Quick, but on the
shared machine under load (load average 9 on 2 cores) it read -6.1% and -1.5% for a change callgrind counts at
+0.3%, and +0.5% for two identical trees: trust a few per cent from it only when the instruction counts agree.
"""

from __future__ import annotations

import importlib
import re
import subprocess
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


PASS = r"""
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from searchkit.reading import read_articles
from searchkit.speakers import extract
listing = Path(sys.argv[2])
corpus = listing.parent / "ReutersNews106521"
texts = [(a.body, a.title) for rel in listing.read_text(encoding="utf-8").split()[::int(sys.argv[3])][:int(sys.argv[4])]
         for a in read_articles(corpus / rel, Path(rel).name)]
for body, title in texts:
    extract(body, title)
eval(compile("for body, title in texts: extract(body, title)", "<pass>", "exec"))
print(len(texts))
"""


def instructions(trees: list[Path], listing: Path, every: int, n: int) -> list[tuple[int, int]]:
    """(instructions, articles) of one warm pass of each tree, counted by callgrind, the trees run at once."""
    runs = [subprocess.Popen(["valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=builtin_eval",
                              "--callgrind-out-file=/dev/null", sys.executable, "-c", PASS, str(tree), str(listing),
                              str(every), str(n)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for tree in trees]
    counts = []
    for tree, run in zip(trees, runs, strict=True):
        out, err = run.communicate()
        refs = re.search(r"I\s+refs:\s+([\d,]+)", err)
        if run.returncode or refs is None:
            raise SystemExit(f"{tree}: {err.strip()[-2000:]}")
        counts.append((int(refs.group(1).replace(",", "")), int(out.split()[-1])))
    return counts


def main(argv: list[str]) -> int:
    args = iter(argv)
    old, n, every, rounds, callgrind = None, 2000, 50, 3, False
    for arg in args:
        if arg == "--callgrind":
            callgrind = True
        elif arg == "--articles":
            n = int(next(args))
        elif arg == "--every":
            every = int(next(args))
        elif arg == "--rounds":
            rounds = int(next(args))
        else:
            old = Path(arg)
    if old is None:
        raise SystemExit(__doc__)
    listing = ROOT / "bench" / ".cache" / "ReutersNews106521.files.txt"
    if callgrind:
        (before, count), (after, _) = instructions([old, ROOT], listing, every, n)
        print(f"{count} articles: old {before / count:,.0f} instructions/article, new {after / count:,.0f},"
              f" {100 * (after / before - 1):+.2f}%")
        return 0
    old_extract, read = load(old)
    new_extract, _ = load(ROOT)
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
