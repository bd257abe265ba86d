"""Row 13: hostile queries (deep nesting, long NOT chains, fuzzy expansion) and thousands of fuzzed ones."""

from __future__ import annotations

import itertools
import random
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from lab import TRACEBACK, Case, Lab, judge, kill_session, run_problems

QUERY_BUDGET_S = 5.0
SLOW_S = 1.0
PATHOLOGICAL = [
    ("200 nested parentheses", "(" * 200 + "oil" + ")" * 200),
    ("400 × `NOT `", "NOT " * 400 + "oil"),
    ("`oil~2 ` × 200", "oil~2 " * 200),
]

VOCAB = ["oil", "prices", "bank", "market", "said", "government", "obama", "merkel", "china", "shares", "rate",
         "rates", "dollar", "euro", "gold", "trade", "war", "talks", "peace", "minister", "president", "company",
         "profit", "loss", "growth", "crisis", "debt", "bond", "yield", "fed", "inflation", "election", "vote",
         "court", "police", "attack", "reuters", "percent", "year", "week"]
ATOMS = ["AND", "OR", "NOT", "-", "+", "(", ")", '"', "'", "*", "?", "~", "~2", "~9", "^2", ":", "title:", "body:",
         "speaker:", "date:", "date:2008", "date:[2008 TO 2009]", "date:2010-02-30", "[", "]", "{", "}", "\\", "/",
         "é", "中文", "Ω", "😀", "\u200b", "\x00", "\x07", "TO", "to", "a*", "*oil", "o*", "?il", "**", "~~", "&&",
         "||", "!", "speaker:\"ben bernanke\"", "\"oil prices\"~3", "title:(oil OR gold)", "1e309", "-1", "0",
         "9" * 40, "x" * 300]
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\t"  # row 14 tests these; here they would shift lines


def fuzzed(count: int, seed: int = 13) -> list[str]:
    """`count` random queries: words, operators, fields, brackets, odd characters, long repeats."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        shape = rng.random()
        if shape < 0.1:
            out.append(rng.choice(["(", "NOT ", "a* ", "oil~ ", "-", '"', "title:"]) * rng.randint(10, 120)
                       + rng.choice(VOCAB))
            continue
        parts = []
        for _ in range(rng.randint(1, 14)):
            pick = rng.random()
            parts.append(rng.choice(VOCAB) if pick < 0.55 else rng.choice(ATOMS) if pick < 0.95 else
                         chr(rng.randint(0x21, 0x2FFF)))
        sep = "" if rng.random() < 0.15 else " "
        text = sep.join(parts)
        out.append("".join(c for c in text if c not in LINE_BREAKS) or "oil")
    return out


class Stream:
    """A `search --queries` batch whose output lines are timestamped as they arrive (stdout unbuffered)."""

    def __init__(self, lab: Lab, ix: Path, queries: list[tuple[str, str]], cwd: Path, timeout: float) -> None:
        qfile = cwd / f"batch-{time.monotonic_ns()}.tsv"
        qfile.write_text("".join(f"{qid}\t{q}\n" for qid, q in queries), encoding="utf-8")
        err = tempfile.TemporaryFile()  # noqa: SIM115 (read and closed below)
        started = time.monotonic()
        proc = subprocess.Popen([*lab.sk.command, "search", "--queries", str(qfile), "--index", str(ix)], cwd=cwd,
                                env=lab.sk.env, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        timer = threading.Timer(timeout, kill_session, (proc.pid,))
        timer.start()
        self.arrivals: list[tuple[float, bytes]] = []
        assert proc.stdout is not None
        for line in proc.stdout:
            self.arrivals.append((time.monotonic(), line))
        self.code = proc.wait()
        timer.cancel()
        self.timed_out = time.monotonic() - started >= timeout
        self.started = started
        err.seek(0)
        self.stderr = err.read().decode("utf-8", "replace")
        err.close()

    def times(self) -> list[float]:
        """Seconds each answered query took (the first includes start-up and is left out: 0)."""
        stamps = [t for t, _ in self.arrivals]
        return [0.0] + [b - a for a, b in itertools.pairwise(stamps)]


def row13(lab: Lab) -> list[Case]:
    cases = []
    n = lab.scale
    ix = lab.built(n)
    base = lab.fresh("row13")
    for label, text in PATHOLOGICAL:
        for command in ("search", "quotes"):
            run = lab.sk.run(command, "--index", ix, "--json", "--", text, cwd=base, timeout=180)
            problems = run_problems(run, budget=QUERY_BUDGET_S, ok_codes=(0, 1, 2))
            if run.code in (1, 2) and not run.traceback and not run.one_line_error:
                problems.append(f"{len(run.err_lines)} lines on stderr")
            cases.append(judge("13", f"`{command}` {label} ({n} docs)", run.describe(), problems))
    batch = [("before", "oil"), *((label.split()[0], text) for label, text in PATHOLOGICAL), ("after", "gold")]
    stream = Stream(lab, ix, batch, base, timeout=600)
    answered = len(stream.arrivals)
    problems = [] if answered == len(batch) else [f"the batch stopped after {answered} of {len(batch)} queries"]
    if TRACEBACK in stream.stderr:
        problems.append("traceback")
    cases.append(judge("13", "`--queries` batch: oil, the three above, gold",
                       f"exit {stream.code}, {answered} of {len(batch)} answered", problems))
    cases.append(_fuzz(lab, ix, base, 1000 if lab.quick else 5000))
    return cases


def _fuzz(lab: Lab, ix: Path, base: Path, count: int) -> Case:
    queries = [(f"f{i}", q) for i, q in enumerate(fuzzed(count))]
    started = time.monotonic()
    times: dict[str, float] = {}
    crashed: list[str] = []
    aborts = 0
    rest = queries
    while rest and aborts < 50:
        stream = Stream(lab, ix, rest, base, timeout=1800)
        for (qid, _q), took in zip(rest, stream.times(), strict=False):
            times[qid] = took
        done = len(stream.arrivals)
        if done == len(rest):
            break
        aborts += 1
        crashed.append(rest[done][0])  # the query the batch died on
        if TRACEBACK in stream.stderr:
            crashed[-1] += " (traceback)"
        rest = rest[done + 1:]
    slow = [qid for qid, took in times.items() if took > SLOW_S]
    by_id = dict(queries)
    confirmed: list[tuple[str, float]] = []
    if slow:  # time them again, each after a warm-up query, to tell a slow query from a busy machine
        pairs = [p for s in slow for p in (("warm", "oil"), (s, by_id[s]))]
        again = Stream(lab, ix, pairs, base, timeout=1800)
        confirmed = [(qid, took) for (qid, _q), took in zip(pairs, again.times(), strict=False)
                     if qid != "warm" and took > SLOW_S]
    total = time.monotonic() - started
    problems = []
    if crashed:
        example = by_id[crashed[0].split()[0]][:60]
        problems.append(f"{len(crashed)} queries ended the batch (e.g. {crashed[0]}: `{example}`)")
    if confirmed:
        worst = max(confirmed, key=lambda c: c[1])
        problems.append(f"{len(confirmed)} queries took > {SLOW_S:g} s twice (worst {worst[1]:.1f} s: "
                        f"`{by_id[worst[0]][:60]}`)")
    happened = (f"{count} fuzzed queries in {total:.0f} s; batch restarts {aborts}; > {SLOW_S:g} s: {len(slow)} "
                f"({len(confirmed)} again on a re-run); median {sorted(times.values())[len(times) // 2] * 1000:.0f} ms")
    return judge("13", f"{count} fuzzed queries through `search --queries` ({lab.scale} docs)", happened, problems)
