"""Distinct stories among a query's matches, given wire-copy groups by stable article id.

A search counts stories from a map of each grouped live document to its group, kept in a small file per
index generation (`_stories_<generation>.bin`: a version line naming the groups it was made from, then
`(docnum, group)` pairs as int64). The indexer makes it after each update (`prime`); a search made after
the groups or the index changed makes it again.

Making the map needs every grouped article's document number. Looking 10^4 ids up one by one costs ~1 s at
10^5 articles, so each segment's ids are read once, in one pass over its id terms, and kept in a file of
their own (`_storyids_<segment>.json`: the id of each of the segment's documents, deleted ones included):
segments never change but for deletions, which are checked when the map is made. An update then reads the
ids of its new segments only. Files that cannot be written (a read-only index) only cost the reads each time.
"""

from __future__ import annotations

import contextlib
import json
from array import array
from collections.abc import Callable, Mapping
from itertools import compress
from pathlib import Path
from typing import Any

from searchkit import private
from searchkit.engine.postings import segment_terms

PREFIX = "_stories_"
IDS_PREFIX = "_storyids_"


def groups_by_doc(searcher: Any, index_dir: Path, version: str, load: Callable[[], Mapping[str, str]]
                  ) -> dict[int, int]:
    """Each grouped live document's group (as a small number), for the groups `load` returns (`version`
    names them)."""
    path = index_dir / f"{PREFIX}{searcher.reader().generation()}.bin"
    found = _read(path, version)
    if found is not None:
        return found
    groups = load()
    labels: dict[str, int] = {}
    mapping: dict[int, int] = {}
    segments = set()
    for reader, offset in searcher.reader().leaf_readers():
        segment = reader.segment().segment_id()
        segments.add(segment)
        deleted = reader.is_deleted if reader.has_deletions() else None
        ids = _segment_ids(index_dir, segment, reader)
        # only the grouped documents (~5%) reach Python: the ids are looked up in C (a loop over every id of
        # every segment was ~0.1 s of an update's serial end at 10^5 articles)
        for local in compress(range(len(ids)), map(groups.__contains__, ids)):
            if not (deleted and deleted(local)):
                mapping[offset + local] = labels.setdefault(groups[ids[local]], len(labels))
    _write(path, version.encode() + b"\n" + array("q", [v for item in mapping.items() for v in item]).tobytes())
    _forget(index_dir, PREFIX, {path.name})
    _forget(index_dir, IDS_PREFIX, {_ids_path(index_dir, s).name for s in segments})
    return mapping


def count(docs: set[int], groups: Mapping[int, int]) -> int:
    """Stories among `docs`: documents of one group count once."""
    seen: set[int] = set()
    hidden = 0
    for docnum in docs & groups.keys():
        group = groups[docnum]
        if group in seen:
            hidden += 1
        else:
            seen.add(group)
    return len(docs) - hidden


def _segment_ids(index_dir: Path, segment: str, reader: Any) -> list[str]:
    """The article id of each document of a segment (by local number; "" for a document without one), read
    from the segment's file or, the first time, from its id terms."""
    path = _ids_path(index_dir, segment)
    size = reader.doc_count_all()
    with contextlib.suppress(OSError, ValueError):
        ids = json.loads(path.read_bytes())
        if isinstance(ids, list) and len(ids) == size and set(map(type, ids)) <= {str}:  # checked in C
            return ids
    ids = [""] * size
    for text, docs in segment_terms(reader, "id"):
        for local in docs:
            ids[local] = text
    remember_ids(index_dir, segment, ids)
    return ids


def remember_ids(index_dir: Path, segment: str, ids: list[str]) -> None:
    """Keep the ids of a segment just written (by local number, as `_segment_ids` reads them from its id
    terms): a segment worker knows them, and the indexer's map making after the commit then reads no new
    segment's terms (~0.1 s off an update's serial end, the whole index's ids off a build's)."""
    _write(_ids_path(index_dir, segment), json.dumps(ids).encode())


def _ids_path(index_dir: Path, segment: str) -> Path:
    return index_dir / f"{IDS_PREFIX}{segment}.json"


def _read(path: Path, version: str) -> dict[int, int] | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    head, _, body = data.partition(b"\n")
    if head != version.encode() or len(body) % 16:
        return None
    pairs = array("q")
    pairs.frombytes(body)
    return dict(zip(pairs[0::2], pairs[1::2], strict=True))


def _write(path: Path, data: bytes) -> None:
    """Replace `path` with `data`, owner-only and atomically; a folder that cannot be written is left as is."""
    with contextlib.suppress(OSError):
        private.write_bytes(path, data, sync=False)


def _forget(index_dir: Path, prefix: str, keep: set[str]) -> None:
    """Remove the files of `prefix` other than `keep` (older generations', merged segments')."""
    for old in index_dir.glob(f"{prefix}*"):
        if old.name not in keep:
            with contextlib.suppress(OSError):
                old.unlink()
