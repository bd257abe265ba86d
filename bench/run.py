"""searchkit bench: searchkit and its peers on the same Reuters documents and queries, in one run.

    nice -n 10 python bench/run.py [--quick] [--docs N] [--engines searchkit,tantivy,fts5,whoosh-naive]
                                   [--out bench/results/NAME.json] [--compare OLD.json]

See bench/README.md for what is measured and what each column means.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import corpus
import measure
import queries as qmod
import report

PY = sys.executable
BENCH = corpus.BENCH_DIR
ALL_ENGINES = ("searchkit", "tantivy", "fts5", "whoosh-naive")
ONESHOT_QUERY = "oil prices"


def searchkit_cmd() -> list[str]:
    exe = Path(PY).parent / "searchkit"
    return [str(exe)] if exe.exists() else [PY, "-m", "searchkit"]


def searchkit_missing() -> str | None:
    """Why searchkit can't be benched (None when it can)."""
    probe = "import searchkit.cli, searchkit.indexer, searchkit.search"
    res = subprocess.run([PY, "-c", probe], capture_output=True, text=True)
    if res.returncode:
        return (res.stderr.strip().splitlines() or ["import failed"])[-1]
    return None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


class Run:
    """Inputs shared by every engine in one bench run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        n_docs = 10_000 if args.quick else args.docs
        self.sel = corpus.select(n_docs)
        self.queries = qmod.load(regenerate=args.regen_queries)
        self.timed_queries = qmod.with_baselines(self.queries)
        self.dir = corpus.CACHE_DIR / "runs" / (f"{len(self.sel.base)}docs")
        self.changed_root = self.dir / "changed"
        self.jobs = self.dir / "jobs"

    def prepare(self) -> None:
        log(f"preparing {len(self.sel.base)} base docs, {len(self.sel.new)} new, {len(self.sel.changed)} changed")
        self.jobs.mkdir(parents=True, exist_ok=True)
        corpus.write_changed(self.sel, self.changed_root)
        for rel in [*self.sel.base, *self.sel.new]:  # warm the page cache so no engine pays cold reads
            (self.sel.root / rel).read_bytes()

    def index_dir(self, engine: str) -> Path:
        return self.dir / engine / "index"

    def worker(self, job: dict[str, Any]) -> tuple[measure.ProcStats, dict[str, Any]]:
        path = self.jobs / f"{job['engine']}-{job['phase']}.json"
        path.write_text(json.dumps(job))
        st = measure.run([PY, str(BENCH / "worker.py"), str(path)])
        if st.returncode:
            raise RuntimeError(f"{job['engine']} {job['phase']} failed:\n{st.stderr[-3000:]}")
        return st, json.loads(st.stdout.strip().splitlines()[-1])


def _build_metrics(st: measure.ProcStats, docs: int, index: Path) -> dict[str, Any]:
    return {
        "docs": docs,
        "build_wall_s": st.wall_s,
        "build_cpu_s": st.cpu_s,
        "docs_per_s": docs / st.wall_s,
        "cpu_ms_per_doc": st.cpu_s * 1000 / docs,
        "index_mb": measure.du_mb(str(index)),
        "build_peak_mb": st.peak_mb,
        "build_proc": st.summary(),
    }


def _fail(skipped: dict[str, str], engine: str, exc: Exception, what: str = "") -> None:
    """Record why an engine (or one of its stages, `what`) failed, and say so."""
    skipped[engine + what] = str(exc)[-1500:]
    log(f"{engine}{what} failed: {exc}")


def _query_round(run: Run, engine: str) -> tuple[measure.ProcStats, dict[str, Any]]:
    """One query process: a warm-up pass over the queries, then one timed pass."""
    job = {"phase": "query", "engine": engine, "index": str(run.index_dir(engine)), "queries": run.timed_queries}
    return run.worker(job)


def query_metrics(run: Run, engines: list[str], skipped: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Query times of every engine, taken in `--reps` rounds with the engines taking turns in each (a query's
    time is the median of its rounds): a stretch where the machine is slower (it happens, for minutes) then
    costs every engine alike instead of whichever engine was measured during it."""
    rounds: dict[str, list[tuple[measure.ProcStats, dict[str, Any]]]] = {e: [] for e in engines}
    for number in range(run.args.reps):
        for engine in measure.turns([e for e in engines if e not in skipped], number):
            log(f"{engine}: queries, round {number + 1} of {run.args.reps}")
            try:
                rounds[engine].append(_query_round(run, engine))
            except RuntimeError as exc:
                _fail(skipped, engine, exc)
    return {engine: _merge_rounds(done) for engine, done in rounds.items() if engine not in skipped}


