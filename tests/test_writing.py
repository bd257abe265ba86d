"""The write path's shortcuts write exactly what Whoosh's own writer code would."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.structfile import StructFile
from whoosh.formats import Frequency, Positions

from searchkit.engine import batch, blocks, codec, documents, flush, pool, schema, writing
from searchkit.engine.columns import Sorted
from searchkit.engine.index import open_index
from searchkit.engine.lengths import BYTE_LENGTHS
from searchkit.engine.schema import QUOTES_NAME
from searchkit.indexer import index_paths

from .conftest import SEEDS


def _per_document_add(writer: Any, fields: dict[str, Any]) -> None:
    """The write path before batches (the reference): each document's text fields analysed on their own
    (`documents.analyse`) into posting items, pooled one posting at a time with every other field."""
    doc = dict(fields)
    for stemmed, exact in schema.analysed_fields(writer.schema).items():
        text = fields.get(stemmed)
        if text is not None:
            doc[stemmed], doc[exact] = documents.analyse(text)
            doc.setdefault("_stored_" + stemmed, text)  # a quote that is a span stores none (`prepare_quotes`)
    for exact, pairs in schema.paired_fields(writer.schema).items():
        text = fields.get(exact)
        if text is not None:
            doc[pairs] = documents.pair_items(text, writer.schema[pairs].pair_words())
    pool._add_document(writer, doc)


def _whoosh_flush(writer: Any) -> None:
    """The flush before inline term entries were encoded directly: every term through Whoosh's writer."""
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
        writing._add_postings(fieldwriter._postwriter, postings, field_lengths)
        fieldwriter.finish_term()
    if lastfield is not None:
        fieldwriter.finish_field()
    fieldwriter.close()
    if lengths is not None:
        lengths.close()


def _segment_files(index_dir: Path, name: str) -> tuple[list[tuple[bytes, bytes]], bytes, bytes]:
    """The term table entries, and the raw term table and postings files, of the index's only segment."""
    ix = open_index(index_dir, name)
    (segment,) = ix._read_toc().segments
    terms = segment.codec().terms_reader(ix.storage, segment)
    try:
        entries = list(terms._tindex.items())
    finally:
        terms.close()
    files = [(index_dir / segment.make_filename(ext)).read_bytes() for ext in (".trm", ".pst")]
    return entries, files[0], files[1]


def _all_segment_files(index_dir: Path, name: str) -> list[tuple[str, bytes]]:
    """Every file of every segment of an index (named without the segment id), in segment order."""
    out = []
    for segment in open_index(index_dir, name)._read_toc().segments:
        prefix = f"{name}_{segment.segid}"
        out += [(p.name[len(prefix):], p.read_bytes()) for p in sorted(index_dir.glob(prefix + "*"))]
    return out


def _notes(tmp_path: Path, count: int, body: Callable[[int], str]) -> Path:
    """A folder of `count` short articles with a quote each and the body `body(i)`."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(count):
        (docs / f"n{i:03}.txt").write_text(f"Note {i} about the harbour\n\n“It is fine,” Ana Ruiz said. {body(i)}\n")
    return docs


def _assert_same_segments(left: Path, right: Path) -> None:
    """Both indexes' term tables and postings files (articles and quotes) are byte-identical."""
    for name in ("searchkit", QUOTES_NAME):
        a, b = _segment_files(left, name), _segment_files(right, name)
        assert len(a[0]) > 50  # term entries (a quote has no key term)
        assert a == b, name


@pytest.mark.parametrize("pool_limit", [500_000, 700])
def test_inline_term_entries_match_whoosh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_limit: int) -> None:
    """Term tables and postings files are byte-identical to the all-Whoosh flush (spilled or not)."""
    docs = _notes(tmp_path, 60, lambda i: " ".join(f"w{(i * j) % 97} common harbour" for j in range(1, 40 + i)))
    original = writing.GroupedPool.__init__

    def limited(self: writing.GroupedPool, tempdir: Path, limit: int = 0) -> None:
        original(self, tempdir, limit=pool_limit)

    monkeypatch.setattr(writing.GroupedPool, "__init__", limited)
    monkeypatch.setattr(writing, "add_document", _per_document_add)  # every field through the pool
    index_paths([docs], tmp_path / "fast", workers=1)
    monkeypatch.setattr(writing, "_flush_grouped", _whoosh_flush)
    index_paths([docs], tmp_path / "whoosh", workers=1)
    _assert_same_segments(tmp_path / "fast", tmp_path / "whoosh")


