"""The search engine behind searchkit: the only package that imports Whoosh.

Everything above it goes through `api` (readers, the write session, the workers). Inside: `schema`
(fields and analyzers) · `documents` (articles to posting items) · `session`, `workers`, `writing`, `pool`,
`flush` (the write path) · `codec` and `contract` (the on-disk format and its rules) · `index` (opening indexes, stored
records) · `query`, `bulkscore`, `postings` (queries, filters, running them) · `ranking` (BM25F) ·
`lengths` (field lengths, the open reader's caches).
"""

from __future__ import annotations

import warnings

from searchkit.lazy import stand_in

warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")


def _import_whoosh() -> None:
    """Import Whoosh's core without import-time costs that a search never uses (`searchkit.lazy`).

    `whoosh.compat` runs `from urllib.request import urlretrieve` (http.client, email, ssl, socket: about
    30 ms of a one-shot search's start-up; Whoosh never calls it), `import queue` (for its multiprocessing
    writer) and `from html import escape` (for its highlighter; `html.entities` with it, ~1.5 ms);
    `whoosh.query.terms` runs `from whoosh.lang.morph_en import variations` (some 8 ms compiling its
    word-form regexes; only Whoosh's `Variations` query uses it, and searchkit builds none), `whoosh.analysis`
    runs `from whoosh.lang.porter import stem` (13 regexes compiled, ~2 ms; only Whoosh's own stemming
    analyzers call it, and searchkit stems with PyStemmer in `NewsAnalyzer`), `whoosh.filedb.filestore` runs
    `import tempfile` (for its temporary storage) and `whoosh.filedb.compound` `from shutil import
    copyfileobj` (for writing compound files; shutil imports bz2 and lzma: ~2 ms with tempfile) and
    `whoosh.filedb.filetables` `from hashlib import md5` (for Whoosh's hash files, which searchkit's term
    tables replace; loading OpenSSL: ~2-3 ms). Each import
    sees a stand-in that imports the real module when used. Runs once, at the first import of
    `searchkit.engine`.
    """
    with stand_in("urllib.request", "urlretrieve"), stand_in("queue"), stand_in("html", "escape"):
        import whoosh.compat
    with (stand_in("whoosh.lang.morph_en", "variations"), stand_in("whoosh.lang.porter", "stem"),
          stand_in("tempfile")):
        import whoosh.query
    with stand_in("shutil", "copyfileobj"), stand_in("hashlib", "md5"):
        import whoosh.codec.whoosh3  # noqa: F401
    from searchkit.engine import unpickle

    unpickle.install()  # before any index is read: pickles name only the classes an index is made of


_import_whoosh()
