"""The on-disk index: Whoosh schema, document preparation, writing, and reading stored documents.

This module and `query.py` are the only ones that touch Whoosh, so the engine can change behind them.

Design choices around Whoosh 2.7.4's weak spots:
- Text is analysed once, in worker processes (`prepare`), into Whoosh posting items; the writer in the
  main process only pools them (`PreAnalyzedText`).
- Deletes reuse one searcher (`update_documents`) instead of `update_document`'s searcher per call.
- Segments are written non-compound: opening a searcher is ~1 ms instead of 100+ ms.
- Dates are also indexed as period terms ("2019", "2019-03", "2019-03-15") so a date filter is a
  handful of term lookups rather than a range enumeration (Whoosh's query-string date ranges are wrong).
- Stemmed fields (ranking) drop stopwords and keep no positions; exact fields keep every word with
  positions for phrases, prefixes, fuzzy terms and spelling suggestions.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import json
import marshal
import os
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")

from whoosh import index as whoosh_index  # noqa: E402
from whoosh.analysis import Analyzer, Token  # noqa: E402
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3Codec, W3TermInfo, _lenfield  # noqa: E402
from whoosh.fields import DATETIME, ID, KEYWORD, STORED, TEXT, Schema  # noqa: E402
from whoosh.filedb.filestore import FileStorage  # noqa: E402
from whoosh.index import LockError  # noqa: E402
from whoosh.system import pack_uint as _pack_uint  # noqa: E402
from whoosh.writing import SegmentWriter  # noqa: E402

from searchkit import analysis  # noqa: E402
from searchkit.errors import IndexCorrupt, IndexLocked, IndexNotFound  # noqa: E402
from searchkit.models import Article, SpeakerCount  # noqa: E402

INDEX_NAME = "searchkit"
SCHEMA_VERSION = 1
LOCK_TIMEOUT_S = 3.0
# Posting lists shorter than INLINE_POSTINGS live in the term table: most terms are rare, and a block
# write (pickle + compress + header) per term dominated commit time. Level-1 zlib is much cheaper than
# Whoosh's default level 3 for nearly the same size.
CODEC = W3Codec(blocklimit=128, compression=1, inlinelimit=16)
if not hasattr(W3TermInfo, "set_inline"):  # Whoosh 2.7.4's writer calls a misspelling of set_inlined
    W3TermInfo.set_inline = W3TermInfo.set_inlined


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


def build_schema() -> Schema:
    """The index schema (see the module docstring for why each field looks the way it does)."""
    stemmed, exact = NewsAnalyzer(stemmed=True), NewsAnalyzer(stemmed=False)
    return Schema(
        key=ID(unique=True, stored=True),
        id=ID(stored=True),
        source=ID(stored=True),
        title=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        body=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        title_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        body_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        date=SortableDate(),
        period=KEYWORD(commas=True, scorable=False),
        speaker=KEYWORD(commas=True, scorable=False),
        speakers=STORED(),
        roles=STORED(),
        summary=STORED(),
        fmt=STORED(),
    )


def build_quote_schema() -> Schema:
    """The schema of the quotes index: one document per attributed statement."""
    stemmed, exact = NewsAnalyzer(stemmed=True), NewsAnalyzer(stemmed=False)
    return Schema(
        key=ID(unique=True, stored=True),
        source=ID(stored=True),
        article_id=ID(stored=True),
        title=STORED(),
        text=PreAnalyzedText(analyzer=stemmed, phrase=False, stored=True),
        text_exact=PreAnalyzedText(analyzer=exact, phrase=True),
        date=SortableDate(),
        period=KEYWORD(commas=True, scorable=False),
        speaker=KEYWORD(commas=True, scorable=False),
        name=STORED(),
        role=STORED(),
        start=STORED(),
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


def period_terms(when: date) -> list[str]:
    """The date filter terms of a day: its year, month and day."""
    return [f"{when.year:04d}", f"{when.year:04d}-{when.month:02d}", when.strftime("%Y-%m-%d")]


def speaker_terms(names: Sequence[str]) -> list[str]:
    """Keyword terms for speakers: each folded full name and its surname."""
    terms: list[str] = []
    for name in names:
        words = [analysis.fold(w) for w in name.replace(",", " ").split()]
        words = [w for w in words if w]
        if not words:
            continue
        full = " ".join(words)
        for term in (full, words[-1]):
            if term not in terms:
                terms.append(term)
    return terms


def document_key(article: Article) -> str:
    """The unique key of an article: its file and its place in that file."""
    return f"{article.path}#{article.ordinal}"


Item = tuple[bytes, int, float, bytes]


def analyse(text: str, encode_positions: Any) -> tuple[list[Item], list[Item]]:
    """Posting items of `text` for a stemmed field and an exact field, from one pass of the tokenizer.

    Byte-for-byte what Whoosh's Frequency and Positions formats produce through `NewsAnalyzer`
    (tested), without a Token object and a format generator per word.
    """
    stops, stem = analysis.STOPWORDS, analysis.stem
    freqs: dict[str, int] = {}
    positions: dict[str, list[int]] = {}
    for word, pos, _start, _end in analysis.tokens(text):
        plist = positions.get(word)
        if plist is None:
            positions[word] = [pos]
        else:
            plist.append(pos)
        if word not in stops:
            st = stem(word)
            freqs[st] = freqs.get(st, 0) + 1
    stemmed = [(w.encode("utf-8"), f, float(f), _pack_uint(f)) for w, f in freqs.items()]
    exact = [(w.encode("utf-8"), len(p), float(len(p)), encode_positions(p)) for w, p in positions.items()]
    return stemmed, exact


def prepare(article: Article) -> dict[str, Any]:
    """Turn an article into `add_document` keyword arguments, with text fields pre-analysed."""
    sch = schema()
    names = article.speaker_names
    encode = sch["body_exact"].format.encode
    title, title_exact = analyse(article.title, encode)
    body, body_exact = analyse(article.body, encode)
    doc: dict[str, Any] = {
        "key": document_key(article),
        "id": article.id,
        "source": article.path,
        "title": title,
        "_stored_title": article.title,
        "body": body,
        "_stored_body": article.body,
        "title_exact": title_exact,
        "body_exact": body_exact,
        "speaker": ",".join(speaker_terms(names)) or None,
        "speakers": names,
        "roles": [s.role for s in article.speakers],
        "summary": article.summary,
        "fmt": article.source_format,
    }
    if article.date is not None:
        doc["date"] = article.date
        doc["period"] = ",".join(period_terms(article.date.date()))
    return doc


def prepare_quotes(article: Article) -> list[dict[str, Any]]:
    """`add_document` arguments for each attributed statement of an article."""
    encode = quote_schema()["text_exact"].format.encode
    roles = {sp.name: sp.role for sp in article.speakers}
    docs = []
    for n, quote in enumerate(article.quotes):
        text, text_exact = analyse(quote.text, encode)
        doc: dict[str, Any] = {
            "key": f"{document_key(article)}#q{n}",
            "source": article.path,
            "article_id": article.id,
            "title": article.title,
            "text": text,
            "_stored_text": quote.text,
            "text_exact": text_exact,
            "speaker": ",".join(speaker_terms([quote.speaker])) or None,
            "name": quote.speaker,
            "role": roles.get(quote.speaker),
            "start": quote.start,
            "direct": quote.direct,
        }
        if article.date is not None:
            doc["date"] = article.date
            doc["period"] = ",".join(period_terms(article.date.date()))
        docs.append(doc)
    return docs


@dataclass(frozen=True, slots=True)
class StoredDoc:
    """A document's stored fields, as searchkit types."""

    id: str
    key: str
    source: str
    title: str
    body: str
    date: datetime | None
    speakers: tuple[str, ...]
    roles: tuple[str | None, ...]
    summary: str | None
    source_format: str


