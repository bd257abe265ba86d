"""Incremental indexing: new, changed, touched, deleted and broken files; locking; rebuild."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from searchkit.engine.writing import IndexWriter
from searchkit.errors import IndexLocked, NoInputFiles
from searchkit.indexer import index_paths
from searchkit.search import Searcher, search_quotes


def write(folder: Path, name: str, title: str, body: str) -> Path:
    path = folder / name
    path.write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    return path


def hits(index_dir: Path, query: str) -> list[str]:
    with Searcher(index_dir) as s:
        return sorted(h.id for h in s.search(query, limit=100).hits)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    write(d, "a.txt", "Alpha harbour report", "The harbour opened on Monday.")
    write(d, "b.txt", "Beta mountain report", "Snow closed the mountain pass.")
    return d


def test_first_run_adds_every_file(folder: Path, tmp_path: Path) -> None:
    summary = index_paths([folder], tmp_path / "ix", workers=1)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (2, 0, 0, 0)
    assert summary.documents == 2
    assert hits(tmp_path / "ix", "harbour") == ["a.txt"]


def test_rerun_without_changes_reads_nothing(folder: Path, tmp_path: Path) -> None:
    index_paths([folder], tmp_path / "ix", workers=1)
    summary = index_paths([folder], tmp_path / "ix", workers=1)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 2)


def test_add_change_delete_are_reflected_in_counts_and_results(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    write(folder, "c.txt", "Gamma river report", "The river flooded the valley.")
    write(folder, "a.txt", "Alpha airport report", "The airport opened on Tuesday.")
    os.utime(folder / "a.txt", ns=(1, 1_000_000_000_000))
    (folder / "b.txt").unlink()
    summary = index_paths([folder], ix, workers=1)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 1, 1, 0)
    assert summary.documents == 2
    assert hits(ix, "harbour") == []
    assert hits(ix, "airport") == ["a.txt"]
    assert hits(ix, "mountain") == []
    assert hits(ix, "river") == ["c.txt"]


def test_touched_but_identical_file_is_unchanged(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    os.utime(folder / "a.txt", ns=(1, 2_000_000_000_000))
    summary = index_paths([folder], ix, workers=1)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 2)
    assert hits(ix, "harbour") == ["a.txt"]


def test_broken_file_is_reported_and_the_rest_indexed(folder: Path, tmp_path: Path) -> None:
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    summary = index_paths([folder], tmp_path / "ix", workers=1)
    assert summary.added == 2
    failed = {Path(f.path).name: f.reason for f in summary.failed}
    assert set(failed) == {"broken.json", "empty.txt", "image.png"}
    assert all(reason for reason in failed.values())
    # still reported on the next run: a failure is never forgotten silently
    again = index_paths([folder], tmp_path / "ix", workers=1)
    assert {Path(f.path).name for f in again.failed} == set(failed)


def test_file_that_breaks_later_loses_its_old_documents_and_is_reported(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    (folder / "a.txt").write_bytes(b"\x00\x01binary")
    summary = index_paths([folder], ix, workers=1)
    assert [Path(f.path).name for f in summary.failed] == ["a.txt"]
    assert hits(ix, "harbour") == []


def test_jsonl_records_keep_their_ids_and_update_together(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    records = [{"id": "r1", "title": "One", "body": "apples"}, {"id": "r2", "title": "Two", "body": "pears"}]
    (src / "recs.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    ix = tmp_path / "ix"
    index_paths([src / "recs.jsonl"], ix, workers=1)
    assert hits(ix, "apples") == ["r1"]
    (src / "recs.jsonl").write_text(json.dumps({"id": "r3", "title": "Three", "body": "plums"}), encoding="utf-8")
    summary = index_paths([src / "recs.jsonl"], ix, workers=1)
    assert summary.updated == 1 and summary.documents == 1
    assert hits(ix, "apples") == [] and hits(ix, "plums") == ["r3"]


def test_files_outside_the_indexed_folder_are_not_removed(folder: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    write(other, "z.txt", "Zeta desert report", "Sand everywhere.")
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    index_paths([other], ix, workers=1)
    summary = index_paths([folder], ix, workers=1)
    assert summary.removed == 0 and summary.documents == 3


def test_pool_and_serial_give_the_same_index(folder: Path, tmp_path: Path) -> None:
    for i in range(80):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note number {i} about cranes")
    index_paths([folder], tmp_path / "serial", workers=1)
    index_paths([folder], tmp_path / "pool", workers=2)
    assert hits(tmp_path / "serial", "cranes") == hits(tmp_path / "pool", "cranes")
    assert len(hits(tmp_path / "pool", "cranes")) == 80


def test_rebuild_starts_clean(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    summary = index_paths([folder], ix, rebuild=True, workers=1)
    assert summary.added == 2 and summary.documents == 2


def test_second_writer_gets_a_clear_lock_error(folder: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    holder = IndexWriter(ix)
    try:
        with pytest.raises(IndexLocked, match="locked by another process"):
            IndexWriter(ix, lock_timeout=0.2)
    finally:
        holder.cancel()


def test_cancelled_write_leaves_the_previous_index(folder: Path, tmp_path: Path) -> None:
    """A write that never commits (a killed run) leaves the last committed state searchable."""
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    w = IndexWriter(ix)
    w.delete_sources([str((folder / "a.txt").resolve())])
    w.cancel()
    assert hits(ix, "harbour") == ["a.txt"]


def test_missing_path_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NoInputFiles):
        index_paths([tmp_path / "nope"], tmp_path / "ix", workers=1)


def test_crash_between_index_and_manifest_commits_is_repaired(folder: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """If the process dies after the index commit but before the manifest is written, the next run redoes
    those files without duplicating their documents."""
    from searchkit import manifest

    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    write(folder, "c.txt", "Gamma river report", "The river flooded the valley.")

    def die(self: object, *args: object) -> None:
        raise KeyboardInterrupt  # stands in for a kill between the two commits

    monkeypatch.setattr(manifest.Manifest, "apply", die)
    with pytest.raises(KeyboardInterrupt):
        index_paths([folder], ix, workers=1)
    monkeypatch.undo()
    assert hits(ix, "river") == ["c.txt"]  # the index commit had landed
    summary = index_paths([folder], ix, workers=1)
    assert summary.added == 1 and summary.documents == 3
    assert hits(ix, "river") == ["c.txt"]


def test_a_first_run_killed_while_it_creates_the_index_leaves_a_folder_the_next_run_indexes(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kill between the new index's table of contents and its version file left an index every later run
    refused ("built by another searchkit version (schema None)"): the version now comes first."""
    from searchkit import private

    ix = tmp_path / "ix"
    write_text = private.write_text

    def die(path: Path, text: str, **options: bool) -> None:
        if path.name == "searchkit.json":
            raise KeyboardInterrupt  # stands in for a kill while the first run creates its index
        write_text(path, text, **options)

    monkeypatch.setattr(private, "write_text", die)
    with pytest.raises(KeyboardInterrupt):
        index_paths([folder], ix, workers=1)
    monkeypatch.undo()
    summary = index_paths([folder], ix, workers=1)
    assert (summary.added, summary.documents) == (2, 2)
    assert hits(ix, "harbour") == ["a.txt"]


