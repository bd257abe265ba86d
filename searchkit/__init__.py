"""searchkit: full-text search for folders of news articles."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`searchkit.__version__`, read from the package metadata only when asked (importlib.metadata is slow
    to import, and a one-shot search should not pay for it)."""
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("searchkit")
        except PackageNotFoundError:  # a source tree that is not installed
            return "0.0.0"
    raise AttributeError(name)
