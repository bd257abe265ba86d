"""The Whoosh schemas of the article and quotes indexes, and the analyzer adapter they use.

Stemmed fields (ranking) drop stopwords and keep no positions; exact fields keep every folded word with
positions, for phrases, prefixes, fuzzy terms and spelling suggestions; the articles' exact fields each have
a pairs twin (`PairText`) for phrases of common words. Dates are stored and sortable; filters use the period
terms ("2019", "2019-03", "2019-03-15").
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema

from searchkit import analysis, terms
from searchkit.common_words import COMMON_N, WORDS

INDEX_NAME = "searchkit"
QUOTES_NAME = "quotes"
SCHEMA_VERSION = 9  # when to bump, and the history: engine/contract.py


class NewsAnalyzer(Analyzer):
    """Whoosh adapter over `searchkit.analysis`: folded tokens, stemmed without stopwords or exact."""

    def __init__(self, stemmed: bool) -> None:
        self.stemmed = stemmed

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "", **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        stops, stem = analysis.STOPWORDS, analysis.stem
        for word, pos, start, end in analysis.tokens(value):
            if self.stemmed:
                if word in stops:
                    continue
                word = stem(word)
            token.text = word
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token

    def has_morph(self) -> bool:
        return self.stemmed


class SortableDate(DATETIME):
    """A stored, sortable date that is not indexed: filters use the period terms, so Whoosh's eight
    tiered numeric terms per document would only cost time and space."""

    def __init__(self) -> None:
        super().__init__(stored=True, sortable=True)
        self.indexed = False


class PreAnalyzedText(TEXT):
    """A TEXT field that also accepts posting items computed elsewhere (a list), so analysis can run
    in worker processes while one writer pools the postings."""

    def index(self, value: Any, **kwargs: Any) -> Iterable[tuple[bytes, int, float, bytes]]:
        if isinstance(value, list):
            return value
        return super().index(value, **kwargs)


class PairText(PreAnalyzedText):
    """The word pairs of an exact field (`terms.pair_term`) with their positions (the first word's), holding
    the words they are made of (`terms.PairWords`): pickled with the schema in every table of contents, so
    every segment of an index, and every later update, pairs the same words. Its postings are written beside
    its exact twin's (`batch`); it is not scorable, so no document records a length in it and no score or
    statistic sees it."""

    def __init__(self, common: Iterable[str], frequent: Iterable[str]) -> None:
        super().__init__(analyzer=NewsAnalyzer(stemmed=False), phrase=True)
        self.scorable = False
        self.common = frozenset(common)
        self.frequent = frozenset(frequent) | self.common

    def pair_words(self) -> terms.PairWords:
        return terms.PairWords(self.common, self.frequent)


ANALYSED = {"title": "title_exact", "body": "body_exact", "text": "text_exact"}
"""Each stemmed text field and its exact (positional) twin: both hold the analysis of the same text, which a
prepared document gives under both names (`documents.prepare`)."""


PAIRED = {"title_exact": "title_pairs", "body_exact": "body_pairs"}
"""Each exact field with word pairs and its pairs field (the articles index; the quotes index has none)."""


def analysed_fields(sch: Schema) -> dict[str, str]:
    """The stemmed -> exact text field pairs of a schema."""
    return {stemmed: exact for stemmed, exact in ANALYSED.items() if stemmed in sch and exact in sch}


def paired_fields(sch: Schema) -> dict[str, str]:
    """The exact -> pairs field pairs of a schema (none in an index without pairs)."""
    return {exact: pairs for exact, pairs in PAIRED.items()
            if exact in sch and pairs in sch and isinstance(sch[pairs], PairText)}


def _shared_fields() -> dict[str, Any]:
    """Fields both indexes have: the unique key, the source file (for deletes), date and filter terms."""
    return {
        "key": ID(unique=True, stored=True),
        "source": ID(stored=True),
        "date": SortableDate(),
        "period": KEYWORD(commas=True, scorable=False),
        "speaker": KEYWORD(commas=True, scorable=False),
    }


def build_schema(common: Iterable[str] = WORDS[:COMMON_N], frequent: Iterable[str] = WORDS) -> Schema:
    """The index schema (see the module docstring for why each field looks the way it does); a new index
    pairs `frequent` words next to `common` ones (`terms.pair_term`)."""
    stemmed, exact = NewsAnalyzer(stemmed=True), NewsAnalyzer(stemmed=False)
    return Schema(
        **_shared_fields(),
        id=ID(stored=True),
        title=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        body=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        title_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        body_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        title_pairs=PairText(common, frequent),
        body_pairs=PairText(common, frequent),
        speakers=STORED(),
        roles=STORED(),
        summary=STORED(),
        fmt=STORED(),
        date_source=STORED(),
    )


def build_quote_schema() -> Schema:
    """The schema of the quotes index: one document per attributed statement. A statement stores its own
    fields and its article's key (`article`), not the article's title, file and id (readers take them from the
    article: a third of the quotes' stored bytes) nor a key of its own (nothing looks a quote up by key: an
    article's quotes are found by `article_id`, deleted by `source`, both indexed only). A statement that is
    a span of its article's body stores the span's `end` instead of its `text` (`documents.prepare_quotes`)."""
    stemmed, exact = NewsAnalyzer(stemmed=True), NewsAnalyzer(stemmed=False)
    shared = _shared_fields()
    del shared["key"]
    return Schema(
        **{**shared, "source": ID()},
        article_id=ID(),
        article=STORED(),
        text=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        text_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        name=STORED(),
        role=STORED(),
        start=STORED(),
        end=STORED(),
        direct=STORED(),
    )


_SCHEMA: Schema | None = None
_QUOTE_SCHEMA: Schema | None = None


def schema() -> Schema:
    """The process-wide schema instance (used to pre-analyse in workers)."""
    global _SCHEMA
    if _SCHEMA is None:
        _SCHEMA = build_schema()
    return _SCHEMA


def quote_schema() -> Schema:
    """The process-wide quotes schema instance."""
    global _QUOTE_SCHEMA
    if _QUOTE_SCHEMA is None:
        _QUOTE_SCHEMA = build_quote_schema()
    return _QUOTE_SCHEMA
