"""Bring an index up to date with folders of article files: add new, re-index changed, remove deleted.

Only files whose size or mtime differ from the manifest are read; of those, files whose content hash
is unchanged are just re-stamped. Small runs read, attribute and analyse files in a process pool and add
them through one writer; large runs (`SEGMENT_THRESHOLD` files) let each worker write its own segments.
Either way one locked session deletes superseded documents and commits once, then the manifest follows;
the session (and its lock) is only opened once there is something to write or delete.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import multiprocessing
import os
import queue as queue_errors
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from searchkit import reading
from searchkit.engine import documents, writing
from searchkit.engine.index import doc_count
from searchkit.errors import IndexingFailed, SearchkitError
from searchkit.manifest import FileState, Manifest
from searchkit.models import Article, FileFailure, IndexSummary

Progress = Callable[[int, int], None]
Phase = Callable[[str], None]
"""Told when a run enters a phase after reading its files ("finishing segments", "committing", "recording
files"), so a progress display does not sit silently at 100% (see `index_paths(phase=...)`)."""
POOL_THRESHOLD = 64
DIGEST_BYTES = 16  # content hash size (blake2b)
SEGMENT_THRESHOLD = 1_000  # from this many files to read, each worker writes its own segment


@dataclass(frozen=True, slots=True)
class Task:
    """A file to (re)read (`key` and `rel` as `reading.SourceFile` has them; its `Path` is made when it is
    read), with what the manifest knew of it."""

    key: str
    rel: str
    size: int
    mtime_ns: int
    old_digest: str | None


@dataclass(slots=True)
class FileResult:
    """What reading one file gave."""

    key: str
    state: FileState | None = None
    docs: list[tuple[dict[str, Any], list[dict[str, Any]]]] = field(default_factory=list)  # (article, quotes)
    unchanged: bool = False
    failure: str | None = None
    warnings: list[str] = field(default_factory=list)


Outcome = tuple[int, int, bytes, int, str | None, tuple[str, ...]]  # see `pack`

INDEXED, UNCHANGED, FAILED = 1, 2, 3  # an outcome's status (0: no outcome yet)


def pack(index: int, result: FileResult) -> Outcome:
    """What the run keeps of task `index`'s result: `(index, status, raw digest, documents, failure,
    warnings)`; the task supplies the rest of the file's state."""
    status = FAILED if result.failure is not None else UNCHANGED if result.unchanged else INDEXED
    state = result.state
    raw = bytes.fromhex(state.digest) if state is not None and status != FAILED else bytes(DIGEST_BYTES)
    return index, status, raw, state.docs if state is not None else 0, result.failure, tuple(result.warnings)


class Outcomes:
    """The outcome of every planned task, kept compactly: a run over 10^5 files holds them all until its
    commit, and as `FileResult`s (with key, state and digest strings) they cost ~400 bytes a file in the
    parent; here ~21 (a status byte, the raw digest, a document count; failures and warnings in dicts)."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.tasks = tasks
        self.status = bytearray(len(tasks))
        self.digests = bytearray(DIGEST_BYTES * len(tasks))
        self.docs = array("I", bytes(4 * len(tasks)))
        self.failures: dict[int, str] = {}
        self.warnings: dict[int, tuple[str, ...]] = {}
        self.count = 0

    def put(self, outcome: Outcome) -> None:
        """Record one task's outcome (from `pack`)."""
        index, status, raw, docs, failure, warnings = outcome
        self.status[index] = status
        self.digests[DIGEST_BYTES * index:DIGEST_BYTES * (index + 1)] = raw
        self.docs[index] = docs
        if failure is not None:
            self.failures[index] = failure
        if warnings:
            self.warnings[index] = warnings
        self.count += 1

    def state(self, index: int) -> FileState:
        """The state to record for task `index` (which must not have failed)."""
        task = self.tasks[index]
        digest_hex = self.digests[DIGEST_BYTES * index:DIGEST_BYTES * (index + 1)].hex()
        return FileState(task.key, task.size, task.mtime_ns, digest_hex, self.docs[index])

    def states(self) -> Iterator[FileState]:
        """The states to record: every task that was read, indexed or found unchanged (made one at a time)."""
        return (self.state(i) for i, status in enumerate(self.status) if status in (INDEXED, UNCHANGED))


@dataclass(frozen=True, slots=True)
class Plan:
    """The work an `index` run has to do."""

    tasks: tuple[Task, ...]
    removed: tuple[str, ...]
    unchanged: int


def attribute(article: Article) -> Article:
    """Add extracted speakers and quotes (speakers given by the record itself take precedence)."""
    from searchkit import speakers  # imported where used: its patterns take a while to compile

    found = speakers.extract(article.body, article.title)
    return replace(article, speakers=article.speakers or found.speakers, quotes=found.quotes)


def digest(data: bytes) -> str:
    """Content hash used to tell a touched file from a changed one."""
    return hashlib.blake2b(data, digest_size=DIGEST_BYTES).hexdigest()


def process(task: Task) -> FileResult:
    """Read, attribute and pre-analyse one file (runs in a worker process)."""
    key = task.key
    path = Path(key)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(key, failure=f"cannot read: {exc.strerror or exc}")
    state = FileState(key, task.size, task.mtime_ns, digest(data), 0)
    if state.digest == task.old_digest:
        return FileResult(key, state=state, unchanged=True)
    try:
        articles = reading.read_articles(path, task.rel, data)
    except SearchkitError as exc:
        return FileResult(key, failure=str(exc))
    except Exception as exc:  # a parser bug must cost one file, not the run
        return FileResult(key, failure=f"unexpected error: {type(exc).__name__}: {exc}")
    attributed = [attribute(a) for a in articles]
    docs = [(documents.prepare(a), documents.prepare_quotes(a)) for a in attributed]
    warnings = [w for a in articles for w in a.warnings]
    return FileResult(key, state=replace(state, docs=len(docs)), docs=docs, warnings=warnings)


def plan(discovery: reading.Discovery, manifest: Manifest) -> Plan:
    """Compare the files found with the manifest.

    Both sides are sets of `(key, size, mtime_ns)` stamps, so a re-run over 10^5 unchanged files is set
    algebra in C; only the files that differ get a `Task` (and a digest looked up).
    """
    known = manifest.stamps()
    fresh = discovery.stamps - known  # new, or changed in size or mtime
    gone = known - discovery.stamps  # removed, or the old stamps of changed files
    fresh_keys = {key for key, _size, _mtime in fresh}
    old = manifest.digests(key for key, _size, _mtime in gone if key in fresh_keys)
    rels = discovery.rels
    tasks = tuple(Task(key, rels[key], size, mtime_ns, old.get(key)) for key, size, mtime_ns in sorted(fresh))
    roots = tuple(str(r) + os.sep for r in discovery.roots)
    seen = discovery.unstatable
    removed = tuple(sorted(key for key, _size, _mtime in gone
                           if key not in rels and key not in seen and key.startswith(roots))) if roots else ()
    return Plan(tasks, removed, len(discovery.stamps) - len(tasks))


def _process_chunk(tasks: Sequence[Task]) -> list[FileResult]:
    return [process(t) for t in tasks]


def run_tasks(tasks: Sequence[Task], workers: int, chunk: int = 16) -> Iterator[FileResult]:
    """Process tasks in order, in a fork pool when there are enough of them.

    At most `4 * workers` chunks are in flight, so workers cannot run ahead of the writer and pile
    pre-analysed documents up in memory (`Pool.imap` would queue them all).
    """
    if workers <= 1 or len(tasks) < POOL_THRESHOLD or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(process, tasks)
        return
    chunks = iter([tasks[i:i + chunk] for i in range(0, len(tasks), chunk)])
    ctx = multiprocessing.get_context("fork")  # Whoosh-free workers; fork is explicit, never the default
    with ctx.Pool(workers) as pool:
        pending = deque(pool.apply_async(_process_chunk, (c,)) for c in itertools.islice(chunks, 4 * workers))
        while pending:
            results = pending.popleft().get()
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.apply_async(_process_chunk, (nxt,)))
            yield from results


