"""Files to `Article` records: find the files to index under folders, then read each one in its format.

`discovery` walks folders (what to index, what to skip and why; `ignore` holds the user's patterns);
`files` tells articles by extension and opens one within `--max-size`; `formats` reads it: `decoding`
turns its bytes into text, and `plain` (plain text and the seed layout), `markdown` (with front matter)
and `records` (JSON, JSON Lines) parse it, with the helpers they share in `text`. Nothing here prints,
exits or touches the index.
"""

from __future__ import annotations

from pathlib import Path

from searchkit.errors import UnreadableFile
from searchkit.limits import Limits
from searchkit.models import Article
from searchkit.reading.decoding import EMPTY, blank, decode
from searchkit.reading.discovery import Discovery, SourceFile, discover
from searchkit.reading.files import DEFAULT_MAX_SIZE, INDEXABLE_SUFFIXES, load, suffix
from searchkit.reading.ignore import Selection
from searchkit.reading.stream import JsonLines, streams
from searchkit.reading.text import title_from_body


def read_articles(path: Path, rel: str, data: bytes | None = None, *, max_size: int = DEFAULT_MAX_SIZE
                  ) -> list[Article]:
    """`formats.read_articles`, imported when first called: the parsers (and the date patterns they compile,
    ~25 ms) are for the files read, and a re-run over unchanged files reads none but those that failed, empty
    ones (refused here as `formats` would, having checked the type first) the commonest (the indexer's
    workers import them while the files are listed: `indexer_read.warm`)."""
    if data is not None and blank(data) and suffix(path.name) in INDEXABLE_SUFFIXES:
        raise UnreadableFile(EMPTY)
    from searchkit.reading.formats import read_articles as read

    return read(path, rel, data, max_size=max_size)

__all__ = ["Discovery", "JsonLines", "Limits", "Selection", "SourceFile", "decode", "discover", "load",
           "read_articles", "streams", "title_from_body"]