def test_spilled_pool_gives_the_same_results(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tiny pool limit forces many spilled runs; the merged index answers exactly like an unspilled one."""
    from searchkit.engine import writing

    for i in range(40):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note {i} cranes {'gulls ' * (i % 5)} tide{i % 7}")
    index_paths([folder], tmp_path / "plain", workers=1)
    original = writing.GroupedPool.__init__

    def small(self: writing.GroupedPool, tempdir: Path, limit: int = 1_500_000) -> None:
        original(self, tempdir, limit=50)

    monkeypatch.setattr(writing.GroupedPool, "__init__", small)
    index_paths([folder], tmp_path / "spilled", workers=1)
    monkeypatch.undo()
    for q in ("cranes", "gulls", "tide3", '"harbour note"', "harbour -gulls"):
        with Searcher(tmp_path / "plain") as a, Searcher(tmp_path / "spilled") as b:
            ra, rb = a.search(q, limit=100), b.search(q, limit=100)
        assert ra.total == rb.total and [h.id for h in ra.hits] == [h.id for h in rb.hits], q
    assert not list((tmp_path / "spilled" / "spill").glob("*.run"))


def test_parallel_segments_match_serial_and_stay_incremental(folder: Path, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers writing their own segments give the same answers as one writer, and later runs still
    add, update and remove correctly across those segments."""
    from searchkit.engine import workers

    for i in range(60):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note {i} cranes {'gulls ' * (i % 5)} tide{i % 7}")
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    index_paths([folder], serial, workers=1)
    first = index_paths([folder], parallel, workers=2)
    assert first.added == 62 and first.documents == 62
    for q in ("cranes", "gulls", "tide3", '"harbour note"', "harbour -gulls", "mountain"):
        with Searcher(serial) as a, Searcher(parallel) as b:
            ra, rb = a.search(q, limit=100), b.search(q, limit=100)
        assert ra.total == rb.total and sorted(h.id for h in ra.hits) == sorted(h.id for h in rb.hits), q

    for i in range(0, 60, 2):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"changed note {i} pelicans")
    (folder / "n001.txt").unlink()
    for i in range(60, 75):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"new note {i} pelicans")
    again = index_paths([folder], parallel, workers=2)
    assert (again.added, again.updated, again.removed) == (15, 30, 1)
    assert again.documents == 76
    assert len(hits(parallel, "pelicans")) == 45
    unchanged_tide1 = [f"n{i:03}.txt" for i in range(60) if i % 7 == 1 and i % 2 == 1 and i != 1]
    assert hits(parallel, "tide1") == unchanged_tide1  # changed notes lost the word; n001 was deleted


