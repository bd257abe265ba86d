"""The indexer keeps the wire-copy groups current: new copies join, deleting the representative promotes
another, rebuilds and the parallel path give the same groups, and an index made before copies were kept
is grouped on its next run."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
from pathlib import Path

import pytest

from searchkit.copies import COPIES_NAME, CopyStore, Group
from searchkit.indexer import index_paths

VOCAB = [f"word{n}" for n in range(2_000)]


def body(seed: int, words: int = 120) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(VOCAB) for _ in range(words)) + "."


def write(folder: Path, name: str, day: int, text: str) -> None:
    (folder / name).write_text(f"Story {name}\n\nPublished: 2024-03-{day:02d}\n\n{text}\n", encoding="utf-8")


def groups(index_dir: Path) -> set[Group]:
    with CopyStore(index_dir) as store:
        return set(store.groups())


@pytest.fixture
def wires(tmp_path: Path) -> Path:
    folder = tmp_path / "wires"
    folder.mkdir()
    write(folder, "a.txt", 2, body(1))
    write(folder, "b.txt", 3, body(1).replace("word", "Word", 1))  # a re-send: one word's case changed
    write(folder, "c.txt", 4, body(2))
    return folder


def test_an_index_run_groups_copies(wires: Path, tmp_path: Path) -> None:
    index_paths([wires], tmp_path / "ix", workers=1)
    assert groups(tmp_path / "ix") == {Group("a.txt", ("a.txt", "b.txt"))}


def test_updates_keep_groups_current(wires: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    write(wires, "d.txt", 1, body(3) + " " + body(1))  # an earlier update with a new lead
    index_paths([wires], ix, workers=1)
    assert groups(ix) == {Group("d.txt", ("d.txt", "a.txt", "b.txt"))}
    (wires / "d.txt").unlink()  # the representative goes: the next earliest takes its place
    index_paths([wires], ix, workers=1)
    assert groups(ix) == {Group("a.txt", ("a.txt", "b.txt"))}
    write(wires, "b.txt", 3, body(4))  # b becomes another story
    index_paths([wires], ix, workers=1)
    assert groups(ix) == set()


def test_a_table_made_before_the_band_log_is_updated_as_a_new_one(wires: Path, tmp_path: Path) -> None:
    """A copies file written by a searchkit without `bucket_log` (no such table, a plain `indexed` stamp)
    takes updates as one made now: the same groups, and the log kept from then on."""
    import sqlite3

    old, new = tmp_path / "old", tmp_path / "new"
    index_paths([wires], old, workers=1)
    index_paths([wires], new, workers=1)
    with sqlite3.connect(old / COPIES_NAME) as db:
        assert db.execute("SELECT value FROM meta WHERE key = 'indexed'").fetchone() == \
            db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        db.execute("DROP TABLE bucket_log")
    for step in range(3):
        write(wires, f"d{step}.txt", 1, body(3) + " " + body(1 + step % 2))
        if step == 2:
            (wires / "a.txt").unlink()
        for ix in (old, new):
            index_paths([wires], ix, workers=1)
        assert groups(old) == groups(new) and groups(old)


def test_rebuild_and_parallel_runs_give_the_same_groups(wires: Path, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.engine import workers

    for n in range(6):
        write(wires, f"x{n}.txt", 10 + n, body(100 + n // 2))  # three more pairs
    index_paths([wires], tmp_path / "serial", workers=1)
    expected = groups(tmp_path / "serial")
    assert len(expected) == 4
    index_paths([wires], tmp_path / "serial", workers=1, rebuild=True)
    assert groups(tmp_path / "serial") == expected
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 2)
    if "fork" in __import__("multiprocessing").get_all_start_methods():
        index_paths([wires], tmp_path / "parallel", workers=2)
        assert groups(tmp_path / "parallel") == expected


@pytest.mark.parametrize("path", ["serial", "pool", "segments"])
def test_each_article_keeps_its_own_signature(wires: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              path: str) -> None:
    """However the files are read (here; a fork pool; segment workers, whose reports are signed a batch at a
    time), each article's stored signature is that of its own body (None for a short one)."""
    import sqlite3

    from searchkit import minhash
    from searchkit.engine import workers

    bodies = {f"x{n}.txt": body(200 + n, 8 + 9 * n) for n in range(12)}
    for name, text in bodies.items():
        write(wires, name, 10, text)
    bodies |= {"a.txt": body(1), "b.txt": body(1).replace("word", "Word", 1), "c.txt": body(2)}
    records = {f"r{n}": body(400 + n, 30) for n in range(3)}  # a JSON Lines archive's, signed as they are read
    (wires / "more.jsonl").write_text("".join(json.dumps({"id": k, "title": k, "body": v}) + "\n"
                                              for k, v in records.items()), encoding="utf-8")
    monkeypatch.setattr(workers, "POOL_THRESHOLD", 2)
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 2 if path == "segments" else 1_000)
    if path != "serial" and "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork")
    index_paths([wires], tmp_path / "ix", workers=1 if path == "serial" else 2)
    with sqlite3.connect(tmp_path / "ix" / COPIES_NAME) as db:
        stored = dict(db.execute("SELECT id, sig FROM articles"))
    assert stored == {name: minhash.signature(text + "\n") for name, text in bodies.items()} | {
        key: minhash.signature(text) for key, text in records.items()}
    assert sum(sig is None for sig in stored.values()) == 1


