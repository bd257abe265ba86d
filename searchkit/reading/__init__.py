"""Files to `Article` records: find the files to index under folders, then read each one in its format.

`discovery` walks folders (what to index, what to skip and why; `ignore` holds the user's patterns);
`files` tells articles by extension and opens one within `--max-size`; `formats` reads it: `decoding`
turns its bytes into text, and `plain` (plain text and the seed layout), `markdown` (with front matter)
and `records` (JSON, JSON Lines) parse it, with the helpers they share in `text`. Nothing here prints,
exits or touches the index.
"""

from searchkit.limits import Limits
from searchkit.reading.decoding import decode
from searchkit.reading.discovery import Discovery, SourceFile, discover
from searchkit.reading.files import load
from searchkit.reading.formats import read_articles
from searchkit.reading.ignore import Selection
from searchkit.reading.stream import JsonLines, streams
from searchkit.reading.text import title_from_body

__all__ = ["Discovery", "JsonLines", "Limits", "Selection", "SourceFile", "decode", "discover", "load",
           "read_articles", "streams", "title_from_body"]