def stored_doc(fields: dict[str, Any]) -> StoredDoc:
    """Convert Whoosh's stored-field dict into a `StoredDoc`."""
    return StoredDoc(
        id=fields.get("id", ""),
        key=fields.get("key", ""),
        source=fields.get("source", ""),
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        date=fields.get("date"),
        speakers=tuple(fields.get("speakers") or ()),
        roles=tuple(fields.get("roles") or ()),
        summary=fields.get("summary"),
        source_format=fields.get("fmt", ""),
    )


QUOTES_NAME = "quotes"


def exists(index_dir: Path, name: str = INDEX_NAME) -> bool:
    """True when `index_dir` holds a searchkit index (or its quotes index, with `name=QUOTES_NAME`)."""
    return index_dir.is_dir() and whoosh_index.exists_in(str(index_dir), indexname=name)


def open_index(index_dir: Path, name: str = INDEX_NAME) -> whoosh_index.Index:
    """Open an existing index or raise `IndexNotFound` / `IndexCorrupt`."""
    if not exists(index_dir, name):
        if name == QUOTES_NAME and exists(index_dir):
            raise IndexNotFound(f"the index at {index_dir} has no quotes yet; run `searchkit index --rebuild`")
        raise IndexNotFound(f"no index at {index_dir}")
    try:
        return whoosh_index.open_dir(str(index_dir), indexname=name)
    except Exception as exc:  # Whoosh raises many kinds here; all mean the same to a user
        raise IndexCorrupt(f"cannot open the index at {index_dir}: {exc}") from exc


