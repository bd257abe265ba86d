"""The write path's shortcuts write exactly what Whoosh's own writer code would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from searchkit.engine import writing
from searchkit.engine.index import open_index
from searchkit.engine.schema import QUOTES_NAME
from searchkit.indexer import index_paths


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
        assert len(a[0]) > 100
        assert a == b, name


@pytest.mark.parametrize("pool_limit", [500_000, 700])
def test_inline_term_entries_match_whoosh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pool_limit: int) -> None:
    """Term tables and postings files are byte-identical to the all-Whoosh flush (spilled or not)."""
    docs = _notes(tmp_path, 60, lambda i: " ".join(f"w{(i * j) % 97} common harbour" for j in range(1, 40 + i)))
    original = writing.GroupedPool.__init__

    def limited(self: writing.GroupedPool, tempdir: Path, limit: int = 0) -> None:
        original(self, tempdir, limit=pool_limit)

    monkeypatch.setattr(writing.GroupedPool, "__init__", limited)
    index_paths([docs], tmp_path / "fast", workers=1)
    monkeypatch.setattr(writing, "_flush_grouped", _whoosh_flush)
    index_paths([docs], tmp_path / "whoosh", workers=1)
    _assert_same_segments(tmp_path / "fast", tmp_path / "whoosh")


def test_array_hash_buckets_write_the_same_term_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Term hash buckets kept in arrays give byte-identical term tables to Whoosh's lists of tuples."""
    docs = _notes(tmp_path, 40, lambda i: " ".join(f"w{(i * j) % 89} tide{j} harbour" for j in range(1, 30 + i)))
    index_paths([docs], tmp_path / "arrays", workers=1)
    monkeypatch.setattr(writing, "_HashBucket", list)
    index_paths([docs], tmp_path / "lists", workers=1)
    _assert_same_segments(tmp_path / "arrays", tmp_path / "lists")
