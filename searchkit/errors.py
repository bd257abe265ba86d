"""Errors searchkit raises; the CLI turns each into a one-line message at a single boundary."""

from __future__ import annotations


class SearchkitError(Exception):
    """Base class: something the user can act on went wrong."""

    hint: str | None = None


class IndexNotFound(SearchkitError):
    """There is no index at the given location."""

    hint = "index a folder of articles first (`searchkit index FOLDER`), or name an index with --index DIR"


class IndexLocked(SearchkitError):
    """Another process holds the index's write lock."""

    hint = "wait for the other `searchkit index` to finish, or run this one with --wait"


class IndexCorrupt(SearchkitError):
    """The index exists but cannot be opened."""

    hint = "rebuild it with `searchkit index --rebuild`"


class IndexNotWritable(SearchkitError):
    """The index folder or one of its files cannot be written by this process (read-only, another owner)."""

    hint = "check the folder's permissions, or index into one you can write with --index DIR"


class IndexUntrusted(SearchkitError):
    """The index folder holds something searchkit will not load: code to run, or files others can change."""


class InvalidQuery(SearchkitError):
    """The query cannot be understood."""


class InvalidDate(SearchkitError):
    """A date or date bound cannot be parsed."""


class ArticleNotFound(SearchkitError):
    """No document has the requested id."""


class UnreadableFile(SearchkitError):
    """A file cannot be read as an article; the message says why."""


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM) while indexing: its workers were stopped, nothing committed."""


class DiskFull(SearchkitError):
    """The disk filled up while writing the index; the run was cancelled and its files removed."""

    hint = "free some space and run it again"


class IndexingFailed(SearchkitError):
    """A worker process failed; nothing from this run was committed."""


class WorkerLost(IndexingFailed):
    """A worker process ended without a word (killed, out of memory)."""


class NoInputFiles(SearchkitError):
    """A path given to `index` does not exist."""


class ConfigError(SearchkitError):
    """The config file cannot be read or holds an invalid setting."""


class NoSuchResult(SearchkitError):
    """`@N` names no result of the last search."""


class InvalidPattern(SearchkitError):
    """An `--exclude` / `--include` glob or a `.searchkitignore` line cannot be used."""


class AlertExists(SearchkitError):
    """A saved search of that name already exists."""

    hint = "pick another name, or `searchkit alerts remove NAME` first"


class AlertNotFound(SearchkitError):
    """No saved search has the given name."""

    hint = "`searchkit alerts list` shows the saved searches"


class AlertsDamaged(SearchkitError):
    """The saved searches' table cannot be read. It is the user's own (not rebuilt from the articles), so
    searchkit never replaces it: the user moves it aside."""


class WatchFailed(SearchkitError):
    """The operating system would not watch the given folders."""

    hint = "on Linux, raise fs.inotify.max_user_watches, or watch fewer folders"
