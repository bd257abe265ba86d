"""The codec's term table reader and writer around searchkit's front-coded table (`termtable`): Whoosh's
W3 field writer and terms reader with the table swapped in, and a field cursor walking it. Kept apart from
`codec`, which every segment's table of contents names, so that module stays small."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3TermsReader
from whoosh.reading import TermNotFound

from searchkit.engine import inline
from searchkit.engine.terminfo import BlockTermInfo
from searchkit.engine.termtable import TermTableReader, TermTableWriter


class BlockFieldWriter(W3FieldWriter):
    """`W3FieldWriter` writing its term table front-coded (`termtable`) instead of as Whoosh's hash file."""

    def __init__(self, codec: Any, storage: Any, segment: Any) -> None:  # W3FieldWriter's, with the table
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = TermTableWriter(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False


class BlockTermsReader(W3TermsReader):
    """`W3TermsReader` over a front-coded term table (`termtable`), reading term infos with `BlockTermInfo`
    (Whoosh's reader decodes them with `W3TermInfo` by name, and reads a term's frequency and document count
    at fixed places of its header, which a compact entry has not)."""

    def __init__(self, codec: Any, dbfile: Any, length: int, postfile: Any) -> None:  # W3TermsReader's
        self._codec, self._dbfile, self._postfile = codec, dbfile, postfile
        self._tindex = TermTableReader(dbfile, length)
        self._fieldmap = self._tindex.extras["fieldmap"]
        self._fieldunmap = [""] * len(self._fieldmap)
        for fieldname, num in self._fieldmap.items():
            self._fieldunmap[num] = fieldname

    def term_info(self, fieldname: str, tbytes: bytes) -> BlockTermInfo:
        value = self._tindex.get(self._keycoder(fieldname, tbytes))
        if value is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return BlockTermInfo.from_bytes(value)

    def items(self) -> Iterator[tuple[tuple[str, bytes], BlockTermInfo]]:
        decode = self._keydecoder
        return ((decode(key), BlockTermInfo.from_bytes(value)) for key, value in self._tindex.items())

    def items_from(self, fieldname: str, prefix: bytes) -> Iterator[tuple[tuple[str, bytes], BlockTermInfo]]:
        decode = self._keydecoder
        return ((decode(key), BlockTermInfo.from_bytes(value))
                for key, value in self._tindex.items_from(self._keycoder(fieldname, prefix)))

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        value = self._tindex[self._keycoder(fieldname, tbytes)]  # KeyError when absent, as Whoosh's
        if not inline.is_compact(value):
            return _WEIGHT.unpack_from(value, 1)[0]
        return inline.Entry(value).weight

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        value = self._tindex[self._keycoder(fieldname, tbytes)]
        if not inline.is_compact(value):
            return _DOC_FREQ.unpack_from(value, 5)[0]
        return inline.count(value)

    def cursor(self, fieldname: str, fieldobj: Any) -> BlockFieldCursor:
        return BlockFieldCursor(self, fieldname, fieldobj)


_WEIGHT, _DOC_FREQ = struct.Struct("!f"), struct.Struct("!I")  # `W3TermInfo`'s weight and count, after its flag


class BlockFieldCursor:
    """Whoosh's field cursor (`W3FieldCursor`: `first`, `find`, `next`, `text`, `term_info`, `is_valid`)
    over a front-coded term table, walking its entries in order."""

    def __init__(self, terms: BlockTermsReader, fieldname: str, fieldobj: Any) -> None:
        self._terms, self._fieldname, self._fieldobj = terms, fieldname, fieldobj
        self._items: Iterator[tuple[bytes, bytes]] = iter(())
        self._current: Any = None
        self._value: bytes | None = None
        self.first()

    def first(self) -> Any:
        return self.find(b"")

    def find(self, term: Any) -> Any:
        if not isinstance(term, bytes):
            term = self._fieldobj.to_bytes(term)
        self._items = self._terms._tindex.items_from(self._terms._keycoder(self._fieldname, term))
        return self.next()

    def next(self) -> Any:
        for key, value in self._items:
            fieldname, tbytes = self._terms._keydecoder(key)
            if fieldname == self._fieldname:
                self._current, self._value = self._fieldobj.from_bytes(tbytes), value
                return self._current
            break
        self._items = iter(())
        self._current = self._value = None
        return None

    def text(self) -> Any:
        return self._current

    def term_info(self) -> BlockTermInfo | None:
        return None if self._value is None else BlockTermInfo.from_bytes(self._value)

    def is_valid(self) -> bool:
        return self._value is not None
