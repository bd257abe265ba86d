"""Similar articles ("more like this"): the articles that share an article's most distinctive words.

An article's distinctive words are its title and body words weighted by `(1 + ln tf) × ln(N / df)`; the
`TERMS` best (see `distinctive_words` for which words may be chosen) become an any-word query, ranked by
BM25F through the engine's bulk scorer like any search. The article itself and its wire copies (`copies`)
are left out, and the hits are folded to one per story.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from searchkit import analysis
from searchkit.copies import CopyStore
from searchkit.engine.api import Reader
from searchkit.querylang import Group, Word
from searchkit.results import StoredDoc

TERMS = 15
MAX_SHARE = 0.03
"""Words in more than 3% of the articles are left out: they say little about the story, and their long
posting lists are most of a query's cost (at 106k Reuters articles: median 150 ms with 20 words in up to
half the articles, 21 ms with 15 words in up to 3%; the bound is 50 ms). Small collections keep them:
lists under `SHORT_LIST` documents cost nothing to score."""
SHORT_LIST = 1_000
MIN_TF = 2
MIN_DF = 5


@dataclass(frozen=True, slots=True)
class Similar:
    """Articles like `source`, best first, with their scores; `terms` are the words the likeness was
    measured by, `copies` how many of the source's own copies were left out."""

    source: StoredDoc
    terms: tuple[str, ...]
    hits: tuple[tuple[StoredDoc, float], ...]
    copies: int = 0


def distinctive_words(reader: Reader, doc: StoredDoc, count: int = TERMS) -> list[str]:
    """The article's `count` most distinctive words (as written in it, the most frequent form of each stem).

    As Lucene's MoreLikeThis by default, a word must occur at least `MIN_TF` times (here: or be in the
    title) and be in at least `MIN_DF` articles: names seen once, such as a byline's, do not lead."""
    forms: dict[str, Counter[str]] = {}
    for word, *_rest in analysis.tokens(f"{doc.title}\n{doc.body}"):
        if word not in analysis.STOPWORDS and not word.isdigit():
            forms.setdefault(analysis.stem(word), Counter())[word] += 1
    in_title = {analysis.stem(w) for w, *_rest in analysis.tokens(doc.title)}
    forms = {s: seen for s, seen in forms.items() if s in in_title or sum(seen.values()) >= MIN_TF}
    total = max(1, reader.doc_count())
    frequencies = reader.document_frequencies(sorted(forms))
    weights = {}
    for stem, seen in forms.items():
        df = frequencies.get(stem, 0)
        if MIN_DF <= df <= max(MAX_SHARE * total, SHORT_LIST) and df < total:  # in every article: no information
            weights[stem] = (1 + math.log(sum(seen.values()))) * math.log(total / df)
    best = sorted(weights, key=lambda s: (-weights[s], s))[:count]
    return [forms[s].most_common(1)[0][0] for s in best]


def similar(reader: Reader, doc: StoredDoc, index_dir: Path, *, limit: int = 10, date_from: datetime | None = None,
            date_to: datetime | None = None, speakers: Sequence[str] = ()) -> Similar:
    """The `limit` stories most like `doc` within the filters (one article each: the best-ranked), without
    `doc` and its copies."""
    words = distinctive_words(reader, doc)
    if not words:
        return Similar(doc, (), ())
    tree = Group(tuple(Word(w) for w in words), all=False)
    copies = CopyStore.open(index_dir)
    with copies or contextlib.nullcontext():  # an index made before copies were kept has no table: no groups
        group = copies.group_of(doc.id) if copies else None
        excluded = set(group.members) if group else {doc.id}
        ranked = reader.search(tree, match_all=False, date_from=date_from, date_to=date_to, speakers=speakers,
                               limit=2 * limit + len(excluded))
        stories = copies.groups_of([d.id for d, _score in ranked.hits]) if copies else {}
    seen: set[str] = set()
    hits = []
    for found, score in ranked.hits:
        story = stories.get(found.id, found.id)
        if found.id not in excluded and story not in seen:
            seen.add(story)
            hits.append((found, score))
    return Similar(doc, tuple(words), tuple(hits[:limit]), len(excluded) - 1)
