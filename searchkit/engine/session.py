"""A write session: one run's adds, deletes and single commit over the article and quotes indexes.

The write lock is taken on first use, so a run with nothing to write or delete never takes it; a missing
index is opened (created) at once, under its lock. Leaving the `with` block without `commit` cancels:
nothing written is visible, the locks are released, and the files the run wrote are removed
(`leftovers`). Every path ends in exactly one of `commit` or `cancel`, so the state on disk is always
the last commit's. A rebuild holds the index's locks from the start and builds beside the old index
(`rebuild`): `commit` puts the new one in its place. A full disk becomes `DiskFull`, one line.
"""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from searchkit import private
from searchkit.engine import leftovers, rebuild
from searchkit.engine.index import exists, has_indexes
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME
from searchkit.engine.workers import Workers
from searchkit.errors import DiskFull, IndexCorrupt
from searchkit.models import Article

if TYPE_CHECKING:  # imported when a writer opens: a run with nothing to write never loads it (nor numpy)
    from searchkit.engine import writing

FULL = (errno.ENOSPC, errno.EDQUOT)


class WriteSession:
    """Adds, deletes and one commit over an index folder (a context manager).

    `committed`: the caller knows that an index was committed here (its manifest lists files), so a missing
    table of contents is damage, not a fresh folder. `wait`: wait for another writer as long as it takes,
    instead of `writing.LOCK_TIMEOUT_S` seconds."""

    def __init__(self, index_dir: Path, *, rebuild: bool = False, committed: bool = False,
                 wait: bool = False) -> None:
        private.check_folder(index_dir)  # before anything beside the index (the manifest) is opened
        self.index_dir = index_dir
        self.rebuild = rebuild
        self.wait = wait
        self.writer: writing.IndexWriter | None = None
        self.segments: list[Any] = []  # written by segment workers, listed in the commit
        self.done = False
        self._held: list[Any] = []  # a rebuild's hold on the index it replaces
        if rebuild:
            self._start_rebuild()
        elif not has_indexes(index_dir):
            if committed:
                missing = [n for n in (INDEX_NAME, QUOTES_NAME) if not exists(index_dir, n)]
                raise IndexCorrupt(f"the index at {index_dir} has lost its table of contents (_{missing[0]}_*.toc) "
                                   "though it lists indexed files")
            self.writer = self._open()

    def __enter__(self) -> WriteSession:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.cancel()

    @property
    def side_dir(self) -> Path:
        """Where this session's side tables are written: the index folder, or a rebuild's staging folder
        (moved in by `publish_file` once the index is committed)."""
        return rebuild.staging(self.index_dir) if self.rebuild else self.index_dir

    @property
    def lock_timeout(self) -> float | None:
        """How long to wait for another writer: `writing.LOCK_TIMEOUT_S` seconds, or as long as it takes."""
        from searchkit.engine import writing

        return None if self.wait else writing.LOCK_TIMEOUT_S

    def _start_rebuild(self) -> None:
        from searchkit.engine import writing

        try:
            for name in (INDEX_NAME, QUOTES_NAME):
                self._held.append(writing.lock(self.index_dir, name, self.lock_timeout))
            with _disk_full(self.index_dir):
                self.writer = writing.IndexWriter(rebuild.fresh(self.index_dir), rebuild=True)
        except BaseException:
            self._release()
            raise

    def _open(self) -> writing.IndexWriter:
        from searchkit.engine import writing

        with _disk_full(self.index_dir):
            writer = writing.IndexWriter(self.index_dir, lock_timeout=self.lock_timeout)
        rebuild.discard(self.index_dir)  # what a killed rebuild left (we hold the locks it held)
        return writer

    def _writer(self) -> writing.IndexWriter:
        """The locked writer, opened now if not yet (raises `IndexLocked` if another process holds it)."""
        if self.writer is None:
            self.writer = self._open()
        return self.writer

    def doc_count(self) -> int:
        """Documents in the index when the session's writer opened."""
        return self._writer().doc_count()

    def holds_documents(self) -> bool:
        """Whether the article or the quotes index held a document when the session's writer opened."""
        return self._writer().holds_documents()

    def add(self, articles: Iterable[Article]) -> None:
        """Add articles (and their quotes), analysed in this process."""
        from searchkit.engine.workers import prepare

        self._add_prepared(prepare(articles))

    def _add_prepared(self, prepared: Any) -> None:
        writer = None
        with _disk_full(self.index_dir):
            for doc, quotes in prepared:  # the writer (and its lock) only once there is a document to add
                writer = writer or self._writer()
                writer.add(doc, quotes)

    def index(self, tasks: Sequence[Any], workers: Workers[Any, Any], on_result: Callable[[int, Any], None]) -> None:
        """Read every task with the workers' `read` function and add its articles; `on_result(number,
        report)` is called once per task (in task order, except when workers write their own segments)."""
        if workers.segmented(tasks):
            with _disk_full(self.index_dir):
                self.segments.extend(workers.write_segments(self._writer().index_dir, tasks, on_result))
            return
        for number, (prepared, report) in enumerate(workers.prepared(tasks)):
            self._add_prepared(prepared)
            on_result(number, report)

    def delete_sources(self, sources: Sequence[str]) -> None:
        """Delete every article and quote that came from any of `sources` (files), as of the last commit."""
        if sources:
            self._writer().delete_sources(sources)

    def commit(self) -> int:
        """Make everything written visible at once (quotes first, then articles; a rebuild's new indexes
        take the old ones' place); returns the live articles now in the index."""
        with _disk_full(self.index_dir):
            count = self._writer().commit(extra=self.segments)
            if self.rebuild:
                rebuild.publish(self.index_dir)
        self.done = True
        return count

    def publish_file(self, name: str) -> None:
        """After `commit`: move a side table written in `side_dir` into the index folder (a rebuild's), then
        drop the staging folder. Nothing to do outside a rebuild."""
        if self.rebuild and self.done:
            rebuild.publish_file(self.index_dir, name)

    def cancel(self) -> None:
        """Abandon whatever was written, remove the files it made and release the locks (after a commit:
        only release a rebuild's hold and staging folder)."""
        try:
            if self.writer is not None and not self.done:
                self.writer.cancel()  # removes what it wrote
        finally:
            self.done = True
            if self.rebuild:
                rebuild.discard(self.index_dir)
                leftovers.sweep(self.index_dir)  # segments moved in before a failed publish
            self._release()

    def _release(self) -> None:
        while self._held:
            with contextlib.suppress(Exception):
                self._held.pop().release()


@contextlib.contextmanager
def _disk_full(index_dir: Path) -> Iterator[None]:
    """Turn a full disk (here or reported by a worker) into `DiskFull`."""
    try:
        yield
    except OSError as exc:
        if exc.errno in FULL:
            raise DiskFull(f"no space left on the disk of {index_dir} while indexing: nothing was committed, "
                           "the index is as it was") from exc
        raise
