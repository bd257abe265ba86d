"""Bring an index up to date with folders of article files: add new, re-index changed, remove deleted.

Only files whose size or mtime differ from the manifest are read (`indexer_plan`); of those, files whose
content hash is unchanged are just re-stamped (`indexer_read`). The engine's workers read and analyse the
files (`engine.api.Workers`), one write session deletes superseded documents and commits once
(`engine.api.WriteSession`, which takes the lock only when there is something to write or delete), then
the manifest follows: a crash in between only makes the next run redo those files. Last, the wire-copy
groups (`copies`) take in the articles the workers signed (staged as they arrived, merged after the commit).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from searchkit import heap, minhash, private, reading
from searchkit.copies_update import CopyUpdater
from searchkit.engine import api
from searchkit.errors import WorkerLost
from searchkit.indexer_plan import Plan, Task, plan
from searchkit.indexer_read import FAILED, INDEXED, UNCHANGED, Outcomes, read, sign, warm
from searchkit.limits import Limits
from searchkit.manifest import MANIFEST_NAME, Manifest, written_at
from searchkit.models import FileFailure, IndexSummary
from searchkit.sidecar import sqlite_errors
from searchkit.speakers.store import NAME as NAMES_FILE
from searchkit.speakers.store import NameStore, merge_staged

__all__ = ["Phase", "Plan", "Progress", "Task", "index_paths"]

Progress = Callable[[int, int], None]
Phase = Callable[[str], None]
"""Told when a run enters a phase after reading its files ("finishing segments", "committing", "recording
files"), so a progress display does not sit silently at 100%."""


def index_paths(paths: Sequence[Path], index_dir: Path, *, rebuild: bool = False, workers: int | None = None,
                progress: Progress | None = None, phase: Phase | None = None,
                selection: reading.Selection | None = None, follow_symlinks: bool = False,
                limits: Limits | None = None, wait: bool = False) -> IndexSummary:
    """Index `paths` (files and folders) into `index_dir`, incrementally unless `rebuild`. `progress(done,
    total)` follows the files read; `phase(name)` announces the later phases. `selection` leaves files out
    by pattern, `follow_symlinks` follows links out of the folders (`reading.discover`); `limits` bounds
    each file's size and CPU time (`indexer_read.read`). With `wait`, a run that finds the index locked by
    another waits for it instead of raising `IndexLocked`.

    A rebuild never opens the old index or its manifest (either may be damaged): it builds both beside
    them and they take their place at the end (`WriteSession`), so readers meanwhile see the old index."""
    started = time.perf_counter()
    announce: Phase = phase or (lambda _name: None)
    reader = read if limits is None else partial(read, limits=limits)
    # forked before the files are listed; an update keeps one for the names merge (`_tail`)
    with api.Workers(reader, workers or os.cpu_count() or 1, spare=not rebuild, warm=warm, settle=sign) as crew:
        written = None if rebuild else written_at(index_dir)
        if written is None:  # a first build or a rebuild: every file is work
            crew.warm()  # the workers load the writer and compile the speaker patterns while this one lists
        newer = None if written is None else (written, crew.warm)  # a file changed since the last run: warm
        found = [reading.discover(paths, selection=selection, follow_symlinks=follow_symlinks,  # `_run` takes it
                                  newer=newer)]
        private.check_folder(index_dir)  # before the manifest is opened
        private.make_dir(index_dir)
        manifest = None if rebuild else Manifest(index_dir)
        try:
            with api.WriteSession(index_dir, rebuild=rebuild, committed=manifest is not None and manifest.lists_files(),
                                  wait=wait) as session:
                manifest = manifest or Manifest(session.side_dir)
                with sqlite_errors(f"the side tables of {index_dir}", index_dir, damage=False):  # copies, speakers
                    summary, total = _run(session, crew, found, manifest, index_dir, rebuild, progress, announce)
        finally:
            if manifest is not None:
                manifest.close()
    return replace(summary, documents=total, seconds=round(time.perf_counter() - started, 3))


def _run(session: api.WriteSession, crew: api.Workers, found: list[reading.Discovery], manifest: Manifest,
         index_dir: Path, rebuild: bool, progress: Progress | None, announce: Phase) -> tuple[IndexSummary, int]:
    """Plan, read, commit and record one run (see `index_paths`); the summary and the live documents. The
    discovery is taken out of `found`, so that no caller's frame keeps it once it is planned."""
    if not rebuild:
        api.check_version(index_dir)
    copies = CopyUpdater.anew(index_dir) if rebuild else CopyUpdater(index_dir)
    names_missing = not (index_dir / NAMES_FILE).exists()  # an index made before speaker names were kept
    names = NameStore.anew(index_dir) if rebuild else NameStore(index_dir)
    try:  # nothing staged to discard: staging lives in each connection's temporary database
        discovery = found.pop()
        work = plan(discovery, manifest)
        skipped = discovery.skipped
        del discovery  # 10^5 stamps and paths, not needed once planned: less memory at the run's peak
        outcomes = Outcomes(work.tasks)
        if rebuild or names_missing or not manifest.lists_files():  # `_tail` will merge the names in this process
            names.merge_here()
        segmented = crew.segmented(work.tasks)
        if segmented:  # what planning held goes back to the system: the workers run next, for minutes
            heap.give_back()
        summarised: tuple[IndexSummary, list[str], list[str]] | None = None  # once every report is in

        def on_result(number: int, report: tuple) -> None:
            nonlocal summarised
            outcomes.put(number, report)
            if report[5]:
                copies.stage(work.tasks.key(number), report[5])
            if report[6]:
                names.stage(work.tasks.key(number), report[6])
            if progress:
                progress(outcomes.count, len(work.tasks))
            if segmented and outcomes.count == len(work.tasks):  # workers write their last segments
                announce("finishing segments")
                # meanwhile, the deletes of an index with old documents (their lookups: ~0.25 s at 10^5 articles);
                # a first build has none, and its summary waits, so that its memory is not beside their flushes
                if session.holds_documents():
                    summarised = _summarise(work, skipped, outcomes)
                    _delete(session, *summarised[1:])

        session.index(work.tasks, crew, on_result)
        deleted = summarised is not None
        summary, stale, new = summarised or _summarise(work, skipped, outcomes)  # a pass over 10^5 tasks: once
        changed = rebuild or summary.added or summary.updated or stale
        if changed and not deleted:
            _delete(session, stale, new)
        total = _commit(session, announce) if changed else None
        announce("recording files")
        manifest.apply(outcomes.states(), _forgotten(work, outcomes),  # after the index commit
                       (work.fingerprint, _unrecorded(work, outcomes)))
        if rebuild:
            manifest.close()
            session.publish_file(MANIFEST_NAME)
        if total is None:
            api.check(index_dir)  # nothing written: still, never "unchanged" over a damaged index
            total = api.doc_count(index_dir)
        _tail(crew, copies, names, index_dir, [*stale, *new], rebuild, total,
              names_missing and total > summary.added, announce)
    except BaseException:
        session.cancel()  # first: a full disk gets the run's space back before the side tables close
        raise
    finally:
        copies.close()  # SQLite checkpoints its write-ahead log here: on a full disk it stays behind
        names.close()
    return summary, total


def _summarise(work: Plan, skipped: Sequence[FileFailure], outcomes: Outcomes
               ) -> tuple[IndexSummary, list[str], list[str]]:
    """The run's summary (in file order, as a serial run reports it), the files whose old documents must go,
    and the files new to the manifest."""
    added = updated = unchanged = 0
    failed = list(skipped)
    warned: list[FileFailure] = []
    stale = list(work.removed)
    new: list[str] = []
    for index, task in enumerate(work.tasks):
        status = outcomes.status[index]
        if status == FAILED:
            failed.append(FileFailure(task.key, outcomes.failures[index]))
            if task.old_digest is not None:
                stale.append(task.key)
        elif status == UNCHANGED:
            unchanged += 1  # touched, not changed: re-stamp
        elif status == INDEXED and task.old_digest is not None:
            updated += 1
            stale.append(task.key)
        elif status == INDEXED:
            added += 1
            new.append(task.key)
        warned.extend(FileFailure(task.key, w) for w in outcomes.warnings.get(index, ()))
    summary = IndexSummary(added=added, updated=updated, removed=len(work.removed),
                           unchanged=unchanged + work.unchanged, failed=tuple(failed), warnings=tuple(warned))
    return summary, stale, new


def _delete(session: api.WriteSession, stale: list[str], new: list[str]) -> None:
    """Delete superseded documents (before the commit).

    Deletes only reach documents committed before this run, so they may come after the adds (or beside the
    workers' last segments). A file new to the manifest is deleted too when the index was not empty: a crash
    after an earlier index commit may have left its documents without a manifest row (or only its quotes: a
    kill between the quotes and the articles commit of a first build stored every quote twice once the run
    was redone)."""
    if new and session.holds_documents():
        stale = stale + new
    session.delete_sources(stale)


def _commit(session: api.WriteSession, announce: Phase) -> int:
    """Commit; returns the live documents."""
    announce("committing")
    return session.commit()


def _tail(crew: api.Workers, copies: CopyUpdater, names: NameStore, index_dir: Path, sources: list[str],
          rebuild: bool, total: int, names_first_time: bool, announce: Phase) -> None:
    """After the commit: the copy groups, and the speaker names. An update merges its names in the spare
    worker meanwhile (two side tables, two processes: ~0.7 s of ~1.6 s serial CPU at 10^5 articles)."""
    staged = names.staged()
    if 2 * len(sources) > total:  # most of the archive re-read (a first build): grouping it holds as much memory
        crew.release_spare()  # as a worker, so the spare goes first and the names merge here after it
    elif sources and staged is not None and not rebuild and not names_first_time:
        try:
            with crew.beside(merge_staged, index_dir, staged, sources):
                _group_copies(copies, index_dir, sources, rebuild, total, announce)
        except WorkerLost:  # killed mid-merge (its transaction rolled back): the staged rows are still here,
            names.merge(sources)  # and a merge done twice leaves the same table (`sources` covers them all)
        return
    _group_copies(copies, index_dir, sources, rebuild, total, announce)
    _name_speakers(names, index_dir, sources, rebuild, names_first_time, announce)


def _group_copies(copies: CopyUpdater, index_dir: Path, sources: list[str], rebuild: bool, total: int,
                  announce: Phase) -> None:
    """Merge the run's signed articles into the copy groups, replacing those of the files it re-read or
    removed. The first run over an index made before copies were kept signs every stored article instead."""
    if not rebuild and copies.count() == 0 and total > copies.staged_count():
        announce("grouping copies (first time)")
        copies.discard_staged()
        with api.Reader(index_dir) as reader:
            for doc in reader.documents():
                date = doc.date.isoformat() if doc.date else None
                copies.stage(doc.source, [(doc.id, date, minhash.signature(doc.body))])
        copies.merge(replace_all=True)
    elif sources or copies.staged_count() or rebuild:
        announce("grouping copies")
        copies.merge(sources, replace_all=rebuild)
    else:
        return
    with api.Reader(index_dir) as reader:  # the stories count's map of this generation, made now
        reader.prime_stories(copies.version(), copies.group_ids)


def _name_speakers(names: NameStore, index_dir: Path, sources: list[str], rebuild: bool, first_time: bool,
                   announce: Phase) -> None:
    """Take the run's speaker mentions into the archive's speaker table and refresh the canonical names. The
    first run over an index made before the table was kept reads every stored article's speakers instead."""
    if first_time and not rebuild:
        announce("naming speakers (first time)")
        names.discard_staged()
        with api.Reader(index_dir) as reader:
            for doc in reader.documents():
                day = doc.date.date().isoformat() if doc.date else None
                names.stage(doc.source, [(doc.id, day, tuple(zip(doc.speakers, doc.roles or (), strict=False)), ())])
        names.merge(replace_all=True)
    elif sources or rebuild:
        names.merge(sources, replace_all=rebuild)


def _unrecorded(work: Plan, outcomes: Outcomes) -> list[str]:
    """The files this run found and does not record (they failed, or gave no report): not in the manifest, so
    every run reads them again."""
    return [work.tasks.key(i) for i, status in enumerate(outcomes.status) if status not in (INDEXED, UNCHANGED)]


def _forgotten(work: Plan, outcomes: Outcomes) -> list[str]:
    """Manifest rows to drop: removed files, and files that failed now after being indexed before."""
    failed_again = [t.key for i, t in enumerate(work.tasks) if outcomes.status[i] == FAILED and t.old_digest]
    return [*work.removed, *failed_again]