class Session:
    """The run's write session over the index, opened (and locked) on first use: a run with nothing to write
    or delete never takes the write lock. A missing index, or a rebuild, opens it at once."""

    def __init__(self, index_dir: Path, *, rebuild: bool = False, phase: Phase | None = None) -> None:
        self.index_dir = index_dir
        self.announce: Phase = phase or (lambda _name: None)
        eager = rebuild or not writing.has_indexes(index_dir)
        self.writer = self._open(rebuild) if eager else None

    def _open(self, rebuild: bool = False) -> writing.IndexWriter:
        return writing.IndexWriter(self.index_dir, rebuild=rebuild, lock_timeout=writing.LOCK_TIMEOUT_S)

    def open(self) -> writing.IndexWriter:
        """The write session, opened now if not yet (raises `IndexLocked` if another process holds it)."""
        if self.writer is None:
            self.writer = self._open()
        return self.writer

    def cancel(self) -> None:
        """Abandon the session, if one was opened."""
        if self.writer is not None:
            self.writer.cancel()


def index_paths(paths: Sequence[Path], index_dir: Path, *, rebuild: bool = False, workers: int | None = None,
                progress: Progress | None = None, phase: Phase | None = None) -> IndexSummary:
    """Index `paths` (files and folders) into `index_dir`, incrementally unless `rebuild`. `progress(done,
    total)` follows the files read; `phase(name)` announces the later phases."""
    with _bulk_gc():  # before the workers fork: they inherit it
        return _index_paths(paths, index_dir, rebuild=rebuild, workers=workers, progress=progress, phase=phase)


