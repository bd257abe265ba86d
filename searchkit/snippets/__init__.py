"""Query-aware snippets: the best passage(s) of a text with every matched word highlighted.

Pure Python on top of `searchkit.analysis`, so a word is highlighted exactly when the index would match it.

- `MatchSpec` says what counts as a match: stems (stemmed query words), exact folded words (prefix/fuzzy
  expansions, exact-field terms), `word*` prefixes and quoted phrases (consecutive positions).
- `make_snippet` picks up to `max_fragments` passages, cut at sentence boundaries, that together cover the most
  distinct query terms within `max_chars` characters, joined by " … "; whitespace is collapsed.
- `highlight_all` highlights every match in the whole, unchanged text.

Three steps, one module each: `matching` (where the query matches), `sentences` (where a passage may be
cut), `passages` (which passages, and the highlighted result).
"""

from searchkit.results import MatchSpec
from searchkit.snippets.matching import find_matches
from searchkit.snippets.passages import ELLIPSIS, highlight_all, make_snippet
from searchkit.snippets.sentences import sentences

__all__ = ["ELLIPSIS", "MatchSpec", "find_matches", "highlight_all", "make_snippet", "sentences"]