def _merge_rounds(done: list[tuple[measure.ProcStats, dict[str, Any]]]) -> dict[str, Any]:
    """One engine's rounds as one set of query metrics: the last round's answers, each query's median time,
    and the queries whose answer (total or top ids) was not the same in every round."""
    last = done[-1][1]["queries"]
    queries, changed = {}, []
    for qid, answer in last.items():
        rounds = [res["queries"][qid] for _st, res in done]
        if any((r["total"], r["ids"]) != (answer["total"], answer["ids"]) for r in rounds):
            changed.append(qid)
        times = [r["ms"] for r in rounds]
        queries[qid] = answer | {"ms": statistics.median(times), "rounds_ms": times, "first_ms": rounds[0]["first_ms"]}
    return {
        "open_ms": statistics.median(res["open_ms"] for _st, res in done),
        "query_peak_mb": max(st.peak_mb for st, _res in done),
        "queries": queries,
        "answers_changed_between_rounds": changed,
        "query_procs": [st.summary() for st, _res in done],
    }


def _oneshot_cmd(engine: str, index: Path) -> list[str]:
    if engine == "searchkit":
        return [*searchkit_cmd(), "search", ONESHOT_QUERY, "--index", str(index)]
    return [PY, str(BENCH / "oneshot.py"), engine, str(index), *ONESHOT_QUERY.split()]


