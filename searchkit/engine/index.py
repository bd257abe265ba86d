"""Opening, creating and reading the on-disk indexes: stored documents, counts, dates and speakers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile

from searchkit import private, terms
from searchkit.engine import integrity, ranking
from searchkit.engine.lengths import cache_of
from searchkit.engine.postings import field_docs
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME, SCHEMA_VERSION, quote_schema, schema
from searchkit.errors import IndexCorrupt, IndexNotFound, IndexUntrusted
from searchkit.results import StoredDoc

if TYPE_CHECKING:
    from searchkit.reports import SpeakerCount, StoredQuote


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
        date_source=fields.get("date_source"),
    )


def stored_quote(fields: dict[str, Any], article: StoredDoc | None) -> StoredQuote:
    """Convert the quotes index's stored-field dict into a `StoredQuote`, with the id, title and file of its
    `article` (None: not in the index, as between the two indexes' commits of a run that was killed), and
    its text from the article's body when it stores a span's `end` instead (an empty text without the
    article)."""
    from searchkit.reports import StoredQuote  # not a search's: made on first use

    start = fields.get("start") or 0
    text = fields.get("text", "")
    if "end" in fields:
        text = article.body[start:fields["end"]] if article else ""
    return StoredQuote(article_id=article.id if article else "", title=article.title if article else "",
                       date=fields.get("date"), speaker=fields.get("name", ""), role=fields.get("role"),
                       text=text, start=start,
                       direct=bool(fields.get("direct", True)), source=article.source if article else "",
                       article_key=fields.get("article", ""))


def exists(index_dir: Path, name: str = INDEX_NAME) -> bool:
    """True when `index_dir` holds a committed index of that name (by its TOC file, without opening it)."""
    return index_dir.is_dir() and any(index_dir.glob(f"_{name}_*.toc"))


def has_indexes(index_dir: Path) -> bool:
    """True when both the article and the quotes index exist at `index_dir` (a writer would create neither)."""
    return exists(index_dir, INDEX_NAME) and exists(index_dir, QUOTES_NAME)


class CheckedIndex(whoosh_index.FileIndex):
    """Whoosh's file index, checking the files of every segment against the sizes recorded at its commit
    each time it reads the table of contents (`integrity`): for readers and writers alike."""

    def _read_toc(self) -> Any:
        toc = super()._read_toc()
        integrity.check(self.storage, toc.segments)
        return toc


class PrivateStorage(FileStorage):
    """Whoosh's file storage, creating files (segments, tables of contents, locks) that only their owner can
    read or write (`private`), whatever the umask."""

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> StructFile:
        if self.readonly:
            return super().create_file(name, excl, mode, **kwargs)  # raises ReadOnlyError
        flags = os.O_CREAT | os.O_RDWR | (os.O_EXCL if excl else os.O_TRUNC) | getattr(os, "O_BINARY", 0)
        fd = os.open(self._fpath(name), flags, private.FILE_MODE)
        return StructFile(os.fdopen(fd, mode), name=name, **kwargs)

    def lock(self, name: str) -> Any:
        private.touch(Path(self._fpath(name)))
        return super().lock(name)

    def open_index(self, indexname: str = INDEX_NAME, schema: Any = None, indexclass: Any = None) -> Any:
        return super().open_index(indexname, schema, indexclass or CheckedIndex)

    def create_index(self, schema: Any, indexname: str = INDEX_NAME, indexclass: Any = None) -> Any:
        return super().create_index(schema, indexname, indexclass or CheckedIndex)

    def temp_storage(self, name: str | None = None) -> PrivateStorage:
        """A writer's scratch folder (`<index>.tmp`), private too."""
        path = Path(self.folder) / (name or f"{os.urandom(8).hex()}.tmp")
        private.make_dir(path)
        return PrivateStorage(str(path))


def open_index(index_dir: Path, name: str = INDEX_NAME) -> whoosh_index.Index:
    """Open an existing index or raise `IndexNotFound` / `IndexCorrupt` (also for another schema version) /
    `IndexUntrusted` (a folder others can write, a pickle naming something that is not part of an index)."""
    private.check_folder(index_dir)
    if not exists(index_dir, name):
        if name == QUOTES_NAME and exists(index_dir):
            raise IndexNotFound(f"the index at {index_dir} has no quotes yet; run `searchkit index --rebuild`")
        if any(index_dir.glob(f"{name}_*.trm")):  # segments without a table of contents listing them
            raise IndexCorrupt(f"the index at {index_dir} has lost its table of contents (_{name}_*.toc)")
        raise IndexNotFound(f"no index at {index_dir}")
    check_version(index_dir)
    try:
        return PrivateStorage(str(index_dir)).open_index(indexname=name)
    except (IndexUntrusted, IndexCorrupt):
        raise
    except Exception as exc:  # Whoosh raises many kinds here (unpickling, I/O); all mean the same to a user
        raise IndexCorrupt(f"cannot open the index at {index_dir}: {type(exc).__name__}: {exc}") from exc


def check_version(index_dir: Path) -> None:
    """Raise `IndexCorrupt` when an index at `index_dir` was built for another schema version (before its side
    tables are opened: a table of another layout would otherwise be reported damaged, not the index old)."""
    version = _schema_version(index_dir)
    if version == SCHEMA_VERSION or not exists(index_dir):
        return
    if version is None:
        raise IndexCorrupt(f"the index at {index_dir} has lost its version file (searchkit.json), or it is "
                           "unreadable")
    if version != SCHEMA_VERSION:
        raise IndexCorrupt(f"the index at {index_dir} was built by another searchkit version (schema {version}, "
                           f"this one reads {SCHEMA_VERSION})")


def _schema_version(index_dir: Path) -> int | None:
    """The schema version recorded beside the index, or None when unreadable."""
    try:
        return int(json.loads((index_dir / "searchkit.json").read_text(encoding="utf-8"))["schema_version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def create_index(index_dir: Path, name: str = INDEX_NAME) -> whoosh_index.Index:
    """Create an empty index at `index_dir` (replacing any index of that name there).

    The schema version is recorded before the table of contents: a kill between the two then leaves a
    version file beside no index (the next run starts afresh), not an index without its version, which
    every later run refused as built by another version."""
    private.make_dir(index_dir)
    if _schema_version(index_dir) != SCHEMA_VERSION:  # replaced atomically: a kill leaves the old or the new
        private.write_text(index_dir / "searchkit.json", json.dumps({"schema_version": SCHEMA_VERSION}))
    storage = PrivateStorage(str(index_dir))
    return storage.create_index(schema() if name == INDEX_NAME else quote_schema(), indexname=name)


@contextmanager
def searching(index_dir: Path, name: str = INDEX_NAME) -> Iterator[Any]:
    """A Whoosh searcher over the index (or the quotes index) at `index_dir`; `IndexNotFound` before the first
    commit of the first `index` run (generation 0: an empty table of contents that run made to write)."""
    ix = open_index(index_dir, name)
    if ix.latest_generation() == 0:
        raise IndexNotFound(f"nothing is indexed at {index_dir} yet")
    searcher = ix.searcher(weighting=ranking.weighting())
    try:
        yield searcher
    finally:
        searcher.close()


def check(index_dir: Path) -> None:
    """Raise `IndexCorrupt` (or `IndexNotFound`, `IndexUntrusted`) unless both indexes open and every
    segment's files are as their commit left them (`integrity`)."""
    for name in (INDEX_NAME, QUOTES_NAME):
        open_index(index_dir, name)._read_toc()


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


def year_span(searcher: Any) -> tuple[int, int] | None:
    """First and last year with dated documents, from the period lexicon (read once per open reader:
    the lexicon holds every day, month and year)."""
    cache = cache_of(searcher)
    if cache.year_span is False:
        cache.year_span = _year_span(searcher)
    return cache.year_span


def _year_span(searcher: Any) -> tuple[int, int] | None:
    years = [int(t) for t in (b.decode() for b in searcher.lexicon("period")) if len(t) == 4 and t.isdigit()]
    return (min(years), max(years)) if years else None


def speaker_counts(searcher: Any, limit: int | None = None) -> list[SpeakerCount]:
    """Speakers by article count, from the speaker postings (not by reading every document)."""
    ranked = sorted(speaker_docs(searcher).items(), key=lambda kv: (-len(kv[1]), kv[0]))
    if limit is not None:
        ranked = ranked[:limit]
    return [speaker_count(searcher, term, docs) for term, docs in ranked]


def speaker_docs(searcher: Any) -> dict[str, set[int]]:
    """Each speaker (by index term) and the documents quoting them.

    A term that ends another term ("zakharova" of "maria zakharova", "jong un" of "kim jong un", a name
    without its suffix) is that name's surname or short form: dropped where every document holding it holds
    a longer name too; otherwise (an unresolved "Zakharova") merged into the longer name when exactly one
    ends with it, or listed on its own.
    """
    postings = field_docs(searcher, "speaker")
    ends: dict[str, list[str]] = {}  # term -> the longer terms ending with it
    for term in postings:
        words = term.split(" ")
        for i in range(1, len(words)):
            ends.setdefault(" ".join(words[i:]), []).append(term)
    for term in postings:  # "martin luther king" is a short form of "martin luther king jr" too
        head = term.rsplit(" ", 1)[0]
        if head != term and head in postings:
            ends.setdefault(head, []).append(term)
    names = {t: set(d) for t, d in postings.items() if t not in ends}
    for term in sorted(t for t in postings if t in ends):
        owners = [o for o in ends[term] if o in names]
        orphans = postings[term].difference(*(postings[o] for o in ends[term]))
        if not orphans:
            continue
        if len(owners) == 1:
            names[owners[0]] |= orphans
        else:
            names[term] = orphans
    return names


def speaker_count(searcher: Any, term: str, docs: set[int]) -> SpeakerCount:
    """Display name and roles for a speaker term, read from one document that quotes them."""
    from searchkit.reports import SpeakerCount  # not a search's: made on first use

    fields = searcher.stored_fields(min(docs))
    names = fields.get("speakers") or []
    roles = fields.get("roles") or []
    for i, name in enumerate(names):
        if term in terms.speaker_terms(name):
            role = roles[i] if i < len(roles) else None
            return SpeakerCount(name=name, articles=len(docs), roles=(role,) if role else ())
    return SpeakerCount(name=term.title(), articles=len(docs))


def date_stats(searcher: Any) -> tuple[datetime | None, datetime | None, int]:
    """Earliest and latest article dates, and how many live documents are undated, from the sortable date
    column."""
    reader = searcher.reader()
    live = list(reader.all_doc_ids())
    if not reader.has_column("date"):
        return None, None, len(live)
    field = searcher.schema["date"]
    missing = field.column_type.default_value()  # what undated documents hold
    column = reader.column_reader("date", translate=False)
    values = [v for v in (column[d] for d in live) if v != missing]
    if not values:
        return None, None, len(live)
    return field.from_column_value(min(values)), field.from_column_value(max(values)), len(live) - len(values)
