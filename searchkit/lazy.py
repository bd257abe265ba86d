"""Import-time stand-ins: keep a library's module-level imports of modules it only uses on rare paths from
costing every start-up (a one-shot search is mostly imports).

`stand_in(module, *names)` puts a stand-in module in `sys.modules` while a block imports the library, and
only then: `from module import name` of a listed name binds a function that imports the real module when
first called; `import module` binds the stand-in, whose attributes are read from the real module, imported
at the first read. The stand-in leaves `sys.modules` when the block ends, so any later import of `module`
loads the real one. Single-threaded: for imports made once, at start-up.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from types import ModuleType
from typing import Any


def _lazy(module: str, name: str) -> Callable[..., Any]:
    """A function that imports `module` and calls its `name` when it is first called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


@contextmanager
def stand_in(module: str, *names: str) -> Iterator[None]:
    """While the block runs, `sys.modules[module]` is a stand-in (see the module docstring); nothing is stood
    in when `module` is already imported."""
    if module in sys.modules:
        yield
        return
    stub = ModuleType(module)
    for name in names:
        setattr(stub, name, _lazy(module, name))

    def real_attribute(attr: str) -> Any:
        if sys.modules.get(module) is stub:  # read while the block still runs: the real module is not at hand
            raise AttributeError(f"{module}.{attr} read during its stand-in's import block")
        return getattr(import_module(module), attr)

    stub.__getattr__ = real_attribute  # type: ignore[method-assign]
    sys.modules[module] = stub
    try:
        yield
    finally:
        if sys.modules.get(module) is stub:
            del sys.modules[module]
        parent, _, child = module.rpartition(".")
        if getattr(sys.modules.get(parent), child, None) is stub:
            delattr(sys.modules[parent], child)
