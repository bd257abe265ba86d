"""Block-skipping top-N (optimize=True, as query.run searches) must return what full scoring returns."""
import sys

sys.path.insert(0, "bench/relevance")
import tune

from searchkit.engine import ranking

for name in sys.argv[1:] or ["cran"]:
    c = tune.Coll(name)
    qs = c.compiled(ranking.TITLE_BOOST, False)
    w = ranking.weighting()
    diff = 0
    with c.ix.searcher(weighting=w) as s:
        for _qid, q in qs:
            if q is None:
                continue
            a = s.search(q, limit=10, optimize=False)
            b = s.search(q, limit=10)
            ra = [(round(a.score(i), 9), a.docnum(i)) for i in range(a.scored_length())]
            rb = [(round(b.score(i), 9), b.docnum(i)) for i in range(b.scored_length())]
            diff += [x for x, _ in ra] != [x for x, _ in rb]
    print(name, "queries whose top-10 scores differ:", diff, "of", len(qs))
