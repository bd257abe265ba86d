"""Replay the bench's update step on a saved index, for source trees taking turns (issue #18: update <= 5 s).

    nice -n 10 python bench/update_trial.py snapshot [--docs N] [--tree SRC]
    nice -n 10 python bench/update_trial.py run OLD_SRC NEW_SRC [--pairs 3] [--fingerprint DIR]

The bench's update step (`run.py`) changes its index for good, and a full bench takes ten minutes and more
before it gets there. `snapshot` puts the run folder of `bench/run.py [--docs N] --engines searchkit` back in
its pre-update state (the new files unlinked, the changed ones linked to their originals again) and brings
the index along with `searchkit index` from the source tree SRC (default: this checkout), then saves a copy of
the index beside it. That index holds the base documents, as after the build, with the extra segments (and
deletions) of the update it took back: an update replayed on it does the bench's work, but for its deletes,
which look in those segments too.

`run` then restores that copy for each run, applies the bench's delta (`corpus.apply_delta`) and times
`searchkit index DOCS --index IDX --json` with `PYTHONPATH` set to each source tree in turn (old, new, old,
new, ...: the machine's slow stretches fall on both). It prints each run's wall and CPU (user+sys of the
process tree) and the medians. `--fingerprint DIR` also writes, per tree, the side tables' rows after the
update (copies, speakers, manifest: by article id and path, sorted and hashed per table, `VIEWS`) and the
answers to the bench's queries, and says whether the trees agree.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

import corpus
import measure
import queries as qmod

PY = sys.executable
BENCH = corpus.BENCH_DIR
SAVED = "index-before-update"  # the copy `snapshot` keeps beside the run's index


def _paths(sel: corpus.Selection) -> tuple[Path, Path, Path]:
    """The run folder's docs, index and changed files (as `run.py` lays them out)."""
    run_dir = corpus.CACHE_DIR / "runs" / f"{len(sel.base)}docs"
    return run_dir / "searchkit" / "docs", run_dir / "searchkit" / "index", run_dir / "changed"


def _index_cmd(docs: Path, index: Path) -> list[str]:
    return [PY, "-m", "searchkit", "index", str(docs), "--index", str(index), "--json"]


def _env(tree: Path) -> dict[str, str]:
    return os.environ | {"PYTHONPATH": str(tree)}


def revert(sel: corpus.Selection, docs: Path) -> None:
    """Undo `corpus.apply_delta`: unlink the new files, link the changed ones to their originals again (by
    rename, as the bench replaces them)."""
    for rel in sel.new:
        (docs / rel).unlink(missing_ok=True)
    for rel in sel.changed:
        dst = docs / rel
        if dst.exists() and os.path.samefile(dst, sel.root / rel):
            continue
        tmp = dst.with_name(dst.name + ".bench-tmp")
        tmp.unlink(missing_ok=True)
        os.link(sel.root / rel, tmp)
        os.replace(tmp, dst)


def snapshot(sel: corpus.Selection, tree: Path) -> None:
    docs, index, _changed = _paths(sel)
    if not index.is_dir():
        sys.exit(f"no bench index at {index}: run `bench/run.py --engines searchkit` (with the same --docs) first")
    revert(sel, docs)
    done = subprocess.run(_index_cmd(docs, index), env=_env(tree), capture_output=True, text=True)
    if done.returncode not in (0, 1):
        sys.exit(f"searchkit index failed:\n{done.stderr[-3000:]}")
    saved = index.parent / SAVED
    shutil.rmtree(saved, ignore_errors=True)
    shutil.copytree(index, saved, symlinks=True)
    print(f"saved {saved}: {done.stdout.strip().splitlines()[-1][:200]}")


def _restore(sel: corpus.Selection) -> tuple[Path, Path]:
    """The run folder as the bench's update step finds it, plus the delta: the index copied back."""
    docs, index, changed = _paths(sel)
    saved = index.parent / SAVED
    if not saved.is_dir():
        sys.exit(f"no saved index at {saved}: run `update_trial.py snapshot` first")
    revert(sel, docs)
    shutil.rmtree(index, ignore_errors=True)
    shutil.copytree(saved, index, symlinks=True)
    corpus.apply_delta(sel, changed, docs)
    for rel in [*sel.new, *sel.changed]:  # in the page cache, as the bench has them
        (docs / rel).read_bytes()
    return docs, index


