"""Row 13: hostile queries (deep nesting, long NOT chains, fuzzy expansion) and thousands of fuzzed ones."""

from __future__ import annotations

import itertools
import queue
import random
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from lab import LIVE, TRACEBACK, Case, Lab, judge, kill_session, run_problems

QUERY_BUDGET_S = 5.0
SLOW_S = 1.0
STALL_S = 30.0  # a fuzzed query running this long is given up (its batch killed and restarted after it)
FUZZ_LIMIT_S = 1200.0  # the fuzzed queries' whole budget (a quarter with --quick)
RETIME = 60  # slow queries timed a second time, at most
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
        if shape < 0.03:
            out.append(rng.choice(["(", "NOT ", "a* ", "oil~ ", "-", '"', "title:"]) * rng.randint(10, 60)
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
    """A `search --queries` batch whose output lines are timestamped as they arrive (stdout unbuffered).

    A query that takes longer than `per_query` s, or a batch still running at `until` (a monotonic time),
    gets the batch killed: `stalled` / `out_of_time` say which."""

    def __init__(self, lab: Lab, ix: Path, queries: list[tuple[str, str]], cwd: Path, *, per_query: float,
                 until: float) -> None:
        qfile = cwd / f"batch-{time.monotonic_ns()}.tsv"
        qfile.write_text("".join(f"{qid}\t{q}\n" for qid, q in queries), encoding="utf-8")
        self.stalled = self.out_of_time = False
        self.arrivals: list[float] = []
        with tempfile.TemporaryFile() as err:
            proc = subprocess.Popen([*lab.sk.command, "search", "--queries", str(qfile), "--index", str(ix)],
                                    cwd=cwd, env=lab.sk.env, stdout=subprocess.PIPE, stderr=err,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
            LIVE.add(proc.pid)
            lines: queue.Queue[bytes | None] = queue.Queue()
            threading.Thread(target=_pump, args=(proc.stdout, lines), daemon=True).start()
            while True:
                wait = min(per_query, until - time.monotonic())
                try:
                    line = lines.get(timeout=max(wait, 0.01))
                except queue.Empty:
                    self.out_of_time = time.monotonic() >= until
                    self.stalled = not self.out_of_time
                    kill_session(proc.pid)
                    break
                if line is None:
                    break
                self.arrivals.append(time.monotonic())
            self.code = proc.wait()
            LIVE.discard(proc.pid)
            err.seek(0)
            self.stderr = err.read().decode("utf-8", "replace")

    def times(self) -> list[float]:
        """Seconds each answered query took (the first includes start-up and is left out: 0)."""
        return [0.0] + [b - a for a, b in itertools.pairwise(self.arrivals)]


def _pump(stream: Any, lines: queue.Queue[bytes | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


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
    stream = Stream(lab, ix, batch, base, per_query=180, until=time.monotonic() + 600)
    answered = len(stream.arrivals)
    problems = [] if answered == len(batch) else [f"the batch stopped after {answered} of {len(batch)} queries"]
    if TRACEBACK in stream.stderr:
        problems.append("traceback")
    cases.append(judge("13", "`--queries` batch: oil, the three above, gold",
                       f"exit {stream.code}, {answered} of {len(batch)} answered", problems))
    cases.append(_fuzz(lab, ix, base, 1000 if lab.quick else 5000))
    return cases


def _fuzz(lab: Lab, ix: Path, base: Path, count: int) -> Case:
    """Run the fuzzed queries in `--queries` batches; a batch that dies or stalls on a query is restarted
    after it. Queries over `SLOW_S` are timed again (after a warm-up query) to tell them from a busy machine."""
    queries = [(f"f{i}", q) for i, q in enumerate(fuzzed(count))]
    by_id = dict(queries)
    started = time.monotonic()
    until = started + (FUZZ_LIMIT_S / 4 if lab.quick else FUZZ_LIMIT_S)
    times: dict[str, float] = {}
    crashed: list[str] = []
    stalled: list[str] = []
    rest = queries
    while rest:
        stream = Stream(lab, ix, rest, base, per_query=STALL_S, until=until)
        times.update((qid, took) for (qid, _q), took in zip(rest, stream.times(), strict=False))
        done = len(stream.arrivals)
        if done == len(rest) or stream.out_of_time:
            rest = rest[done:]
            break
        qid = rest[done][0]  # the query the batch died or stalled on
        if stream.stalled:
            stalled.append(qid)
        else:
            crashed.append(qid + (" (traceback)" if TRACEBACK in stream.stderr else ""))
        rest = rest[done + 1:]
    slow = [qid for qid, took in times.items() if took > SLOW_S]
    confirmed: list[tuple[str, float]] = []
    if slow:
        pairs = [p for s in slow[:RETIME] for p in (("warm", "oil"), (s, by_id[s]))]
        again = Stream(lab, ix, pairs, base, per_query=STALL_S, until=time.monotonic() + 600)
        confirmed = [(qid, took) for (qid, _q), took in zip(pairs, again.times(), strict=False)
                     if qid != "warm" and took > SLOW_S]
    problems = []
    if crashed:
        first = by_id[crashed[0].split()[0]][:60]
        problems.append(f"{len(crashed)} queries ended the batch (e.g. {crashed[0]}: `{first}`)")
    if stalled:
        problems.append(f"{len(stalled)} queries ran > {STALL_S:g} s (e.g. `{by_id[stalled[0]][:60]}`)")
    if confirmed:
        worst = max(confirmed, key=lambda c: c[1])
        problems.append(f"{len(confirmed)} queries took > {SLOW_S:g} s twice (worst {worst[1]:.1f} s: "
                        f"`{by_id[worst[0]][:60]}`)")
    if rest:
        problems.append(f"{len(rest)} queries not run within the {until - started:.0f} s limit")
    median = sorted(times.values())[len(times) // 2] * 1000 if times else float("nan")
    happened = (f"{len(times)} of {count} answered in {time.monotonic() - started:.0f} s; ended the batch "
                f"{len(crashed)}, stalled > {STALL_S:g} s {len(stalled)}; > {SLOW_S:g} s: {len(slow)} "
                f"({len(confirmed)} of the first {min(len(slow), RETIME)} again on a re-run); median {median:.0f} ms")
    return judge("13", f"{count} fuzzed queries through `search --queries` ({lab.scale} docs)", happened, problems)
