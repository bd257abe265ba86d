"""Grid BM25 / BM25F settings over the relevance collections, in-process, without snippets.

    /work/.venv/bin/python bench/relevance/tune.py [--grid small|full] [--only cran,med] [--json OUT]

Builds one searchkit index per collection (cached under /tmp/searchkit-relevance/NAME), compiles every
query as `searchkit search --match any` would, runs it on a Whoosh searcher opened with each weighting,
and scores the top 100 with /work/shared/eval/relevance.py's `evaluate`. Prints, per setting, nDCG@10 per
collection and the mean and minimum margin over the better reference run.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import sys
import time
from pathlib import Path
from typing import Any

from whoosh import query as wq
from whoosh import scoring

from searchkit import querylang
from searchkit.engine import index, query, ranking
from searchkit.indexer import index_paths

IR = Path("/work/shared/ir")
CACHE = Path("/tmp/searchkit-relevance")
NAMES = ("cran", "cisi", "med", "cacm", "npl")
# nDCG@10 of the reference runs (tantivy, bm25s), relevance.py on 2 cores
REFS = {
    "cran": (0.3808, 0.3997),
    "cisi": (0.3067, 0.3858),
    "med": (0.6945, 0.6957),
    "cacm": (0.4451, 0.4935),
    "npl": (0.437, 0.428),
}

_spec = importlib.util.spec_from_file_location("relevance", "/work/shared/eval/relevance.py")
rel = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(rel)  # type: ignore[union-attr]


def build(name: str) -> Path:
    out = CACHE / name
    if not index.exists(out):
        out.mkdir(parents=True, exist_ok=True)
        index_paths([IR / name / "docs.jsonl"], out, rebuild=True, workers=1)
    return out


class Coll:
    def __init__(self, name: str) -> None:
        self.name = name
        self.ix = index.open_index(build(name))
        self.qrels = rel.load_qrels(IR / name / "qrels.txt")
        self.queries = rel.load_queries(IR / name / "queries.tsv")
        with self.ix.searcher() as s:
            self.ids = {d: s.stored_fields(d)["id"] for d in s.reader().all_doc_ids()}

    def compiled(self, title_boost: float, dedup: bool) -> list[tuple[str, Any]]:
        ranking.TITLE_BOOST = title_boost
        out = []
        for qid, text in self.queries:
            q = query.compile_query(querylang.parse(text).tree, match_all=False).query
            if dedup and q is not None:
                q = _dedup(q)
            out.append((qid, q))
        return out

    def evaluate(self, weighting: Any, compiled: list[tuple[str, Any]]) -> dict[str, float]:
        run: dict[str, list[str]] = {}
        with self.ix.searcher(weighting=weighting) as s:
            for qid, q in compiled:
                if q is None:
                    run[qid] = []
                    continue
                res = s.search(q, limit=100, optimize=False)
                run[qid] = [self.ids[res.docnum(i)] for i in range(res.scored_length())]
        return rel.evaluate(run, self.qrels)


def _dedup(q: Any) -> Any:
    """Drop repeated clauses of the top-level Or (a word typed twice)."""
    if isinstance(q, wq.Or):
        seen: list[Any] = []
        for sub in q.subqueries:
            if sub not in seen:
                seen.append(sub)
        return wq.Or(seen) if len(seen) > 1 else seen[0]
    return q


def model(kind: str, k1: float, b: float, tw: float) -> tuple[Any, float]:
    """(weighting, query-time title boost) for a setting kind."""
    if kind == "whoosh-sum":  # Whoosh's BM25F: per-field BM25 summed, Whoosh IDF, title boost on the query
        return scoring.BM25F(B=b, K1=k1), tw
    if kind == "sum":  # per-field BM25 summed, Robertson IDF per field, title boost on the query
        return ranking.BM25F(K1=k1, B=b, groups=()), tw
    if kind == "bm25f":  # true BM25F, title weight on tf
        return ranking.BM25F(K1=k1, B=b, weights={"title": tw, "title_exact": tw}), 1.0
    raise ValueError(kind)


def grids(which: str) -> list[tuple[str, float, float, float]]:
    if which == "small":
        return [(k, 1.2, 0.75, tw) for k in ("whoosh-sum", "sum", "bm25f") for tw in (1.0, 2.0)]
    kinds = ("whoosh-sum", "sum", "bm25f")
    return list(itertools.product(kinds, (0.9, 1.2, 1.5, 2.0), (0.5, 0.75, 0.9), (1.0, 1.5, 2.0, 3.0)))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--grid", default="small")
    ap.add_argument("--only", default=",".join(NAMES))
    ap.add_argument("--dedup", choices=("no", "yes", "both"), default="no")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--setting", action="append", help="kind,k1,b,tw (repeatable)")
    a = ap.parse_args()
    names = a.only.split(",")
    t0 = time.time()
    colls = [Coll(n) for n in names]
    print(f"# indexes ready in {time.time() - t0:.1f}s", file=sys.stderr)
    settings = grids(a.grid)
    if a.setting:
        settings = []
        for one in a.setting:
            k, k1, b, tw = one.split(",")
            settings.append((k, float(k1), float(b), float(tw)))
    dedups = {"no": (False,), "yes": (True,), "both": (False, True)}[a.dedup]
    rows = []
    cache: dict[tuple, list] = {}
    hdr = f"{'kind':10} {'K1':>4} {'B':>4} {'TW':>4} {'dd':>2} " + " ".join(f"{n:>6}" for n in names)
    print(hdr + "   mean+  min+")
    for (kind, k1, b, tw), dd in itertools.product(settings, dedups):
        w, boost = model(kind, k1, b, tw)
        scores = {}
        maps = {}
        for c in colls:
            key = (c.name, boost, dd)
            if key not in cache:
                cache[key] = c.compiled(boost, dd)
            r = c.evaluate(w, cache[key])
            scores[c.name] = r["ndcg@10"]
            maps[c.name] = r["map"]
        margins = [scores[n] - max(REFS[n]) for n in names]
        row = {
            "kind": kind,
            "k1": k1,
            "b": b,
            "tw": tw,
            "dedup": dd,
            "ndcg": scores,
            "map": maps,
            "mean_margin": round(sum(margins) / len(margins), 4),
            "min_margin": round(min(margins), 4),
        }
        rows.append(row)
        print(
            f"{kind:10} {k1:4} {b:4} {tw:4} {int(dd):2} "
            + " ".join(f"{scores[n]:6.4f}" for n in names)
            + f" {row['mean_margin']:+.4f} {row['min_margin']:+.4f}",
            flush=True,
        )
        if a.json:
            a.json.write_text(json.dumps(rows, indent=1))
    print(f"# {time.time() - t0:.0f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
