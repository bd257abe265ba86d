"""Bench rows of issue #13 (Deliver 2): is indexing linear in its input, whatever the text looks like?

    nice -n 10 python bench/reliability/linearity.py [--files 300] [--sizes 1,4,16,50] [--timeout 300]
        [--corpus DIR] [--out FILE.md]

1. ms per KB of the per-file indexing pipeline (read + decode + parse, speakers and quotes, analysis into
   postings: what a worker does per file, in one process, no index writer) over the same number
   of files of three kinds: ordinary archive articles, the same articles upper-cased, and adversarial text
   of the same sizes (all-caps and capitalised runs with colons and digits in odd places, quote-mark and
   bracket storms, mixed scripts, long lines). Target: each ratio to ordinary <= 3.
2. ms per MB for single files of 1/4/16/50 MB (archive articles one after another): should stay flat.

Every kind and size runs in a child process with a wall-clock limit, which prints one line per file as it
finishes, so a blow-up shows as "did not finish" with the files done so far instead of hanging the bench.
"""

from __future__ import annotations

import argparse
import json
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from lab import DEFAULT_CORPUS, Searchkit, archive_files, kill_session  # noqa: E402

CAPS = ["THE", "ALLIES", "AFTER", "NASSAU", "IN", "DECEMBER", "U.S.", "U.N.", "NATO", "GERMANY", "MINISTER", "SAYS",
        "OIL", "PRICES", "FALL", "FED", "CHIEF", "WARNS", "OF", "A", "NEW", "PLAN", "EXCLUSIVE", "UPDATE", "WRAPUP"]
CAPITALISED = ["Minister", "Of", "The", "Interior", "Republic", "Federal", "Reserve", "Bank", "Chief", "Executive",
               "Officer", "Said", "John", "Smith", "Van", "Der", "De", "La", "North", "Atlantic", "Treaty", "Union"]
SCRIPTS = ["Путин", "Сказал", "Москва", "Αθήνα", "Υπουργός", "北京", "東京", "Ελλάδα", "Київ", "Ünal", "Øster", "Łódź"]


def adversarial(rng: random.Random, size: int) -> str:
    """Text of about `size` characters built from the shapes that made extractors blow up."""
    title = " ".join(rng.choice(CAPS) for _ in range(rng.randint(6, 14)))
    title += f" {rng.randint(1900, 2020)}, THE U.S.: A PLAN"
    parts = [title, ""]
    while sum(len(p) + 1 for p in parts) < size:
        shape = rng.randrange(7)
        if shape == 0:  # all-caps run, digits and colons in odd places
            words = [rng.choice(CAPS) + (str(rng.randint(0, 99)) if rng.random() < 0.2 else "")
                     for _ in range(rng.randint(5, 25))]
            words.insert(rng.randrange(len(words)), f"{rng.randint(1, 9999)}:")
            parts.append(" ".join(words) + ": " + " ".join(rng.choice(CAPS) for _ in range(5)))
        elif shape == 1:  # a long capitalised run with colons
            parts.append(" ".join(rng.choice(CAPITALISED) + (":" if rng.random() < 0.1 else "")
                                  for _ in range(rng.randint(10, 60))) + " said.")
        elif shape == 2:  # quote storms
            marks = ['"', "“", "”", "'", "‘", "’", "''", "``"]
            parts.append(" ".join(rng.choice(marks) + rng.choice(CAPITALISED) + rng.choice(marks) + ","
                                  + rng.choice([" said", " says", "", " told"]) for _ in range(rng.randint(10, 60))))
        elif shape == 3:  # bracket storms
            parts.append("".join(rng.choice("([{<)]}>") for _ in range(rng.randint(50, 400))) + " Smith said.")
        elif shape == 4:  # mixed scripts, capitalised, with colons
            parts.append(" ".join(rng.choice(SCRIPTS) + rng.choice(["", ":", ",", "."])
                                  for _ in range(rng.randint(10, 40))))
        elif shape == 5:  # a long line without a break
            parts.append(" ".join(rng.choice(CAPS + CAPITALISED) for _ in range(rng.randint(200, 500))))
        else:  # dateline-like and name-like fragments
            parts.append(f"WASHINGTON, {rng.choice(CAPS)} {rng.randint(1, 31)} (Reuters) - {rng.choice(CAPITALISED)} "
                         f"{rng.choice(CAPITALISED)}: \"{' '.join(rng.choice(CAPS) for _ in range(8))},\" he said.")
    return "\n".join(parts)[:size] + "\n"


