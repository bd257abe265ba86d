"""Replay issue #13's table against the installed `searchkit` command and say, row by row, clean or not.

    nice -n 10 python bench/reliability/replay.py [--rows 1,2,13,kill] [--out FILE.md] [--json FILE.json]
        [--searchkit CMD] [--corpus DIR] [--scale 3000] [--rounds 36] [--quick] [--keep]

Each row re-creates its case in a temporary folder and drives the CLI in subprocesses (each in its own
session, with a timeout: the harness never hangs and kills whatever it started). See README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import rows_crash
import rows_damage
import rows_input
import rows_queries
import rows_untrusted
from lab import DEFAULT_CORPUS, Case, Lab, Searchkit, clip, kill_live, log

Row = Callable[[Lab], list[Case]]
ROWS: dict[str, tuple[str, Row]] = {
    "1": ("an index folder from someone else (poisoned TOC pickle; folder writable by others)", rows_untrusted.row1),
    "2": ("a symlink out of the indexed folder (`ln -s /etc d/etcdir`); index file modes", rows_untrusted.row2),
    "3": ("an ALL-CAPS headline with a colon, 7 and 12 words", rows_input.row3),
    "4": ("one large file: 1/2/4/16/50 MB (time, RSS)", rows_input.row4),
    "5": ("a symlink loop, a file name that is not UTF-8", rows_input.row5),
    "6": ("a corrupt manifest.sqlite: `index`, `index --rebuild`", rows_damage.row6),
    "7": ("kill -9 between the quotes commit and the articles commit of a first build", rows_crash.row7),
    "8": ("kill -9 / SIGTERM of `index` with workers: orphans after 5 s", rows_crash.row8),
    "9": ("a damaged segment (.trm, .pst, _stored.col, date.col, quotes .trm, .toc)", rows_damage.row9),
    "10": ("disk full during `index` (30 MB and 12 MB filesystems)", rows_damage.row10),
    "11": ("`--rebuild`: readers during it, kill during it", rows_crash.row11),
    "12": ("two `index` runs started together", rows_crash.row12),
    "13": ("queries: deep nesting, NOT chains, fuzzy expansion, 5,000 fuzzed", rows_queries.row13),
    "14": ("a FIFO argument; `--queries` line breaks; `search -- -oil`", rows_input.row14),
    "15": ("(new) kill -9 while the schema-version file is rewritten (start of a build or `--rebuild`)",
           rows_crash.row15),
    "kill": ("kill -9 at random moments of builds and updates: reopen and converge", rows_crash.kill_loop),
}


def searchkit_version(sk: Searchkit) -> str:
    """`searchkit --version` plus the git commit of the code it runs, when that is a checkout."""
    version = subprocess.run([*sk.command, "--version"], capture_output=True, text=True).stdout.strip()
    probe = subprocess.run([sk.python, "-c", "import searchkit, os; print(os.path.dirname(searchkit.__file__))"],
                           capture_output=True, text=True, cwd="/").stdout.strip()  # not this folder's package
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", probe, *args, "--", "."], capture_output=True,
                              text=True).stdout.strip() if probe else ""

    commit = git("log", "-1", "--format=%h %s")  # the last commit that touched the package
    dirty = git("status", "--porcelain", "--untracked-files=no")
    return (f"{version}; code at {probe}" + (f", last changed in {commit}" if commit else "")
            + (" (+ uncommitted changes)" if dirty else ""))


def table(cases: list[Case], root: Path) -> str:
    """The cases as a Markdown table (the temporary folder written `$TMP`)."""
    lines = ["| # | case | what happened | verdict |", "|---|---|---|---|"]
    for c in cases:
        happened, verdict = (clip(text.replace(str(root), "$TMP"), width)
                             for text, width in ((c.happened, 300), (c.verdict, 240)))
        lines.append(f"| {c.row} | {clip(c.case, 120)} | {happened} | {verdict} |")
    return "\n".join(lines)


def summary(cases: list[Case], selected: list[str]) -> str:
    lines = ["| # | row | verdict |", "|---|---|---|"]
    for key in selected:
        mine = [c for c in cases if c.row == key]
        bad = [c for c in mine if c.clean is False]
        unknown = [c for c in mine if c.clean is None]
        verdict = (f"**NOT clean** ({len(bad)} of {len(mine)} cases)" if bad else
                   f"not measured ({unknown[0].reason})" if unknown and len(unknown) == len(mine) else
                   f"clean ({len(mine) - len(unknown)} cases" + (f", {len(unknown)} not measured)" if unknown else ")"))
        lines.append(f"| {key} | {ROWS[key][0]} | {verdict} |")
    return "\n".join(lines)


def _interrupted(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", default=",".join(ROWS), help="comma-separated rows (default: all): "
                        + ", ".join(ROWS))
    parser.add_argument("--out", type=Path, help="write the Markdown report here")
    parser.add_argument("--json", type=Path, help="write the cases as JSON here")
    parser.add_argument("--searchkit", help="the command to test (default: `searchkit` on PATH)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS if DEFAULT_CORPUS.is_dir() else None,
                        help="archive folder of <day>/<file> articles (default: the Reuters copy; "
                             "synthetic stories when absent)")
    parser.add_argument("--scale", type=int, default=3000, help="articles in the 'real archive' rows (3000)")
    parser.add_argument("--rounds", type=int, default=36, help="rounds of the kill -9 loop (36)")
    parser.add_argument("--quick", action="store_true", help="smaller: scale 600, 12 kill rounds, 1,000 fuzzed "
                        "queries, large files up to 16 MB")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--base", type=Path, help="an earlier run's --json: its cases stand for the rows not "
                        "re-run now (the report then covers both)")
    args = parser.parse_args()
    if args.quick:
        args.scale, args.rounds = min(args.scale, 600), min(args.rounds, 12)
    selected = [r.strip() for r in args.rows.split(",") if r.strip()]
    unknown = [r for r in selected if r not in ROWS]
    if unknown:
        parser.error(f"unknown rows: {', '.join(unknown)}")
    sk = Searchkit(args.searchkit)
    root = Path(tempfile.mkdtemp(prefix="searchkit-replay-", dir=args.workdir))
    lab = Lab(root, sk, args.corpus, args.scale, rounds=args.rounds, quick=args.quick)
    log(f"testing {' '.join(sk.command)} in {root}")
    cases: list[Case] = []
    started = time.monotonic()
    version = searchkit_version(sk)
    base = [Case(**c) for c in json.loads(args.base.read_text())] if args.base else []
    kept = [c for c in base if c.row not in selected]

    def report(done: list[str]) -> str:
        head = f"Replay of issue #13's table — {time.strftime('%Y-%m-%d %H:%M')}, {time.monotonic() - started:.0f} s"
        if done != selected:
            head += f" (partial: rows {', '.join(done) or 'none'} of {', '.join(selected)})"
        if kept:
            head += f"; rows {', '.join(sorted({c.row for c in kept}, key=list(ROWS).index))} from {args.base}"
        rows = [r for r in ROWS if r in done or any(c.row == r for c in kept)]
        every = sorted(kept + cases, key=lambda c: list(ROWS).index(c.row))
        return "\n\n".join([
            head, f"searchkit: {version}",
            f"command: `{' '.join(['python', 'bench/reliability/replay.py', *sys.argv[1:]])}` "
            f"(corpus: {args.corpus or 'synthetic'}, scale {args.scale}, kill rounds {args.rounds})",
            summary(every, rows), table(every, root)]) + "\n"

    def save(done: list[str]) -> None:  # after every row: a stopped replay keeps what it measured
        if args.out:
            args.out.write_text(report(done), encoding="utf-8")
        if args.json:
            every = sorted(kept + cases, key=lambda c: list(ROWS).index(c.row))
            args.json.write_text(json.dumps([asdict(c) for c in every], indent=1), encoding="utf-8")

    signal.signal(signal.SIGTERM, _interrupted)
    done: list[str] = []
    try:
        for key in selected:
            title, fn = ROWS[key]
            log(f"row {key}: {title}")
            t0 = time.monotonic()
            try:
                found = fn(lab)
            except Exception as exc:  # the harness's own failure: say so in the table, go on
                traceback.print_exc()
                found = [Case(key, title, f"harness error: {type(exc).__name__}: {exc}", None, "harness error")]
            for case in found:
                log(f"  {case.case}: {case.happened} -> {case.verdict}")
            log(f"row {key} done in {time.monotonic() - t0:.0f} s")
            cases.extend(found)
            done.append(key)
            save(done)
    finally:
        kill_live()
        rows_damage.unmount_all(root)
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    print(report(done))

if __name__ == "__main__":
    main()