def create_index(index_dir: Path, name: str = INDEX_NAME) -> whoosh_index.Index:
    """Create an empty index at `index_dir` (replacing any index of that name there)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    storage = FileStorage(str(index_dir))
    ix = storage.create_index(schema() if name == INDEX_NAME else quote_schema(), indexname=name)
    (index_dir / "searchkit.json").write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
    return ix


class IndexWriter:
    """One write session over the article and quotes indexes: holds both write locks until commit or cancel.

    Both indexes are keyed by source file, so deleting a source removes its articles and its quotes.
    """

    def __init__(self, index_dir: Path, *, rebuild: bool = False, limitmb: int = 128,
                 lock_timeout: float = LOCK_TIMEOUT_S) -> None:
        self.index_dir = index_dir
        if rebuild and exists(index_dir):
            self._check_unlocked(index_dir, lock_timeout)
        self.writers: list[SegmentWriter] = []
        try:
            for name in (INDEX_NAME, QUOTES_NAME):
                self.writers.append(_open_writer(index_dir, name, rebuild, limitmb, lock_timeout))
        except BaseException:
            for w in self.writers:
                w.cancel()
            raise
        self.writer, self.quote_writer = self.writers
        self._searchers: list[Any] = []
        self.closed = False

    @staticmethod
    def _check_unlocked(index_dir: Path, timeout: float) -> None:
        """Refuse to rebuild an index another process is writing."""
        try:
            open_index(index_dir).writer(timeout=timeout).cancel()
        except LockError as exc:
            raise IndexLocked(f"index is locked by another process: {index_dir}") from exc

    def doc_count(self) -> int:
        """Documents in the index when this session started (all segments, deletions counted out)."""
        reader = self.writer.reader()
        try:
            return reader.doc_count()
        finally:
            reader.close()

    def delete_sources(self, sources: Iterable[str]) -> int:
        """Delete every article and quote that came from any of `sources`, with one searcher per index."""
        if not self._searchers:
            self._searchers = [w.searcher() for w in self.writers]
        count = 0
        for source in sources:
            count += self.writer.delete_by_term("source", source, searcher=self._searchers[0])
            self.quote_writer.delete_by_term("source", source, searcher=self._searchers[1])
        return count

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes."""
        _add_document(self.writer, doc)
        for quote in quotes:
            _add_document(self.quote_writer, quote)

    def commit(self, extra: Sequence[Sequence[Any]] = ()) -> None:
        """Make everything written the current state: quotes first, then articles (each commit is atomic;
        a crash between them is repaired by the next run, which redoes files the manifest lacks).

        `extra` holds segment lists from `SegmentBuilder.finish()` of other processes, to be included.
        """
        self._close_searchers()
        for i in (1, 0):
            _commit_with(self.writers[i], [segs[i] for segs in extra if segs[i] is not None])
        self.closed = True

    def cancel(self) -> None:
        """Abandon the session and release the locks (nothing to do once committed or cancelled)."""
        if self.closed:
            return
        self._close_searchers()
        for w in self.writers:
            if not w.is_closed:
                w.cancel()
        self.closed = True

    def _close_searchers(self) -> None:
        for searcher in self._searchers:
            searcher.close()
        self._searchers = []