_TRICKY = [
    "Russia's cease-fire with Erdoğan in São Paulo, O'Brien 38.101 multi-agent talks; talks again.",
    "The the THE and-or — “quoted” words, 2019-03-15 and e-mail; x-ray X-RAY x‐ray re-re-elect.",
    "",
    "Straße Ærø łódź ﬁne ı ŀ İstanbul Ⅻ ½ ٣ 中文 word’s rock’n’roll -lead trail- a--b",
]


def _varied(tmp_path: Path) -> Path:
    """Articles that exercise the encoder: shared and rare words, compounds, accents, an empty title, a word
    more than 255 times in one text (frequencies beyond a byte), positions past 65,535, and enough
    documents for many blocks and several batches."""
    docs = tmp_path / "varied"
    docs.mkdir()
    records = []
    for i in range(130):
        words = " ".join(f"w{(i * j) % 53} common harbour{j % 7}" for j in range(1, 20 + i % 40))
        title = "" if i % 17 == 0 else f"Note {i} about the harbour-master"
        records.append({"id": f"r{i}", "title": title, "date": "2020-01-02",
                        "body": f"{_TRICKY[i % len(_TRICKY)]} {words} “It is fine,” Ana Ruiz said."})
    long_body = "many " * 300 + "harbour " * 300 + "word " * 70_000 + "tail end"
    records.append({"id": "long", "title": "many", "body": long_body})
    (docs / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    for seed in sorted(SEEDS.glob("*.txt"))[:6]:
        (docs / seed.name).write_text(seed.read_text(encoding="utf-8"), encoding="utf-8")
    return docs


def _assert_batched_equals_per_document(docs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Index `docs` with batches, then one document at a time through an unbounded pool (never spilled: a
    spilled run's values come back as new objects, which pickles memoize differently), and compare."""
    index_paths([docs], tmp_path / "batched", workers=1)
    original = pool.GroupedPool.__init__
    monkeypatch.setattr(pool.GroupedPool, "__init__", lambda self, tempdir, limit=0: original(self, tempdir, 10**9))
    monkeypatch.setattr(writing, "add_document", _per_document_add)
    index_paths([docs], tmp_path / "per-document", workers=1)
    _assert_same_index(tmp_path / "batched", tmp_path / "per-document")


def _assert_same_index(left: Path, right: Path) -> None:
    for name in ("searchkit", QUOTES_NAME):
        a, b = _all_segment_files(left, name), _all_segment_files(right, name)
        assert [n for n, _ in a] == [n for n, _ in b]
        for (file, x), (_, y) in zip(a, b, strict=True):
            assert x == y, (name, file)


@pytest.mark.parametrize(("rows_limit", "batch_docs", "small_blocks"),
                         [(1_000_000, 1_000, False), (300, 7, False), (1_000_000, 1_000, True), (50, 3, True)])
def test_batched_text_fields_write_what_per_document_analysis_wrote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows_limit: int, batch_docs: int, small_blocks: bool) -> None:
    """Text fields analysed in batches and encoded from sorted rows give byte-identical segment files (term
    tables, postings, stored fields, lengths, columns) to per-document analysis through the pool, with rows
    held in memory or spilled to runs, sorted and encoded in many ranges, in one batch or many, and with small
    blocks and score-bound runs (many blocks per term, several runs per block)."""
    docs = _varied(tmp_path)
    monkeypatch.setattr(batch, "BATCH_DOCS", batch_docs)
    monkeypatch.setattr(batch, "ROWS_LIMIT", rows_limit)
    monkeypatch.setattr(blocks, "ENCODE_ROWS", min(rows_limit, blocks.ENCODE_ROWS) // 4)
    if small_blocks:
        monkeypatch.setattr(writing, "CODEC", codec.BlockCodec(blocklimit=8, compression=1, inlinelimit=3))
        monkeypatch.setattr(codec, "BOUND_CHUNK", 3)
    _assert_batched_equals_per_document(docs, tmp_path, monkeypatch)


def test_batched_text_fields_through_whoosh_codec_write_what_per_document_analysis_wrote(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a codec other than searchkit's (Whoosh's own W3), text fields go through Whoosh's postings writer
    from their rows, and still write what per-document analysis wrote."""
    docs = _varied(tmp_path)
    monkeypatch.setattr(writing, "CODEC", W3Codec(blocklimit=8, compression=1, inlinelimit=3))
    monkeypatch.setattr(batch, "ROWS_LIMIT", 200)
    _assert_batched_equals_per_document(docs, tmp_path, monkeypatch)


def _whoosh_written(part: Sorted, positional: bool, codes: np.ndarray, layout: blocks.Layout) -> tuple[list, bytes]:
    """Term entries and postings file of a sorted part written one posting at a time through the codec's
    postings writer (inline entries as the pool's flush encodes them)."""
    postfile = StructFile(io.BytesIO())
    writer = codec.BlockPostingsWriter(postfile, blocklimit=layout.block, compression=layout.compression,
                                       inlinelimit=layout.inline)
    fmt = Positions() if positional else Frequency()
    lengths = [BYTE_LENGTHS[c] for c in codes.tolist()]
    entries = []
    for term, postings in blocks.term_postings(part, TERMS, positional):
        if len(postings) < layout.inline:
            entries.append((layout.prefix + term, flush._inline_terminfo(postings, lengths)))
            continue
        writer.start_postings(fmt, None)
        flush._add_postings(writer, postings, lengths)
        entries.append((layout.prefix + term, writer.finish_postings().to_bytes()))
    return entries, postfile.file.getvalue()


TERMS = [f"t{i}".encode() for i in range(12)]


@pytest.mark.parametrize("seed", range(12))
def test_a_sorted_part_is_encoded_as_the_postings_writer_encodes_it(seed: int) -> None:
    """Random parts (shared and rare terms, frequencies past 255, a word twice at one position, lengths of
    every size): the same term entries and postings file as the codec's writer fed a posting at a time."""
    rng = np.random.default_rng(seed)
    positional = bool(seed % 2)
    docs = 40
    codes = blocks.length_codes(rng.integers(1, 200_000, docs))
    rows = []
    for term in sorted(rng.choice(len(TERMS), 6, replace=False).tolist(), key=TERMS.__getitem__):
        for doc in sorted(rng.choice(docs, int(rng.integers(1, docs)), replace=False).tolist()):
            count = int(rng.choice([1, 2, 3, 300]))
            if positional:
                positions = sorted(rng.choice(5_000, count, replace=False).tolist())
                if seed % 4 == 1 and doc % 7 == 0:
                    positions = sorted([*positions, positions[0]])  # the same position twice
                rows += [(term, doc, p) for p in positions]
            else:
                rows.append((term, doc, count))
    term, doc, value = (np.array(column, np.int32) for column in zip(*rows, strict=True))
    part = Sorted(term, doc, value)
    layout = blocks.Layout(b"\x00\x01", positional, 3, 4, 1)
    postfile = StructFile(io.BytesIO())
    entries: list[tuple[bytes, bytes]] = []
    blocks.write_part(postfile, entries, layout, part, TERMS, codes)
    assert (entries, postfile.file.getvalue()) == _whoosh_written(part, positional, codes, layout)


@pytest.mark.parametrize("positional", [True, False])
def test_rare_terms_a_compact_entry_cannot_spell_are_written_as_the_postings_writer_writes_them(
        positional: bool) -> None:
    """Positions out of order, or a total frequency past what the header's float holds exactly: Whoosh's
    pickled inline entry, between compact ones, as the codec's writer writes it."""
    if positional:
        rows = [(0, 1, 3), (1, 1, 9), (1, 1, 4), (1, 2, 5), (2, 0, 7), (2, 3, 1), (2, 3, 2)]
    else:
        rows = [(0, 1, 3), (1, 1, 1 << 24), (2, 0, 7), (2, 3, 200)]
    term, doc, value = (np.array(column, np.int32) for column in zip(*rows, strict=True))
    codes = blocks.length_codes(np.array([5, 70, 900, 12_000]))
    layout = blocks.Layout(b"\x00\x01", positional, 3, 4, 1)
    postfile = StructFile(io.BytesIO())
    entries: list[tuple[bytes, bytes]] = []
    blocks.write_part(postfile, entries, layout, Sorted(term, doc, value), TERMS, codes)
    assert [entry[0] for _key, entry in entries] == [3 + positional, 1, 3 + positional]  # compact, pickled, compact
    assert (entries, postfile.file.getvalue()) == _whoosh_written(Sorted(term, doc, value), positional, codes, layout)


def test_sorted_parts_of_spilled_rows_read_one_run_at_a_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A big bucket split into parts keeps only each run's rows of the part being sorted: no more than two
    loaded run pieces are alive at once (the whole bucket of every run used to be, once per part, at a
    large build's flush), and the parts are the rows sorted by term bytes and document."""
    import weakref

    from searchkit.engine import columns

    rng = np.random.default_rng(3)
    terms = [b"t%02d" % k for k in rng.permutation(40).tolist()]  # one bucket ("t"), ids not in byte order
    rows = columns.FieldRows(tmp_path, limit=50)
    added = []
    for run in range(8):
        docs = np.repeat(np.arange(run * 10, run * 10 + 10, dtype=np.int32), 20)
        term = rng.integers(0, len(terms), len(docs)).astype(np.int32)
        value = rng.integers(0, 500, len(docs)).astype(np.int32)
        rows.add(term, docs, value)
        rows.spill(terms)
        added += zip(term.tolist(), docs.tolist(), value.tolist(), strict=True)
    loaded: list[weakref.ref] = []
    most = 0
    read_rows = columns._read_rows

    def counting(*args: Any, **kwargs: Any) -> np.ndarray:
        nonlocal most
        piece = read_rows(*args, **kwargs)
        loaded.append(weakref.ref(piece))
        most = max(most, sum(ref() is not None for ref in loaded))
        return piece

    monkeypatch.setattr(columns, "_read_rows", counting)
    parts = list(rows.sorted_parts(terms))
    got = [(t, d, v) for part in parts for t, d, v in zip(part.term.tolist(), part.doc.tolist(), part.value.tolist(),
                                                           strict=True)]
    assert got == sorted(added, key=lambda r: (terms[r[0]], r[1]))  # stable: values in the order added
    assert len(parts) > 5 and len(loaded) > 8 * 5 and most <= 2
    rows.cleanup()



@pytest.mark.parametrize("span", [1, 2, 1 << 16, (1 << 16) + 1, 1 << 20])
def test_a_parts_rows_are_ordered_as_a_stable_sort_of_their_term_ranks_orders_them(span: int) -> None:
    """`_stable_order` (a radix sort of uint16 offsets where the ranks fit) gives the permutation numpy's
    stable sort of the int32 ranks gives: equal ranks keep their order, at a span that just fits and one that
    does not."""
    from searchkit.engine import columns

    rng = np.random.default_rng(span)
    lo = 1_000
    key = (lo + rng.integers(0, span, 200_000)).astype(np.int32)
    key[:2] = lo, lo + span - 1  # the span's both ends
    assert columns._stable_order(key, lo, lo + span).tolist() == np.argsort(key, kind="stable").tolist()


@pytest.mark.parametrize("top", [1, 255, (1 << 32) - 1, 1 << 32])
def test_score_bound_postings_are_ordered_as_the_three_sorts_order_them(top: int) -> None:
    """`blocks._by_run_code_weight` (one sort of the keys packed in an int64 where they fit) gives the order
    `np.lexsort` of run, length code and falling frequency gives, ties kept in place; past what fits
    (a frequency of 2**32, a run of 2**23), lexsort itself."""
    rng = np.random.default_rng(top)
    n = 50_000
    chunk = np.sort(rng.integers(0, 400, n)).astype(np.int64)
    code = rng.integers(0, 256, n).astype(np.int64)
    freq = rng.integers(1, 4, n).astype(np.int64) if top < 4 else rng.integers(0, top + 1, n).astype(np.int64)
    freq[:3] = 0, top, top
    expected = np.lexsort((-freq, code, chunk)).tolist()
    assert blocks._by_run_code_weight(chunk, code, freq).tolist() == expected
    chunk[-1] = 1 << 23
    assert blocks._by_run_code_weight(chunk, code, freq).tolist() == np.lexsort((-freq, code, chunk)).tolist()


@pytest.mark.parametrize("how", ["preadv", "short reads", "no preadv"])
def test_run_rows_are_read_whole_by_any_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    """A run's rows come back the same whether `os.preadv` reads them at once, in short pieces, or is missing
    (Windows, macOS before 11: a file object reads them); a run file cut short is an error, not fewer rows."""
    from searchkit.engine import columns

    written = np.zeros(100, columns.ROW)
    for name in written.dtype.names:
        written[name] = np.arange(100) * 7 + len(name)
    path = tmp_path / "run"
    written.tofile(path)
    real = getattr(os, "preadv", None)
    if how == "short reads":
        monkeypatch.setattr(os, "preadv", lambda fd, buffers, offset: real(fd, [buffers[0][:5]], offset))
    elif how == "no preadv":
        monkeypatch.delattr(os, "preadv", raising=False)
    assert columns._read_rows(str(path), 3, 97).tobytes() == written[3:97].tobytes()
    with open(path, "r+b") as cut:
        cut.truncate(50 * columns.ROW.itemsize + 2)
    with pytest.raises(OSError, match="ends before its rows"):
        columns._read_rows(str(path), 40, 60)


def _harbour_doc(i: int) -> dict[str, str]:
    """A prepared article for a segment builder: the i-th of a few that share the word "harbour"."""
    body = f"harbour talks resumed on day {i}"
    return {"key": f"k{i}", "source": f"s{i}", "id": f"d{i}", "title": "t", "title_exact": "t", "body": body,
            "body_exact": body}


def test_a_segment_worker_starting_late_keeps_the_runs_another_has_spilled(tmp_path: Path) -> None:
    """Segment workers share the index's spill folder, which the session's writer clears before they start.
    A worker that started while another had already spilled runs removed them (a loaded machine delays a
    worker by seconds): the first worker's segment then failed to read its runs. Now only the writer clears."""
    ix = tmp_path / "ix"
    session = writing.IndexWriter(ix, rebuild=True)
    try:
        first = writing.SegmentBuilder(ix)
        for i in range(3):
            first.add(_harbour_doc(i))
        batch.process(first.writers[0])  # analysed into rows, then spilled as a full pool does
        first.writers[0].pool.spill_rows()
        assert list((ix / "spill").glob("*.run"))
        writing.SegmentBuilder(ix).finish()  # the late worker (with nothing to write)
        count = session.commit(extra=first.finish())
    except BaseException:
        session.cancel()
        raise
    assert count == 3
    with open_index(ix, "searchkit").searcher() as s:
        assert sorted(s.document_numbers(body="harbour")) == [0, 1, 2]


def test_per_document_records_written_directly_are_what_whoosh_add_field_writes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stored values, field lengths (their columns written a batch at a time) and date columns filled into the
    W3 per-document writer directly give the segment files and length totals of one `add_field` call per field."""
    docs = _varied(tmp_path)
    gaps = [{"id": f"g{i}", "title": ["— —", "The of it", "Harbour"][i % 3],
             "body": f"{'Of the. ' * (i % 2)}harbour {i}"}
            for i in range(20)]  # titles with no token, or stopwords only: lengths of 0 between others
    (docs / "gaps.jsonl").write_text("\n".join(json.dumps(r) for r in gaps) + "\n", encoding="utf-8")
    monkeypatch.setattr(batch, "BATCH_DOCS", 7)
    index_paths([docs], tmp_path / "direct", workers=1)
    monkeypatch.setattr(pool.GroupedPool, "direct", lambda self, perdoc: False)
    index_paths([docs], tmp_path / "add-field", workers=1)
    _assert_same_index(tmp_path / "direct", tmp_path / "add-field")
    for name in ("searchkit", QUOTES_NAME):
        totals = [[list(s._fieldlengths.items()) for s in open_index(tmp_path / run, name)._read_toc().segments]
                  for run in ("direct", "add-field")]
        assert totals[0] == totals[1] and totals[0][0], name


def test_a_segment_builder_closes_its_vocabulary_and_trims_the_heap_before_each_flush(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A roll's flush runs beside what analysis held: the vocabulary's lookups (two thirds of it) and the C
    heap's holes. Each text field is written with the vocabulary closed, after a trim; a roll trims again
    once the finished segment is gone, and so does the end, after the last flush."""
    ix = tmp_path / "ix"
    session = writing.IndexWriter(ix, rebuild=True)
    events: list[Any] = []
    monkeypatch.setattr(writing.heap, "trim", lambda: events.append("trim"))
    write_field = batch.write_field
    monkeypatch.setattr(flush.batch, "write_field", lambda writer, name, *args: (
        events.append((name, writer.pool.vocab.closed)), write_field(writer, name, *args))[-1])
    try:
        builder = writing.SegmentBuilder(ix)
        for i in range(4):
            builder.add(_harbour_doc(i))
            if i == 1:
                builder.roll()
        count = session.commit(extra=builder.finish())
    except BaseException:
        session.cancel()
        raise
    assert count == 4
    fields = [e for e in events if e != "trim"]
    assert fields and all(closed for _name, closed in fields)
    first = events.index(fields[0])
    assert "trim" in events[:first]  # before the first segment's flush
    rolled = events.index("trim", first)  # the roll's, after the first segment's fields
    assert "trim" in events[rolled + 1:]  # and the second segment's, before its flush
    assert events[-1] == "trim" and events[-2] != "trim"  # and after the last flush (a finished worker waits)
    assert sum(e == "trim" for e in events) == 4
