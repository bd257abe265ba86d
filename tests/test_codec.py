"""Posting blocks pickled at protocol 5 hold exactly what Whoosh's own W3 blocks hold."""

from __future__ import annotations

import io
import pickle
import zlib
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import columns
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher
from whoosh.formats import Positions

from searchkit.engine import blocks, codec, inline, positions, postings, ranking, stored, terminfo, writing
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


def _statistics(index_dir: Path) -> dict[tuple[str, bytes], tuple[Any, ...]]:
    """Every term's statistics as each reading path gives them: the term info's, the fixed-place reads."""
    out = {}
    with open_index(index_dir, "searchkit").searcher() as s:
        reader = s.reader()
        for (fieldname, tbytes), info in reader._terms.items():
            looked = reader.term_info(fieldname, tbytes)
            out[fieldname, tbytes] = (
                reader.frequency(fieldname, tbytes), reader.doc_frequency(fieldname, tbytes),
                *[(getattr(i, name)()) for i in (info, looked) for name in (
                    "weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id")])
    return out


def _stored(index_dir: Path, name: str) -> list[dict[str, Any]]:
    with open_index(index_dir, name).searcher() as s:
        return list(s.all_stored_fields())


def _entry_kinds(index_dir: Path) -> list[int]:
    """The first byte of every term table entry (0 blocks, 1 pickled inline postings, 2+ compact)."""
    with open_index(index_dir, "searchkit").searcher() as s:
        return [value[0] for _key, value in s.reader()._terms._tindex.items()]


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
    assert _statistics(tmp_path / "new") == _statistics(tmp_path / "old")
    for name in ("searchkit", "quotes"):
        assert _stored(tmp_path / "new", name) == _stored(tmp_path / "old", name)
    kinds = _entry_kinds(tmp_path / "new")
    assert set(kinds) == {0, 2, 3, 4} and set(_entry_kinds(tmp_path / "old")) == {0, 1}  # every inline one compact
    assert _block_protocols(tmp_path / "new") == {terminfo.BLOCK_PROTOCOL}
    assert _block_protocols(tmp_path / "old") == {2}
    found = _block_shapes(tmp_path / "new")
    assert ("body", "bytes") in {(field, w) for _p, field, _n, w in found}  # frequencies one byte each
    shapes = {(field, n) for _p, field, n, _w in found}
    assert ("body_exact", positions.LAYOUT) in shapes and ("body", positions.LAYOUT) in shapes  # planes
    assert not {n for field, n in shapes if field.endswith("_exact")} - {positions.LAYOUT}


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
    assert codec.read_keys(pickle.dumps([keys[0], *map(int.__sub__, keys[1:], keys)], 5)) == keys  # layout 4
    for bad in ([3, 1], [0, 2**codec.KEY_SHIFT + 1], [-3]):
        assert codec.position_keys([1, 5], [fmt.encode(bad), fmt.encode([2])]) is None
    assert codec.position_keys([1], [b"not a positions value"]) is None


def _minified(counts: list[int]) -> Any:
    """A block's weights as the writers minify them (`W3PostingsWriter._mini_weights`, `codec.byte_weights`)."""
    if set(counts) == {1}:
        return None
    if len(set(counts)) == 1:
        return float(counts[0])
    return bytes(counts) if max(counts) < 256 else tuple(map(float, counts))


_POSTING = st.tuples(st.integers(1, 2**24), st.sets(st.integers(0, 2**32 - 1), min_size=1, max_size=300))


