"""Speaker-extraction helpers for tuning searchkit.speakers.

Predictions for a PolNeAR split (JSON Lines for /work/shared/eval/speakers.py):
    python bench/speaker_eval.py SPLIT_DIR OUT.jsonl [--time] [--direct]
Each text/*.txt is split into title (first line) and body (the rest) and passed to extract(body, title), as the
indexer would; --time prints the average extraction time per article; --direct keeps only speakers with at
least one direct (quotation-mark) quote, to compare with the scorer's --direct-only gold.

Speed on Reuters news (plain text files; the "-- " header lines are dropped, the first one is the title):
    python bench/speaker_eval.py --speed [CORPUS_DIR] [N]
prints the average ms/article over the first N files (default 2000), best of 3 runs, wall and process CPU time.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from searchkit.speakers import extract


def predict(argv: list[str]) -> None:
    """Run extract over every article of the split and write {"id", "speakers"} lines."""
    split, out = Path(argv[0]), Path(argv[1])
    lines = []
    total = 0.0
    files = sorted((split / "text").glob("*.txt"))
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        title, _, body = text.partition("\n")
        t0 = time.perf_counter()
        res = extract(body, title)
        total += time.perf_counter() - t0
        names = [s.name for s in res.speakers]
        if "--direct" in argv:
            quoted = {q.speaker for q in res.quotes if q.direct}
            names = [n for n in names if n in quoted]
        lines.append(json.dumps({"id": path.stem, "speakers": names}))
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if "--time" in argv:
        print(f"{len(files)} articles, {1000 * total / max(1, len(files)):.3f} ms/article", file=sys.stderr)


def reuters_docs(root: Path, n: int) -> list[tuple[str, str]]:
    """First `n` files under `root` (sorted) as (title, body) pairs."""
    out = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        head = [ln for ln in lines[:6] if ln.startswith("-- ")]
        title = head[0][3:] if head else ""
        out.append((title, "\n".join(lines[len(head) :])))
        if len(out) >= n:
            break
    return out


def speed(argv: list[str]) -> None:
    """Print average ms/article (best of 3 runs; wall and process CPU time) and speaker statistics."""
    root = Path(argv[0]) if argv else Path("/tmp/corpus/ReutersNews106521")
    n = int(argv[1]) if len(argv) > 1 else 2000
    docs = reuters_docs(root, n)
    best = cpu = float("inf")
    results = []
    for _ in range(3):
        t0, c0 = time.perf_counter(), time.process_time()
        results = [extract(b, t) for t, b in docs]
        best = min(best, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    kb = sum(len(b) for _, b in docs) / len(docs) / 1024
    spk = sum(len(r.speakers) for r in results) / len(docs)
    quotes = sum(len(r.quotes) for r in results) / len(docs)
    print(
        f"{len(docs)} articles, avg {kb:.1f} KB, {1000 * best / len(docs):.3f} ms/article wall, "
        f"{1000 * cpu / len(docs):.3f} ms/article CPU, {spk:.2f} speakers/article, {quotes:.2f} quotes"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--speed"]:
        speed(sys.argv[2:])
    else:
        predict(sys.argv[1:])