BULK_GC_THRESHOLDS = (50_000, 20, 100)
"""The cyclic collector's thresholds while indexing. A run pools 10^5-10^6 postings (lists and tuples that
live until the segment is written), which the default thresholds (700, 10, 10) rescan many times: ~10% of
an update's CPU, ~2% with these. Indexing creates almost no reference cycles, so little garbage waits."""


@contextmanager
def _bulk_gc() -> Iterator[None]:
    """Collect cyclic garbage less often (`BULK_GC_THRESHOLDS`) for the duration, then restore."""
    saved = gc.get_threshold()
    gc.set_threshold(*BULK_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*saved)


def _index_paths(paths: Sequence[Path], index_dir: Path, *, rebuild: bool, workers: int | None,
                 progress: Progress | None, phase: Phase | None = None) -> IndexSummary:
    """`index_paths` under the bulk collector settings."""
    started = time.perf_counter()
    workers = workers or os.cpu_count() or 1
    crew = SegmentWorkers(workers) if workers > 1 and "fork" in multiprocessing.get_all_start_methods() else None
    try:
        discovery = reading.discover(paths)
        session = Session(index_dir, rebuild=rebuild, phase=phase)
        manifest = Manifest(index_dir)
        try:
            if rebuild:
                manifest.clear()
            work = plan(discovery, manifest)
            skipped = discovery.skipped
            del discovery  # 10^5 stamps and paths, not needed once planned: less memory at the run's peak
            if crew is not None and len(work.tasks) >= SEGMENT_THRESHOLD:
                summary, upserts, drops, total = _apply_parallel(session, work, skipped, crew, progress)
            else:
                summary, upserts, drops, total = _apply(session, work, skipped, workers, progress)
            session.announce("recording files")
            manifest.apply(upserts, drops)  # after the index commit: a crash in between only causes redo
            if total is None:
                total = doc_count(index_dir)
        except BaseException:
            session.cancel()
            raise
        finally:
            manifest.close()
    finally:
        if crew is not None:
            crew.close()
    return replace(summary, documents=total, seconds=round(time.perf_counter() - started, 3))


Applied = tuple[IndexSummary, Iterable[FileState], list[str], int | None]  # summary, manifest changes, documents