def _open_writer(index_dir: Path, name: str, rebuild: bool, limitmb: int, lock_timeout: float) -> SegmentWriter:
    """A locked Whoosh writer on index `name` (created when missing or rebuilding) with searchkit's codec."""
    ix = create_index(index_dir, name) if rebuild or not exists(index_dir, name) else open_index(index_dir, name)
    try:
        writer = ix.writer(timeout=lock_timeout, limitmb=limitmb, compound=False, codec=CODEC)
    except LockError as exc:
        raise IndexLocked(f"index is locked by another process: {index_dir}") from exc
    return _tune(writer, index_dir)


def _tune(writer: SegmentWriter, index_dir: Path, pool_limit: int = 500_000) -> SegmentWriter:
    """Give a Whoosh writer searchkit's grouped pool, cached field lengths and block-wise flush."""
    per_document_reader = writer.per_document_reader
    writer.per_document_reader = lambda: _CachedLengths(per_document_reader())
    writer.pool = GroupedPool(_spill_dir(index_dir), limit=pool_limit)
    writer._flush_segment = lambda: _flush_grouped(writer)
    return writer


class SegmentBuilder:
    """Writes documents into new segments of the article and quotes indexes, without the lock.

    Used by worker processes while the parent holds the lock through an `IndexWriter`; the parent lists
    the finished segments in its commit (`IndexWriter.commit(extra=...)`), so nothing is merged serially.
    """

    def __init__(self, index_dir: Path, pool_limit: int = 300_000) -> None:
        self.writers = []
        for name in (INDEX_NAME, QUOTES_NAME):
            ix = open_index(index_dir, name)
            writer = SegmentWriter(ix, _lk=False, compound=False, codec=CODEC)
            self.writers.append(_tune(writer, index_dir, pool_limit))

    def add(self, doc: dict[str, Any], quotes: Iterable[dict[str, Any]] = ()) -> None:
        """Add one prepared article and its prepared quotes."""
        _add_document(self.writers[0], doc)
        for quote in quotes:
            _add_document(self.writers[1], quote)

    def finish(self) -> list[Any]:
        """Close the segments; one per index (None where nothing was added)."""
        out = []
        for writer in self.writers:
            if writer._added:
                out.append(writer._finalize_segment())
            else:
                writer._close_segment()
                out.append(None)
        return out


