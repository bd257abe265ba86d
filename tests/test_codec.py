"""Posting blocks pickled at protocol 5 hold exactly what Whoosh's own W3 blocks hold."""

from __future__ import annotations

import pickle
import zlib
from pathlib import Path
from typing import Any

import pytest
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.formats import Positions

from searchkit.engine import codec, writing
from searchkit.engine.index import open_index
from searchkit.indexer import index_paths


def _postings(index_dir: Path) -> dict[tuple[str, bytes], list[tuple[int, float, Any]]]:
    """Every term's postings (document, weight, encoded value), read through Whoosh's matchers."""
    out = {}
    with open_index(index_dir, "searchkit").searcher() as s:
        reader = s.reader()
        for fieldname, tbytes in reader.all_terms():
            m = reader.postings(fieldname, tbytes)
            items = []
            while m.is_active():
                items.append((m.id(), m.weight(), m.value()))
                m.next()
            out[fieldname, tbytes] = items
    return out


def _block_protocols(index_dir: Path) -> set[int]:
    """The pickle protocol of every on-disk posting block's data."""
    return {p for p, _f, _n in _block_shapes(index_dir)}


def _block_shapes(index_dir: Path) -> set[tuple[int, str, int]]:
    """(pickle protocol, field, tuple length) of every on-disk posting block's data."""
    shapes = set()
    with open_index(index_dir, "searchkit").searcher() as s:
        reader = s.reader()
        for fieldname, tbytes in reader.all_terms():
            m = reader.postings(fieldname, tbytes)
            m = getattr(m, "child", m)
            while isinstance(m, W3LeafMatcher):
                raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                data = zlib.decompress(raw) if m._compression else raw
                shapes.add((data[1], fieldname, len(pickle.loads(data))))
                if m._lastblock:
                    break
                m._goto(m._nextoffset)
    return shapes


def test_blocks_hold_what_whoosh_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same postings, values and weights as Whoosh's W3 codec writes; only the blocks' pickles differ."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(40):
        body = " ".join(f"w{(i * j) % 31} common harbour" for j in range(1, 30 + 3 * i))
        (docs / f"n{i:03}.txt").write_text(f"Note {i} about the harbour\n\n“It is fine,” Ana Ruiz said. {body}\n")
    monkeypatch.setattr(writing, "CODEC", codec.BlockCodec(blocklimit=16, compression=1, inlinelimit=4))
    index_paths([docs], tmp_path / "new", workers=1)
    monkeypatch.setattr(writing, "CODEC", W3Codec(blocklimit=16, compression=1, inlinelimit=4))
    index_paths([docs], tmp_path / "old", workers=1)
    new, old = _postings(tmp_path / "new"), _postings(tmp_path / "old")
    assert sum(len(p) > 16 for p in new.values()) > 10  # several terms span more than one block
    assert new == old
    assert _block_protocols(tmp_path / "new") == {codec.BLOCK_PROTOCOL}
    assert _block_protocols(tmp_path / "old") == {2}
    shapes = {(field, n) for _p, field, n in _block_shapes(tmp_path / "new")}
    assert ("body_exact", 4) in shapes and ("body", 3) in shapes  # positions as keys; frequencies as before
    assert not {n for field, n in shapes if field.endswith("_exact")} - {4}


def test_position_keys_round_trip_and_refuse_what_they_cannot_hold() -> None:
    """Keys rebuild the exact values; positions out of order or too large for a key keep their values."""
    fmt = Positions()
    ids = [1, 5, 9, 2**20]
    values = [fmt.encode(p) for p in ([0, 3, 7], [2], [1, 4, 900], [12])]
    keys = codec.position_keys(ids, values)
    assert keys == sorted(keys) and len(keys) == 8
    assert codec.values_from_keys(ids, keys) == tuple(values)
    assert codec.read_keys(pickle.dumps(codec._key_gaps(keys), 5)) == keys
    for bad in ([3, 1], [0, 2**codec.KEY_SHIFT + 1], [-3]):
        assert codec.position_keys([1, 5], [fmt.encode(bad), fmt.encode([2])]) is None
    assert codec.position_keys([1], [b"not a positions value"]) is None