def oneshot_metrics(run: Run, engines: list[str]) -> dict[str, dict[str, Any]]:
    """Median wall of the one-shot search as installed, 5 runs an engine, the engines interleaved (as the
    query rounds). Python's bytecode cache is written by the unmeasured warm-up run and read by the timed
    ones, as on a user's machine (pip compiles on install): a `PYTHONDONTWRITEBYTECODE` in the bench's
    environment would otherwise make every run recompile the modules that have no cached bytecode yet
    (searchkit's, in an editable install)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cmds = {engine: _oneshot_cmd(engine, run.index_dir(engine)) for engine in engines}
    log(f"one-shot: {', '.join(engines)}, interleaved")
    return {engine: summary | {"bytecode_cache": True}
            for engine, summary in measure.interleaved_runs(cmds, 5, env=env).items()}


def build_peer(run: Run, engine: str) -> dict[str, Any]:
    index = run.index_dir(engine)
    shutil.rmtree(index.parent, ignore_errors=True)
    log(f"{engine}: build")
    job = {"phase": "build", "engine": engine, "index": str(index), "root": str(run.sel.root), "files": run.sel.base}
    st, res = run.worker(job)
    return _build_metrics(st, res["docs"], index)


def update_peer(run: Run, engine: str) -> dict[str, Any]:
    limit = run.args.whoosh_update_sample if engine == "whoosh-naive" else 0
    log(f"{engine}: update" + (f" (sample of {limit})" if limit else ""))
    job = {
        "phase": "update",
        "engine": engine,
        "index": str(run.index_dir(engine)),
        "root": str(run.sel.root),
        "new": run.sel.new,
        "changed_root": str(run.changed_root),
        "changed": run.sel.changed,
        "limit": limit,
    }
    st, res = run.worker(job)
    done = res["new"] + res["changed"]
    full = len(run.sel.new) + len(run.sel.changed)
    return {
        "update_s": st.wall_s * full / done,
        "update_extrapolated_from": done if done < full else None,
        "update_peak_mb": st.peak_mb,
        "update_proc": st.summary(),
    }


def _sk_index(docs: Path, index: Path) -> tuple[measure.ProcStats, dict[str, Any]]:
    st = measure.run([*searchkit_cmd(), "index", str(docs), "--index", str(index), "--json"])
    if st.returncode not in (0, 1):
        raise RuntimeError(f"searchkit index failed ({st.returncode}):\n{st.stderr[-3000:]}")
    try:
        summary = json.loads(st.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        summary = {"unparsed_stdout": st.stdout[-2000:]}
    if isinstance(summary.get("failed"), list):
        summary["failed_count"] = len(summary["failed"])
        summary["failed"] = summary["failed"][:20]
    return st, summary


def _sk_docs(run: Run) -> Path:
    return run.dir / "searchkit" / "docs"


def build_searchkit(run: Run) -> dict[str, Any]:
    index = run.index_dir("searchkit")
    shutil.rmtree(index.parent, ignore_errors=True)
    log("searchkit: linking the working folder")
    corpus.link_tree(run.sel.root, run.sel.base, _sk_docs(run))
    log("searchkit: build")
    st, summary = _sk_index(_sk_docs(run), index)
    return _build_metrics(st, len(run.sel.base), index) | {"build_summary": summary}


def update_searchkit(run: Run) -> dict[str, Any]:
    docs, index = _sk_docs(run), run.index_dir("searchkit")
    log("searchkit: update")
    corpus.apply_delta(run.sel, run.changed_root, docs)
    st, summary = _sk_index(docs, index)
    m = {
        "update_s": st.wall_s,
        "update_peak_mb": st.peak_mb,
        "update_summary": summary,
        "update_proc": st.summary(),
        "update_extrapolated_from": None,
    }
    log("searchkit: no-change re-run")
    st, summary = _sk_index(docs, index)
    return m | {"nochange_s": st.wall_s, "nochange_summary": summary, "nochange_proc": st.summary()}


def bench(run: Run, engines: list[str], skipped: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Every engine's build, then the query rounds and the one-shot runs with the engines interleaved, then
    every engine's update (which changes its index, so it comes last)."""
    results: dict[str, dict[str, Any]] = {}
    for engine in engines:
        try:
            results[engine] = build_searchkit(run) if engine == "searchkit" else build_peer(run, engine)
        except RuntimeError as exc:
            _fail(skipped, engine, exc)
    for engine, m in query_metrics(run, list(results), skipped).items():
        results[engine] |= m
    for engine in [e for e in results if e in skipped]:  # no query figures: not an engine of this run's table
        results.pop(engine)
    for engine, m in oneshot_metrics(run, list(results)).items():
        results[engine]["oneshot"] = m
    for engine, m in results.items():
        try:  # a failed update leaves the engine's other rows: they were measured before it
            m |= update_searchkit(run) if engine == "searchkit" else update_peer(run, engine)
        except RuntimeError as exc:
            _fail(skipped, engine, exc, " update")
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="10,000 documents (a few minutes)")
    ap.add_argument("--docs", type=int, default=None, help="number of base documents (default: all)")
    ap.add_argument("--engines", default=",".join(ALL_ENGINES), help="comma-separated engine names")
    ap.add_argument("--out", type=Path, default=None, help="JSON output (default bench/results/<stamp>.json)")
    ap.add_argument("--compare", type=Path, default=None, help="earlier JSON to diff results against")
    ap.add_argument("--reps", type=int, default=3, help="timed rounds over the queries, engines in turn")
    ap.add_argument(
        "--whoosh-update-sample",
        type=int,
        default=200,
        help="naive Whoosh update: time this many of the 2,000 and extrapolate (0: all)",
    )
    ap.add_argument("--regen-queries", action="store_true", help="regenerate bench/queries.json")
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(engines) - set(ALL_ENGINES)
    if unknown:
        sys.exit(f"unknown engine(s): {', '.join(sorted(unknown))}")
    skipped: dict[str, str] = {}
    if "searchkit" in engines and (why := searchkit_missing()):
        skipped["searchkit"] = why
        engines.remove("searchkit")
        log(f"searchkit skipped: not importable ({why})")
    load_start = measure.load()
    run = Run(args)
    run.prepare()
    results = bench(run, engines, skipped)
    data = report.assemble(run, results, skipped, load_start, measure.load())
    out = args.out or BENCH / "results" / f"{time.strftime('%Y%m%d-%H%M%S')}-{len(run.sel.base)}docs.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=1, default=str) + "\n")
    report.print_table(data)
    print(f"\nJSON: {out}")
    if args.compare:
        report.print_compare(json.loads(args.compare.read_text()), data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
