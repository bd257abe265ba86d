"""JSON Lines of any size, one record at a time: an archive of a million records is read in memory
bounded by its largest record (at most `--max-size`), not by the file.

`JsonLines.open` checks the file (a regular file, not binary, not UTF-16: those are read whole, within
`--max-size`, by `files.load`); `chunks` lets the caller hash it first; iterating gives its articles, and
`failures` / `warnings` are complete once the iteration has ended.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from searchkit.errors import UnreadableFile
from searchkit.limits import human_size
from searchkit.models import Article
from searchkit.reading.decoding import EMPTY, SNIFF_BYTES
from searchkit.reading.files import JSONL_SUFFIXES, open_regular, suffix
from searchkit.reading.records import iter_articles, jsonl_records, no_article

CHUNK = 1 << 20
FAILURES_KEPT = 100  # failures listed one by one; the rest are counted


def streams(key: str) -> bool:
    """Whether the file at `key` is read as a stream (JSON Lines)."""
    return suffix(Path(key).name) in JSONL_SUFFIXES


class JsonLines:
    """One JSON Lines file being read; `close` it when done."""

    def __init__(self, handle: BinaryIO, path: Path, rel: str, max_size: int) -> None:
        self.handle, self.path, self.rel, self.max_size = handle, path, rel, max_size
        self.failures: list[str] = []
        self.warnings: list[str] = []
        self.count = 0
        self._encoding: str | None = None

    @classmethod
    def open(cls, key: str, rel: str, max_size: int) -> JsonLines | None:
        """The stream over the file at `key`; None for a file to read whole (UTF-16). Raises `UnreadableFile`
        for what cannot be read (not a regular file, binary data)."""
        handle = open_regular(key)
        head = handle.read(SNIFF_BYTES)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            handle.close()
            return None
        if b"\x00" in head:
            handle.close()
            raise UnreadableFile("binary file (contains NUL bytes)")
        handle.seek(0)
        return cls(handle, Path(key), rel, max_size)

    def close(self) -> None:
        """Close the file."""
        self.handle.close()

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes, a megabyte at a time (then rewound, for reading the records)."""
        while chunk := self.handle.read(CHUNK):
            yield chunk
        self.handle.seek(0)

    def __iter__(self) -> Iterator[Article]:
        failures: list[str] = []
        for article in iter_articles(jsonl_records(self._lines(failures), failures), self.path, self.rel,
                                     "jsonl", failures):
            self.count += 1
            yield article
        self.failures = failures[:FAILURES_KEPT]
        if len(failures) > FAILURES_KEPT:
            self.failures.append(f"... and {len(failures) - FAILURES_KEPT} more lines that are not records")

    def error(self) -> UnreadableFile:
        """Why the file gave no article (once iterated)."""
        if not self.failures and not self._encoding:
            return UnreadableFile(EMPTY)
        return no_article(self.failures)

    def _lines(self, failures: list[str]) -> Iterator[str]:
        """Decoded lines; a line longer than `max_size` is skipped (reported) and yields an empty line, so
        the others keep their numbers."""
        lineno = 0
        while raw := self.handle.readline(self.max_size + 1):
            lineno += 1
            if len(raw) > self.max_size and not raw.endswith(b"\n"):
                while (rest := self.handle.readline(CHUNK)) and not rest.endswith(b"\n"):
                    pass
                failures.append(f"line {lineno}: record over --max-size ({human_size(self.max_size)})")
                yield ""
                continue
            line = self._decode(raw[3:] if lineno == 1 and raw.startswith(b"\xef\xbb\xbf") else raw)
            yield line.rstrip("\r\n")

    def _decode(self, raw: bytes) -> str:
        """A line as text: UTF-8, else cp1252, else latin-1 (said once per file)."""
        if raw.strip():
            self._encoding = self._encoding or "utf-8"
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            pass
        for encoding in ("cp1252", "latin-1"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            warning = f"not UTF-8; decoded as {encoding}"
            if warning not in self.warnings:
                self.warnings.append(warning)
            return text
        return raw.decode("latin-1")  # unreachable: latin-1 decodes any byte
