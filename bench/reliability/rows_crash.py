"""Rows 7, 8, 11, 12 and the kill -9 loop: crashes, signals, rebuilds and two runs at once."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path

import killloop
from lab import (
    Case,
    Lab,
    Proc,
    article_files,
    children_of,
    documents,
    exported,
    judge,
    kill_session,
    log,
    quote_totals,
    run_problems,
)

PARALLEL_FILES = 1_200  # enough files for the segment-writing workers (searchkit's SEGMENT_THRESHOLD is 1,000)
POOL_FILES = 300  # a run that reads files in a worker pool and writes in the parent


# --------------------------------------------------------------------------- row 7


def row7(lab: Lab) -> list[Case]:
    cases = []
    for n, path in ((POOL_FILES, "pool workers, one writer"), (PARALLEL_FILES, "segment-writing workers")):
        base = lab.fresh("row7")
        docs, ix, note = lab.sample(n), base / "ix", base / "killed-after"
        killed = lab.sk.run("index", docs, "--index", ix, cwd=base, timeout=900,
                            wrapper=["--after-commits", "1", "--note", str(note)])
        label = f"first build of {n} files ({path}), SIGKILL right after the first TOC commit"
        if not note.exists():
            cases.append(Case("7", label, killed.describe(), None,
                              "the kill point was never reached (no TOC commit seen by killpoint.py)"))
            continue
        committed = note.read_text().strip()
        stats = lab.sk.run("stats", "--index", ix, "--json", cwd=base)
        rerun = lab.sk.run("index", docs, "--index", ix, "--json", cwd=base, timeout=900)
        got, want = quote_totals(lab.sk, ix, base), quote_totals(lab.sk, lab.built(n), lab.root)
        paths, _ = exported(lab.sk, ix, base)
        problems = [f"reopen: {p}" for p in run_problems(stats, ok_codes=(0, 1))]
        problems += [f"re-run: {p}" for p in run_problems(rerun)]
        if got != want:
            problems.append(f"quote totals {_totals(got)} vs a clean build's {_totals(want)}")
        if paths is None or sorted(paths) != sorted(article_files(docs)):
            problems.append(f"{len(paths or [])} documents for {n} files")
        happened = (f"killed after `{committed}`; reopen {stats.describe(err=False)}; re-run {rerun.describe()}; "
                    f"quote totals {_totals(got)} (clean build {_totals(want)})")
        cases.append(judge("7", label, happened, problems))
    return cases


def _totals(totals: tuple[int, ...] | None) -> str:
    return "unavailable" if totals is None else "+".join(map(str, totals[:3])) + "…"


# --------------------------------------------------------------------------- row 15 (found by the kill loop)

SCHEMA_FILE = "searchkit.json"  # the schema-version file beside the index, rewritten by a build or rebuild


def _schema_intact(ix: Path) -> bool:
    try:
        return '"schema_version"' in (ix / SCHEMA_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def row15(lab: Lab) -> list[Case]:
    """A kill while the schema-version file is rewritten in place (truncated, not yet written): the kill
    loop hit it once at random; `killpoint.py --after-truncating` stops there every time."""
    cases = []
    n = POOL_FILES
    docs = lab.sample(n)
    if not (lab.built(n) / SCHEMA_FILE).exists():
        return [Case("15", f"kill while {SCHEMA_FILE} is rewritten", "", None, f"no {SCHEMA_FILE} in this layout")]
    for label, rebuild in (("`index --rebuild` of an existing index", True), ("a first build", False)):
        base = lab.fresh("row15")
        ix = lab.copy_index(n, base / "ix") if rebuild else base / "ix"
        note = base / "killed-after"
        killed = lab.sk.run("index", docs, "--index", ix, *(["--rebuild"] if rebuild else []), cwd=base,
                            timeout=600, wrapper=["--after-truncating", SCHEMA_FILE, "--note", str(note)])
        if not note.exists():  # replaced atomically, never truncated in place: the run must simply succeed
            problems = run_problems(killed)
            if not _schema_intact(ix):
                problems.append(f"{SCHEMA_FILE} does not hold a schema version")
            paths, _ = exported(lab.sk, ix, base)
            if killed.code == 0 and sorted(paths or []) != sorted(article_files(docs)):
                problems.append(f"{len(paths or [])} documents for {n} files")
            cases.append(judge("15", f"{SCHEMA_FILE} rewritten: {label} ({n} files)",
                               f"never truncated in place (replaced whole); {killed.describe()}", problems))
            continue
        stats = lab.sk.run("stats", "--index", ix, "--json", cwd=base)
        rerun = lab.sk.run("index", docs, "--index", ix, "--json", cwd=base, timeout=600)
        paths, _ = exported(lab.sk, ix, base)
        problems = [f"reopen: {p}" for p in run_problems(stats, ok_codes=(0, 1))]
        problems += [f"re-run: {p}" + (f" (`{rerun.first_err[:100]}`)" if rerun.first_err else "")
                     for p in run_problems(rerun)]
        if rerun.code == 0 and sorted(paths or []) != sorted(article_files(docs)):
            problems.append(f"{len(paths or [])} documents for {n} files")
        happened = f"killed with {SCHEMA_FILE} empty; `stats` {stats.describe()}; `index` again {rerun.describe()}"
        cases.append(judge("15", f"SIGKILL while {SCHEMA_FILE} is rewritten: {label} ({n} files)", happened,
                           problems))
    return cases


# --------------------------------------------------------------------------- row 8


def _start_when_busy(lab: Lab, docs: Path, ix: Path, base: Path, *extra: str) -> tuple[Proc, int]:
    """Start `index`; return once its worker processes exist (and have had half a second of work)."""
    proc = lab.sk.start("index", docs, "--index", ix, *extra, cwd=base)
    deadline = time.monotonic() + 60
    while not children_of(proc.pid) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)
    return proc, len(children_of(proc.pid))


def row8(lab: Lab) -> list[Case]:
    cases = []
    for n, path in ((POOL_FILES, "pool workers"), (PARALLEL_FILES, "segment-writing workers")):
        for sig in (signal.SIGKILL, signal.SIGTERM):
            base = lab.fresh("row8")
            proc, workers = _start_when_busy(lab, lab.sample(n), base / "ix", base, "--workers", "2")
            proc.signal(sig)
            run = proc.wait(timeout=15, orphan_grace=5)
            problems = run_problems(run, ok_codes=(1, 130, 143, -signal.SIGTERM, -signal.SIGKILL))
            if not workers:
                problems.append("(no workers were running at the signal)")
            reopen = lab.sk.run("stats", "--index", base / "ix", "--json", cwd=base)
            problems += [f"reopen: {p}" for p in run_problems(reopen, ok_codes=(0, 1))]
            happened = (f"{workers} workers; {run.describe()}; alive 5 s later: {', '.join(run.orphans) or 'none'}; "
                        f"reopen {reopen.describe(err=False)}")
            cases.append(judge("8", f"`kill -{sig.name[3:]}` of `index` ({n} files, {path}, --workers 2)", happened,
                               problems))
    return cases


# --------------------------------------------------------------------------- row 11


def row11(lab: Lab) -> list[Case]:
    cases = []
    n = lab.scale
    docs = lab.sample(n)
    reference = lab.sk.run("search", "oil", "--json", "--index", lab.built(n), cwd=lab.root).json()["total"]
    base = lab.fresh("row11")
    ix = lab.copy_index(n, base / "ix")
    proc = lab.sk.start("index", docs, "--index", ix, "--rebuild", cwd=base)
    seen: list[str] = []
    bad: list[str] = []
    while proc.poll() is None:
        count, stats = documents(lab.sk, ix, base)
        search = lab.sk.run("search", "oil", "--json", "--index", ix, cwd=base, timeout=60)
        total = (search.json() or {}).get("total") if search.ok else None
        seen.append(f"{count}/{total}")
        if count != n or total != reference:
            bad.append(f"stats {count if count is not None else stats.first_err[:50]}, "
                       f"search {total if total is not None else search.first_err[:50]}")
    run = proc.wait(1)
    problems = run_problems(run)
    if bad:
        problems.append(f"{len(bad)} of {len(seen)} reads saw other than the old index (e.g. {bad[0]})")
    happened = (f"rebuild {run.describe()}; {len(seen)} reads (documents/`oil` hits): "
                f"{', '.join(seen[:4])}{'…' if len(seen) > 4 else ''}; want {n}/{reference}")
    cases.append(judge("11", "readers (`stats`, `search oil`) during `index --rebuild`", happened, problems))
    duration = max(run.seconds, 2.0)
    for fraction in (0.25, 0.5, 0.8):
        base = lab.fresh("row11-kill")
        ix = lab.copy_index(n, base / "ix")
        proc = lab.sk.start("index", docs, "--index", ix, "--rebuild", cwd=base)
        time.sleep(duration * fraction)
        finished = proc.poll() is not None
        kill_session(proc.pid)
        killed = proc.wait(10, orphan_grace=2)
        count, stats = documents(lab.sk, ix, base)
        search = lab.sk.run("search", "oil", "--json", "--index", ix, cwd=base)
        total = (search.json() or {}).get("total") if search.ok else None
        why = stats.first_err or search.first_err
        problems = [] if count == n and total == reference else [
            f"after the kill: {count} documents, `oil` {total} hits" + (f" ({why})" if why else "")]
        note = " (it had already finished)" if finished else ""
        happened = f"{killed.describe(err=False)}{note}; then {count} documents, `oil` {total} hits"
        cases.append(judge("11", f"kill -9 at {fraction:.0%} of a `--rebuild`", happened, problems))
    return cases


# --------------------------------------------------------------------------- row 12


def _pair_round(lab: Lab, docs: Path, base: Path, first: list[str], second: list[str], offset: float,
                prepare: bool) -> tuple[list[str], str]:
    """Start two commands `offset` s apart on one index; the problems and a short account."""
    ix = base / "ix"
    if prepare:
        lab.sk.run("index", docs, "--index", ix, cwd=base, timeout=600)
    a = lab.sk.start(*first, "--index", ix, cwd=base)
    time.sleep(offset)
    b = lab.sk.start(*second, "--index", ix, cwd=base)
    runs = [a.wait(600), b.wait(600)]
    problems = []
    for name, run in zip("AB", runs, strict=True):
        if run.code not in (0, 1) or run.traceback or run.timed_out:
            problems += [f"{name}: {p}" for p in run_problems(run, ok_codes=(0, 1))]
        elif run.code == 1 and first[0] == second[0] == "index" and "lock" not in run.stderr.lower():
            problems.append(f"{name}: exit 1 without the lock message (`{run.first_err[:80]}`)")
        elif run.code == 1 and not run.one_line_error:
            problems.append(f"{name}: {len(run.err_lines)} lines on stderr")
    if all(r.code != 0 for r, args in zip(runs, (first, second), strict=True) if args[0] == "index"):
        problems.append("no `index` completed")
    count, _ = documents(lab.sk, ix, base)
    want = len(article_files(docs))
    if count != want:
        problems.append(f"{count} documents after, not {want}")
    account = " / ".join(f"{r.code if not r.traceback else 'TB'}" for r in runs)
    return problems, account


def row12(lab: Lab) -> list[Case]:
    cases = []
    rng = random.Random(12)
    n = 200
    docs = lab.sample(n)
    rounds = 18 if not lab.quick else 8
    modes = [
        ("two fresh `index` runs started together", ["index", str(docs)], ["index", str(docs)], False, rounds),
        ("existing index: `index` and `index --rebuild`", ["index", str(docs)], ["index", str(docs), "--rebuild"],
         True, 6),
        ("existing index: two `index --rebuild`", ["index", str(docs), "--rebuild"],
         ["index", str(docs), "--rebuild"], True, 6),
        ("fresh `index` and a `search` during it", ["index", str(docs)], ["search", "oil"], False, 6),
    ]
    for label, first, second, prepare, count in modes:
        failures, accounts = [], []
        for r in range(count):
            base = lab.fresh("row12")
            offset = 0.0 if r % 3 == 0 else rng.uniform(0, 0.15)
            problems, account = _pair_round(lab, docs, base, first, second, offset, prepare)
            accounts.append(account)
            if problems:
                failures.append(f"round {r + 1} (offset {offset:.2f} s): {'; '.join(problems)}")
        tally = {a: accounts.count(a) for a in sorted(set(accounts))}
        happened = f"{count} rounds; exits A/B: " + ", ".join(f"{a} ×{k}" for a, k in tally.items())
        cases.append(judge("12", f"{label} ({n} files)", happened,
                           [f"{len(failures)} of {count} rounds: {failures[0]}"] if failures else []))
    return cases


# --------------------------------------------------------------------------- the kill -9 loop


def kill_loop(lab: Lab) -> list[Case]:
    base = lab.fresh("kill-loop")
    start = PARALLEL_FILES if not lab.quick else 400
    source = lab.articles(start + 600, base / "all")
    result = killloop.run(lab.sk, source, base, start=start, rounds=lab.rounds, seed=36, say=log)
    happened = (f"{result.rounds} rounds ({', '.join(f'{k} {v}' for k, v in sorted(result.kinds.items()))}), "
                f"{result.killed_mid} killed mid-run; reopened and converged in {result.converged}; "
                f"quotes match a clean build: {'yes' if result.quotes_match else 'no'}")
    failures = result.failures
    problems = [f"{len(failures)} failures: {'; '.join(failures[:3])}"] if failures else []
    return [judge("kill", f"kill -9 (whole process group) at random moments, {result.rounds} rounds, "
                          f"{result.files} files", happened, problems)]