def _commit_with(writer: SegmentWriter, extra: Sequence[Any]) -> None:
    """`SegmentWriter.commit`, also listing segments written by other processes in the new TOC."""
    if not extra:
        writer.commit()
        return
    final = writer._merge_segments(None, False, True)
    final.extend(extra)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def _add_document(writer: SegmentWriter, fields: dict[str, Any]) -> None:
    """`SegmentWriter.add_document` for searchkit's schemas, feeding the grouped pool a field at a time.

    Same per-document records as Whoosh's method (stored values, field lengths, columns); the postings go
    straight to their term lists instead of through one pool call per posting. No boosts are used.
    """
    schema, perdoc, pool = writer.schema, writer.perdocwriter, writer.pool
    docnum = writer.docnum
    groups = pool.groups
    added = 0
    perdoc.start_doc(docnum)
    for fieldname in sorted(k for k, v in fields.items() if v is not None and not k.startswith("_")):
        value = fields[fieldname]
        field = schema[fieldname]
        length = 0
        if field.indexed:
            items = value if isinstance(value, list) else field.index(value)
            for tbytes, freq, weight, vbytes in items:
                postings = groups.get((fieldname, tbytes))
                if postings is None:
                    groups[(fieldname, tbytes)] = [(docnum, weight, vbytes)]
                else:
                    postings.append((docnum, weight, vbytes))
                length += freq
                added += 1
            if not field.scorable:
                length = 0
        stored = fields.get("_stored_" + fieldname, value)
        perdoc.add_field(fieldname, field, stored if field.stored else None, length)
        if field.column_type is not None and stored is not None:
            perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(stored))
    perdoc.finish_doc()
    writer._added = True
    writer.docnum += 1
    pool.count += added
    if pool.count >= pool.limit:
        pool._spill()


def _flush_grouped(writer: SegmentWriter) -> None:
    """Write the pooled postings term by term, a block at a time (Whoosh's own loop makes several
    Python calls per posting); same blocks, same statistics."""
    writer.perdocwriter.close()
    lengths = writer.per_document_reader() if writer.codec.length_stats else None
    fieldwriter = writer.fieldwriter
    lastfield = None
    field_lengths: list[int] = []
    for (fieldname, tbytes), postings in writer.pool.grouped():
        if fieldname != lastfield:
            if lastfield is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, writer.schema[fieldname])
            field_lengths = lengths.lengths(fieldname) if lengths is not None else []
            lastfield = fieldname
        postings.sort()
        fieldwriter.start_term(tbytes)
        _add_postings(fieldwriter._postwriter, postings, field_lengths)
        fieldwriter.finish_term()
    if lastfield is not None:
        fieldwriter.finish_field()
    fieldwriter.close()
    if lengths is not None:
        lengths.close()


def _add_postings(pw: Any, postings: list[tuple[int, float, bytes]], lengths: list[int]) -> None:
    """Fill a W3 postings writer's blocks from sorted postings, as `add_posting` would one by one."""
    limit = pw._blocklimit
    known = len(lengths)
    for i in range(0, len(postings), limit):
        if pw._ids:
            pw._write_block()
        ids, weights, values = zip(*postings[i:i + limit], strict=True)
        pw._ids.extend(ids)
        pw._weights.extend(weights)
        pw._maxweight = max(0, *weights)
        pw._values.extend(v for v in values if v)
        lens = [lengths[d] for d in ids if d < known and lengths[d]]
        if lens:
            pw._minlength = min(lens)
            pw._maxlength = max(lens)


def _spill_dir(index_dir: Path) -> Path:
    """Where posting runs spill; cleared here, since runs left by a killed writer are garbage (the caller
    holds the write lock, so no other writer is using them)."""
    spill = index_dir / "spill"
    spill.mkdir(exist_ok=True)
    for stale in spill.glob("*.run"):
        with contextlib.suppress(OSError):
            stale.unlink()
    return spill


