"""Posting blocks pickled at protocol 5 hold exactly what Whoosh's own W3 blocks hold."""

from __future__ import annotations

import pickle
import zlib
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.formats import Positions

from searchkit.engine import codec, postings, ranking, writing
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
    return {p for p, _f, _n, _w in _block_shapes(index_dir)}


def _block_shapes(index_dir: Path) -> set[tuple[int, str, int, str]]:
    """(pickle protocol, field, tuple length, type of the weights) of every on-disk posting block's data."""
    shapes = set()
    with open_index(index_dir, "searchkit").searcher() as s:
        reader = s.reader()
        for fieldname, tbytes in reader.all_terms():
            m = reader.postings(fieldname, tbytes)
            m = getattr(m, "child", m)
            while isinstance(m, W3LeafMatcher):
                raw = m._postfile.get(m._dataoffset, m._nextoffset - m._dataoffset)
                data = zlib.decompress(raw) if m._compression else raw
                block = pickle.loads(data)
                shapes.add((data[1], fieldname, len(block), type(block[1]).__name__))
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
    found = _block_shapes(tmp_path / "new")
    assert ("body", "bytes") in {(field, w) for _p, field, _n, w in found}  # frequencies one byte each
    shapes = {(field, n) for _p, field, n, _w in found}
    assert ("body_exact", 4) in shapes and ("body", 5) in shapes  # positions as keys; frequencies with bounds
    assert not {n for field, n in shapes if field.endswith("_exact")} - {4}


def test_whole_frequencies_below_256_are_stored_as_bytes() -> None:
    assert codec.byte_weights((1.0, 3.0, 255.0)) == bytes([1, 3, 255])
    for kept in ((1.0, 256.0), (1.0, 2.5), None, 2.0):
        assert codec.byte_weights(kept) == kept


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


@given(st.lists(st.tuples(st.integers(0, 255), st.integers(1, 40).map(float)), max_size=60), st.integers(1, 9))
def test_score_bounds_dominate_every_posting(postings_: list[tuple[int, float]], chunk: int) -> None:
    """Each run's pairs are postings of the run, codes rising and weights strictly rising, and every
    posting of the run has a pair at least as short and at least as frequent."""
    codes, weights = [c for c, _ in postings_], [w for _, w in postings_]
    size, runs = codec.score_bounds(weights, codes, chunk)
    assert size == chunk and len(runs) == -(-len(codes) // chunk)
    for n, pairs in enumerate(runs):
        run = postings_[n * chunk:(n + 1) * chunk]
        frontier = list(zip(pairs[::2], pairs[1::2], strict=True))
        assert set(frontier) <= set(run)
        assert all(a[0] < b[0] and a[1] < b[1] for a, b in pairwise(frontier))
        assert all(any(c <= code and w >= weight for c, w in frontier) for code, weight in run)


def test_stored_bounds_cover_what_searching_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The length codes the writer bounds by are the ones the scorer reads: every live posting of every
    scored term is within its run's bound, in several runs per block (and several blocks per term)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(60):
        body = " ".join(f"w{(i * j) % 17} harbour" for j in range(1, 5 + (i * 7) % 40))
        (docs / f"n{i:03}.txt").write_text(f"Harbour note {i} w{i % 5}\n\n{body}\n")
    monkeypatch.setattr(writing, "CODEC", codec.BlockCodec(blocklimit=16, compression=1, inlinelimit=2))
    monkeypatch.setattr(codec, "BOUND_CHUNK", 5)
    index_paths([docs], tmp_path / "ix", workers=1)
    (docs / "n001.txt").unlink()
    index_paths([docs], tmp_path / "ix", workers=1)
    runs = 0
    with open_index(tmp_path / "ix", "searchkit").searcher() as s:
        for reader in (r for r, _ in s.reader().leaf_readers()):
            for fieldname, tbytes in reader.all_terms():
                if fieldname not in ("title", "body"):
                    continue
                found = postings.read_postings(reader, fieldname, tbytes.decode())
                if len(found.ids) <= 2:
                    continue  # inlined in the term table: no blocks
                codes = ranking.BM25F().cache.length_codes(reader, fieldname)
                assert found.bounds is not None and codes is not None
                for lo, hi, pairs in found.bounds:
                    frontier = list(zip(pairs[::2], pairs[1::2], strict=True))
                    for d, tf in zip(found.ids, found.tfs, strict=True):
                        if lo <= d <= hi:
                            assert any(c <= codes[d] and w >= tf for c, w in frontier), (fieldname, tbytes, d)
                runs += len(found.bounds)
    assert runs > 50


def test_inlined_postings_are_pickled_compactly_and_older_tables_still_read() -> None:
    """`BlockTermInfo` pickles inlined postings at protocol 5; Whoosh's protocol-2 entries read the same."""
    from whoosh.codec.whoosh3 import W3TermInfo

    values = tuple(codec.encode_positions(p) for p in ([3], [1, 9, 40], [7, 8]))
    entries = []
    for cls in (W3TermInfo, codec.BlockTermInfo):
        info = cls(weight=6.0, df=3, minlength=3, maxlength=50, maxweight=3.0, minid=2, maxid=9)
        info.set_inlined((2, 5, 9), (1.0, 3.0, 2.0), values)
        entries.append(info.to_bytes())
    old, new = entries
    assert len(new) < len(old) * 0.8
    assert W3TermInfo.from_bytes(new).inlined_postings() == W3TermInfo.from_bytes(old).inlined_postings()
    assert new[:W3TermInfo._struct.size] == old[:W3TermInfo._struct.size]


def test_stored_fields_keep_their_offsets_in_segments_of_any_size(tmp_path: Path) -> None:
    """Every segment's stored-fields column stores the documents' offsets (Whoosh does past 32,768 documents
    only, and otherwise rebuilds them in a Python loop each time a reader opens the column): a reader of a
    small segment finds them stored and reads the same documents."""
    from whoosh.codec.whoosh3 import STORED_COLUMN

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(5):
        (docs / f"n{i}.txt").write_text(f"Note {i}\n\n“The harbour opens on day {i},” Ana Ruiz said.\n")
    index_paths([docs], tmp_path / "index", workers=1)
    for name in ("searchkit", "quotes"):
        with open_index(tmp_path / "index", name).searcher() as s:
            for reader, _offset in s.reader().leaf_readers():
                column = reader._perdoc.column_reader("_stored", STORED_COLUMN)
                assert getattr(column, "_child", column).had_stored_offsets
    with open_index(tmp_path / "index", "searchkit").searcher() as s:
        assert sorted(f["title"] for f in s.all_stored_fields()) == [f"Note {i}" for i in range(5)]
