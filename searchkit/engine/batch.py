"""Documents analysed a batch at a time: text fields become posting rows, the rest goes through the pool.

A writer's documents wait in its `TextPool` until a batch is full; then every text of the batch is
analysed at once (`vocab.Vocabulary`), each analysed field's rows (`columns.FieldRows`) take the batch's
postings (an exact field's pairs twin its word pairs, `Vocabulary.pair_rows`), and each document's per-document
records (stored values, field lengths, columns) and its few
keyword and id postings are written as `pool._add_document` writes them. At flush, `write_field` encodes
a text field's sorted rows straight into the codec's blocks (`blocks`).

A quote is a span of its article's body (`QUOTED`), so the quotes writer's pool is tied to the articles
writer's (`link`): an article's quotes wait for the article's batch, and the body's analysis gives their
tokens (`Vocabulary.analyse_spans`) rather than a second pass over the same words; a quote whose text is
not its span (or whose span cuts a token) is analysed on its own, and counted (`TextPool.reanalysed`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.formats import Positions
from whoosh.writing import SegmentWriter

from searchkit.engine import blocks
from searchkit.engine.columns import FieldRows
from searchkit.engine.documents import span_end
from searchkit.engine.lengths import write_length_codes
from searchkit.engine.pool import GroupedPool, _add_document
from searchkit.engine.vocab import Tokens, Vocabulary, splits_cleanly
from searchkit.terms import PairWords

BATCH_DOCS = 256  # documents analysed together (their tokens are Python strings until then)
BATCH_CHARS = 1_000_000  # ... or fewer, when their texts are long
ROWS_LIMIT = 200_000  # rows a writer's text fields hold in memory, together, before spilling runs (12 bytes each),
# and about the rows of a part sorted at the flush: spilling and sorting take ~6 times the rows' bytes at once
QUOTED = ("text", "body", "start")
"""A quote's text field, the article field it is a span of, and the field with the span's start."""


class TextPool(GroupedPool):
    """The pool of a writer whose text fields are analysed in batches: `GroupedPool` for the keyword and
    id fields, plus the waiting documents and the text fields' rows."""

    def __init__(self, tempdir: Path, limit: int, analysed: Mapping[str, str], vocab: Vocabulary,
                 paired: Mapping[str, tuple[str, PairWords]] | None = None) -> None:
        super().__init__(tempdir, limit)
        self.analysed = dict(analysed)  # stemmed field -> its exact (positional) twin, analysed from one text
        self.paired = dict(paired or {})  # exact field -> its pairs field and the words it pairs
        self.vocab = vocab
        self.pending: list[dict[str, Any]] = []
        self.pending_chars = 0
        self.rows_limit = ROWS_LIMIT
        names = [name for pair in self.analysed.items() for name in pair] + [p for p, _c in self.paired.values()]
        self.rows = {name: FieldRows(tempdir, self.rows_limit) for name in names}
        self.codes: dict[str, list[np.ndarray]] = {name: [] for name in self.rows}
        self._pair_fields = {p for p, _c in self.paired.values()}
        self.source: SegmentWriter | None = None  # a quotes pool: the articles writer its quotes come from
        self.quotes: SegmentWriter | None = None  # an articles pool: the quotes writer tied to it
        self.origins: list[int] = []  # a quotes pool: each waiting quote's article, in `source`'s waiting ones
        self.reused = self.reanalysed = 0  # quotes whose tokens came from their article's, or did not

    def terms(self, fieldname: str) -> list[bytes]:
        """The term bytes of a text field's term ids."""
        if fieldname in self._pair_fields:
            return self.vocab.pairs
        return self.vocab.stems if fieldname in self.analysed else self.vocab.words

    def spill_rows(self) -> None:
        """Spill every text field's held rows (and the keyword postings) to runs."""
        self.spill()
        self.spill_text()

    def spill_text(self) -> None:
        """Spill every text field's held rows to runs."""
        for name, rows in self.rows.items():
            rows.spill(self.terms(name))

    def cleanup(self) -> None:
        super().cleanup()
        for rows in self.rows.values():
            rows.cleanup()


def link(quotes: SegmentWriter, articles: SegmentWriter) -> None:
    """Tie a quotes writer to the articles writer its quotes' articles go to: from now on, quotes added to it
    wait for the next article added to `articles`, and are analysed with its batch (see the module)."""
    quotes.pool.source = articles
    articles.pool.quotes = quotes


def unlink(writer: SegmentWriter) -> None:
    """Untie a writer from the writer `link` tied it to (its waiting documents written: it is finished)."""
    pool: TextPool = writer.pool
    for other in (pool.source, pool.quotes):
        if other is not None and other.pool is not None:
            other.pool.source = other.pool.quotes = None
    pool.source = pool.quotes = None


def add_document(writer: SegmentWriter, fields: dict[str, Any]) -> None:
    """Queue a prepared document (text fields as strings) for the writer's next batch. A quote added to a
    linked quotes writer belongs to the next article added to the articles writer, and waits for it."""
    pool: TextPool = writer.pool
    pool.pending.append(fields)
    writer._added = True  # the segment has documents, written or waiting (see `_finalize_segment`)
    if pool.source is not None:
        pool.origins.append(len(pool.source.pool.pending))
        return
    pool.pending_chars += sum(len(fields.get(name) or "") for name in pool.analysed)
    if len(pool.pending) >= BATCH_DOCS or pool.pending_chars >= BATCH_CHARS:
        process(writer)