@given(st.lists(_POSTING, min_size=1, max_size=30), st.sampled_from([2**8, 2**16, 2**24, 2**32]))
def test_position_planes_round_trip_with_large_gaps_and_positions(postings_: list[tuple[int, set[int]]],
                                                                   bound: int) -> None:
    """Both writers give the same planes, which read back as the block's keys and Whoosh's values, at every
    width (positions below 2**8 to 2**32) and with counts above 255 (weights as floats)."""
    ids = list(accumulate(gap for gap, _ in postings_))
    per = [sorted(p % bound for p in found) for _, found in postings_]
    per = [sorted(set(p)) for p in per]
    counts = [len(p) for p in per]
    values = [Positions().encode(p) for p in per]
    flat = [p for ps in per for p in ps]
    planes = codec.planes_of(ids, list(map(float, counts)), values)
    assert planes == positions.encode(flat)
    assert len(planes) == len(flat) * max(1, -(-max(flat).bit_length() // 8))
    rows = np.repeat(np.array(ids), counts), np.array(flat, np.int64)
    assert blocks._keys_by_block(*rows, np.array([0]), np.array([len(flat)])) == [planes]
    gaps = [ids[0], *map(int.__sub__, ids[1:], ids)]
    assert positions.ids(positions.block_data(gaps, None, planes), len(ids)) == ids
    keys = positions.keys(ids, _minified(counts), planes)
    assert keys == [d << codec.KEY_SHIFT | p for d, ps in zip(ids, per, strict=True) for p in ps]
    assert codec.values_from_keys(ids, keys) == tuple(values)
    boosted = [2.0 * c for c in counts]  # a weight that is not its count: the block keeps its values
    assert codec.planes_of(ids, boosted, values) is None


def test_position_planes_refuse_damage() -> None:
    with pytest.raises(ValueError, match="damaged"):
        positions.numbers(bytes(5), 2)
    with pytest.raises(ValueError, match="damaged"):  # one plane too long: not 3 numbers for 2
        positions.numbers(bytes(3), 2)
    assert list(positions.numbers(bytes(6), 2)) == [0, 0]


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


def _term_infos(weights: tuple[float, ...]) -> tuple[bytes, bytes]:
    """Whoosh's and `BlockTermInfo`'s table entries of the same three inlined postings with positions."""
    from whoosh.codec.whoosh3 import W3TermInfo

    values = tuple(codec.encode_positions(p) for p in ([3], [1, 9, 40], [7, 8]))
    entries = []
    for cls in (W3TermInfo, terminfo.BlockTermInfo):
        info = cls(weight=sum(weights), df=3, minlength=3, maxlength=50, maxweight=max(weights), minid=2, maxid=900)
        info.set_inlined((2, 5, 900), weights, values)
        entries.append(info.to_bytes())
    return entries[0], entries[1]


def _read(info: Any) -> tuple[Any, ...]:
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id(), info.inlined_postings())


def test_inlined_postings_are_written_compactly_and_older_tables_still_read() -> None:
    """`BlockTermInfo` writes inlined postings as a compact entry (exact bytes pinned) that reads back as
    Whoosh's protocol-2 entry does; Whoosh's entries, and protocol-5 pickled ones, still read."""
    from whoosh.codec.whoosh3 import W3TermInfo

    old, new = _term_infos((1.0, 3.0, 2.0))
    assert new == bytes([4, 3, 33, 3, 2, 3, 0xFF, 0x06, 1, 3, 2, 3, 1, 8, 31, 7, 1])  # ids 2, +3, +895
    assert len(new) * 4 < len(old)
    assert _read(terminfo.BlockTermInfo.from_bytes(new)) == _read(W3TermInfo.from_bytes(old))
    assert _read(terminfo.BlockTermInfo.from_bytes(old)) == _read(W3TermInfo.from_bytes(old))
    info = W3TermInfo.from_bytes(old)
    pickled = old[:W3TermInfo._struct.size] + pickle.dumps(info.inlined_postings(), terminfo.BLOCK_PROTOCOL)
    assert _read(terminfo.BlockTermInfo.from_bytes(pickled)) == _read(info)


def test_postings_a_compact_entry_cannot_spell_are_pickled() -> None:
    """A weight that is not a whole frequency keeps Whoosh's header and a protocol-5 pickle."""
    from whoosh.codec.whoosh3 import W3TermInfo

    old, new = _term_infos((1.5, 3.0, 2.0))
    assert new[0] == 1 and new[:W3TermInfo._struct.size] == old[:W3TermInfo._struct.size]
    assert new[W3TermInfo._struct.size:][:2] == bytes([0x80, terminfo.BLOCK_PROTOCOL])
    assert _read(terminfo.BlockTermInfo.from_bytes(new)) == _read(W3TermInfo.from_bytes(old))


def test_compact_entries_of_every_kind_round_trip() -> None:
    """Ids, frequencies (past 127 and 255) and positions (a position twice) come back as Whoosh's values."""
    from whoosh.system import pack_uint

    ids = (0, 127, 128, 70_000)
    freqs = (1, 300, 2, 128)
    positions = [[5], list(range(0, 3000, 10)), [4, 4], list(range(128))]
    cases = [(inline.NO_VALUES, ()), (inline.FREQUENCIES, tuple(map(pack_uint, freqs))),
             (inline.POSITIONS, tuple(Positions().encode(p) for p in positions))]
    for kind, values in cases:
        entry = inline.encode(kind, ids, freqs, positions if kind == inline.POSITIONS else None, 7, 9)
        assert entry is not None and entry == inline.from_values(ids, [float(f) for f in freqs], values, 7, 9)
        assert inline.Entry(entry).postings() == (ids, tuple(map(float, freqs)), values)
        assert inline.count(entry) == 4
    assert inline.encode(inline.POSITIONS, (1,), (2,), [[5, 3]], 0, 0) is None  # positions out of order
    assert inline.encode(inline.NO_VALUES, (3, 3), (1, 1), None, 0, 0) is None  # ids not ascending
    with pytest.raises(ValueError, match="damaged"):
        inline.Entry(inline.encode(inline.POSITIONS, (1,), (2,), [[5, 6]], 0, 0)[:-1])


@pytest.mark.parametrize(("docnum", "weight", "value", "fast"), [
    (0, 1.0, b"", True), (70_000, 1.0, b"", True), (5, 3.0, b"\x00\x00\x00\x03", True),
    (200, 300.0, b"\x00\x00\x01\x2c", True), (5, 1.5, b"", False), (5, 0.0, b"", False),
    (5, 2.0, b"\x00\x00\x00\x01", False), (5, 1.0, Positions().encode([4]), False), (5, 16_777_216.0, b"", False),
    (-1, 1.0, b"", False), (5, 1, b"", False)])
def test_a_single_posting_entry_is_from_values_entry(docnum: int, weight: float, value: bytes, fast: bool) -> None:
    """`inline.single` (the flush's fast path for a keyword or id term seen once) gives `from_values`'s entry,
    or `None` where `from_values` must decide (a weight not a whole frequency or past a float's exact whole
    numbers, a value not its frequency's, a negative number, an int weight)."""
    entry = inline.single(docnum, weight, value, 7, 9)
    assert (entry is not None) == fast
    if fast:
        assert entry == inline.from_values((docnum,), (weight,), (value,) if value else (), 7, 9)


@pytest.mark.parametrize("seed", range(6))
def test_many_compact_entries_are_encoded_at_once_as_one_by_one(seed: int) -> None:
    """`inline.encode_many` gives `encode`'s bytes for each list: numbers of one to five LEB128 bytes, ids
    not ascending, positions out of order, a total frequency the header cannot hold (those `None`)."""
    rng = np.random.default_rng(seed)
    kind = (inline.NO_VALUES, inline.FREQUENCIES, inline.POSITIONS)[seed % 3]
    lists = []
    for _ in range(40):
        count = int(rng.integers(1, 5))
        ids = sorted(rng.choice(1 << int(rng.choice([7, 14, 21, 28, 31])), count, replace=False).tolist())
        freqs = rng.choice([1, 2, 127, 128, 300], count).tolist()
        positions = [sorted(rng.integers(0, 1 << int(rng.choice([6, 13, 20, 30])), f).tolist()) for f in freqs]
        flaw = rng.integers(4)
        if flaw == 0 and count > 1:
            ids[1] = ids[0]
        elif flaw == 1 and kind == inline.POSITIONS and freqs[0] > 1:
            positions[0][:2] = [positions[0][1] + 1, positions[0][0]]
        elif flaw == 2 and kind != inline.POSITIONS:
            freqs[0] = 1 << 24
        lists.append((ids, freqs, positions, *rng.integers(0, 256, 2).tolist()))
    spelled = kind == inline.POSITIONS
    expected = [inline.encode(kind, ids, freqs, positions if spelled else None, low, high)
                for ids, freqs, positions, low, high in lists]
    assert 0 < expected.count(None) < len(expected)
    flat = [np.array([x for item in lists for x in item[column]], np.int64) for column in (0, 1)]
    every_position = np.array([p for item in lists for posting in item[2] for p in posting], np.int64)
    codes = [np.array([item[column] for item in lists], np.uint8) for column in (3, 4)]
    assert inline.encode_many(kind, np.array([len(item[0]) for item in lists]), *flat,
                              every_position if spelled else None, *codes) == expected


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


@pytest.mark.parametrize("count", [5, stored.SAMPLE_RECORDS + 40])
def test_stored_records_share_a_dictionary_of_the_first_and_read_back_exactly(count: int) -> None:
    """Each record reads back as it was given (a document without one reads as `None`), in segments smaller
    and larger than the sample the dictionary is made of; the first record carries the dictionary, and
    records that share its words are smaller than they are deflated alone."""
    from datetime import datetime

    from whoosh.filedb.structfile import StructFile

    records = [{"article": f"/corpus/reuters/2019/file{n}.txt#0", "title": "Oil prices rise", "start": n,
                "date": datetime(2019, 3, n % 28 + 1), "name": "Ana Ruiz", "role": "oil minister of Tovik"}
               for n in range(count)]
    file = StructFile(io.BytesIO())
    writer = codec.STORED.writer(file)
    for docnum, record in enumerate(records):
        if docnum != 3:  # document 3 has no stored fields
            writer.add(docnum, record)
    writer.finish(len(records))
    data = file.file.getvalue()
    reader = codec.STORED.reader(StructFile(io.BytesIO(data)), 0, len(data), len(records))
    expected = [None if n == 3 else r for n, r in enumerate(records)]
    assert [reader[n] for n in range(count)] == expected
    assert list(reader) == expected
    raw = [columns.VarBytesColumn.Reader.__getitem__(reader, n) for n in range(count)]
    assert [r[:1] for r in raw] == [b"\x02", b"\x03", b"\x03", b"", *[b"\x03"] * (count - 4)]
    alone = [len(zlib.compress(pickle.dumps(r, stored.PROTOCOL), stored.LEVEL)) for r in records]
    assert all(len(r) * 3 < alone[n] for n, r in enumerate(raw) if n and r)
    again = codec.STORED.reader(StructFile(io.BytesIO(data)), 0, len(data), len(records))
    assert again[count - 1] == records[-1]  # the dictionary found from any record first read


@given(st.integers(9, 15), st.integers(-300, 300), st.integers(0, 2**32 - 1), st.booleans())
def test_a_stored_record_deflates_to_the_same_bytes_in_its_smaller_window(bits: int, edge: int, seed: int,
                                                                           text: bool) -> None:
    """`StoredWriter._deflate` picks the smallest window that keeps the bytes a full window gives
    (`window_bits`): dictionary and record reach within ±300 bytes of a window's reach (2**bits - 262), the
    record ending with the dictionary's first bytes (a match as far back as it can be)."""
    import random

    from whoosh.filedb.structfile import StructFile

    rng = random.Random(seed)
    reach = max(8, (1 << bits) - 262 + edge)
    size = rng.randint(4, reach - 4)  # the dictionary's
    if text:  # compressible, as records are: words from a small vocabulary
        words = [b"oil", b"prices", b"rose", b"said", b"minister", b"(Reuters)", b"percent", b"on", b"Tuesday"]
        stream = b" ".join(rng.choice(words) for _ in range(reach))
    else:
        stream = rng.randbytes(reach)
    zdict, far = stream[:size], rng.randint(3, 40)
    data = stream[size:reach - far] + zdict[:far]
    full = zlib.compressobj(stored.LEVEL, zlib.DEFLATED, -15, zdict=zdict)
    writer = codec.STORED.writer(StructFile(io.BytesIO()))
    writer._zdict = zdict
    assert writer._deflate(data) == full.compress(data) + full.flush()
    chosen = stored.window_bits(len(zdict) + len(data))
    assert chosen in (9, 15) or len(zdict) + len(data) > (1 << (chosen - 1)) - 262  # the smallest that fits


@pytest.mark.parametrize("size", [200, 4000])
def test_a_stored_dictionary_holds_about_dict_records_of_the_sample(size: int) -> None:
    """Every record is primed with the whole dictionary (its cost grows with it), so small records get a
    small one: about `DICT_RECORDS` records' worth of the sample, never more than zlib's window."""
    from whoosh.filedb.structfile import StructFile

    records = [{"body": f"{n} " + "x" * size} for n in range(stored.SAMPLE_RECORDS)]
    mean = sum(len(pickle.dumps(r, stored.PROTOCOL)) for r in records) / len(records)
    file = StructFile(io.BytesIO())
    writer = codec.STORED.writer(file)
    for docnum, record in enumerate(records):
        writer.add(docnum, record)
    writer.finish(len(records))
    data = file.file.getvalue()
    reader = codec.STORED.reader(StructFile(io.BytesIO(data)), 0, len(data), len(records))
    assert [reader[n] for n in range(len(records))] == records
    expected = min(stored.DICT_LIMIT, stored.DICT_RECORDS * mean)
    assert abs(len(reader._dictionary()) - expected) <= 1
