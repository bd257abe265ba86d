"""The processes that read and analyse files for a write session, hidden behind `Workers`.

The caller gives a `read` function that turns one task into `(articles, report)` (the engine never imports
the readers); the engine prepares the articles for the index and hands each report back, with the task's
number, to the caller's `on_result`. `articles` may be a lazy iterable (a JSON Lines archive is read a
record at a time): it is consumed, one article at a time, before the report is used. The caller may also
give a `settle` function, which finishes reports a batch at a time in the worker before they cross (work
cheaper done for many files at once than for each: the caller signs their articles there). Two schemes:

- a small run (fewer than `SEGMENT_THRESHOLD` tasks) reads in a fork pool and adds the prepared documents
  through the session's writer in this process;
- a large run gives each pre-forked worker an interleaved share of the tasks; it writes its own segments,
  which the session lists in its commit (nothing is merged serially: Whoosh's serial merge is what kept
  its multi-process writer from scaling).

Workers are forked when `Workers` is entered, before the caller lists its files, so they do not inherit
those lists (copy-on-write pages count in every process's memory). Told that work is coming (`warm`), they
load what writing needs (and the caller's `warm`: its slow imports) while the caller is still listing, off
the run's critical path; a run with nothing to write never tells them. With `spare`, the first stays after its
segments (or unused) for one more job of the caller's: `beside` runs a function there while this process does
something else (an update's tail: the speaker names beside the copies). Fork is explicit: the default start
method is spawn/forkserver on newer Pythons; without fork everything runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import itertools
import multiprocessing
import os
import pickle
import queue as queue_errors
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Generic, TypeVar

from searchkit import heap
from searchkit.engine import documents
from searchkit.errors import IndexingFailed, Terminated, WorkerLost
from searchkit.models import Article

T = TypeVar("T")
R = TypeVar("R")
Read = Callable[[T], tuple[Iterable[Article], R]]
Settle = Callable[[list[R]], list[R]]
Prepared = Iterable[tuple[dict[str, Any], list[dict[str, Any]]]]  # (article, its quotes) as `add` arguments

POOL_THRESHOLD = 64  # fewer tasks than this are read in this process
SEGMENT_THRESHOLD = 1_000  # from this many tasks, each worker writes its own segments
TASK_BATCH = 1_024  # tasks per message to a segment worker
REPORT_BATCH = 64  # reports per message from a segment worker (settled together, `Workers`)
BATCHES_AHEAD = 2  # batches of tasks sent to a segment worker beyond the tasks it reported done
POOL_LIMIT = 20_000  # keyword postings a segment worker pools before spilling a sorted run (~300 bytes each with
# their terms, mostly unique ids and paths: 50,000 held ~14 MB; the runs' merge costs the same CPU, measured)
SMALL_SHARE = 1_500  # tasks; a share this small (an update) pools up to SMALL_POOL_LIMIT postings instead,
SMALL_POOL_LIMIT = 1_000_000  # usually all of them: no runs to write and merge back (~1.5 s CPU per 1,000 files)

WARM_TURN_S = 10.0  # a worker waits this long for its turn to warm (`_warm`) before it warms anyway
BULK_GC_THRESHOLDS = (50_000, 20, 100)
"""The cyclic collector's thresholds while writing. A run pools 10^5-10^6 postings (lists and tuples that
live until the segment is written), which the default thresholds (700, 10, 10) rescan many times: ~10% of
an update's CPU, ~2% with these. Indexing creates almost no reference cycles, so little garbage waits."""