def test_workers_roll_segments_at_their_vocabulary_budget_with_the_same_answers(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment worker whose vocabulary reaches `SEGMENT_WORDS` finishes its segments and starts new ones
    (its memory stays bounded however many files it reads): same documents in the same order, so the same
    hits, order and scores as one segment per worker; a later update still works across them."""
    from searchkit.engine import batch, workers, writing
    from searchkit.engine.index import open_index
    from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME

    def segments(index_dir: Path, name: str) -> int:
        ix = open_index(index_dir, name)
        try:
            return len(ix._segments())
        finally:
            ix.close()

    for i in range(80):
        write(folder, f"n{i:03}.txt", f"Note {i}", f'harbour note {i} cranes{i} {"gulls " * (i % 5)} tide{i % 7} '
                                                   f'word{i * 7} said "the tide is high {i}," said John Smith{i % 3}.')
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    whole, rolled = tmp_path / "whole", tmp_path / "rolled"
    index_paths([folder], whole, workers=2)
    monkeypatch.setattr(writing, "SEGMENT_WORDS", 40)
    monkeypatch.setattr(batch, "BATCH_DOCS", 4)  # the vocabulary grows a batch at a time
    index_paths([folder], rolled, workers=2)
    for name in (INDEX_NAME, QUOTES_NAME):
        assert segments(whole, name) == 2 and segments(rolled, name) > 6
    for q in ("cranes3", "gulls", "tide3", '"harbour note"', "harbour -gulls", "note", "smith1"):
        with Searcher(whole) as a, Searcher(rolled) as b:
            ra, rb = a.search(q, limit=100), b.search(q, limit=100)
        assert ra.total == rb.total and [(h.id, h.score) for h in ra.hits] == [(h.id, h.score) for h in rb.hits], q
        qa, qb = search_quotes(whole, q, limit=100), search_quotes(rolled, q, limit=100)
        assert qa[0] == qb[0], q
        quotes = [[(h.article_id, h.speaker, h.score) for h in found] for _total, found in (qa, qb)]
        assert quotes[0] == quotes[1], q
    for i in range(0, 80, 3):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"changed note {i} pelicans")
    assert index_paths([folder], rolled, workers=2).updated == 27
    assert len(hits(rolled, "pelicans")) == 27


@pytest.mark.parametrize("how", ["error", "killed"])
def test_failed_worker_is_reported_and_nothing_is_committed(folder: Path, tmp_path: Path, how: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker that raises, or dies without a word, ends the run with IndexingFailed (never a hang), and
    the index keeps its previous state."""
    from searchkit.engine import workers, writing
    from searchkit.errors import IndexingFailed

    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    for i in range(30):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note {i} cranes")
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)

    def broken(self: object, doc: object, quotes: object = ()) -> None:
        if how == "error":
            raise OSError("disk full")
        os._exit(9)

    monkeypatch.setattr(writing.SegmentBuilder, "add", broken)
    with pytest.raises(IndexingFailed, match="nothing was committed"):
        index_paths([folder], ix, workers=2)
    monkeypatch.undo()
    assert hits(ix, "cranes") == [] and hits(ix, "harbour") == ["a.txt"]
    assert index_paths([folder], ix, workers=1).added == 30  # and the next run picks the files up


