"""The 110 fixed bench queries: generated once, deterministically, from the corpus; saved in `queries.json`.

Classes (count): common term (20), rare term (20), two-term AND (20), phrase (20), term + one-year date
filter (15), term + speaker filter (15). Statistics come from the 10k quick sample (every year covered), so
every query matches documents in quick and full runs alike.

Speaker filter: searchkit's speaker field holds quoted people, so the class uses names of frequently quoted
people (seen as `<Name> said` / `said <Name>` in the corpus). The peers have no such field; for them the filter
is the same name as a phrase in the body (`body:"ben bernanke"`), which is the closest equivalent they can
answer. (Filtering peers on the `-- By` author would be a different question with different selectivity.)

Each filtered query also has an unfiltered twin (same words, no filter), timed but not counted among the 110,
for the "filtered no slower than unfiltered" target.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from corpus import BENCH_DIR, evenly, read_doc, select

QUERIES_FILE = BENCH_DIR / "queries.json"
CLASSES = ("common", "rare", "and", "phrase", "date", "speaker")
COUNTS = {"common": 20, "rare": 20, "and": 20, "phrase": 20, "date": 15, "speaker": 15}
YEARS = tuple(range(2007, 2014))

_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NAME_SAID = re.compile(r"\b([A-Z][a-z]+ [A-Z][a-z]+) said\b|\bsaid ([A-Z][a-z]+ [A-Z][a-z]+)\b")
_NOT_NAMES = _words(
    """
