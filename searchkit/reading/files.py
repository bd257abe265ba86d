"""Files to index: which are articles (by extension), and opening one: only a regular file, and never
more of it than `--max-size`.

A named pipe must not be opened for reading (that blocks until a writer comes), a file can be swapped
for one between the walk and the read, and a 50 MB "article" costs a worker hundreds of human_size once
analysed. So files are opened non-blocking and checked on the open descriptor, and at most `max_size`
bytes are read: text and Markdown files are indexed from their first `max_size` bytes (cut at a line
end) with a warning; a JSON document cannot be read in part and is reported instead. (The indexer reads
JSON Lines a record at a time, see `stream`; read here, they are cut at a line end like text.)
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO

from searchkit.errors import UnreadableFile
from searchkit.limits import DEFAULT_MAX_SIZE, human_size

TEXT_SUFFIXES = frozenset({".txt", ".text", ""})
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
INDEXABLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES


def suffix(name: str) -> str:
    """The lower-cased extension of a file name ("" for none; a leading dot is not an extension)."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip(".") else ""


def unsupported(name: str) -> str | None:
    """Why a file of this name is not indexable, or None when it is."""
    ext = suffix(name)
    return None if ext in INDEXABLE_SUFFIXES else f"unsupported file type {ext}"

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


def file_kind(mode: int) -> str:
    """What a file that is not a regular one is, for a report."""
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    if stat.S_ISDIR(mode):
        return "folder"
    return "special file"


def open_regular(key: str) -> BinaryIO:
    """The file at `key` opened for reading, if it is a regular file (checked on the open descriptor,
    which is opened non-blocking: a named pipe put there since the walk does not block the run)."""
    fd, _size = _open_regular_fd(key)
    return open(fd, "rb", closefd=True)


def _open_regular_fd(key: str) -> tuple[int, int]:
    """`open_regular`'s descriptor, and the file's size when opened."""
    try:
        fd = os.open(key, _OPEN_FLAGS)
    except FileNotFoundError:
        raise UnreadableFile("vanished before it could be read") from None
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise UnreadableFile(f"not a regular file ({file_kind(st.st_mode)})")
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def load(key: str, max_size: int = DEFAULT_MAX_SIZE) -> tuple[bytes, list[str]]:
    """The bytes of the file at `key` to index, at most `max_size` of them, and warnings.

    Raises `UnreadableFile` for what is not a regular file, a file that cannot be opened, and a JSON file
    over `max_size`.

    Read from the descriptor (no file object: it cost an fstat, an isatty ioctl and an lseek more per file),
    asking for as many bytes as the file holds (+1), not `max_size + 1`: a request of 8 MB allocated 8 MB
    before it shrank to the file (an mmap, mremap and munmap per file in a worker). A file that grew since
    is read on, up to `max_size + 1` bytes in all, as one read of that many gave.
    """
    fd, size = _open_regular_fd(key)
    try:
        asked = min(max_size, size) + 1
        data = _read_up_to(fd, asked)
        if len(data) == asked <= max_size:  # grown since
            data += _read_up_to(fd, max_size + 1 - asked)
        if len(data) > max_size:
            size = os.fstat(fd).st_size
    except OSError as exc:
        raise UnreadableFile(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) <= max_size:
        return data, []
    size = max(size, len(data))
    ext = suffix(os.path.basename(key))
    if ext in JSON_SUFFIXES:
        raise UnreadableFile(f"JSON file of {human_size(size)} is over --max-size ({human_size(max_size)}): "
                             "raise --max-size, or write its records as JSON Lines")
    what = "the records in its first" if ext in JSONL_SUFFIXES else "its first"
    return _head(data, max_size), [f"file of {human_size(size)}: only {what} {human_size(max_size)} were read "
                                   "(--max-size)"]


def _read_up_to(fd: int, count: int) -> bytes:
    """Up to `count` bytes from `fd`, fewer only at the file's end (as a buffered `read(count)` gives)."""
    parts: list[bytes] = []
    done = 0
    while done < count and (more := os.read(fd, count - done)):
        parts.append(more)
        done += len(more)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _head(data: bytes, max_size: int) -> bytes:
    """The first `max_size` bytes of `data`, cut after the last line end in them (or, in one long line,
    where no UTF-8 or UTF-16 character is split)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16: whole code units, a line end if there is one
        newline = b"\n\x00" if data[:2] == b"\xff\xfe" else b"\x00\n"
        end = max_size - max_size % 2
        cut = data.rfind(newline, 2, end)
        while cut > 0 and cut % 2:  # a match across two code units
            cut = data.rfind(newline, 2, cut + 1)
        return data[: cut + 2] if cut > 0 else data[:end]
    cut = data.rfind(b"\n", 0, max_size)
    if cut >= 0:
        return data[: cut + 1]
    end = max_size
    while end > max_size - 4 and end > 0 and 0x80 <= data[end] < 0xC0:  # inside a UTF-8 sequence
        end -= 1
    return data[:end]
