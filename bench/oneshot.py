"""A one-shot command-line search for a peer, as small as a user's script would be: start, open, search
top 10 with snippets, print, exit.

    python bench/oneshot.py ENGINE INDEX_DIR WORD...
"""

from __future__ import annotations

import sys
from pathlib import Path

from peers import make


def main() -> None:
    engine, index_dir, words = sys.argv[1], Path(sys.argv[2]), sys.argv[3:]
    eng = make(engine, index_dir)
    eng.open()
    total, ids, snippets = eng.search({"terms": words})
    print(f"{total} results")
    for doc_id, snip in zip(ids, snippets, strict=True):
        print(doc_id)
        print("   ", snip.replace("\n", " "))


if __name__ == "__main__":
    main()