def prepare(articles: Iterable[Article]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Articles as the writer adds them (analysed here, in the worker), one at a time: a file of thousands
    of records (JSON Lines) never has all its analysed documents in memory at once."""
    return ((documents.prepare(a), documents.prepare_quotes(a)) for a in articles)


def _read_chunk(read: Read[T, R], settle: Settle[R], tasks: Sequence[T]) -> list[tuple[Prepared, R]]:
    """Read and prepare `tasks` in a pool worker (a list: it crosses back to the parent in one message)."""
    out = []
    for task in tasks:
        articles, report = read(task)
        out.append((list(prepare(articles)), report))
    reports = settle([report for _prepared, report in out])
    return [(prepared, report) for (prepared, _unsettled), report in zip(out, reports, strict=True)]


def _as_settled(reports: list[R]) -> list[R]:
    """The default `settle`: the reports as they are."""
    return reports


class Workers(Generic[T, R]):
    """The worker processes of one indexing run (a context manager: forks on entry, stops them on exit,
    and keeps the collector at `BULK_GC_THRESHOLDS` meanwhile, inherited by the workers).

    `settle(reports)` gets the reports as `read` returned them, a batch at a time where they are read (a
    segment worker's `REPORT_BATCH`, a pool's chunk, one by one in this process), and returns them finished.
    A lazily read file's report passes through it before its articles are taken (and completed in place)."""

    def __init__(self, read: Read[T, R], count: int, *, spare: bool = False,
                 warm: Callable[[], object] | None = None, settle: Settle[R] = _as_settled) -> None:
        self.read = read
        self.settle = settle  # a module-level function: it is sent to the pool's workers by name
        self.warm_up = warm
        self.count = max(1, count)
        self.forking = self.count > 1 and "fork" in multiprocessing.get_all_start_methods()
        self.spare = spare
        self.crew: _SegmentCrew | None = None
        self._saved_gc: tuple[int, int, int] | None = None
        self._saved_term: Any = None

    def __enter__(self) -> Workers[T, R]:
        self._saved_gc = gc.get_threshold()
        gc.set_threshold(*BULK_GC_THRESHOLDS)
        self._saved_term = _stop_on_sigterm()
        if self.forking:
            self.crew = _SegmentCrew(self.read, self.count, self.spare, self.warm_up, self.settle)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        try:
            if self.crew is not None:
                self.crew.close(finished=exc is None)
        finally:
            if self._saved_gc is not None:
                gc.set_threshold(*self._saved_gc)
            if self._saved_term is not None:
                signal.signal(signal.SIGTERM, self._saved_term)

    def warm(self) -> None:
        """Work is coming: have the workers load what they will need now, while this process lists the files
        (~0.4 s of CPU each at the start of an update otherwise: numpy, the writer, the caller's `warm`).
        Once per run; without forked workers, nothing."""
        if self.crew is not None:
            self.crew.warm()

    def segmented(self, tasks: Sequence[T]) -> bool:
        """Whether `tasks` are many enough for workers writing their own segments."""
        return self.crew is not None and len(tasks) >= SEGMENT_THRESHOLD

    def prepared(self, tasks: Sequence[T], chunk: int = 16) -> Iterator[tuple[Prepared, R]]:
        """Each task's prepared documents and report, in task order (read in a fork pool when worthwhile).

        At most `4 * workers` chunks are in flight, so workers cannot run ahead of the writer and pile
        prepared documents up in memory (`Pool.imap` would queue them all)."""
        if not self.forking or len(tasks) < POOL_THRESHOLD:
            for task in tasks:
                articles, report = self.read(task)
                yield prepare(articles), self.settle([report])[0]  # analysed as the writer takes them
            return
        chunks = iter([tasks[i:i + chunk] for i in range(0, len(tasks), chunk)])
        with multiprocessing.get_context("fork").Pool(self.count, _die_with_parent, (os.getpid(),)) as pool:
            pending = deque(pool.apply_async(_read_chunk, (self.read, self.settle, c))
                            for c in itertools.islice(chunks, 4 * self.count))
            while pending:
                results = pending.popleft().get()
                nxt = next(chunks, None)
                if nxt is not None:
                    pending.append(pool.apply_async(_read_chunk, (self.read, self.settle, nxt)))
                yield from results

    def write_segments(self, index_dir: Path, tasks: Sequence[T], on_result: Callable[[int, R], None]) -> list[Any]:
        """Have the segment workers read, prepare and write every task; call `on_result(number, report)` as
        reports arrive (in any order); return the finished segments, in worker order."""
        assert self.crew is not None
        return self.crew.run(index_dir, tasks, on_result)

    def release_spare(self) -> None:
        """Let the spare worker exit now, unused: its memory goes before the caller's own large work."""
        if self.crew is not None:
            self.crew._release()
            self.crew.spare = False

    @contextlib.contextmanager
    def beside(self, job: Callable[..., Any], *args: Any) -> Iterator[None]:
        """Run `job(*args)` in the spare worker while the `with` block runs here; its exception (pickled
        across) is raised at the block's end. Without a spare worker (no fork, one worker, or not `spare`) it
        runs here after the block. `job` must be a module-level function (it is sent by name)."""
        if self.crew is None or not self.crew.spare:
            yield
            job(*args)
            return
        self.crew.call(job, args)
        yield  # a block that raises leaves the job to `__exit__`, which stops the worker
        self.crew.result()


class _SegmentCrew:
    """The pre-forked segment workers. Each waits for an index folder and its share of the tasks, or is
    told to exit unused."""

    def __init__(self, read: Read[Any, Any], count: int, spare: bool = False,
                 warm: Callable[[], object] | None = None, settle: Settle[Any] = _as_settled) -> None:
        ctx = multiprocessing.get_context("fork")
        self.outbox = ctx.Queue()
        self.inboxes = [ctx.Queue() for _ in range(count)]
        warming = ctx.Lock()  # one worker warms at a time (`_warm`)
        self.procs = [ctx.Process(target=_segment_worker,
                                  args=(i, (read, settle), inbox, self.outbox, os.getpid(), (warm, warming)),
                                  daemon=True)
                      for i, inbox in enumerate(self.inboxes)]
        for proc in self.procs:
            proc.start()
        self.spare = spare  # worker 0 waits for a `call` after its segments, until closed
        self.released = [False] * count  # told to exit
        self.started = self.closed = self.calling = self.warmed = False
        self.tasks: Sequence[Any] = ()
        self.shares: list[range] = []
        self.sent: list[int] = []  # per worker: tasks of its share sent (`_feed`)
        self.done: list[int] = []  # per worker: tasks it reported done

    def run(self, index_dir: Path, tasks: Sequence[Any], on_result: Callable[[int, Any], None]) -> list[Any]:
        """Give worker `i` the tasks `i, i + n, i + 2n, ...` (a fixed split: the same segments every run),
        each with its number in `tasks`; collect reports and finished segments."""
        self.start(index_dir, tasks)
        finished: list[tuple[int, list[Any]]] = []
        try:
            while len(finished) < len(self.procs):
                msg = self._receive()
                if msg[0] == "reports":
                    for number, report in msg[1]:
                        on_result(number, report)
                        self.done[number % len(self.procs)] += 1  # worker i's share is i, i + n, ...
                    if msg[1]:
                        self._feed(msg[1][0][0] % len(self.procs))
                elif msg[0] == "done":
                    finished.append(msg[1])
                elif msg[2] is not None:  # an OSError: raised as one here (a full disk is the caller's to name)
                    raise OSError(msg[2], f"an indexing worker failed ({msg[1]})")
                else:
                    raise IndexingFailed(f"an indexing worker failed ({msg[1]}); nothing was committed")
        except BaseException:
            self.close(finished=False)
            raise
        self._release(keep=1 if self.spare else 0)  # the others exit now: their memory goes with them
        # in worker order, each worker's in the order written: the same document order every run
        return [segs for _number, rolls in sorted(finished, key=lambda f: f[0]) for segs in rolls]

    def _receive(self, lost: str = "; nothing was committed", watch: Sequence[Any] = ()) -> Any:
        """The next message from the workers; `WorkerLost` (its text ending in `lost`) if one of `watch` (all
        by default) died without a word (out of memory, a signal) instead of waiting forever."""
        while True:
            try:
                return self.outbox.get(timeout=1.0)
            except queue_errors.Empty:
                dead = [p.exitcode for p in watch or self.procs if p.exitcode not in (None, 0)]
                if dead:
                    raise WorkerLost(f"an indexing worker stopped unexpectedly (exit code {dead[0]}){lost}"
                                         ) from None

    def start(self, index_dir: Path, tasks: Sequence[Any]) -> None:
        self.started = True
        count = len(self.inboxes)
        self.tasks = tasks
        self.shares = [range(number, len(tasks), count) for number in range(count)]
        self.sent, self.done = [0] * count, [0] * count
        for number, (inbox, share) in enumerate(zip(self.inboxes, self.shares, strict=True)):
            inbox.put(("segments", str(index_dir), SMALL_POOL_LIMIT if len(share) <= SMALL_SHARE else POOL_LIMIT))
            if not share:
                inbox.put(None)
            self._feed(number)

    def _feed(self, number: int) -> None:
        """Send worker `number` its next batches of tasks, until `BATCHES_AHEAD` batches wait beyond the tasks
        it reported done (then None, after its last): the tasks are made (`tasks[n]`) and queued as the
        worker gets near them, not all at once at the start (10^5 of them sat in the queue's buffer)."""
        share, inbox = self.shares[number], self.inboxes[number]
        ahead = BATCHES_AHEAD * TASK_BATCH
        while self.sent[number] < len(share) and self.sent[number] - self.done[number] < ahead:
            first = self.sent[number]
            self.sent[number] = min(len(share), first + TASK_BATCH)
            inbox.put([(n, self.tasks[n]) for n in share[first:self.sent[number]]])
            if self.sent[number] == len(share):
                inbox.put(None)

    def warm(self) -> None:
        """Tell each worker to load what it will need (once; before any other order)."""
        if not self.warmed and not self.started:
            self.warmed = True
            for inbox in self.inboxes:
                inbox.put(("warm",))

    def call(self, job: Callable[..., Any], args: tuple[Any, ...]) -> None:
        """Have the spare worker run `job(*args)` (`result` waits for it). Pickled here: what does not pickle
        fails here, not in the queue's thread (which would drop it, and `result` wait for ever)."""
        self.calling = True
        self.inboxes[0].put(("call", pickle.dumps((job, args))))

    def result(self) -> Any:
        """What the spare worker's job returned; its exception, raised here."""
        msg = self._receive(lost="", watch=self.procs[:1])  # a released worker's exit is not the job's
        if msg[0] == "raised":
            raise pickle.loads(msg[1])
        if msg[0] != "returned":
            raise IndexingFailed(f"an indexing worker failed ({msg[1]})")
        return msg[1]

    def _release(self, keep: int = 0) -> None:
        """Tell the workers from number `keep` on to exit (each once)."""
        for number in range(keep, len(self.inboxes)):
            if not self.released[number]:
                self.released[number] = True
                self.inboxes[number].put(None)

    def close(self, finished: bool = True) -> None:
        """Stop the workers: idle ones are told to exit, unfinished ones (a failed run) are terminated."""
        if self.closed:
            return
        self.closed = True
        if finished or not self.started:
            self._release()
        for proc in self.procs:
            if (self.started or self.calling) and not finished:
                proc.terminate()
            proc.join()
        for q in (*self.inboxes, self.outbox):
            if not finished:  # tasks nobody will read may still fill a pipe: do not wait at exit to flush them
                q.cancel_join_thread()
            q.close()


def _segment_worker(number: int, reading: tuple[Read[Any, Any], Settle[Any]], inbox: Any, queue: Any, parent: int,
                    warm: tuple[Callable[[], object] | None, Any] = (None, None)) -> None:
    """Worker process `number`: do what it is told until told to exit (None): load what it will need, write
    segments, or run a job of the caller's (`Workers.beside`)."""
    _die_with_parent(parent)
    while (order := inbox.get()) is not None:
        if order[0] == "warm":
            _warm(*warm)
        elif order[0] == "call":
            _call(*pickle.loads(order[1]), queue)
        elif not _write_segments(number, reading, order[1], order[2], inbox, queue):
            return  # failed: its remaining tasks stay unread in the inbox, and the parent stops the run


def _warm(warm: Callable[[], object] | None, warming: Any) -> None:
    """Load the writer (and numpy) and run the caller's `warm`, before the tasks come. The workers take turns
    (`warming`, a lock): the caller lists its files meanwhile on one core, and two workers warming at once
    would take a third of it from the caller; one at a time, they use the other core only. A failure here is
    left for the tasks to meet and report (`_write_segments` imports the writer itself)."""
    held = warming is not None and warming.acquire(timeout=WARM_TURN_S)
    try:
        from searchkit.engine import writing  # noqa: F401

        if warm is not None:
            warm()
    except Exception:
        return
    finally:
        if held:
            warming.release()


def _call(job: Callable[..., Any], args: tuple[Any, ...], queue: Any) -> None:
    """Run `job(*args)`; send back what it returned, or its exception pickled (as `IndexingFailed` with its
    text when it does not pickle)."""
    heap.give_back()  # the segments' memory, held beside the caller's own work until the job ends otherwise
    try:
        result = job(*args)
        pickle.dumps(result)  # what does not pickle would be dropped by the queue's thread, `result` waiting
        queue.put(("returned", result))
    except BaseException as exc:
        try:
            blob = pickle.dumps(exc)
            pickle.loads(blob)
        except Exception:
            blob = pickle.dumps(IndexingFailed(f"{type(exc).__name__}: {exc}"))
        queue.put(("raised", blob))


def _write_segments(number: int, reading: tuple[Read[Any, Any], Settle[Any]], index_dir: str, pool_limit: int,
                    inbox: Any, queue: Any) -> bool:
    """Read, prepare and write the tasks as they arrive (until None) into new segments of this worker's own;
    stream `(task number, report)` pairs in batches (they double as progress), then report the finished
    segments. False if it failed (reported to the parent, which cancels the run)."""
    try:
        from searchkit.engine import writing  # here: a run with nothing to write never loads it (nor numpy)

        builder = writing.SegmentBuilder(Path(index_dir), pool_limit)
        read, settle = reading
        numbers: list[int] = []
        reports: list[Any] = []
        while (batch := inbox.get()) is not None:
            for n, task in batch:
                articles, report = read(task)
                for doc, quotes in prepare(articles):
                    builder.add(doc, quotes)
                numbers.append(n)
                reports.append(report)
                if builder.full():
                    builder.roll()
                if len(reports) == REPORT_BATCH:
                    _send(queue, numbers, reports, settle)
            if reports:  # before waiting for the next batch, which they bring on (`_feed`)
                _send(queue, numbers, reports, settle)
        queue.put(("done", (number, builder.finish())))
        return True
    except BaseException as exc:  # reported to the parent, which cancels the run
        queue.put(("error", f"{type(exc).__name__}: {exc}", exc.errno if isinstance(exc, OSError) else None))
        return False


PR_SET_PDEATHSIG = 1  # prctl(2) option: the signal this process gets when the thread that forked it ends


def _send(queue: Any, numbers: list[int], reports: list[Any], settle: Settle[Any]) -> None:
    """Send the settled reports with their task numbers, and empty both lists for the next batch."""
    queue.put(("reports", list(zip(numbers, settle(reports), strict=True))))
    numbers.clear()
    reports.clear()


def _stop_on_sigterm() -> Any:
    """In the main thread, make SIGTERM raise `Terminated` (so the run unwinds: workers stopped, writes
    cancelled, locks released) and return the handler it replaces; elsewhere, do nothing (None). Python's
    default is to die at once, leaving the workers blocked on a pipe or writing segments for half a minute."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum: int, frame: Any) -> None:
    raise Terminated("stopped by SIGTERM")


def _die_with_parent(parent: int) -> None:
    """First thing in a forked worker: exit when the process that forked it (`parent`) dies, however it dies
    (kill -9 included), rather than wait forever on a pipe nobody writes. On Linux the kernel sends SIGKILL
    (PR_SET_PDEATHSIG); elsewhere a thread checks the parent id every half second. A SIGTERM sent to the
    whole process group stops a worker at once (the parent's own handler is not inherited)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # died before the request was made
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)
