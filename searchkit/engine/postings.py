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
from itertools import accumulate, repeat
from pickle import loads
from typing import Any, NamedTuple

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound
from whoosh.system import _INT_SIZE

_PROTO2 = b"\x80\x02"  # pickle protocol 2's header, which Whoosh's `Positions.encode` values start with


class Postings(NamedTuple):
    """One term's live postings in one segment."""

    ids: list[int]  # segment-local document numbers, ascending
    tfs: list[float]  # term frequencies
    values: list[bytes] | None  # encoded positions, when asked for


class Unsupported(Exception):
    """The query (or the index) needs Whoosh's own evaluation."""


def term_docs(searcher: Any, fieldname: str, text: str) -> set[int] | None:
    """Live global document numbers holding a term, read a block at a time (`None`: ask Whoosh)."""
    out: set[int] = set()
    try:
        for reader, offset in searcher.reader().leaf_readers():
            ids = read_postings(reader, fieldname, text).ids
            out.update(ids if not offset else [d + offset for d in ids])
    except Unsupported:
        return None
    return out


def field_docs(searcher: Any, fieldname: str) -> dict[str, set[int]]:
    """Every term of a field with the live global document numbers holding it, in one sequential pass over
    each segment's term table (looking 10^5 speaker names up one by one took seconds per segment)."""
    out: dict[str, set[int]] = {}
    for reader, offset in searcher.reader().leaf_readers():
        terms = getattr(reader, "_terms", None)
        if terms is None or not hasattr(terms, "items_from"):
            for tbytes in reader.lexicon(fieldname):  # another reader layout: one term at a time
                text = tbytes.decode("utf-8")
                out.setdefault(text, set()).update(d + offset for d in read_postings(reader, fieldname, text).ids)
            continue
        fmt = reader.schema[fieldname].format
        deleted = {d for d in range(reader.doc_count_all()) if reader.is_deleted(d)} if reader.has_deletions() else ()
        for (field, tbytes), info in terms.items_from(fieldname, b""):
            if field != fieldname:
                break
            ids = _matcher_postings(terms._codec.postings_reader(terms._postfile, info, fmt), False).ids
            docs = out.setdefault(tbytes.decode("utf-8"), set())
            docs.update(d + offset for d in ids if d not in deleted)
    return {text: docs for text, docs in out.items() if docs}


def decode_positions(value: bytes) -> list[int]:
    """`whoosh.formats.Positions.decode_positions` without its per-call overhead: a count, then the
    pickled position deltas (stored without the pickle's final stop byte)."""
    return list(accumulate(loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")))


def decode_many(values: list[bytes]) -> list[list[int]]:
    """`decode_positions` of many values in one `pickle.loads`: each value's pickled list (between its
    protocol header and stop byte) becomes an item of one outer list. Values of another shape are decoded
    one by one."""
    if not (all(map(bytes.startswith, values, repeat(_PROTO2), repeat(_INT_SIZE)))
            and all(map(bytes.endswith, values, repeat(b".")))):
        return [decode_positions(v) for v in values]
    body = b"".join(map(bytes.__getitem__, values, repeat(slice(_INT_SIZE + 2, -1))))
    return [list(accumulate(deltas)) for deltas in loads(_PROTO2 + b"](" + body + b"e.")]


def read_postings(reader: Any, fieldname: str, text: str, values: bool = False) -> Postings:
    """All live postings of a term in one segment, a block at a time (with encoded positions if `values`)."""
    try:
        matcher, deleted = _term_matcher(reader, fieldname, text)
    except TermNotFound:
        return Postings([], [], [] if values else None)
    ids, tfs, vals = _matcher_postings(matcher, values)
    if deleted and (gone := deleted.intersection(ids)):
        for d in sorted(gone, reverse=True):  # ids are sorted: remove the few deleted postings in place
            i = bisect_left(ids, d)
            del ids[i], tfs[i]
            if vals is not None:
                del vals[i]
    return Postings(ids, tfs, vals)


def _term_matcher(reader: Any, fieldname: str, text: str) -> tuple[Any, frozenset[int]]:
    """A term's own matcher and the segment's deleted documents (kept on the reader).

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
    deleted = reader.__dict__.get("_searchkit_deleted")
    if deleted is None:
        deleted = reader.__dict__["_searchkit_deleted"] = frozenset(perdoc.deleted_docs())
    return terms.matcher(fieldname, field.to_bytes(text), field.format), deleted


def _matcher_postings(matcher: Any, values: bool) -> Postings:
    """Everything a term's own matcher holds (deleted documents included)."""
    if type(matcher) is ListMatcher:  # postings inlined in the term info
        ids = list(matcher._ids)
        weights = matcher._weights
        tfs = [1.0] * len(ids) if weights is None else list(weights)
        return Postings(ids, tfs, list(matcher._values) if values else None)
    if type(matcher) is W3LeafMatcher and not matcher._byteids:
        return _read_blocks(matcher, values)
    raise Unsupported


def _read_blocks(m: W3LeafMatcher, values: bool) -> Postings:
    """Every block of an on-disk posting list (the matcher is left at its end)."""
    ids: list[int] = []
    tfs: list[float] = []
    vals: list[bytes] | None = [] if values else None
    while True:
        m._read_data()
        raw_ids, raw_weights = m._data[0], m._data[1]
        ids.extend(accumulate(raw_ids))  # ids are delta-coded within a block
        if raw_weights is None:
            tfs.extend([1.0] * m._blocklength)
        elif isinstance(raw_weights, float):
            tfs.extend([raw_weights] * m._blocklength)
        else:
            tfs.extend(raw_weights)
        if vals is not None:
            m._read_values()
            vals.extend(m._values)
        if m._lastblock:
            return Postings(ids, tfs, vals)
        m._goto(m._nextoffset)
