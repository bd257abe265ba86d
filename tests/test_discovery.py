"""Tests for searchkit.reading.discovery: what a walk indexes, and what it skips and says why."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from searchkit.errors import InvalidPattern, NoInputFiles
from searchkit.reading import Discovery, SourceFile, discover
from searchkit.reading.discovery import BAD_NAME, LOOP, OUTSIDE
from searchkit.reading.ignore import Selection

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _tree(root: Path) -> None:
    """A small folder tree with every kind of entry discovery must handle."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / ".hidden_dir").mkdir()
    (root / "a.txt").write_text("A\n")
    (root / "sub" / "b.md").write_text("# B\n")
    (root / "sub" / "deeper" / "c.jsonl").write_text('{"title": "C"}\n')
    (root / "sub" / "NOEXT").write_text("no extension\n")
    (root / "sub" / "d.JSON").write_text('{"title": "D"}')
    (root / "e.ndjson").write_text('{"title": "E"}\n')
    (root / "f.markdown").write_text("F\n")
    (root / "g.text").write_text("G\n")
    (root / "report.pdf").write_bytes(b"%PDF")
    (root / ".secret.txt").write_text("hidden\n")
    (root / ".hidden_dir" / "h.txt").write_text("hidden\n")
    (root / "sub" / "loop").symlink_to(root, target_is_directory=True)
    (root / "dangling.txt").symlink_to(root / "nowhere.txt")


def _reasons(found: Discovery) -> dict[str, str]:
    """Skipped files by path relative to the (real) root's parent, with their reasons."""
    return {s.path: s.reason for s in found.skipped}


def test_discover_walks_folders(tmp_path: Path) -> None:
    """Recursive, hidden names skipped, extensions case-insensitive, loops and dangling links reported."""
    root = tmp_path / "corpus"
    root.mkdir()
    _tree(root)
    found = discover([root])
    assert isinstance(found, Discovery)
    assert [f.rel for f in found.files] == [
        "a.txt", "e.ndjson", "f.markdown", "g.text", "sub/NOEXT", "sub/b.md", "sub/d.JSON", "sub/deeper/c.jsonl",
    ]
    assert [f.key for f in found.files] == sorted(f.key for f in found.files)
    assert all(f.path.is_absolute() and f.key == str(f.path) for f in found.files)
    assert found.roots == (root.resolve(),)
    real = root.resolve()
    assert _reasons(found) == {
        f"{real}/dangling.txt": "broken symbolic link",
        f"{real}/report.pdf": "unsupported file type .pdf",
        f"{real}/sub/loop": LOOP,
    }
    assert [s.path for s in found.skipped] == sorted(_reasons(found))
    assert {k: (st.st_size, st.st_mtime_ns) for k in found.rels if (st := os.stat(k))} == {
        key: (size, mtime) for key, size, mtime in found.stamps}


# --------------------------------------------------------------------------- symbolic links


def _outside_and_links(tmp_path: Path) -> tuple[Path, Path]:
    """A root with links to a file and a folder outside it (a stand-in for `ln -s /etc`), and inside it."""
    root, outside = tmp_path / "corpus", tmp_path / "outside"
    (root / "inner").mkdir(parents=True)
    outside.mkdir()
    (outside / "shadow").write_text("secret\n")
    (outside / "real.txt").write_text("R\n")
    (root / "inner" / "own.txt").write_text("O\n")
    (root / "etcdir").symlink_to(outside, target_is_directory=True)
    (root / "alias.txt").symlink_to(outside / "real.txt")
    (root / "inner_alias.txt").symlink_to(root / "inner" / "own.txt")
    (root / "inner_link").symlink_to(root / "inner", target_is_directory=True)
    return root.resolve(), outside.resolve()


def test_links_out_of_the_folder_are_reported_not_followed(tmp_path: Path) -> None:
    """By default no file outside the given folder is indexed; links into it are passed over quietly."""
    root, _outside = _outside_and_links(tmp_path)
    found = discover([root])
    assert sorted(found.rels.values()) == ["inner/own.txt"]
    assert all(key.startswith(f"{root}/") for key in found.rels)
    assert _reasons(found) == {f"{root}/alias.txt": OUTSIDE, f"{root}/etcdir": OUTSIDE}


