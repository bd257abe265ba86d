"""One bench phase for one engine, run in its own process so CPU time and peak RSS are that engine's alone.

    python bench/worker.py JOB.json

The job names the phase (`build`, `update`, `query`), the engine and its inputs; the worker prints one JSON
object on its last stdout line. Timing of the whole process (wall, CPU, RSS) is done by the parent.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import Any

from corpus import Doc, read_doc
from peers import Answer, Spec, make, year_bounds
from queries import text_of


class Searchkit:
    """searchkit's library Searcher behind the same `search(spec)` call as the peers."""

    def __init__(self, index_dir: Path) -> None:
        from searchkit.search import Searcher  # imported here so `open` times opening only

        self.dir = index_dir
        self.searcher_cls = Searcher

    def open(self) -> None:
        self.searcher = self.searcher_cls(self.dir)
        self.searcher.__enter__()

    @staticmethod
    def _bounds(year: int) -> tuple[datetime, datetime]:
        try:
            from searchkit.dates import parse_bound
        except ImportError:
            lo, _hi = year_bounds(year)
            return lo, datetime(year, 12, 31, 23, 59, 59)
        return parse_bound(str(year), end=False), parse_bound(str(year), end=True)

    def search(self, spec: Spec) -> Answer:
        kw: dict[str, Any] = {"limit": 10}
        if spec.get("year"):
            kw["date_from"], kw["date_to"] = self._bounds(int(spec["year"]))
        if spec.get("speaker"):
            kw["speakers"] = [spec["speaker"]]
        res = self.searcher.search(text_of(spec), **kw)
        return res.total, [h.id for h in res.hits], [h.snippet.text for h in res.hits]

    def close(self) -> None:
        self.searcher.__exit__(None, None, None)


def _engine(name: str, index_dir: Path) -> Any:
    return Searchkit(index_dir) if name == "searchkit" else make(name, index_dir)


def _docs(root: Path, rels: list[str]) -> Iterator[Doc]:
    for rel in rels:
        yield read_doc(root / rel, rel)


def do_build(job: dict[str, Any]) -> dict[str, Any]:
    eng = _engine(job["engine"], Path(job["index"]))
    n = eng.build(_docs(Path(job["root"]), job["files"]))
    return {"docs": n}


def do_update(job: dict[str, Any]) -> dict[str, Any]:
    eng = _engine(job["engine"], Path(job["index"]))
    new = list(_docs(Path(job["root"]), job["new"]))
    changed = list(_docs(Path(job["changed_root"]), job["changed"]))
    limit = job.get("limit")
    if limit:  # timed on a sample, extrapolated by the parent
        new, changed = new[: limit // 2], changed[: limit // 2]
    eng.update(new, changed)
    return {"new": len(new), "changed": len(changed)}


def do_query(job: dict[str, Any]) -> dict[str, Any]:
    eng = _engine(job["engine"], Path(job["index"]))
    t0 = time.perf_counter()
    eng.open()
    open_ms = (time.perf_counter() - t0) * 1000
    specs: list[Spec] = job["queries"]
    out: dict[str, Any] = {}
    first_ms: dict[str, float] = {}
    for spec in specs:  # warm-up pass; also the cold-ish first-query time
        t = time.perf_counter()
        eng.search(spec)
        first_ms[spec["id"]] = (time.perf_counter() - t) * 1000
    answers: dict[str, tuple[Answer, float]] = {}
    for spec in specs:  # the timed pass (the bench takes the median over rounds of such processes)
        t = time.perf_counter()
        answer = eng.search(spec)
        answers[spec["id"]] = answer, (time.perf_counter() - t) * 1000
    for spec in specs:
        (total, ids, snippets), ms = answers[spec["id"]]
        out[spec["id"]] = {
            "cls": spec["cls"],
            "ms": ms,
            "first_ms": first_ms[spec["id"]],
            "total": total,
            "ids": ids,
            "snippet0": snippets[0][:200] if snippets else "",
        }
    with suppress(Exception):
        eng.close()
    return {"open_ms": open_ms, "queries": out}


PHASES = {"build": do_build, "update": do_update, "query": do_query}


def main() -> None:
    job = json.loads(Path(sys.argv[1]).read_text())
    result = PHASES[job["phase"]](job)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