VIEWS = {
    "copies.sqlite": {
        "articles": "SELECT a.id, s.path, a.tail, a.date, a.sig FROM articles a JOIN stems s ON s.n = a.stem",
        "groups": "SELECT a.id, r.id FROM groups g JOIN articles a ON a.n = g.n JOIN articles r ON r.n = g.grp",
    },
    "speakers.sqlite": {
        "articles": "SELECT a.id, s.path, a.tail FROM articles a JOIN stems s ON s.n = a.stem",
        "mentions": "SELECT a.id, m.name, m.role, m.day FROM mentions m JOIN articles a ON a.n = m.art",
        "companies": "SELECT a.id, c.name FROM companies c JOIN articles a ON a.n = c.art",
        "aliases": "SELECT alias, canonical FROM aliases",
    },
    "manifest.sqlite": {"files": "SELECT key, size, digest, docs FROM files"},
}
"""The side tables' rows as an update must leave them, by article id and path: their numbers (and the band
index keyed by them, the copies' version stamp, the files' mtimes) differ between any two runs."""


def fingerprint(tree: Path, index: Path) -> dict[str, Any]:
    """The side tables' rows (`VIEWS`, sorted and hashed) and the bench queries' answers after an update."""
    out: dict[str, Any] = {}
    for name, views in VIEWS.items():
        db = sqlite3.connect(f"file:{index / name}?mode=ro", uri=True)
        try:
            for view, sql in views.items():
                rows = sorted(repr(row) for row in db.execute(sql))
                out[f"{name}:{view}"] = [len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()]
        finally:
            db.close()
    job = {"phase": "query", "engine": "searchkit", "index": str(index), "queries": qmod.with_baselines(qmod.load())}
    job_path = index.parent / "update-trial-query.json"
    job_path.write_text(json.dumps(job))
    done = subprocess.run([PY, str(BENCH / "worker.py"), str(job_path)], env=_env(tree), capture_output=True,
                          text=True, check=True)
    answers = json.loads(done.stdout.strip().splitlines()[-1])["queries"]
    out["queries"] = {qid: [a["total"], a["ids"], a["snippet0"]] for qid, a in sorted(answers.items())}
    return out


def trial(sel: corpus.Selection, trees: list[Path], pairs: int, prints: Path | None) -> None:
    runs: dict[str, list[measure.ProcStats]] = {str(t): [] for t in trees}
    seen: dict[str, dict[str, Any]] = {}
    for number in range(pairs):
        for tree in trees:
            docs, index = _restore(sel)
            st = measure.run(_index_cmd(docs, index), env=_env(tree), sample=False)
            if st.returncode not in (0, 1):
                sys.exit(f"searchkit index failed ({tree}):\n{st.stderr[-3000:]}")
            summary = json.loads(st.stdout.strip().splitlines()[-1])
            runs[str(tree)].append(st)
            print(f"{number + 1} {tree}: wall {st.wall_s:.2f} s, cpu {st.cpu_s:.2f} s, load "
                  f"{measure.load()['load1']:.1f}; added {summary['added']}, updated {summary['updated']}, "
                  f"removed {summary['removed']}", flush=True)
            if prints is not None and str(tree) not in seen:
                seen[str(tree)] = fingerprint(tree, index)
    for tree, done in runs.items():
        print(f"{tree}: median wall {statistics.median(s.wall_s for s in done):.2f} s, "
              f"median cpu {statistics.median(s.cpu_s for s in done):.2f} s ({len(done)} runs)")
    if prints is not None:
        prints.mkdir(parents=True, exist_ok=True)
        for number, (tree, found) in enumerate(seen.items()):
            (prints / f"tree{number}.json").write_text(json.dumps({"tree": tree} | found, indent=1))
        first, *others = seen.values()
        differ = sorted({key for other in others for key in first.keys() | other.keys()
                         if first.get(key) != other.get(key)})
        print("side tables and answers identical" if not differ else f"DIFFER: {', '.join(differ)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("action", choices=("snapshot", "run"))
    ap.add_argument("trees", nargs="*", type=Path, help="source trees to run (each holds a `searchkit` package)")
    ap.add_argument("--docs", type=int, default=None, help="base documents of the bench run (default: all)")
    ap.add_argument("--tree", type=Path, default=BENCH.parent, help="snapshot: the source tree that reverts")
    ap.add_argument("--pairs", type=int, default=3, help="runs per tree, the trees taking turns")
    ap.add_argument("--fingerprint", type=Path, default=None, help="folder for each tree's side tables and answers")
    args = ap.parse_args()
    sel = corpus.select(args.docs)
    if args.action == "snapshot":
        snapshot(sel, args.tree.resolve())
    elif not args.trees:
        ap.error("run: name the source trees")
    else:
        trial(sel, [t.resolve() for t in args.trees], args.pairs, args.fingerprint)


if __name__ == "__main__":
    main()