def test_follow_symlinks_keys_files_under_the_link(tmp_path: Path) -> None:
    """With follow_symlinks, linked files are keyed by their path through the link (inside the root, so a
    removed link removes them), and a file reachable by several paths is indexed once: by its own path
    when that is inside, else by the first link path in sorted order (real.txt is alias.txt and
    etcdir/real.txt)."""
    root, _outside = _outside_and_links(tmp_path)
    found = discover([root], follow_symlinks=True)
    assert found.rels == {
        f"{root}/alias.txt": "alias.txt",
        f"{root}/etcdir/shadow": "etcdir/shadow",
        f"{root}/inner/own.txt": "inner/own.txt",
    }
    assert found.skipped == ()
    (root / "etcdir").unlink()
    assert sorted(discover([root], follow_symlinks=True).rels.values()) == ["alias.txt", "inner/own.txt"]


@pytest.mark.parametrize("follow", [False, True])
def test_symlink_loops_are_reported_and_the_walk_goes_on(tmp_path: Path, follow: bool) -> None:
    """A link to its own folder, to an ancestor, to itself and a pair of links to each other: each one is
    reported (never an OSError), and the files beside them are found."""
    root = tmp_path / "corpus"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "x.txt").write_text("X\n")
    (root / "a" / "b" / "up").symlink_to(root / "a", target_is_directory=True)
    (root / "self").symlink_to(root / "self")
    (root / "ping").symlink_to(root / "pong")
    (root / "pong").symlink_to(root / "ping")
    (root / "here").symlink_to(".", target_is_directory=True)
    real = root.resolve()
    found = discover([root], follow_symlinks=follow)
    assert list(found.rels.values()) == ["a/b/x.txt"]
    assert _reasons(found) == {f"{real}/{name}": LOOP for name in ("a/b/up", "here", "ping", "pong", "self")}


def test_symlink_loop_given_by_name_is_a_clear_error(tmp_path: Path) -> None:
    """A loop given on the command line is a one-line error, not an OSError."""
    (tmp_path / "self").symlink_to(tmp_path / "self")
    with pytest.raises(NoInputFiles, match=r"^symbolic link loop: "):
        discover([tmp_path / "self"])


# --------------------------------------------------------------------------- odd names and files