class GroupedPool:
    """The writer's posting pool, grouped by term.

    Whoosh's pool keeps one tuple per posting, sorts them all, and past its memory limit pickles every
    posting to a run file and merges them back one by one. Here postings are appended to their term's list,
    only the distinct terms are sorted, and a full pool spills as one marshal record per term; runs are
    merged by term. Memory stays bounded by `limit` postings.
    """

    def __init__(self, tempdir: Path, limit: int = 500_000) -> None:
        self.tempdir = tempdir
        self.limit = limit
        self.groups: dict[tuple[str, bytes], list[tuple[int, float, bytes]]] = {}
        self.count = 0
        self.runs: list[str] = []

    def add(self, item: tuple[str, bytes, int, float, bytes]) -> None:
        fieldname, tbytes, docnum, weight, vbytes = item
        postings = self.groups.get((fieldname, tbytes))
        if postings is None:
            self.groups[(fieldname, tbytes)] = [(docnum, weight, vbytes)]
        else:
            postings.append((docnum, weight, vbytes))
        self.count += 1
        if self.count >= self.limit:
            self._spill()

    def _spill(self) -> None:
        fd, path = tempfile.mkstemp(suffix=".run", dir=self.tempdir)
        with os.fdopen(fd, "wb") as f:
            for key in sorted(self.groups):
                marshal.dump((key, self.groups[key]), f)
        self.runs.append(path)
        self.groups = {}
        self.count = 0

    @staticmethod
    def _read(path: str) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        with open(path, "rb") as f:
            while True:
                try:
                    yield marshal.load(f)
                except EOFError:
                    return

    def grouped(self) -> Iterator[tuple[tuple[str, bytes], list[tuple[int, float, bytes]]]]:
        """(field, term) keys in order, each with its postings (not yet sorted by docnum)."""
        if not self.runs:
            for key in sorted(self.groups):
                yield key, self.groups[key]
            return
        if self.groups:
            self._spill()
        merged = heapq.merge(*(self._read(p) for p in self.runs), key=lambda kv: kv[0])
        for key, parts in itertools.groupby(merged, key=lambda kv: kv[0]):
            yield key, [posting for _key, postings in parts for posting in postings]

    def iter_postings(self) -> Iterator[tuple[str, bytes, int, float, bytes]]:
        """Every posting in (field, term, docnum) order, as Whoosh's segment writer expects."""
        for (fieldname, tbytes), postings in self.grouped():
            postings.sort()
            for docnum, weight, vbytes in postings:
                yield fieldname, tbytes, docnum, weight, vbytes

    def cleanup(self) -> None:
        for path in self.runs:
            with contextlib.suppress(OSError):
                os.remove(path)
        self.runs = []


class _CachedLengths:
    """Wraps the per-document reader Whoosh consults once per posting while writing a segment, so each
    field's lengths column is read once rather than once per posting (the top cost of a commit)."""

    def __init__(self, reader: Any) -> None:
        self._reader = reader
        self._lengths: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self.lengths(fieldname)
        return lengths[docnum] if docnum < len(lengths) else default

    def lengths(self, fieldname: str) -> list[int]:
        """Every document's length in a field (0 where absent)."""
        lengths = self._lengths.get(fieldname)
        if lengths is None:
            lengths = self._lengths[fieldname] = self._load(fieldname)
        return lengths

    def _load(self, fieldname: str) -> list[int]:
        from whoosh.util.numeric import byte_to_length

        column = _lenfield(fieldname)
        if not self._reader.has_column(column):
            return []
        return [byte_to_length(b) if b else 0 for b in self._reader.column_reader(column, LENGTHS_COLUMN)]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._reader, name)


@contextmanager
def searching(index_dir: Path, name: str = INDEX_NAME) -> Iterator[Any]:
    """A Whoosh searcher over the index (or the quotes index) at `index_dir`."""
    from searchkit import ranking

    ix = open_index(index_dir, name)
    searcher = ix.searcher(weighting=ranking.weighting())
    try:
        yield searcher
    finally:
        searcher.close()


def doc_count(index_dir: Path) -> int:
    """Number of live documents in the index."""
    return open_index(index_dir).doc_count()


def index_size(index_dir: Path) -> int:
    """Bytes used by the index folder."""
    return sum(f.stat().st_size for f in index_dir.iterdir() if f.is_file())


