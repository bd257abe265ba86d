"""searchkit: full-text search for folders of news articles."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("searchkit")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