def test_names_that_are_not_utf8_are_reported(tmp_path: Path) -> None:
    """A file or folder whose name is not valid UTF-8 is reported (shown with \\x escapes) and skipped."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "ok.txt").write_text("fine\n")
    bad_file = os.fsencode(root) + b"/bad\xffname.txt"
    bad_dir = os.fsencode(root) + b"/dir\xfe"
    with open(bad_file, "wb") as handle:
        handle.write(b"text\n")
    os.mkdir(bad_dir)
    with open(bad_dir + b"/inside.txt", "wb") as handle:
        handle.write(b"text\n")
    real = root.resolve()
    found = discover([root])
    assert list(found.rels.values()) == ["ok.txt"]
    assert _reasons(found) == {f"{real}/bad\\xffname.txt": BAD_NAME, f"{real}/dir\\xfe": BAD_NAME}
    for shown in _reasons(found):
        shown.encode("utf-8")  # printable and storable


def test_special_files_are_reported_and_never_opened(tmp_path: Path) -> None:
    """A named pipe in a folder or given by name is reported, never opened (opening one would block)."""
    (tmp_path / "a.txt").write_text("A\n")
    os.mkfifo(tmp_path / "pipe.txt")
    real = tmp_path.resolve()
    found = discover([tmp_path])
    assert list(found.rels.values()) == ["a.txt"]
    assert _reasons(found) == {f"{real}/pipe.txt": "not a regular file (named pipe)"}
    given = discover([tmp_path / "pipe.txt"])
    assert given.rels == {} and _reasons(given) == {f"{real}/pipe.txt": "not a regular file (named pipe)"}


def test_a_fifo_given_to_index_does_not_hang(tmp_path: Path) -> None:
    """`searchkit index FIFO` reports the pipe and exits at once (it used to block forever)."""
    os.mkfifo(tmp_path / "pipe.txt")
    run = subprocess.run([sys.executable, "-m", "searchkit", "index", str(tmp_path / "pipe.txt"), "--index",
                          str(tmp_path / "idx")], capture_output=True, text=True, timeout=60)
    assert "not a regular file (named pipe)" in run.stdout + run.stderr
    assert "Traceback" not in run.stderr


def test_discover_reports_files_it_cannot_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file listed but gone by the time it is stat'ed is reported, and neither indexed nor taken as
    removed (`unstatable`); a folder that cannot be listed is reported and the walk goes on."""
    (tmp_path / "a.txt").write_text("A\n")
    (tmp_path / "b.txt").write_text("B\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "c.txt").write_text("C\n")
    real_stat = os.DirEntry.stat

    class Entry:
        def __init__(self, entry: os.DirEntry[str]) -> None:
            self._entry = entry

        def __getattr__(self, name: str) -> Any:
            return getattr(self._entry, name)

        def stat(self, *, follow_symlinks: bool = True) -> os.stat_result:
            if self._entry.name == "b.txt":
                raise FileNotFoundError(self._entry.path)
            return real_stat(self._entry, follow_symlinks=follow_symlinks)

    real_scandir = os.scandir

    class Scan:
        def __init__(self, path: str) -> None:
            if path.endswith("locked"):
                raise PermissionError(13, "Permission denied", path)
            self._scan = real_scandir(path)

        def __enter__(self) -> Scan:
            return self

        def __exit__(self, *exc: object) -> None:
            self._scan.close()

        def __iter__(self) -> Any:
            return (Entry(e) for e in self._scan)

    monkeypatch.setattr(os, "scandir", Scan)
    found = discover([tmp_path])
    real = tmp_path.resolve()
    assert list(found.rels.values()) == ["a.txt"] and len(found.stamps) == 1
    assert found.unstatable == frozenset({f"{real}/b.txt"})
    assert _reasons(found) == {f"{real}/b.txt": "vanished before it could be read",
                               f"{real}/locked": "cannot list folder: Permission denied"}


def test_discover_file_given_directly(tmp_path: Path) -> None:
    """A file given directly is indexed under its name (even if hidden) and adds no root; duplicates merge."""
    path = tmp_path / ".note.txt"
    path.write_text("x\n")
    found = discover([path, tmp_path / ".note.txt"])
    assert found.files == (SourceFile(path.resolve(), ".note.txt", str(path.resolve())),)
    assert found.roots == ()


def test_discover_reports_unsupported_file_given_directly(tmp_path: Path) -> None:
    """A directly given file of an unsupported type goes to `skipped`."""
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK")
    found = discover([path])
    assert found.files == () and found.skipped[0].reason == "unsupported file type .docx"


def test_discover_missing_path(tmp_path: Path) -> None:
    """A missing path raises NoInputFiles naming it."""
    missing = tmp_path / "nope"
    with pytest.raises(NoInputFiles, match=f"no such file or directory: {missing}"):
        discover([missing])


# --------------------------------------------------------------------------- exclude / include


def _articles(root: Path) -> None:
    """An article folder with the usual strays: a README, drafts, backups."""
    (root / "drafts").mkdir(parents=True)
    (root / "2006").mkdir()
    for rel in ("README.TXT", "a.txt", "drafts/d.txt", "2006/b.txt", "2006/c.md", "2006/old.txt.bak"):
        (root / rel).write_text("text\n")


def test_exclude_and_include_globs(tmp_path: Path) -> None:
    """--exclude (gitignore syntax, repeatable) and --include leave files out, uncounted as failures."""
    _articles(tmp_path)
    found = discover([tmp_path], selection=Selection(exclude=("README.TXT", "drafts/")))
    assert sorted(found.rels.values()) == ["2006/b.txt", "2006/c.md", "a.txt"]
    assert found.excluded == 2
    assert [s.reason for s in found.skipped] == ["unsupported file type .bak"]
    found = discover([tmp_path], selection=Selection(include=("*.md",)))
    assert sorted(found.rels.values()) == ["2006/c.md"] and found.skipped == ()
    found = discover([tmp_path], selection=Selection(exclude=("*.bak", "/a.txt"), include=("*.txt",)))
    assert sorted(found.rels.values()) == ["2006/b.txt", "drafts/d.txt"]  # case-sensitive, as in git


def test_searchkitignore_in_the_folder(tmp_path: Path) -> None:
    """A .searchkitignore at the folder's top is read like a .gitignore (comments, negation, folders)."""
    _articles(tmp_path)
    (tmp_path / ".searchkitignore").write_text("# strays\nREADME.TXT\n*.bak\ndrafts/\n2006/*\n!2006/b.txt\n")
    found = discover([tmp_path])
    assert sorted(found.rels.values()) == ["2006/b.txt", "a.txt"]
    assert found.skipped == () and found.excluded == 4


def test_a_file_given_by_name_is_not_filtered(tmp_path: Path) -> None:
    """Patterns apply inside folders: a file named on the command line is indexed."""
    _articles(tmp_path)
    found = discover([tmp_path / "README.TXT"], selection=Selection(exclude=("README.TXT",)))
    assert list(found.rels.values()) == ["README.TXT"]


def test_invalid_pattern_is_a_clear_error(tmp_path: Path) -> None:
    """A pattern pathspec rejects is named in a one-line error."""
    (tmp_path / "a.txt").write_text("A\n")
    with pytest.raises(InvalidPattern, match=r"^invalid pattern '\\\\' in --exclude"):
        discover([tmp_path], selection=Selection(exclude=("\\",)))


# --------------------------------------------------------------------------- seeds and speed


def test_discover_seeds() -> None:
    """The shipped seeds folder discovers completely."""
    found = discover([SEEDS])
    assert set(found.rels.values()) >= {p.name for p in SEEDS.glob("*.txt")}


def test_discover_of_thousands_of_files_does_not_blow_up(tmp_path: Path) -> None:
    """Discovery of a few thousand files does not blow up: a generous bound (it takes ~0.05 s; the speed
    itself is bench/'s to measure, and a loaded machine took over 1 s)."""
    for d in range(20):
        folder = tmp_path / f"d{d}"
        folder.mkdir()
        for i in range(200):
            (folder / f"f{i}").touch()
    start = time.perf_counter()
    assert len(discover([tmp_path]).files) == 4000
    assert time.perf_counter() - start < 20.0


def test_a_plain_folder_is_walked_as_a_folder_with_rules(tmp_path: Path) -> None:
    """The plain-folder loop records a file inline (`Walk`'s fast path); a folder with rules goes through
    `_file`. A selection that leaves nothing out must find the same files, stamps and skips in the same order."""
    docs = tmp_path / "docs"
    (docs / "sub").mkdir(parents=True)
    (docs / "a.txt").write_text("A title\n\nbody\n")
    (docs / "b.md").write_text("# B\n\nbody\n")
    (docs / "noext").write_text("plain\n")
    (docs / "pic.png").write_bytes(b"\x89PNG")
    (docs / "sub" / "c.json").write_text('{"title": "c", "body": "x"}')
    (docs / "empty.txt").write_text("")
    if hasattr(os, "mkfifo"):
        os.mkfifo(docs / "pipe.txt")  # not a regular file: skipped with its reason
    plain = discover([docs])
    ruled = discover([docs], selection=Selection(exclude=("*.nothing-matches",)))
    assert list(plain.found.items()) == list(ruled.found.items())
    assert plain.rels == ruled.rels
    assert plain.skipped == ruled.skipped
    assert plain.unstatable == ruled.unstatable
    assert plain.fingerprint() == ruled.fingerprint()
    assert {Path(k).name for k in plain.found} >= {"a.txt", "b.md", "c.json"}
