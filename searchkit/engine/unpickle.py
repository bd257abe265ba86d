"""Unpickling what an index folder holds, trusting only the classes an index is made of.

Whoosh pickles its table of contents (the schema and the segment list), posting blocks, term infos and
stored fields, and reads them with `pickle.loads`, which calls whatever a pickle names: a TOC whose schema
is replaced by an `os.system` payload ran it on `searchkit search`. Here every one of those reads goes
through `loads` / `load` below, the Python documentation's "Restricting Globals" recipe: a pickle may name
only the classes of Whoosh's fields, formats, columns, analysis and W3 codec, searchkit's own schema and
codec classes (`contract` rule 1), and a few plain value types (numbers, sets, dates, bytes). Anything else
raises `IndexUntrusted` before it is called. `install` points Whoosh's readers at these functions (and
drops Whoosh's reader of pre-2.0 tables of contents, which unpickles without restriction); it runs when
`searchkit.engine` is imported, before any index is opened.
"""

from __future__ import annotations

import io
import pickle
import sys
from types import SimpleNamespace
from typing import IO, Any

from searchkit.errors import IndexUntrusted

_MODULES = ("whoosh.fields", "whoosh.formats", "whoosh.columns", "whoosh.codec.base", "whoosh.codec.whoosh3",
            "searchkit.engine.schema", "searchkit.engine.codec")
_PACKAGES = ("whoosh.analysis.",)
_VALUES = frozenset({
    ("builtins", "int"), ("builtins", "float"), ("builtins", "bool"), ("builtins", "set"), ("builtins", "frozenset"),
    ("builtins", "bytes"), ("builtins", "bytearray"), ("builtins", "object"),
    ("__builtin__", "long"), ("__builtin__", "int"), ("__builtin__", "float"), ("__builtin__", "set"),
    ("__builtin__", "frozenset"), ("__builtin__", "bytearray"), ("__builtin__", "object"),
    ("_codecs", "encode"),  # how protocol 2 writes bytes
    ("copyreg", "_reconstructor"),  # how protocols 0-1 write objects (of classes that pass this check)
    ("collections", "defaultdict"), ("array", "array"), ("array", "_array_reconstructor"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "time"), ("datetime", "timedelta"),
    ("datetime", "timezone"),
    ("re", "_compile"),  # a tokenizer's compiled pattern
})


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _allowed.get((module, name))
        return found if found is not None else _allow(self, module, name)


_allowed: dict[tuple[str, str], Any] = {}  # globals already checked (a stored document names two or three)


def _allow(unpickler: _Unpickler, module: str, name: str) -> Any:
    if (module, name) in _VALUES:
        found = pickle.Unpickler.find_class(unpickler, module, name)
    elif "." not in name and (module in _MODULES or module.startswith(_PACKAGES)):
        found = pickle.Unpickler.find_class(unpickler, module, name)
        if not (isinstance(found, type) and found.__module__.startswith(("whoosh.", "searchkit."))):
            found = None
    else:
        found = None
    if found is None:
        raise IndexUntrusted(f"the index names `{module}.{name}`, which is not part of an index: searchkit will "
                             "not load it (it may run code); only open indexes built by searchkit, or rebuild "
                             "this one from the articles with `searchkit index --rebuild`")
    _allowed[module, name] = found
    return found


def loads(data: bytes, **kwargs: Any) -> Any:
    """`pickle.loads`, refusing every global that is not part of an index."""
    return _Unpickler(io.BytesIO(data), **kwargs).load()


def load(file: IO[bytes], **kwargs: Any) -> Any:
    """`pickle.load`, refusing every global that is not part of an index."""
    return _Unpickler(file, **kwargs).load()


def install() -> None:
    """Make Whoosh read every pickle through `loads` / `load`: its compat names (which modules imported
    later copy), and the copies already taken by the modules that read index files."""
    import whoosh.codec.whoosh3
    import whoosh.columns
    import whoosh.compat
    import whoosh.filedb.structfile
    import whoosh.formats
    import whoosh.index

    whoosh.compat.loads, whoosh.compat.load = loads, load
    whoosh.filedb.structfile.load_pickle = load  # TOC segment lists, term table extras, block headers
    for module in (whoosh.codec.whoosh3, whoosh.columns, whoosh.formats):  # blocks, stored fields, positions
        module.loads = loads
    whoosh.index.pickle = SimpleNamespace(loads=loads, dumps=pickle.dumps, PicklingError=pickle.PicklingError)
    whoosh.index.toc_loaders.clear()  # the pre-2.0 TOC format, read with an unrestricted unpickler


def unrestricted() -> list[str]:
    """Readers in imported Whoosh modules that still unpickle without restriction (for the test that
    `install` covers them all)."""
    import whoosh.index

    found = [f"{name}.{attr}" for name, module in list(sys.modules.items()) if name.startswith("whoosh") and module
             for attr in ("loads", "load", "load_pickle") if getattr(module, attr, None) in (pickle.loads, pickle.load)]
    if whoosh.index.pickle.loads is not loads:
        found.append("whoosh.index.pickle.loads")
    found += [f"whoosh.index.toc_loaders[{version}]" for version in whoosh.index.toc_loaders]
    return found
