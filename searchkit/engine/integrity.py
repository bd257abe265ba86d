"""Noticing a damaged index before reading it: each segment carries the sizes its files had at its commit.

Whoosh trusts the files a table of contents lists: a truncated or deleted `.trm`, `.pst` or column file
surfaced as a 70-line traceback in the middle of a search, or not at all (`index` reported "unchanged").
When a commit lists a segment new in it, `record` stores the byte size of each of the segment's files in
the segment object itself (an attribute `sizes`, pickled with it in the TOC: older readers ignore it);
`check` compares them with the files whenever a TOC is read, which costs a `stat` per file. Segments of
indexes written before this carry no sizes and are not checked.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from searchkit.errors import IndexCorrupt


def record(storage: Any, segments: Iterable[Any]) -> None:
    """Give each of `segments` (new in a commit) that has none the sizes of its files, as they are now."""
    pending = [s for s in segments if getattr(s, "sizes", None) is None]
    if not pending:
        return
    folder = storage.folder
    names = os.listdir(folder)
    for segment in pending:
        prefix = segment.segment_id() + "."
        segment.sizes = {name: os.path.getsize(os.path.join(folder, name)) for name in names
                         if name.startswith(prefix)}


def check(storage: Any, segments: Iterable[Any]) -> None:
    """Raise `IndexCorrupt` naming the first file of `segments` that is missing or not its recorded size."""
    folder = storage.folder
    for segment in segments:
        for name, size in (getattr(segment, "sizes", None) or {}).items():
            path = os.path.join(folder, name)
            try:
                actual = os.path.getsize(path)
            except OSError:
                raise IndexCorrupt(f"the index at {folder} is damaged: {name} is missing") from None
            if actual != size:
                raise IndexCorrupt(f"the index at {folder} is damaged: {name} holds {actual:,} bytes, "
                                   f"not the {size:,} it was written with")
