"""The front-coded term table (`engine.termtable`): entries round-trip, lookups and ordered walks from any
key, across block boundaries; and an index written with tiny blocks reads like one written with large ones."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.filedb.structfile import StructFile

from searchkit.engine import termtable
from searchkit.engine.index import open_index
from searchkit.engine.termtable import TermTableReader, TermTableWriter, shared_prefix, shared_prefixes
from searchkit.indexer import index_paths


class _Kept(io.BytesIO):
    def close(self) -> None:  # the writer closes its file; keep the bytes readable
        pass


def _table(entries: list[tuple[bytes, bytes]], block_terms: int = 4, fieldmap: dict[str, int] | None = None,
           ) -> tuple[TermTableReader, int]:
    """A table of `entries` written and reopened (its reader and its size)."""
    buf = _Kept()
    writer = TermTableWriter(StructFile(buf), block_terms)
    writer.extras["fieldmap"] = fieldmap or {}
    half = len(entries) // 2
    writer.add_many(entries[:half])
    for key, value in entries[half:]:
        writer.add(key, value)
    writer.close()
    data = buf.getvalue()
    return TermTableReader(StructFile(io.BytesIO(data)), len(data)), len(data)


def _entries() -> list[tuple[bytes, bytes]]:
    """Keys sharing long prefixes (paths), non-ASCII, a key past 127 bytes, values of every size."""
    keys = {b"\x00\x00" + w.encode() for w in ["apple", "apples", "applesauce", "apply", "b", "ba", "zeta"]}
    keys |= {b"\x00\x01" + f"/data/reuters/2019/03/{i:04}-story-é.txt".encode() for i in range(0, 90, 3)}
    keys |= {b"\x00\x02" + "Straße Ærø łódź 中文".encode(), b"\x00\x02" + b"x" * 300,
             b"\x00\x02" + b"x" * 301 + b"\xff", b"\x00\x03"}
    return [(k, bytes([i % 256]) * (i % 7 + (200 if i % 11 == 0 else 1))) for i, k in enumerate(sorted(keys))]


@pytest.mark.parametrize("block_terms", [1, 2, 4, 32])
def test_entries_round_trip_in_order_and_by_key(block_terms: int) -> None:
    entries = _entries()
    reader, size = _table(entries, block_terms, {"body": 0, "id": 1})
    assert list(reader.items()) == entries
    assert all(reader.get(k) == v and k in reader and reader[k] == v for k, v in entries)
    assert reader.extras["fieldmap"] == {"body": 0, "id": 1}
    if block_terms == 32:  # the shared path prefixes are stored once a block
        assert size < sum(len(k) for k, _v in entries) * 0.6 + sum(len(v) for _k, v in entries)


def test_absent_keys_are_not_found_before_between_and_after_blocks() -> None:
    entries = _entries()
    reader, _size = _table(entries, 4)
    keys = [k for k, _v in entries]
    absent = [b"", b"\x00", keys[0][:-1], keys[-1] + b"\x00", b"\xff\xff"]
    for a, b in itertools.pairwise(keys):
        absent += [a + b"\x00", b[:-1] + bytes([b[-1] - 1]) + b"\xff" if b[-1] else a + b"\x00\x00"]
    absent = [k for k in absent if k not in set(keys)]
    assert len(absent) > len(keys)
    for key in absent:
        assert reader.get(key) is None and key not in reader
        with pytest.raises(KeyError):
            reader[key]
        assert list(reader.items_from(key)) == [(k, v) for k, v in entries if k > key]


def test_walks_from_any_key_cross_block_boundaries() -> None:
    entries = _entries()
    reader, _size = _table(entries, 3)
    for i, (key, _value) in enumerate(entries):
        assert list(reader.items_from(key)) == entries[i:]
        assert list(reader.keys_from(key[:3])) == [k for k, _v in entries if k >= key[:3]]
    prefix = b"\x00\x01/data/reuters/2019/03/00"
    assert [k for k in reader.keys_from(prefix) if k.startswith(prefix)] == [
        k for k, _v in entries if k.startswith(prefix)] and len([k for k, _v in entries if k.startswith(prefix)]) > 6


def test_lookups_and_walks_cross_the_sparse_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(termtable, "TOP", 2)  # ~20 blocks: many listed first keys, bisected between
    entries = _entries()
    reader, _size = _table(entries, 2)
    assert all(reader.get(k) == v for k, v in entries)
    for (a, _va), (b, _vb) in itertools.pairwise(entries):
        probe = a + b"\x00"
        if probe != b:
            assert reader.get(probe) is None
        assert list(reader.items_from(probe)) == [(k, v) for k, v in entries if k >= probe]


def test_lookups_in_any_order_read_a_block_once_while_they_stay_in_it() -> None:
    entries = _entries()
    reader, _size = _table(entries, 4)
    reads = []
    read = reader._read
    reader._read = lambda pos, size: reads.append(pos) or read(pos, size)  # type: ignore[method-assign]
    reader.get(b"")  # the sparse index is read first, once
    reads.clear()
    for key, value in entries[4:8]:  # one block (four terms a block): each twice, as an update's deletes ask
        assert reader.get(key) == value and key in reader
    assert len(reads) == 1
    order = [*entries[::-3], *entries, *entries[::5]]  # from block to block and back, repeats included
    assert [reader.get(k) for k, _v in order] == [v for _k, v in order]
    assert reader.get(entries[9][0] + b"\x00") is None and reader.get(entries[9][0]) == entries[9][1]


def test_a_damaged_footer_or_index_is_refused() -> None:
    buf = _Kept()
    writer = TermTableWriter(StructFile(buf), 4)
    writer.add_many(_entries())
    writer.close()
    good = buf.getvalue()
    for at, value in ((-20, 2**40), (-36, 5)):  # first keys' bytes; index offset
        data = bytearray(good)
        data[at:at + 8] = value.to_bytes(8, "little")
        with pytest.raises(ValueError, match="damaged"):
            TermTableReader(StructFile(io.BytesIO(bytes(data))), len(data))


def test_a_damaged_block_offset_is_refused_before_the_read_it_sizes() -> None:
    buf = _Kept()
    writer = TermTableWriter(StructFile(buf), 2)
    entries = _entries()
    writer.add_many(entries)
    writer.close()
    data = bytearray(buf.getvalue())
    index_pos, count, keys_len = (int.from_bytes(data[-36 + 8 * i:-28 + 8 * i], "little") for i in range(3))
    at = index_pos + keys_len + 4 * (count + 1) + 8 * 3  # block 3's offset: block 2 ends there
    data[at:at + 8] = (2**40).to_bytes(8, "little")
    reader = TermTableReader(StructFile(io.BytesIO(bytes(data))), len(data))
    assert reader.get(entries[0][0]) == entries[0][1]  # block 0 is sound
    for key in (entries[4][0], entries[6][0]):  # blocks 2 and 3 (two terms a block)
        with pytest.raises(ValueError, match="damaged"):
            reader.get(key)


def test_an_empty_table_reads_empty() -> None:
    reader, _size = _table([])
    assert list(reader.items()) == [] and reader.get(b"\x00\x00a") is None and list(reader.items_from(b"a")) == []


def test_keys_must_increase() -> None:
    writer = TermTableWriter(StructFile(_Kept()))
    writer.add(b"b", b"1")
    with pytest.raises(ValueError, match="Keys must increase"):
        writer.add_many([(b"c", b"2"), (b"c", b"3")])


def test_shared_prefix() -> None:
    assert [shared_prefix(a, b) for a, b in [(b"", b"x"), (b"abc", b"abd"), (b"abc", b"abc"), (b"ab", b"abc"),
                                             (b"\x00\x01a", b"\x00\x02a"), (b"x" * 300, b"x" * 299 + b"y")]] == [
        0, 2, 3, 2, 1, 299]


_KEYS = st.builds(bytes, st.lists(st.sampled_from([0, 97, 98, 255]), max_size=6)) | st.binary(min_size=120,
                                                                                              max_size=300)


@given(st.lists(_KEYS, min_size=termtable._ARRAY_PREFIXES, max_size=200))
def test_shared_prefixes_in_arrays_are_shared_prefix_pair_by_pair(keys: list[bytes]) -> None:
    """From `_ARRAY_PREFIXES` keys the prefixes are found in arrays: the same numbers (a key the next one's
    prefix, empty keys, equal keys, bytes 0 and 255, keys past 127 bytes)."""
    keys.sort()
    assert shared_prefixes(keys) == [shared_prefix(a, b) for a, b in itertools.pairwise(keys)]


def _notes(folder: Path) -> Path:
    folder.mkdir()
    for i in range(30):
        words = " ".join(f"harbour{(i * j) % 53} tide{j} wörd{i % 5}" for j in range(1, 20 + i))
        (folder / f"note-{i:03}.txt").write_text(f"Note {i} on harbours\n\n“It is fine,” Ana Ruiz said. {words}\n")
    return folder


def _reading(index_dir: Path) -> dict[str, object]:
    """What readers ask a term table, through Whoosh's reader: every term with its statistics, lexicons and
    prefix expansions, cursors, absent terms."""
    with open_index(index_dir, "searchkit").searcher() as s:
        reader = s.reader()
        terms = list(reader.all_terms())
        return {
            "terms": terms,
            "stats": [(reader.frequency(f, t), reader.doc_frequency(f, t), reader.term_info(f, t).max_id())
                      for f, t in terms],
            "lexicon": list(reader.lexicon("body_exact")),
            "prefix": list(reader.expand_prefix("body_exact", "harbour1")),
            "from": list(reader.terms_from("body_exact", "tide2")),
            "cursor": _walk(reader.cursor("body_exact"), "tide3"),
            "absent": [(f, b"zz" + t) in reader or reader.doc_frequency(f, b"zz" + t) for f, t in terms],
            "hits": sorted(s.document_numbers(body_exact="harbour7")),
        }


def _walk(cursor: object, start: str) -> list[object]:
    out = [cursor.text()]  # type: ignore[attr-defined]
    cursor.find(start)  # type: ignore[attr-defined]
    while cursor.is_valid():  # type: ignore[attr-defined]
        out.append((cursor.text(), cursor.term_info().doc_frequency()))  # type: ignore[attr-defined]
        cursor.next()  # type: ignore[attr-defined]
    return out


def test_an_index_with_tiny_blocks_reads_like_one_with_large_ones(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _notes(tmp_path / "docs")
    index_paths([docs], tmp_path / "large", workers=1)
    monkeypatch.setattr(termtable, "BLOCK_TERMS", 2)
    monkeypatch.setattr(TermTableWriter.__init__, "__defaults__", (2,))
    index_paths([docs], tmp_path / "tiny", workers=1)
    large, tiny = _reading(tmp_path / "large"), _reading(tmp_path / "tiny")
    assert len(large["terms"]) > 300 and len(large["prefix"]) > 5 and len(large["cursor"]) > 20  # type: ignore[arg-type]
    assert not any(large["absent"]) and large["hits"]  # type: ignore[arg-type]
    assert large == tiny
    sizes = [sum(p.stat().st_size for p in (tmp_path / name).glob("searchkit_*.trm")) for name in ("large", "tiny")]
    assert sizes[0] < sizes[1]
