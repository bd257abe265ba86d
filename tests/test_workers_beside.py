"""`Workers.beside`: a job of the caller's in the spare worker process while the caller goes on (an update
merges its speaker names there, beside the copies), with its exception raised in the caller."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from searchkit.engine import workers
from searchkit.engine.workers import Workers
from searchkit.errors import IndexingFailed
from searchkit.indexer import index_paths

needs_fork = pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="no fork here")


def _unused_read(task: Any) -> tuple[list[Any], None]:
    raise AssertionError("no task is read here")


def _note_pid(path: Path, order: list[str]) -> int:
    """The job: record the process it ran in (and when, relative to the caller's block)."""
    path.write_text(str(os.getpid()))
    order.append("job")  # seen only when it runs in this process
    return 7


def _fail(message: str) -> None:
    raise sqlite3.OperationalError(message)


class _Unpicklable(Exception):
    def __init__(self, a: str, b: str) -> None:
        super().__init__(f"{a} {b}")


def _fail_oddly() -> None:
    raise _Unpicklable("odd", "failure")


@needs_fork
def test_a_job_runs_in_the_spare_worker_beside_the_block(tmp_path: Path) -> None:
    order: list[str] = []
    with Workers(_unused_read, 2, spare=True) as crew:
        with crew.beside(_note_pid, tmp_path / "pid", order):
            order.append("block")
        assert int((tmp_path / "pid").read_text()) != os.getpid()  # done by the end of the block
    assert order == ["block"]


@pytest.mark.parametrize(("count", "spare"), [(1, True), (2, False)])
def test_without_a_spare_worker_the_job_runs_here_after_the_block(tmp_path: Path, count: int, spare: bool) -> None:
    order: list[str] = []
    with Workers(_unused_read, count, spare=spare) as crew, crew.beside(_note_pid, tmp_path / "pid", order):
        order.append("block")
    assert order == ["block", "job"] and int((tmp_path / "pid").read_text()) == os.getpid()


@needs_fork
def test_the_jobs_exception_is_raised_at_the_end_of_the_block() -> None:
    ran = []
    with (Workers(_unused_read, 2, spare=True) as crew,
          pytest.raises(sqlite3.OperationalError, match="database or disk is full"),
          crew.beside(_fail, "database or disk is full")):
        ran.append("block")
    assert ran == ["block"]
    with (Workers(_unused_read, 2, spare=True) as crew,
          pytest.raises(IndexingFailed, match="_Unpicklable: odd failure"), crew.beside(_fail_oddly)):
        pass


@needs_fork
def test_after_its_segments_the_spare_worker_takes_the_job_and_the_others_exit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers that wrote segments exit when done, except the spare, which runs the job."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(30):
        (docs / f"n{i:02}.txt").write_text(f"Note {i}\n\nharbour note {i}\n", encoding="utf-8")
    index_paths([docs], tmp_path / "ix", workers=1)  # the index the workers' segments join
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    from searchkit.engine.api import WriteSession
    from searchkit.indexer_read import read
    from searchkit.manifest import Manifest
    from searchkit.reading import discover

    (tmp_path / "empty").mkdir()
    tasks = _tasks(discover([docs]), Manifest(tmp_path / "empty"))
    reports: list[int] = []
    with Workers(read, 3, spare=True) as crew, WriteSession(tmp_path / "ix") as session:
        assert crew.segmented(tasks)
        session.index(tasks, crew, lambda number, _report: reports.append(number))
        assert crew.crew is not None
        for proc in crew.crew.procs[1:]:
            proc.join(timeout=30)
            assert proc.exitcode == 0
        assert crew.crew.procs[0].is_alive()
        with crew.beside(_note_pid, tmp_path / "pid", []):
            pass
        assert int((tmp_path / "pid").read_text()) == crew.crew.procs[0].pid
    assert sorted(reports) == list(range(30))


def _tasks(discovery: Any, manifest: Any) -> Any:
    from searchkit.indexer_plan import plan

    try:
        return plan(discovery, manifest).tasks
    finally:
        manifest.close()


def _noted_merge(*args: Any) -> None:
    """`merge_staged`, noting the process it runs in (sent to the worker by name: a module-level function)."""
    from searchkit.speakers.store import merge_staged

    (Path(os.environ["BESIDE_PIDS"]) / str(os.getpid())).touch()
    merge_staged(*args)


SAID = ('{name} said on Monday that the harbour would open. "We are ready," said {name}, the port chief. '
        'Analyst {other} said the cranes were idle.')


@needs_fork
def test_an_update_merges_its_speaker_names_in_a_worker_as_a_serial_run_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With workers, an update's names merge runs in the spare worker, not in the indexing process (a first
    build's runs here, once the spare has left), and leaves the same speaker table as a serial run: mentions,
    companies and canonical names."""
    from searchkit import indexer

    pids = tmp_path / "pids"
    pids.mkdir()
    monkeypatch.setenv("BESIDE_PIDS", str(pids))
    monkeypatch.setattr(indexer, "merge_staged", _noted_merge)
    docs = tmp_path / "docs"
    docs.mkdir()
    people = ["Ann Lee", "Bob Marr", "Carla Diaz", "Dan Wu"]
    for i in range(12):
        text = SAID.format(name=people[i % 4], other=people[(i + 1) % 4])
        (docs / f"s{i:02}.txt").write_text(f"Story {i}\n\n{text}", encoding="utf-8")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for ix, count in ((serial, 1), (parallel, 2)):
        index_paths([docs], ix, workers=count)
    for i in range(0, 12, 3):  # changed files: their old mentions go
        (docs / f"s{i:02}.txt").write_text(f"Story {i}\n\n" + SAID.format(name="Lee", other="Ann Lee"),
                                           encoding="utf-8")
    (docs / "s01.txt").unlink()
    (docs / "s20.txt").write_text("New\n\n" + SAID.format(name="Erin Cole", other="Marr"), encoding="utf-8")
    for ix, count in ((serial, 1), (parallel, 2)):
        index_paths([docs], ix, workers=count)
    ran = {int(p.name) for p in pids.iterdir()}
    # serial runs here, and the parallel first build too (it read the whole archive: the spare left before its
    # grouping, `_tail`); the parallel update (6 of 12 files) merged in a worker
    assert os.getpid() in ran and len(ran - {os.getpid()}) == 1
    tables = [_speaker_rows(ix / "speakers.sqlite") for ix in (serial, parallel)]
    assert tables[0] == tables[1]
    assert tables[0][0] and any(row[1] == "Erin Cole" for row in tables[0][1])


def _speaker_rows(path: Path) -> tuple[list[Any], ...]:
    db = sqlite3.connect(path)
    try:
        return (sorted(db.execute("SELECT alias, canonical FROM aliases")),
                sorted(db.execute("SELECT a.id, m.name, m.role, m.day FROM mentions m JOIN articles a ON a.n = m.art")),
                sorted(db.execute("SELECT a.id, c.name FROM companies c JOIN articles a ON a.n = c.art")))
    finally:
        db.close()


def _dying_merge(index_dir: Path, staged: Any, sources: Any) -> None:
    """The names merge, killed in the spare worker before it writes (as out of memory would)."""
    if str(os.getpid()) == os.environ["BESIDE_PARENT"]:
        raise AssertionError("the names merge ran in the indexing process, not in a worker")
    Path(os.environ["BESIDE_DIED"]).write_text("killed")
    os._exit(9)


@needs_fork
def test_a_spare_worker_killed_in_the_names_merge_leaves_them_merged_here(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The run has committed and its files are in the manifest when the merge runs: names lost then would be
    lost for good (the next run sees the files unchanged). The indexing process merges them itself."""
    from searchkit import indexer

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(6):
        (docs / f"s{i:02}.txt").write_text(f"Story {i}\n\n" + SAID.format(name="Ann Lee", other="Bob Marr"),
                                           encoding="utf-8")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    for ix in (serial, parallel):
        index_paths([docs], ix, workers=1)
    (docs / "s20.txt").write_text("New\n\n" + SAID.format(name="Erin Cole", other="Marr"), encoding="utf-8")
    index_paths([docs], serial, workers=1)
    monkeypatch.setattr(indexer, "merge_staged", _dying_merge)
    monkeypatch.setenv("BESIDE_PARENT", str(os.getpid()))
    monkeypatch.setenv("BESIDE_DIED", str(tmp_path / "died"))
    summary = index_paths([docs], parallel, workers=2)
    assert summary.added == 1 and (tmp_path / "died").read_text() == "killed"
    tables = [_speaker_rows(ix / "speakers.sqlite") for ix in (serial, parallel)]
    assert tables[0] == tables[1] and any(row[1] == "Erin Cole" for row in tables[0][1])
