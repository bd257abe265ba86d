"""The search engine behind searchkit: the only package that imports Whoosh.

Everything above it goes through `api` (readers, the write session, the workers). Inside: `schema`
(fields and analyzers) · `documents` (articles to posting items) · `session`, `workers`, `writing`, `pool`,
`flush` (the write path) · `codec` and `contract` (the on-disk format and its rules) · `index` (opening indexes, stored
records) · `query`, `bulkscore`, `postings` (queries, filters, running them) · `ranking` (BM25F) ·
`lengths` (field lengths, the open reader's caches).
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from types import ModuleType
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning, module="whoosh")
warnings.filterwarnings("ignore", category=SyntaxWarning, module="whoosh")


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function that imports `module` and calls its `name` when it is first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


@contextmanager
def _stand_in(module: str, name: str) -> Iterator[None]:
    """While the block runs, and only then, `sys.modules[module]` is a stand-in whose `name` is `_lazy`;
    nothing is stood in when `module` is already imported. The stand-in is gone afterwards, so any later
    import of `module` loads the real one."""
    if module in sys.modules:
        yield
        return
    stub = ModuleType(module)
    setattr(stub, name, _lazy(module, name))
    sys.modules[module] = stub
    try:
        yield
    finally:
        if sys.modules.get(module) is stub:
            del sys.modules[module]
        parent, _, child = module.rpartition(".")
        if getattr(sys.modules.get(parent), child, None) is stub:
            delattr(sys.modules[parent], child)


def _import_whoosh() -> None:
    """Import Whoosh's core without three import-time costs that searchkit never uses.

    `whoosh.compat` runs `from urllib.request import urlretrieve` (http.client, email, ssl, socket: about
    30 ms of a one-shot search's start-up; Whoosh never calls it), `whoosh.query.terms` runs
    `from whoosh.lang.morph_en import variations` (some 8 ms compiling its word-form regexes; only
    Whoosh's `Variations` query uses it, and searchkit builds none), and `whoosh.analysis` runs
    `from whoosh.lang.porter import stem` (13 regexes compiled, ~2 ms; only Whoosh's own stemming
    analyzers call it, and searchkit stems with PyStemmer in `NewsAnalyzer`). Each import sees a stand-in
    module whose function imports the real one when called; the stand-ins leave `sys.modules` as soon as
    those imports finish. Single-threaded: runs once, at the first import of `searchkit.engine`.
    """
    with _stand_in("urllib.request", "urlretrieve"):
        import whoosh.compat
    with _stand_in("whoosh.lang.morph_en", "variations"), _stand_in("whoosh.lang.porter", "stem"):
        import whoosh.query  # noqa: F401
    from searchkit.engine import unpickle

    unpickle.install()  # before any index is read: pickles name only the classes an index is made of


_import_whoosh()
