"""What reading's limits and rules do to an indexing run: --max-size, the per-file budget, patterns that
leave files out, and symbolic links (through `index_paths`, as the command line calls it)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from searchkit import speakers
from searchkit.indexer import index_paths
from searchkit.limits import Limits
from searchkit.models import FileFailure
from searchkit.reading import Selection
from searchkit.search import Searcher

CATASTROPHIC = re.compile(r"(a+)+$")


def hits(index_dir: Path, query: str) -> list[str]:
    with Searcher(index_dir) as searcher:
        return sorted(h.id for h in searcher.search(query, limit=100).hits)


def speakers_of(index_dir: Path, article_id: str) -> list[str]:
    with Searcher(index_dir) as searcher:
        return list(searcher.get(article_id).speakers)


def reasons(found: tuple[FileFailure, ...]) -> dict[str, str]:
    return {Path(f.path).name: f.reason for f in found}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text("Harbour talks\n\n\"We will open the harbour,\" said Elena Marsh on Monday.\n")
    (d / "b.txt").write_text("Mountain pass\n\nSnow closed the mountain pass on Tuesday.\n")
    return d


# --------------------------------------------------------------------------- the per-file budget


def test_slow_speaker_extraction_indexes_the_article_without_speakers(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A speaker extractor stuck in a backtracking regex is stopped at the budget: the article is indexed
    with its title, date and body, and a warning names the stage. Other files are untouched."""
    real = speakers.extract

    def stuck(body: str, title: str = "") -> object:
        if "harbour" in body:
            CATASTROPHIC.match("a" * 60 + "b")  # hours, unless interrupted
        return real(body, title)

    monkeypatch.setattr(speakers, "extract", stuck)
    ix = tmp_path / "ix"
    summary = index_paths([folder], ix, workers=1, limits=Limits(budget=0.5))
    assert (summary.added, summary.failed) == (2, ())
    assert reasons(summary.warnings) == {
        "a.txt": "indexed without speakers and quotes: speaker extraction took over the 0.5 s budget per file "
                 "(--budget)"}
    assert hits(ix, "harbour") == ["a.txt"] and speakers_of(ix, "a.txt") == []


