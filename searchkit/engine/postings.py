"""Reading Whoosh posting lists whole: a term's live documents, frequencies and positions, a block at a time.

Whoosh's matchers step through postings one call at a time (microseconds each); these functions read a
posting list block by block (one `zlib`/`pickle` call per block, ids delta-decoded by
`itertools.accumulate`) for the bulk scorer and for whole-field statistics such as speaker counts.

This reads Whoosh 2.7.4's internals (`W3LeafMatcher` blocks, `ListMatcher` for inlined postings,
`FilterMatcher` for deletions, the segment's term table); a layout it does not know raises `Unsupported`
(or, for whole fields, falls back to term-by-term lookups).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from itertools import accumulate
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.formats import Positions
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from searchkit.engine import codec
from searchkit.engine import positions as byte_planes
from searchkit.engine.codec import BlockLeafMatcher
from searchkit.engine.lengths import ReaderCache, cache_of

Planes = tuple[list[int], Any, bytes]  # a block's ids, minified weights and position planes (`positions`)
KeyBlock = tuple[int, int, bytes | list[int] | Planes]  # first and last document, position keys (stored or decoded)
Bound = tuple[int, int, tuple[float, ...]]  # first and last document of a run of postings, its score bound pairs


class Postings(NamedTuple):
    """One term's live postings in one segment."""

    ids: list[int]  # segment-local document numbers, ascending
    tfs: list[float]  # term frequencies
    keys: list[KeyBlock] | None  # position keys a block at a time (deleted documents' too), when asked for
    bounds: list[Bound] | None = None  # score bounds of every run of postings (`codec`), when all blocks have them


class Unsupported(Exception):
    """The query (or the index) needs Whoosh's own evaluation."""


def term_docs(searcher: Any, fieldname: str, text: str) -> set[int] | None:
    """Live global document numbers holding a term, read a block at a time (`None`: ask Whoosh)."""
    out: set[int] = set()
    try:
        for reader, offset in searcher.reader().leaf_readers():
            ids = read_postings(reader, fieldname, text, cache=cache_of(searcher)).ids
            out.update(ids if not offset else [d + offset for d in ids])
    except Unsupported:
        return None
    return out


def field_docs(searcher: Any, fieldname: str) -> dict[str, set[int]]:
    """Every term of a field with the live global document numbers holding it, in one sequential pass over
    each segment's term table (looking 10^5 speaker names up one by one took seconds per segment)."""
    out: dict[str, set[int]] = {}
    for reader, offset in searcher.reader().leaf_readers():
        deleted = {d for d in range(reader.doc_count_all()) if reader.is_deleted(d)} if reader.has_deletions() else ()
        for text, ids in segment_terms(reader, fieldname):
            out.setdefault(text, set()).update(d + offset for d in ids if d not in deleted)
    return {text: docs for text, docs in out.items() if docs}


def segment_terms(reader: Any, fieldname: str) -> Iterator[tuple[str, list[int]]]:
    """Every term of a field in one segment with the segment-local documents holding it, deleted ones
    included, in one sequential pass over the segment's term table."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "items_from"):
        for tbytes in reader.lexicon(fieldname):  # another reader layout: one term at a time
            text = tbytes.decode("utf-8")
            yield text, _matcher_postings(_term_matcher(reader, fieldname, text, None)[0], False).ids
        return
    fmt = reader.schema[fieldname].format
    for (field, tbytes), info in terms.items_from(fieldname, b""):
        if field != fieldname:
            break
        yield tbytes.decode("utf-8"), _matcher_postings(terms._codec.postings_reader(terms._postfile, info, fmt),
                                                         False).ids


def block_keys(block: KeyBlock) -> list[int]:
    """The position keys (`codec.KEY_SHIFT`) of one block of postings."""
    keys = block[2]
    if isinstance(keys, list):
        return keys
    return codec.read_keys(keys) if isinstance(keys, bytes) else byte_planes.keys(*keys)


def read_postings(reader: Any, fieldname: str, text: str, positions: bool = False,
                  cache: ReaderCache | None = None) -> Postings:
    """All live postings of a term in one segment, a block at a time (with position keys if `positions`);
    the segment's deleted documents are kept in `cache` when given."""
    try:
        matcher, deleted = _term_matcher(reader, fieldname, text, cache)
    except TermNotFound:
        return Postings([], [], [] if positions else None)
    found = _matcher_postings(matcher, positions)
    ids, tfs = found.ids, found.tfs
    if deleted and (gone := deleted.intersection(ids)):
        for d in sorted(gone, reverse=True):  # ids are sorted: remove the few deleted postings in place
            i = bisect_left(ids, d)
            del ids[i], tfs[i]
    return found