def last_update(index_dir: Path) -> datetime | None:
    """When the index was last committed."""
    tocs = list(index_dir.glob(f"_{INDEX_NAME}_*.toc"))
    if not tocs:
        return None
    return datetime.fromtimestamp(max(os.path.getmtime(t) for t in tocs))


def day_range_terms(first: date, last: date) -> list[str]:
    """Fewest period terms covering every day from `first` to `last` inclusive."""
    terms: list[str] = []
    day = first
    while day <= last:
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= last:
            terms.append(f"{day.year:04d}")
            day = date(day.year + 1, 1, 1)
            continue
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        if day.day == 1 and next_month - timedelta(days=1) <= last:
            terms.append(f"{day.year:04d}-{day.month:02d}")
            day = next_month
            continue
        terms.append(day.strftime("%Y-%m-%d"))
        day += timedelta(days=1)
    return terms


def year_span(searcher: Any) -> tuple[int, int] | None:
    """First and last year with dated documents, from the period lexicon."""
    years = [int(t) for t in (b.decode() for b in searcher.lexicon("period")) if len(t) == 4 and t.isdigit()]
    return (min(years), max(years)) if years else None


def _live_docs(reader: Any, fieldname: str, term: str) -> set[int]:
    """Live document numbers holding a term (Whoosh's postings skip deleted documents)."""
    try:
        return set(reader.postings(fieldname, term).all_ids())
    except Exception:  # TermNotFound
        return set()


def speaker_counts(searcher: Any, limit: int | None = None) -> list[SpeakerCount]:
    """Speakers by article count, from the speaker postings (not by reading every document).

    A surname that is also indexed alone (an unresolved "Zakharova") is merged into the full name when
    exactly one known full name ends with it; otherwise it is listed on its own.
    """
    reader = searcher.reader()
    terms = [t.decode("utf-8") for t in reader.lexicon("speaker")]
    fulls = {t: _live_docs(reader, "speaker", t) for t in terms if " " in t}
    fulls = {t: d for t, d in fulls.items() if d}
    by_surname: dict[str, list[str]] = {}
    for full in fulls:
        by_surname.setdefault(full.rsplit(" ", 1)[1], []).append(full)
    singles: dict[str, set[int]] = {}
    for term in terms:
        if " " in term:
            continue
        owners = by_surname.get(term, [])
        orphans = _live_docs(reader, "speaker", term) - set().union(*(fulls[o] for o in owners))
        if not orphans:
            continue
        if len(owners) == 1:
            fulls[owners[0]] |= orphans
        else:
            singles[term] = orphans
    ranked = sorted([*fulls.items(), *singles.items()], key=lambda kv: (-len(kv[1]), kv[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return [_speaker_count(searcher, term, docs) for term, docs in ranked]


def _speaker_count(searcher: Any, term: str, docs: set[int]) -> SpeakerCount:
    """Display name and roles for a speaker term, read from one document that quotes them."""
    fields = searcher.stored_fields(min(docs))
    names = fields.get("speakers") or []
    roles = fields.get("roles") or []
    for i, name in enumerate(names):
        if speaker_terms([name])[0] == term or speaker_terms([name])[-1] == term:
            role = roles[i] if i < len(roles) else None
            return SpeakerCount(name=name, articles=len(docs), roles=(role,) if role else ())
    return SpeakerCount(name=term.title(), articles=len(docs))


def date_span(searcher: Any) -> tuple[datetime | None, datetime | None]:
    """Earliest and latest article dates, from the sortable date column of live documents."""
    reader = searcher.reader()
    if not reader.has_column("date"):
        return None, None
    field = searcher.schema["date"]
    missing = field.column_type.default_value()  # what undated documents hold
    column = reader.column_reader("date", translate=False)
    values = [v for v in (column[d] for d in reader.all_doc_ids()) if v != missing]
    if not values:
        return None, None
    return field.from_column_value(min(values)), field.from_column_value(max(values))