def test_a_failing_speaker_extractor_costs_one_article_its_speakers(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An extractor bug on one article (seen: an IndexError on an 8 MB body) no longer aborts the run."""
    real = speakers.extract

    def broken(body: str, title: str = "") -> object:
        if "harbour" in body:
            raise IndexError("string index out of range")
        return real(body, title)

    monkeypatch.setattr(speakers, "extract", broken)
    summary = index_paths([folder], tmp_path / "ix", workers=1)
    assert (summary.added, summary.failed) == (2, ())
    assert reasons(summary.warnings) == {"a.txt": "indexed without speakers and quotes: speaker extraction failed "
                                                  "(IndexError: string index out of range)"}


def test_slow_parsing_fails_the_file_and_the_run_goes_on(
    folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A parser stuck on a file fails that file, with the stage named; the others are indexed."""
    from searchkit.reading import formats

    real = formats.parse_plain

    def stuck(lines: list[str]) -> dict[str, object]:
        if "Mountain pass" in lines[0]:
            CATASTROPHIC.match("a" * 60 + "b")
        return real(lines)

    monkeypatch.setattr(formats, "parse_plain", stuck)
    summary = index_paths([folder], tmp_path / "ix", workers=1, limits=Limits(budget=0.5))
    assert summary.added == 1
    assert reasons(summary.failed) == {"b.txt": "parsing took over the 0.5 s budget per file (--budget)"}


# --------------------------------------------------------------------------- --max-size


def test_max_size_indexes_the_head_of_a_large_text_file(tmp_path: Path) -> None:
    """A text file over --max-size is indexed from its first bytes (whole lines), with a warning."""
    docs = tmp_path / "docs"
    docs.mkdir()
    lines = [f"Line {n} of a long report about the harbour." for n in range(60_000)]
    (docs / "big.txt").write_text("A long report\n\n" + "\n".join(lines) + "\nThe very last word: zanzibar.\n")
    ix = tmp_path / "ix"
    summary = index_paths([docs], ix, workers=1, limits=Limits(max_size=1024 * 1024))
    assert summary.added == 1
    assert reasons(summary.warnings) == {"big.txt": "file of 2.7 MB: only its first 1 MB were read (--max-size)"}
    assert hits(ix, "harbour") == ["big.txt"] and hits(ix, "zanzibar") == []


def test_a_file_that_grew_since_its_size_was_taken_is_read_on_to_max_size(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """`load` asks for as many bytes as the file's size says: a file that grew meanwhile is still read up to
    --max-size, and over it gets the warning, as a read of --max-size bytes at once gave."""
    from searchkit.reading import files

    opened = files._open_regular_fd

    def stale(key: str) -> tuple[int, int]:  # the size the file had when opened, before it grew: 10 bytes
        return opened(key)[0], 10

    path = tmp_path / "grown.txt"
    path.write_bytes(b"line\n" * 400)
    monkeypatch.setattr(files, "_open_regular_fd", stale)
    assert files.load(str(path), 4_000) == (b"line\n" * 400, [])
    data, warnings = files.load(str(path), 1_000)
    assert data == b"line\n" * 200 and warnings == ["file of 2.0 KB: only its first 1000 bytes were read (--max-size)"]


def test_json_lines_stream_past_max_size_and_json_does_not(tmp_path: Path) -> None:
    """JSON Lines are read a record at a time: a file over --max-size is indexed whole, only a record over
    it is reported (by line). A JSON document cannot be read in part: over --max-size it is reported."""
    docs = tmp_path / "docs"
    docs.mkdir()
    records = [{"id": f"r{n}", "title": f"Record {n}", "body": "harbour " * 100} for n in range(3_000)]
    lines = [json.dumps(r) for r in records]
    lines[5] = json.dumps({"id": "huge", "title": "Huge", "body": "harbour " * 200_000})
    (docs / "many.jsonl").write_text("\n".join(lines) + "\n")
    (docs / "many.json").write_text(json.dumps(records))
    ix = tmp_path / "ix"
    summary = index_paths([docs], ix, workers=1, limits=Limits(max_size=1024 * 1024))
    assert reasons(summary.failed) == {
        "many.json": "JSON file of 2.4 MB is over --max-size (1 MB): raise --max-size, or write its records as "
                     "JSON Lines"}
    assert reasons(summary.warnings) == {"many.jsonl": "line 6: record over --max-size (1 MB)"}
    with Searcher(ix) as searcher:
        assert searcher.stats().documents == 2_999
    assert hits(ix, "harbour")[:2] == ["r0", "r1"]
    again = index_paths([docs], ix, workers=1, limits=Limits(max_size=1024 * 1024))
    assert (again.unchanged, again.added, again.updated) == (1, 0, 0)


@pytest.mark.parametrize(
    ("content", "failed", "warnings"),
    [
        (b'{"title": "A", "body": "harbour"}\nnot json\n\n{"id": 9}\n', None,
         ["line 2: invalid JSON (Expecting value, column 1)", "line 4: record has no title and no body"]),
        (b'\xef\xbb\xbf{"title": "Caf\xe9", "body": "harbour"}\r\n', None, ["not UTF-8; decoded as cp1252"]),
        (b"\n\n  \n", "empty file", None),
        (b'[1]\n{"id": 3}\n', "line 1: not a JSON object (and 1 more)", None),
        (b'{"title": "A"}\x00\n', "binary file (contains NUL bytes)", None),
        (b"[" * 200_000 + b"\n", "line 1: invalid JSON (nested too deeply)", None),
    ],
)
def test_json_lines_streamed_report_like_whole_files(
    tmp_path: Path, content: bytes, failed: str | None, warnings: list[str] | None,
) -> None:
    """The streamed reader reports bad lines, encodings, empty and binary files as the whole-file one does."""
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "r.jsonl").write_bytes(content)
    summary = index_paths([docs], tmp_path / "ix", workers=1)
    assert [f.reason for f in summary.failed] == ([failed] if failed else [])
    assert [w.reason for w in summary.warnings] == (warnings or [])


# --------------------------------------------------------------------------- patterns and links


def test_excluded_files_are_not_failures_and_leave_the_index(folder: Path, tmp_path: Path) -> None:
    """A file that becomes excluded (--exclude, or .searchkitignore) is removed on the next run."""
    (folder / "README.TXT").write_text("How to use this folder\n\nRead the harbour files first.\n")
    ix = tmp_path / "ix"
    assert index_paths([folder], ix, workers=1).added == 3
    assert hits(ix, "harbour") == ["README.TXT", "a.txt"]
    summary = index_paths([folder], ix, workers=1, selection=Selection(exclude=("README.TXT",)))
    assert (summary.removed, summary.failed) == (1, ())
    assert hits(ix, "harbour") == ["a.txt"]
    (folder / ".searchkitignore").write_text("b.txt\n")
    summary = index_paths([folder], ix, workers=1)
    assert (summary.added, summary.removed, summary.failed) == (1, 1, ())
    assert hits(ix, "harbour") == ["README.TXT", "a.txt"] and hits(ix, "mountain") == []


def test_links_out_of_the_folder_only_with_follow_symlinks(folder: Path, tmp_path: Path) -> None:
    """A link to a folder outside is reported, not indexed; followed on request, and removing the link
    removes its files from the index."""
    outside = tmp_path / "etc"
    outside.mkdir()
    (outside / "shadow").write_text("Secret\n\nroot password harbour\n")
    (folder / "etcdir").symlink_to(outside, target_is_directory=True)
    ix = tmp_path / "ix"
    summary = index_paths([folder], ix, workers=1)
    assert reasons(summary.failed) == {
        "etcdir": "symbolic link to outside the indexed folders (not followed without --follow-symlinks)"}
    assert hits(ix, "password") == []
    index_paths([folder], ix, workers=1, follow_symlinks=True)
    assert hits(ix, "password") == ["etcdir/shadow"]
    (folder / "etcdir").unlink()
    summary = index_paths([folder], ix, workers=1, follow_symlinks=True)
    assert summary.removed == 1 and hits(ix, "password") == []


@pytest.mark.parametrize("files", [70, 1_000])  # a fork pool; segment-writing workers
def test_the_budget_holds_in_worker_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: int,
) -> None:
    """Forked workers arm the same timer: the stuck file is indexed without speakers, the run finishes."""
    real = speakers.extract

    def stuck(body: str, title: str = "") -> object:
        if "harbour" in body:
            CATASTROPHIC.match("a" * 60 + "b")
        return real(body, title)

    monkeypatch.setattr(speakers, "extract", stuck)
    docs = tmp_path / "docs"
    docs.mkdir()
    for n in range(files):
        (docs / f"{n:04d}.txt").write_text(f"Report {n}\n\nSnow closed pass {n} on Tuesday.\n")
    (docs / "0007.txt").write_text("Harbour\n\nThe harbour opened.\n")
    summary = index_paths([docs], tmp_path / "ix", workers=2, limits=Limits(budget=0.5))
    assert (summary.added, summary.failed) == (files, ())
    assert [(Path(w.path).name, w.reason.split(":")[0]) for w in summary.warnings] == [
        ("0007.txt", "indexed without speakers and quotes")]