def _term_matcher(reader: Any, fieldname: str, text: str, cache: ReaderCache | None) -> tuple[Any, frozenset[int]]:
    """A term's own matcher and the segment's deleted documents (kept in `cache`).

    `reader.postings` wraps the matcher in a `FilterMatcher`, which decodes the first block to find the
    first live posting (decoded again when the list is read whole) and rebuilds the deleted set per call.
    """
    terms, perdoc = getattr(reader, "_terms", None), getattr(reader, "_perdoc", None)
    if terms is None or perdoc is None or not hasattr(terms, "matcher"):
        matcher = reader.postings(fieldname, text)  # another reader layout: unwrap what Whoosh gives
        if type(matcher) is not FilterMatcher:
            return matcher, frozenset()
        if not matcher._exclude:
            raise Unsupported
        return matcher.child, matcher._ids
    if fieldname not in reader.schema:
        raise TermNotFound(fieldname)
    field = reader.schema[fieldname]
    deleted = cache.deleted(reader, perdoc.deleted_docs) if cache is not None else frozenset(perdoc.deleted_docs())
    return terms.matcher(fieldname, field.to_bytes(text), field.format), deleted


def _matcher_postings(matcher: Any, positions: bool) -> Postings:
    """Everything a term's own matcher holds (deleted documents included)."""
    if type(matcher) is ListMatcher:  # postings inlined in the term info
        ids = list(matcher._ids)
        weights = matcher._weights
        tfs = [1.0] * len(ids) if weights is None else list(weights)
        if not positions:
            return Postings(ids, tfs, None)
        blocks = [(ids[0], ids[-1], _keys(ids, list(matcher._values), matcher._format))] if ids else []
        return Postings(ids, tfs, blocks)
    if type(matcher) in (BlockLeafMatcher, W3LeafMatcher) and not matcher._byteids:
        return _read_blocks(matcher, positions)
    raise Unsupported


def _keys(ids: list[int], values: list[bytes], fmt: Any) -> list[int]:
    """Position keys of postings whose positions are stored one encoded value per posting."""
    keys = codec.position_keys(ids, values) if type(fmt) is Positions else None
    if keys is None:
        keys = [d << codec.KEY_SHIFT | p for d, v in zip(ids, values, strict=True) for p in fmt.decode_positions(v)]
    return keys


def _read_blocks(m: W3LeafMatcher, positions: bool) -> Postings:
    """Every block of an on-disk posting list (the matcher is left at its end)."""
    ids: list[int] = []
    tfs: list[float] = []
    keys: list[KeyBlock] | None = [] if positions else None
    bounds: list[Bound] | None = []
    while True:
        m._read_data()
        data = m._data
        raw_weights = data[1]
        start = len(ids)
        planes = codec.stored_planes(data)
        if len(data) == byte_planes.LAYOUT:
            ids.extend(byte_planes.ids(data, m._blocklength))
        else:
            ids.extend(accumulate(data[0]))  # ids are delta-coded within a block
        if raw_weights is None:
            tfs.extend([1.0] * m._blocklength)
        elif isinstance(raw_weights, float):
            tfs.extend([raw_weights] * m._blocklength)
        else:
            tfs.extend(raw_weights)
        if keys is not None:
            blob = codec.stored_keys(data)
            if planes is not None:
                keys.append((ids[start], ids[-1], (ids[start:], raw_weights, planes)))
            elif blob is not None:
                keys.append((ids[start], ids[-1], blob))
            else:  # per-posting values (Whoosh's layout)
                m._read_values()
                keys.append((ids[start], ids[-1], _keys(ids[start:], list(m._values), m.format)))
        if bounds is not None:
            stored = codec.stored_bounds(data)
            if stored is None:
                bounds = None
            else:
                chunk, pairs = stored
                bounds += ((ids[i], ids[min(i + chunk, len(ids)) - 1], p)
                           for i, p in zip(range(start, len(ids), chunk), pairs, strict=True))
        if m._lastblock:
            return Postings(ids, tfs, keys, bounds)
        m._goto(m._nextoffset)