def test_a_long_file_is_signed_as_it_is_read_a_short_one_in_its_batch(tmp_path: Path) -> None:
    """A worker holds a short file's bodies until its batch of reports is signed together, but never a long
    file's (`HELD_BODY_CHARS`): 64 archives of megabytes would all be held."""
    from searchkit import minhash
    from searchkit.indexer_plan import Task
    from searchkit.indexer_read import HELD_BODY_CHARS, Unsigned, read, sign

    texts = {"short.txt": body(3), "long.txt": body(4, HELD_BODY_CHARS // 5)}
    rows = {}
    for name, text in texts.items():
        write(tmp_path, name, 2, text)
        st = (tmp_path / name).stat()
        _articles, report = read(Task(str(tmp_path / name), name, st.st_size, st.st_mtime_ns, None))
        rows[name] = report[5]
        assert sign([report])[0][5] == ((name, "2024-03-02T00:00:00", minhash.signature(text + "\n")),)
    assert len(texts["long.txt"]) > HELD_BODY_CHARS > len(texts["short.txt"])
    assert isinstance(rows["short.txt"][0], Unsigned) and isinstance(rows["long.txt"][0][2], bytes)


def test_staging_an_unsigned_row_is_refused(tmp_path: Path) -> None:
    from searchkit.copies_update import CopyUpdater
    from searchkit.indexer_read import Unsigned

    with CopyUpdater(tmp_path) as copies, pytest.raises(TypeError, match="no signature"):
        copies.stage(str(tmp_path / "a.txt"), [Unsigned("a.txt", None, body(1))])


def test_an_index_without_copies_is_grouped_on_its_next_run(wires: Path, tmp_path: Path) -> None:
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    for name in os.listdir(ix):
        if name.startswith(COPIES_NAME):
            (ix / name).unlink()
    summary = index_paths([wires], ix, workers=1)  # nothing changed in the files
    assert summary.unchanged == 3
    assert groups(ix) == {Group("a.txt", ("a.txt", "b.txt"))}


def test_stories_are_counted_from_a_map_kept_per_generation(wires: Path, tmp_path: Path) -> None:
    from searchkit.engine.api import Reader
    from searchkit.engine.stories import PREFIX

    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    maps = list(ix.glob(f"{PREFIX}*"))
    assert len(maps) == 1  # made by the index run

    def stories() -> int:
        with CopyStore(ix) as store, Reader(ix) as reader:
            return reader.count_stories(None, version=store.version(), groups=store.group_ids)

    assert stories() == 2  # a, b (copies) and c
    write(wires, "b.txt", 3, body(4))
    index_paths([wires], ix, workers=1)
    assert stories() == 3
    assert [p.name for p in ix.glob(f"{PREFIX}*")] != [m.name for m in maps]  # the old generation's map is gone


def test_an_update_reads_the_ids_of_its_new_segments_only(wires: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The stories map is remade from ids kept per segment: an update reads the id terms of the segments it
    made, not every grouped id again (17k lookups, 1.3 s at 10^5 articles)."""
    from searchkit.engine import stories

    for n in range(30):
        write(wires, f"x{n:02d}.txt", 1 + n % 20, body(200 + n % 12))
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    known = {p.name for p in ix.glob(f"{stories.IDS_PREFIX}*")}
    assert known
    read: list[tuple[str, int]] = []
    real = stories.segment_terms

    def spy(reader, fieldname):
        read.append((f"{stories.IDS_PREFIX}{reader.segment().segment_id()}.json", reader.doc_count_all()))
        return real(reader, fieldname)

    monkeypatch.setattr(stories, "segment_terms", spy)
    write(wires, "y.txt", 9, body(205))  # a new copy of x05, x17 and x29
    write(wires, "x03.txt", 9, body(999))  # x03 becomes another story: its old document is deleted
    index_paths([wires], ix, workers=1)
    assert read and not {name for name, _size in read} & known
    assert sum(size for _name, size in read) < 33
    with CopyStore(ix) as store:
        assert store.group_of("y.txt") == Group("x05.txt", ("x05.txt", "y.txt", "x29.txt", "x17.txt"))
        from searchkit.engine.api import Reader

        with Reader(ix) as reader:  # the stories a brute-force fold of every live document counts
            assert reader.count_stories(None, version=store.version(), groups=store.group_ids) == len(
                {store.groups_of([i]).get(i, i) for i in _ids(ix)})


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork here")
def test_segment_workers_keep_their_segments_ids_for_the_stories_map(wires: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A segment worker writes its segment's ids itself (it added the documents): the map made after the
    commit reads no id terms of the new segments, and the ids are those the terms give."""
    from searchkit.engine import stories, workers
    from searchkit.engine.index import open_index
    from searchkit.engine.schema import INDEX_NAME

    for n in range(30):
        write(wires, f"x{n:02d}.txt", 1 + n % 20, body(200 + n % 12))
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    read: list[str] = []
    real = stories.segment_terms

    def spy(reader, fieldname):
        read.append(reader.segment().segment_id())
        return real(reader, fieldname)

    monkeypatch.setattr(stories, "segment_terms", spy)
    monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 2)
    for n in range(0, 30, 3):
        write(wires, f"x{n:02d}.txt", 9, body(500 + n))
    write(wires, "y.txt", 9, body(205))
    assert index_paths([wires], ix, workers=2).updated == 10
    assert read == []
    monkeypatch.undo()
    index = open_index(ix, INDEX_NAME)
    try:
        with index.searcher() as searcher:
            for reader, _offset in searcher.reader().leaf_readers():
                kept = json.loads((ix / f"{stories.IDS_PREFIX}{reader.segment().segment_id()}.json").read_text())
                from_terms = [""] * reader.doc_count_all()
                for text, docs in stories.segment_terms(reader, "id"):
                    for local in docs:
                        from_terms[local] = text
                assert kept == from_terms
    finally:
        index.close()
    with CopyStore(ix) as store:
        from searchkit.engine.api import Reader

        with Reader(ix) as reader:
            assert reader.count_stories(None, version=store.version(), groups=store.group_ids) == len(
                {store.groups_of([i]).get(i, i) for i in _ids(ix)})


def _ids(index_dir: Path) -> list[str]:
    from searchkit.engine.api import Reader

    with Reader(index_dir) as reader:
        return [doc.id for doc in reader.documents()]


def test_a_story_count_after_a_search_reuses_its_matches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The count of a query's stories that follows its search takes the matches the search scored instead of
    collecting them again, and counts as a fresh reader does; another query is not taken for it."""
    from searchkit import querylang
    from searchkit.engine import query
    from searchkit.engine.api import Reader

    wires = tmp_path / "wires"
    wires.mkdir()
    for n in range(6):  # three stories of two copies each, all holding both words
        write(wires, f"x{n}.txt", n + 1, body(n % 3) + " Tanker harbour.")
    write(wires, "other.txt", 9, body(7) + " Tanker.")
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    both, one = querylang.parse("tanker harbour").tree, querylang.parse("tanker").tree
    with CopyStore(ix) as store, Reader(ix) as fresh, Reader(ix) as reader:
        def stories(r: Reader, tree: querylang.Node | None) -> int:
            return r.count_stories(tree, version=store.version(), groups=store.group_ids)

        expected = stories(fresh, both), stories(fresh, one)
        assert reader.search(both, limit=1).total == 6
        collect = query.docset
        monkeypatch.setattr(query, "docset", lambda *_a: pytest.fail("matches collected again"))
        assert stories(reader, both) == expected[0] == 3
        monkeypatch.setattr(query, "docset", collect)
        assert stories(reader, one) == expected[1] == 4


def test_a_collapsed_search_makes_snippets_for_the_hits_it_shows(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Folding copies fetches more hits than it shows (`collapse.WINDOW` per story); only the shown ones get a
    snippet, the one a plain search gives them."""
    from searchkit import collapse, snippets
    from searchkit.results import Snippet
    from searchkit.search import Searcher

    wires = tmp_path / "wires"
    wires.mkdir()
    for n in range(6):  # three stories of two copies each
        write(wires, f"x{n}.txt", n + 1, body(n % 3) + " Tanker harbour.")
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    made = []
    real = snippets.make_snippet
    with Searcher(ix) as searcher:
        plain = {h.id: h.snippet for h in searcher.search("tanker harbour", limit=6).hits}
        monkeypatch.setattr(snippets, "make_snippet", lambda *a, **k: made.append(1) or real(*a, **k))
        for page in (1, 2):
            made.clear()
            result = collapse.search(searcher, ix, "tanker harbour", limit=1, page=page)
            assert len(result.hits) == 1 and result.stories == 3
            assert len(made) == 1
            assert result.hits[0].snippet == plain[result.hits[0].id] != Snippet("")


def test_a_damaged_ids_file_is_read_again_from_the_terms(wires: Path, tmp_path: Path) -> None:
    """A segment's kept ids that are not all strings (a damaged or foreign file) are not trusted: the stories
    map is made from the segment's id terms, and counts what a fold of every live document counts."""
    from searchkit.engine import stories
    from searchkit.engine.api import Reader

    for n in range(12):
        write(wires, f"x{n:02d}.txt", 1 + n % 5, body(300 + n % 4))
    ix = tmp_path / "ix"
    index_paths([wires], ix, workers=1)
    kept = sorted(ix.glob(f"{stories.IDS_PREFIX}*"))
    assert kept
    for path in kept:
        path.write_text(json.dumps([7] * len(json.loads(path.read_text()))))
    for path in ix.glob(f"{stories.PREFIX}*"):
        path.unlink()
    with CopyStore(ix) as store, Reader(ix) as reader:
        assert reader.count_stories(None, version=store.version(), groups=store.group_ids) == len(
            {store.groups_of([i]).get(i, i) for i in _ids(ix)}) < len(_ids(ix))
    assert all(isinstance(i, str) for path in kept for i in json.loads(path.read_text()))