def test_run_with_nothing_to_write_takes_no_lock(folder: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A no-change re-run (even one re-reading a broken file) works while another writer holds the index;
    a run with work to do still gets IndexLocked."""
    from searchkit.engine import writing

    ix = tmp_path / "ix"
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")  # fails, so it is re-read every run
    index_paths([folder], ix, workers=1)
    monkeypatch.setattr(writing, "LOCK_TIMEOUT_S", 0.2)
    holder = IndexWriter(ix)
    try:
        summary = index_paths([folder], ix, workers=1)
        assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 2)
        assert summary.documents == 2 and [Path(f.path).name for f in summary.failed] == ["empty.txt"]
        write(folder, "c.txt", "Gamma river report", "The river flooded the valley.")
        with pytest.raises(IndexLocked, match="locked by another process"):
            index_paths([folder], ix, workers=1)
        (folder / "c.txt").unlink()
        (folder / "b.txt").unlink()
        with pytest.raises(IndexLocked, match="locked by another process"):  # a removal is work too
            index_paths([folder], ix, workers=1)
    finally:
        holder.cancel()
    summary = index_paths([folder], ix, workers=1)
    assert summary.removed == 1 and summary.documents == 1


def test_documents_count_matches_a_reopened_index(folder: Path, tmp_path: Path) -> None:
    """The count reported after a commit (taken from the new segment list) is the index's own count."""
    from searchkit.engine.index import doc_count

    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    write(folder, "a.txt", "Alpha airport report", "The airport opened on Tuesday.")
    os.utime(folder / "a.txt", ns=(1, 1_000_000_000_000))
    write(folder, "c.txt", "Gamma river report", "The river flooded the valley.")
    summary = index_paths([folder], ix, workers=1)
    assert summary.documents == doc_count(ix) == 3


def test_parallel_run_reports_like_a_serial_run(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment-writing run reports the same counts, failures and warnings as a serial one, in file order,
    and records the same manifest (then re-runs find nothing to do)."""
    from searchkit.engine import workers

    for i in range(30):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note {i} cranes")
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    (folder / "latin.txt").write_bytes("Caf\xe9 report\n\nThe caf\xe9 opened.\n".encode("latin-1"))
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    serial = index_paths([folder], tmp_path / "serial", workers=1)
    parallel = index_paths([folder], tmp_path / "parallel", workers=2)
    assert serial.warnings and len(serial.failed) == 2
    assert (parallel.added, parallel.failed, parallel.warnings, parallel.documents) == (
        serial.added, serial.failed, serial.warnings, serial.documents)
    again = index_paths([folder], tmp_path / "parallel", workers=2)
    assert (again.added, again.updated, again.unchanged) == (0, 0, parallel.added)


def test_a_failed_run_with_tasks_still_queued_exits(tmp_path: Path) -> None:
    """When a worker fails while its share of the tasks still fills the pipe to it, the run reports the
    failure and the process exits (it used to wait forever at exit to flush the queued tasks)."""
    import subprocess
    import sys
    import textwrap

    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(400):  # long names: the batches of each share are well over a 64 KB pipe
        (docs / f"{'n' * 180}{i:04}.txt").write_text(f"Note {i}\n\nHarbour note {i}.\n", encoding="utf-8")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from searchkit.engine import workers, writing
        from searchkit.errors import IndexingFailed
        from searchkit.indexer import index_paths
        workers.SEGMENT_THRESHOLD, workers.TASK_BATCH = 10, 16  # many batches per worker
        def broken(self, doc, quotes=()):
            raise OSError("disk full")
        writing.SegmentBuilder.add = broken
        try:
            index_paths([Path({str(docs)!r})], Path({str(tmp_path / 'ix')!r}), workers=2)
        except IndexingFailed as exc:
            print("failed:", exc)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert "failed: an indexing worker failed (OSError: disk full)" in done.stdout, done.stderr


def test_an_update_deletes_while_the_workers_write_their_last_segments(
        folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Once every report is in, the superseded documents are deleted while the workers still write their
    segments (the parent sat idle there, and deleted after them), with the same results."""
    import time

    from searchkit.engine import session, workers, writing

    for i in range(40):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"harbour note {i}")
    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    for i in range(0, 40, 2):
        write(folder, f"n{i:03}.txt", f"Note {i}", f"changed note {i} pelicans")
        os.utime(folder / f"n{i:03}.txt", ns=(1, 2_000_000_000_000))
    marker, seen = tmp_path / "deleting", tmp_path / "seen"
    seen.mkdir()
    delete, finish = session.WriteSession.delete_sources, writing.SegmentBuilder.finish

    def deleting(self: session.WriteSession, sources: list[str]) -> None:
        marker.touch()
        delete(self, sources)

    def finishing(self: writing.SegmentBuilder) -> list[list[object]]:  # in the workers (forked: patched too)
        deadline = time.monotonic() + 10
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        (seen / f"{os.getpid()}-{marker.exists()}").touch()
        return finish(self)

    monkeypatch.setattr(session.WriteSession, "delete_sources", deleting)
    monkeypatch.setattr(writing.SegmentBuilder, "finish", finishing)
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 10)
    summary = index_paths([folder], ix, workers=2)
    assert (summary.added, summary.updated) == (0, 20) and summary.documents == 42
    assert sorted(p.name.split("-")[1] for p in seen.iterdir()) == ["True", "True"]
    assert len(hits(ix, "pelicans")) == 20 and len(hits(ix, "harbour")) == 21  # a.txt too


def test_an_index_without_its_version_file_says_so(folder: Path, tmp_path: Path) -> None:
    """Not "built by another searchkit version (schema None)": the version file is what went missing."""
    from searchkit.errors import IndexCorrupt

    ix = tmp_path / "ix"
    index_paths([folder], ix, workers=1)
    (ix / "searchkit.json").unlink()
    with pytest.raises(IndexCorrupt, match=r"lost its version file \(searchkit.json\), or it is unreadable"):
        index_paths([folder], ix, workers=1)