def _apply(session: Session, work: Plan, skipped: Sequence[FileFailure], workers: int,
           progress: Progress | None) -> Applied:
    """Read the planned files (in a pool when worthwhile), add them through this process's writer, commit.

    The writer is opened by the first document to add (or in `_record`, for deletes only)."""
    outcomes = Outcomes(work.tasks)
    for index, result in enumerate(run_tasks(work.tasks, workers)):
        if result.docs:
            writer = session.open()
            for doc, quotes in result.docs:
                writer.add(doc, quotes)
        outcomes.put(pack(index, result))
        if progress:
            progress(index + 1, len(work.tasks))
    return _record(session, work, skipped, outcomes, [])


def _record(session: Session, work: Plan, skipped: Sequence[FileFailure], outcomes: Outcomes,
            segments: Sequence[Sequence[Any]]) -> Applied:
    """Delete superseded documents, commit (with any segments written elsewhere), and return the summary
    and the manifest changes to record (and the document count, when it is known without reopening).

    Deletes only reach segments that existed before this run, so they may come after the adds. A file new
    to the manifest is deleted too when the index was not empty: a crash after an earlier index commit may
    have left its documents without a manifest row. With nothing to add or delete, no writer is opened.
    """
    added = updated = unchanged = 0
    failed = list(skipped)
    warned: list[FileFailure] = []
    drops = list(work.removed)
    stale = list(work.removed)
    new: list[str] = []
    for index, task in enumerate(work.tasks):  # in file order, as a serial run reports them
        status = outcomes.status[index]
        if status == FAILED:
            failed.append(FileFailure(task.key, outcomes.failures[index]))
            if task.old_digest is not None:
                stale.append(task.key)
                drops.append(task.key)
        elif status == UNCHANGED:
            unchanged += 1  # touched, not changed: re-stamp
        elif status == INDEXED and task.old_digest is not None:
            updated += 1
            stale.append(task.key)
        elif status == INDEXED:
            added += 1
            new.append(task.key)
        warned.extend(FileFailure(task.key, w) for w in outcomes.warnings.get(index, ()))
    total = None
    if added or updated or stale:
        writer = session.open()
        if new and writer.doc_count() > 0:
            stale.extend(new)
        writer.delete_sources(stale)
        session.announce("committing")
        total = writer.commit(extra=segments)
    else:
        session.cancel()
    summary = IndexSummary(added=added, updated=updated, removed=len(work.removed),
                           unchanged=unchanged + work.unchanged, failed=tuple(failed), warnings=tuple(warned))
    return summary, outcomes.states(), drops, total


TASK_BATCH = 1_024  # tasks per message to a segment worker
POOL_LIMIT = 150_000  # postings a segment worker pools before spilling a sorted run: bounds a build's memory
SMALL_SHARE = 1_500  # files; a share this small (an update) pools up to SMALL_POOL_LIMIT postings instead,
SMALL_POOL_LIMIT = 1_000_000  # usually all of them: no runs to write and merge back (~1.5 s CPU per 1,000 files)


class SegmentWorkers:
    """The processes that write segments in a large run, forked when the run starts: before discovery and
    planning, so they do not inherit the parent's file lists (copy-on-write pages count in every process's
    memory). Each waits for an index folder and its share of the tasks, or is told to exit unused."""

    def __init__(self, count: int) -> None:
        ctx = multiprocessing.get_context("fork")  # explicit: the default is spawn/forkserver on newer Pythons
        self.outbox = ctx.Queue()
        self.inboxes = [ctx.Queue() for _ in range(count)]
        self.procs = [ctx.Process(target=_segment_worker, args=(i, inbox, self.outbox), daemon=True)
                      for i, inbox in enumerate(self.inboxes)]
        for proc in self.procs:
            proc.start()
        self.started = self.closed = False

    def start(self, index_dir: Path, tasks: Sequence[Task]) -> None:
        """Give worker `i` the tasks `i, i + n, i + 2n, ...` (a fixed split: the same segments every run),
        each with its index in `tasks` (by which the worker reports on it)."""
        self.started = True
        count = len(self.inboxes)
        for number, inbox in enumerate(self.inboxes):
            indexes = range(number, len(tasks), count)
            inbox.put((str(index_dir), SMALL_POOL_LIMIT if len(indexes) <= SMALL_SHARE else POOL_LIMIT))
            for i in range(0, len(indexes), TASK_BATCH):
                inbox.put([(n, *_task_fields(tasks[n])) for n in indexes[i:i + TASK_BATCH]])
            inbox.put(None)

    def close(self, finished: bool = True) -> None:
        """Stop the workers: unused ones are told to exit, unfinished ones (a failed run) are terminated."""
        if self.closed:
            return
        self.closed = True
        if not self.started:
            for inbox in self.inboxes:
                inbox.put(None)
        for proc in self.procs:
            if self.started and not finished:
                proc.terminate()
            proc.join()
        for q in (*self.inboxes, self.outbox):
            q.close()