def process(writer: SegmentWriter, given: Tokens | None = None) -> None:
    """Analyse the waiting documents and write them: rows for text fields, the rest document by document.
    Quotes waiting for their articles are written with them: a linked quotes writer processes its articles
    writer first, which analyses the quotes' spans with the bodies and gives them here as `given`."""
    pool: TextPool = writer.pool
    if given is None and pool.source is not None and pool.source.pool.pending:
        process(pool.source)  # writes this writer's waiting quotes too
    docs, pool.pending, pool.pending_chars, pool.origins = pool.pending, [], 0, []
    if not docs:
        return
    base = writer.docnum
    quoted = pool.quotes if pool.quotes is not None and pool.quotes.pool.pending else None
    quote_tokens = None
    lengths: dict[str, np.ndarray] = {}
    for stemmed, exact in pool.analysed.items():
        texts = [doc.get(stemmed) or "" for doc in docs]
        if given is not None and stemmed == QUOTED[0]:
            tokens = given
        elif quoted is not None and stemmed == QUOTED[1]:
            tokens, quote_tokens = _with_quotes(pool.vocab, texts, quoted.pool)
        else:
            tokens = pool.vocab.analyse(texts)
        pool.rows[exact].add(tokens.word, tokens.text + base, tokens.pos)
        stems = pool.vocab.stem_ids(tokens.word)
        kept = stems >= 0
        key = stems[kept].astype(np.int64) * len(docs) + tokens.text[kept]
        pairs, freqs = np.unique(key, return_counts=True)
        pool.rows[stemmed].add((pairs // len(docs)).astype(np.int32), (pairs % len(docs) + base).astype(np.int32),
                               freqs.astype(np.int32))
        lengths[exact] = tokens.lengths
        lengths[stemmed] = np.bincount(tokens.text[kept], minlength=len(docs))
        if exact in pool.paired:  # no length: pairs count in no statistic
            name, words = pool.paired[exact]
            pair, text, pos = pool.vocab.pair_rows(tokens, words)
            pool.rows[name].add(pair, text + base, pos)
            pool.codes[name].append(np.zeros(len(docs), np.uint8))
    bulk = pool.direct(writer.perdocwriter)  # the length columns written here, a batch at a time
    for name, values in lengths.items():
        codes = blocks.length_codes(values)
        pool.codes[name].append(codes)
        if bulk:
            write_length_codes(writer.perdocwriter, name, base, codes)
    columns = {name: values.tolist() for name, values in lengths.items()}
    for i, doc in enumerate(docs):
        _add_document(writer, doc, {name: values[i] for name, values in columns.items()}, bulk)
    if sum(rows.held_rows for rows in pool.rows.values()) >= pool.rows_limit:
        pool.spill_text()
    if quoted is not None:
        process(quoted, quote_tokens)


def _with_quotes(vocab: Vocabulary, bodies: list[str], quotes: TextPool) -> tuple[Tokens, Tokens]:
    """The tokens of a batch's `bodies`, and those of the quotes waiting for them (`quotes.pending`, in
    order): a quote's text cut from its article's analysis where it is the body's span at its start and
    the span splits cleanly, else analysed on its own."""
    text_field, _body, start_field = QUOTED
    texts = [doc.get(text_field) or "" for doc in quotes.pending]
    spans: list[tuple[int, int, int]] = []
    cut: list[int] = []  # the quotes whose tokens are cut from their article's
    for number, (text, article) in enumerate(zip(texts, quotes.origins, strict=True)):
        start = quotes.pending[number].get(start_field)
        body = bodies[article] if article < len(bodies) else ""
        end = span_end(body, text, start)
        if end is not None and splits_cleanly(body, start) and splits_cleanly(body, end):
            spans.append((article, start, end))
            cut.append(number)
    tokens, spanned = vocab.analyse_spans(bodies, spans)
    quotes.reused += len(cut)
    if len(cut) == len(texts):
        return tokens, spanned
    rest = sorted(set(range(len(texts))) - set(cut))
    quotes.reanalysed += len(rest)
    alone = vocab.analyse([texts[i] for i in rest])
    text = np.concatenate((np.array(cut, np.int32)[spanned.text], np.array(rest, np.int32)[alone.text]))
    order = np.argsort(text, kind="stable")  # each quote's tokens stay in position order
    word = np.concatenate((spanned.word, alone.word))[order]
    pos = np.concatenate((spanned.pos, alone.pos))[order]
    return tokens, Tokens(word, text[order], pos, np.bincount(text, minlength=len(texts)))


def write_field(writer: SegmentWriter, fieldname: str, entries: list[tuple[bytes, bytes]],
                add_entries: Any) -> None:
    """Write a text field's terms: postings to the postings file, table entries through `add_entries`."""
    pool: TextPool = writer.pool
    fieldwriter = writer.fieldwriter
    layout = blocks.start_field(fieldwriter, fieldname, writer.schema[fieldname])
    codes = np.concatenate(pool.codes[fieldname])
    terms = pool.terms(fieldname)
    for part in pool.rows[fieldname].sorted_parts(terms):
        blocks.write_part(fieldwriter._postfile, entries, layout, part, terms, codes)
        add_entries(fieldwriter._tindex, entries)
        del part  # gone before the next part is sorted
    fieldwriter.finish_field()


def term_postings(writer: SegmentWriter, fieldname: str) -> Iterator[tuple[bytes, list[tuple[int, float, bytes]]]]:
    """A text field's terms with their postings as Whoosh's writer takes them (for codecs other than
    searchkit's, which `write_field` writes directly)."""
    pool: TextPool = writer.pool
    terms = pool.terms(fieldname)
    positional = type(writer.schema[fieldname].format) is Positions
    for part in pool.rows[fieldname].sorted_parts(terms):
        yield from blocks.term_postings(part, terms, positional)