def prepare(corpus: Path | None, dest: Path, files: int, sizes: list[int]) -> dict[str, Path]:
    """Write the three kinds of text and the large files; return a folder per measurement."""
    out = {}
    ordinary, upper, adv = dest / "ordinary", dest / "upper", dest / "adversarial"
    for folder in (ordinary, upper, adv):
        folder.mkdir(parents=True)
    if corpus is not None:
        sources = [f.read_bytes() for f in archive_files(corpus, files)]
    else:
        import synth

        sources = [p.read_bytes() for p in synth.write_corpus(dest / "synth", files)]
    rng = random.Random(13)
    for i, data in enumerate(sources):
        (ordinary / f"a{i:05d}.txt").write_bytes(data)
        (upper / f"a{i:05d}.txt").write_text(data.decode("utf-8", "replace").upper(), encoding="utf-8")
        (adv / f"a{i:05d}.txt").write_text(adversarial(rng, len(data)), encoding="utf-8")
    out.update(ordinary=ordinary, upper=upper, adversarial=adv)
    pool = b"".join(f.read_bytes() for f in (archive_files(corpus, 2000) if corpus else
                                              sorted((dest / "synth").rglob("*.txt"))))
    for mb in sizes:
        folder = dest / f"{mb}MB"
        folder.mkdir()
        target = mb << 20
        data = b"A very long compilation of wire stories\n\n" + pool * (target // len(pool) + 1)
        (folder / f"big-{mb}MB.txt").write_bytes(data[:target])
        out[f"{mb} MB file"] = folder
    return out


def pipeline() -> Callable[[Path], str | None]:
    """The work an indexing worker does on one file (read, parse, attribute, analyse), wherever this
    version of searchkit keeps it; the function returns the file's failure reason, if any."""
    try:  # since the #15 split: the indexer's `read`, then the engine's `prepare`
        from searchkit.engine.workers import prepare
        from searchkit.indexer_plan import Task
        from searchkit.indexer_read import read

        try:  # since MinHash is signed a batch of files at a time
            from searchkit.indexer_read import sign
        except ImportError:
            sign = None

        def run(path: Path) -> str | None:
            st = path.stat()
            articles, report = read(Task(str(path), path.name, st.st_size, st.st_mtime_ns, None))
            prepare(articles)
            if sign is not None:
                report = sign([report])[0]
            return report[3]

    except ImportError:  # before it: `indexer.process` did all of it
        from searchkit.indexer import Task, process  # type: ignore[attr-defined,no-redef]

        def run(path: Path) -> str | None:
            st = path.stat()
            return process(Task(str(path), path.name, st.st_size, st.st_mtime_ns, None)).failure

    return run


def child(folder: Path, skip: int) -> None:
    """Time the pipeline on each file of `folder` from the `skip`-th on: "ready" once warm, then one JSON
    line per file, flushed as it goes."""
    run = pipeline()
    warm = folder.parent / "warm.txt"
    warm.write_text("Warm-up\n\nThe minister said on Monday, \u201cwe are ready.\u201d\n", encoding="utf-8")
    run(warm)
    print("ready", flush=True)
    for path in sorted(folder.iterdir())[skip:]:
        size = path.stat().st_size
        started = time.perf_counter()
        failure = run(path)
        ms = (time.perf_counter() - started) * 1000
        print(json.dumps({"file": path.name, "bytes": size, "ms": ms, "failure": failure}), flush=True)


@dataclass
class Measured:
    """One kind's or size's files: those timed, and those that ran past the per-file limit (killed)."""

    records: list[dict] = field(default_factory=list)
    stuck: list[tuple[str, int]] = field(default_factory=list)  # (name, bytes)
    stopped: bool = False  # the total limit ran out before every file was tried

    @property
    def kb(self) -> float:
        return (sum(r["bytes"] for r in self.records) + sum(b for _n, b in self.stuck)) / 1024

    def ms(self, per_file: float) -> float:
        """Total ms, counting a stuck file as the per-file limit (so a lower bound when any stuck)."""
        return sum(r["ms"] for r in self.records) + per_file * 1000 * len(self.stuck)


def _pump(stream: Any, lines: queue.Queue[bytes | None]) -> None:
    """Move a child's output lines into a queue (None at the end), so the parent can wait with a timeout."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def measure(python: str, folder: Path, per_file: float, total: float) -> Measured:
    """Run `child` over `folder` in a process of its own; a file still running after `per_file` s is noted
    as stuck, the process killed, and a new one continues with the next file, until `total` s."""
    files = sorted(folder.iterdir())
    out = Measured()
    deadline = time.monotonic() + total
    start = 0
    while start < len(files):
        if time.monotonic() > deadline:
            out.stopped = True
            break
        proc = subprocess.Popen([python, str(Path(__file__).resolve()), "--child", str(folder), "--skip", str(start)],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, start_new_session=True)
        lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
        ready = False
        while True:
            try:
                line = lines.get(timeout=per_file if ready else 120)
            except queue.Empty:
                kill_session(proc.pid)
                proc.wait()
                out.stuck.append((files[start].name, files[start].stat().st_size))
                start += 1
                break
            if line is None:
                proc.wait()
                start = len(files) if proc.returncode == 0 else start + 1
                break
            if line.strip() == b"ready":
                ready = True
                continue
            out.records.append(json.loads(line))
            start += 1
    return out


def report(results: dict[str, Measured], files: int, per_file: float, total: float) -> str:
    lines = [f"Per-file indexing pipeline (a worker's work: read, parse, speakers/quotes, analysis), "
             f"one process, {files} files per kind; a file running past {per_file:.0f} s is killed and counted as "
             f"{per_file:.0f} s (then the figure is a lower bound, marked ≥); at most {total:.0f} s per kind.", "",
             "| text | files timed | past the limit | KB | ms | ms/KB | ÷ ordinary | slowest timed file |",
             "|---|---|---|---|---|---|---|---|"]
    base = None
    for kind in ("ordinary", "upper", "adversarial"):
        m = results[kind]
        rate = m.ms(per_file) / m.kb if m.kb else float("nan")
        if kind == "ordinary":
            base = rate
        bound = "≥ " if m.stuck else ""
        worst = max(m.records, key=lambda r: r["ms"], default=None)
        slowest = f"{worst['ms']:.0f} ms ({worst['bytes'] / 1024:.1f} KB)" if worst else "—"
        tried = f"{len(m.records)}" + (" (out of time)" if m.stopped else "")
        ratio = f"{bound}{rate / base:.2f}" if base else "—"
        lines.append(f"| {kind} | {tried} | {len(m.stuck)} | {m.kb:.0f} | {bound}{m.ms(per_file):.0f} | "
                     f"{bound}{rate:.3f} | {ratio} | {slowest} |")
    lines += ["", "| one file | seconds | ms/MB | ÷ smallest size's ms/MB |", "|---|---|---|---|"]
    first = None
    for kind, m in results.items():
        if not kind.endswith("MB file"):
            continue
        mb = int(kind.split()[0])
        if not m.records:
            lines.append(f"| {mb} MB | > {per_file:.0f} (killed) | > {per_file * 1000 / mb:.0f} | — |")
            continue
        per_mb = m.records[0]["ms"] / mb
        first = first or per_mb
        lines.append(f"| {mb} MB | {m.records[0]['ms'] / 1000:.1f} | {per_mb:.0f} | {per_mb / first:.2f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=300, help="files per kind of text (300)")
    parser.add_argument("--sizes", default="1,4,16,50", help="single-file sizes in MB (1,4,16,50)")
    parser.add_argument("--per-file", type=float, default=10, help="seconds before a file counts as stuck (10)")
    parser.add_argument("--large-limit", type=float, default=300,
                        help="seconds before a single large file counts as stuck (300)")
    parser.add_argument("--total", type=float, default=600, help="seconds at most per kind of text (600)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else None)
    parser.add_argument("--searchkit", help="the `searchkit` command whose Python to use (default: as replay.py)")
    parser.add_argument("--out", type=Path, help="also write the Markdown tables here")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--skip", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.skip)
        return
    python = Searchkit(args.searchkit).python
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with tempfile.TemporaryDirectory(prefix="searchkit-linearity-") as tmp:
        folders = prepare(args.corpus, Path(tmp), args.files, sizes)
        results = {}
        for kind, folder in folders.items():
            print(f"[{time.strftime('%H:%M:%S')}] {kind}", file=sys.stderr, flush=True)
            large = kind.endswith("MB file")
            results[kind] = measure(python, folder, args.large_limit if large else args.per_file, args.total)
    text = report(results, args.files, args.per_file, args.total)
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
