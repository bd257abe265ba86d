"""How much of a file indexing reads, and how long its work may take: the two limits that keep one file
from stalling or swamping a run, with their defaults (kept import-light: the command line shows them)."""

from __future__ import annotations

import re
from typing import NamedTuple

DEFAULT_MAX_SIZE = 8 * 1024 * 1024
"""Bytes of a file read at most (8 MB): some 1,500 wire stories, far beyond any one article, and the size at
which a worker's analysis of one article stays near 200 MB (measured: 4 MB 111 MB, 16 MB 331 MB)."""
MEMORY_BUDGET = 64 * 1024 * 1024
"""Bytes of working arrays one bulk step of indexing holds at once, wherever its input grows with the
archive (the copy groups' regroup of every article, ...): such a step works in chunks of this size, so a
build's peak memory stays flat as the archive grows. Results do not depend on it (tested with tiny values)."""
DEFAULT_BUDGET = 10.0
"""CPU seconds a file's parsing, and each article's speaker extraction, may take (see `budget`)."""

_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*", re.I)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


class Limits(NamedTuple):
    """At most `max_size` bytes of a file are read; `budget` CPU seconds per stage (None: unlimited)."""

    max_size: int = DEFAULT_MAX_SIZE
    budget: float | None = DEFAULT_BUDGET


def parse_size(text: str) -> int:
    """A size such as "8MB", "512k", "1.5 GB" or "4096" (bytes) in bytes; ValueError if it is none."""
    match = _SIZE.fullmatch(text)
    if match is None or float(match[1]) <= 0:
        raise ValueError(f"invalid size {text!r}: use a number of bytes, or KB, MB or GB (e.g. 8MB)")
    return int(float(match[1]) * _UNITS[match[2].lower()])


def human_size(size: int) -> str:
    """A size for a message, in the largest unit it reaches: "900 bytes", "1 KB", "2.7 MB", "8 MB"."""
    value, unit = float(size), "bytes"
    for name in ("KB", "MB", "GB"):
        if value < 1024:
            break
        value, unit = value / 1024, name
    return f"{value:.0f} {unit}" if value >= 100 or value == int(value) else f"{value:.1f} {unit}"
