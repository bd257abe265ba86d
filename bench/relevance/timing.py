"""Query time of a weighting on one collection, as query.run searches (block-skipping, top 100)."""
import sys
import time

sys.path.insert(0, "bench/relevance")
import tune
from whoosh import scoring

from searchkit.engine import ranking

name = sys.argv[1] if len(sys.argv) > 1 else "cran"
c = tune.Coll(name)
for label, w, boost in (("whoosh BM25F(1.2,.75), title boost 2", scoring.BM25F(B=0.75, K1=1.2), 2.0),
                        ("ranking.weighting()", ranking.weighting(), ranking.TITLE_BOOST)):
    qs = [q for _, q in c.compiled(boost, False) if q is not None]
    with c.ix.searcher(weighting=w) as s:
        t0 = time.perf_counter()
        for q in qs:
            s.search(q, limit=100)
        dt = time.perf_counter() - t0
    print(f"{name}: {label}: {1000 * dt / len(qs):.1f} ms/query")