def _task_fields(task: Task) -> tuple[str, str, int, int, str | None]:
    """A task as sent to a worker (`Task(*fields)` there)."""
    return task.key, task.rel, task.size, task.mtime_ns, task.old_digest


def _segment_worker(number: int, inbox: Any, queue: Any) -> None:
    """Worker process `number`: wait for an index folder and a pool size (None: exit unused), then read,
    attribute and analyse the tasks as they arrive and write them into new segments of its own; stream
    the tasks' outcomes (`pack`) in batches, then report the finished segments."""
    start = inbox.get()
    if start is None:
        return
    index_dir, pool_limit = start
    try:
        builder = writing.SegmentBuilder(Path(index_dir), pool_limit)
        outcomes: list[Outcome] = []
        while (batch := inbox.get()) is not None:
            for index, *fields in batch:
                result = process(Task(*fields))
                for doc, quotes in result.docs:
                    builder.add(doc, quotes)
                outcomes.append(pack(index, result))
                if len(outcomes) == 64:  # stream outcomes (they double as progress) rather than hold them all
                    queue.put(("outcomes", outcomes))
                    outcomes = []
        queue.put(("outcomes", outcomes))
        queue.put(("done", (number, builder.finish())))
    except BaseException as exc:  # reported to the parent, which cancels the run
        queue.put(("error", f"{type(exc).__name__}: {exc}"))


def _apply_parallel(session: Session, work: Plan, skipped: Sequence[FileFailure], crew: SegmentWorkers,
                    progress: Progress | None) -> Applied:
    """Like `_apply`, but each worker runs the whole pipeline on an interleaved share of the files and
    writes its own segments; the parent deletes old versions and lists the new segments in its commit.

    Whoosh's serial merge is what kept its multi-process writer from scaling; here nothing is merged.
    """
    writer = session.open()  # locked before the workers write into the folder (and before it clears spills)
    crew.start(writer.index_dir, work.tasks)
    queue, procs = crew.outbox, crew.procs
    outcomes = Outcomes(work.tasks)
    finished: list[tuple[int, list[Any]]] = []
    try:
        while len(finished) < len(procs):
            try:
                msg = queue.get(timeout=1.0)
            except queue_errors.Empty:
                dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
                if dead:  # killed without a word (out of memory, a signal): do not wait forever
                    raise IndexingFailed(f"an indexing worker stopped unexpectedly (exit code {dead[0]}); "
                                         "nothing was committed") from None
                continue
            if msg[0] == "outcomes":
                for outcome in msg[1]:
                    outcomes.put(outcome)
                if progress:
                    progress(outcomes.count, len(work.tasks))
                if outcomes.count == len(work.tasks):  # all files read; workers write their last segments
                    session.announce("finishing segments")
            elif msg[0] == "done":
                finished.append(msg[1])
            else:
                raise IndexingFailed(f"an indexing worker failed ({msg[1]}); nothing was committed")
    finally:
        crew.close(finished=len(finished) == len(procs))
    if progress:
        progress(len(work.tasks), len(work.tasks))
    segments = [segs for _number, segs in sorted(finished, key=lambda f: f[0])]  # same document order every run
    return _record(session, work, skipped, outcomes, segments)