the a an in on at of for he she it they we this that reuters chief executive president minister spokesman
spokeswoman analyst official officials secretary director chairman governor prime senior new wall street
united states white house fed federal reserve european union north south east west treasury department bank
central middle morgan stanley goldman sachs hong kong association suisse management fund times commission
group inc corp board office ministry service journal research capital securities partners agency institute
council post news international national financial economic street exchange market markets trade business
energy oil company general motors american stifel nicolaus mac mae fitch ratings wells fargo claude lehman
brothers merrill lynch bear stearns edward best
"""
)
# Union of common English stop lists (Whoosh's, searchkit's): query words avoid them so every engine sees
# every word.
STOP = _words(
    """
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers herself him himself his how i if in into is it its itself just may me more most my myself no nor not now
of off on once only or other our ours ourselves out over own same she should so some such than that the their
theirs them themselves then there these they this those through to too under until up us very was we were what
when where which while who whom why will with would yet you your yours yourself yourselves said says say one
two new reuters year years editing reporting writing don isn didn doesn won wasn aren couldn wouldn hasn haven
"""
)


def _doc_words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _ok(word: str) -> bool:
    return len(word) >= 3 and word.isalpha() and word not in STOP


class _Stats:
    """Document frequencies of words, word pairs and phrases over a sample of documents."""

    def __init__(self, texts: list[str]) -> None:
        self.df: Counter[str] = Counter()
        self.phrase_df: Counter[str] = Counter()
        self.names: Counter[str] = Counter()
        self.doc_words: list[set[str]] = []
        self.texts = texts
        for text in texts:
            words = _doc_words(text)
            uniq = set(words)
            self.doc_words.append(uniq)
            self.df.update(uniq)
            grams = {f"{a} {b}" for a, b in itertools.pairwise(words) if _ok(a) and _ok(b)}
            grams |= {
                f"{a} {b} {c}"
                for a, b, c in zip(words, words[1:], words[2:], strict=False)
                if _ok(a) and _ok(b) and _ok(c)
            }
            self.phrase_df.update(grams)
            for m in _NAME_SAID.finditer(text):
                name = m.group(1) or m.group(2)
                if not any(part.lower() in _NOT_NAMES for part in name.split()):
                    self.names[name] += 1

    def ranked(self, lo: int, hi: int) -> list[str]:
        """Words with `lo <= df <= hi`, most frequent first (ties alphabetical)."""
        words = [w for w, c in self.df.items() if lo <= c <= hi and _ok(w)]
        return sorted(words, key=lambda w: (-self.df[w], w))


def _pick(items: list[str], k: int, used: set[str]) -> list[str]:
    chosen = [x for x in evenly([x for x in items if x not in used], k)]
    used.update(chosen)
    return chosen


def _and_pairs(st: _Stats, k: int, used: set[str]) -> list[list[str]]:
    """Each of `k` mid-frequency words paired with the mid-frequency word it co-occurs with most."""
    mid_set = set(st.ranked(150, 1500))
    firsts = _pick(sorted(mid_set, key=lambda w: (-st.df[w], w)), k, used)
    pairs: list[list[str]] = []
    for a in firsts:
        co: Counter[str] = Counter()
        for ws in st.doc_words:
            if a in ws:
                co.update(w for w in ws if w in mid_set and w != a and w not in used)
        b = sorted(co, key=lambda w: (-co[w], w))[0]
        used.add(b)
        pairs.append([a, b])
    return pairs


def _phrases(st: _Stats, k: int) -> list[str]:
    cands = sorted((p for p, c in st.phrase_df.items() if c >= 5), key=lambda p: (-st.phrase_df[p], p))
    twos = [p for p in cands if p.count(" ") == 1]
    threes = [p for p in cands if p.count(" ") == 2]
    return evenly(twos[:2000], k - k // 4) + evenly(threes[:500], k // 4)


def _speaker_queries(st: _Stats, k: int) -> list[dict[str, Any]]:
    names = [n for n, c in st.names.most_common() if c >= 10][:k]
    out: list[dict[str, Any]] = []
    for name in names:
        parts = set(name.lower().split())
        docs = [ws for ws, text in zip(st.doc_words, st.texts, strict=True) if name in text]
        co: Counter[str] = Counter()
        for ws in docs:
            co.update(w for w in ws if _ok(w) and w not in parts and 50 <= st.df[w] <= 2000)
        term = sorted(co, key=lambda w: (-co[w], w))[0]
        out.append({"terms": [term], "speaker": name})
    return out


def generate(n_sample: int = 10_000) -> dict[str, Any]:
    """Build the query set from the first `n_sample` base documents of the deterministic selection."""
    sel = select(n_sample)
    texts = [read_doc(sel.root / rel, rel) for rel in sel.base]
    st = _Stats([f"{d.title}\n{d.body}" for d in texts])
    used: set[str] = set()
    specs: dict[str, list[dict[str, Any]]] = {
        "common": [{"terms": [w]} for w in _pick(st.ranked(1500, 10**9)[:200], COUNTS["common"], used)],
        "rare": [{"terms": [w]} for w in _pick(st.ranked(2, 4), COUNTS["rare"], used)],
        "and": [{"terms": p} for p in _and_pairs(st, COUNTS["and"], used)],
        "phrase": [{"phrase": p} for p in _phrases(st, COUNTS["phrase"])],
        "date": [
            {"terms": [w], "year": YEARS[i % len(YEARS)]}
            for i, w in enumerate(_pick(st.ranked(300, 3000), COUNTS["date"], used))
        ],
        "speaker": _speaker_queries(st, COUNTS["speaker"]),
    }
    queries = []
    for cls in CLASSES:
        for i, spec in enumerate(specs[cls], 1):
            queries.append({"id": f"{cls}-{i:02d}", "cls": cls, **spec})
    return {"version": 1, "sample_docs": n_sample, "queries": queries}


def text_of(q: dict[str, Any]) -> str:
    """The user's query string for searchkit (filters are passed separately)."""
    parts = list(q.get("terms", []))
    if q.get("phrase"):
        parts.append(f'"{q["phrase"]}"')
    return " ".join(parts)


def with_baselines(queries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The queries plus an unfiltered twin (class `<cls>-base`) for each date/speaker query."""
    out = list(queries)
    for q in queries:
        if q["cls"] in ("date", "speaker"):
            out.append({"id": q["id"] + "-base", "cls": q["cls"] + "-base", "terms": q["terms"]})
    return out


def load(path: Path = QUERIES_FILE, regenerate: bool = False) -> list[dict[str, Any]]:
    """The fixed queries (generating and saving them first if the file is missing or asked for)."""
    if regenerate or not path.exists():
        data = generate()
        path.write_text(json.dumps(data, indent=1) + "\n")
    return list(json.loads(path.read_text())["queries"])


if __name__ == "__main__":
    qs = load(regenerate=True)
    for q in qs:
        print(q["id"], text_of(q), q.get("year", ""), q.get("speaker", ""))
