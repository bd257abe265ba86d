"""An index this process cannot write (an archive shared read-only, another user's folder) answers every
reading command as a writable one does, and a command that must write says so in one line.

Run as root, the tests hand the index to an unprivileged user and run the commands in a forked child that
takes that user's id: root may write anywhere, so a read-only mode alone would prove nothing."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import run

NOBODY = 65534
READING = [("search", "oil prices"), ("search", "oil", "--json"), ("quotes", "said"), ("similar", "a1"),
           ("speakers",), ("show", "a1"), ("timeline", "oil"), ("export",)]


@pytest.fixture
def read_only(built: Path, corpus: Path) -> Iterator[Path]:
    """A copy of the sample index that this process (or, run as root, `NOBODY`) can read but not write, beside
    a copy of its articles (`corpus` beside it) that anyone can read."""
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        shutil.copytree(corpus, Path(top) / "corpus")
        index_dir = Path(top) / "index"
        shutil.copytree(built, index_dir)
        for folder, _dirs, files in os.walk(index_dir):
            for path in [folder, *(os.path.join(folder, f) for f in files)]:
                if os.geteuid() == 0:
                    os.chown(path, NOBODY, NOBODY)
                os.chmod(path, 0o500 if os.path.isdir(path) else 0o400)
        yield index_dir
        for folder, _dirs, _files in os.walk(index_dir):
            os.chmod(folder, 0o700)  # so that the temporary folder can be removed


def _unprivileged(job: Callable[[], tuple[int, str, str]]) -> tuple[int, str, str]:
    """`job()`, run by a user who cannot write the read-only index (a forked child as `NOBODY` under root)."""
    if os.geteuid() != 0:
        return job()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        try:
            os.close(read_end)
            with os.fdopen(write_end, "w") as out:
                try:
                    os.environ["XDG_CONFIG_HOME"] = os.path.join(tempfile.gettempdir(), "none")  # the test's is root's
                    os.setgid(NOBODY)
                    os.setuid(NOBODY)
                    json.dump(job(), out)
                except BaseException:
                    json.dump(traceback.format_exc(), out)
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as got:
        answer = json.loads(got.read())
    os.waitpid(pid, 0)
    assert isinstance(answer, list), answer  # else the child's traceback
    code, out, err = answer
    return code, out, err


@pytest.mark.parametrize("command", READING, ids=" ".join)
def test_reading_commands_answer_as_on_a_writable_index(built: Path, read_only: Path, command: tuple[str, ...]) -> None:
    expected = run(*command, "--index", str(built))
    code, out, err = _unprivileged(lambda: run(*command, "--index", str(read_only)))
    assert "Error" not in err and "Traceback" not in err
    assert (code, out) == expected[:2]


@pytest.mark.parametrize("args", [("index", "{corpus}"), ("index", "{corpus}", "--rebuild"), ("alerts", "list")],
                         ids=" ".join)
def test_writing_commands_say_the_folder_cannot_be_written(read_only: Path, args: tuple[str, ...]) -> None:
    argv = [a.format(corpus=read_only.parent / "corpus") for a in args]
    code, out, err = _unprivileged(lambda: run(*argv, "--index", str(read_only)))
    assert code == 1 and out == ""
    assert err == (f"Error: cannot write the index folder {read_only} (permission denied); check the folder's "
                   "permissions, or index into one you can write with --index DIR\n")


def test_an_index_folder_that_cannot_be_made_is_one_line(read_only: Path) -> None:
    inside = read_only / "new"
    code, _out, err = _unprivileged(lambda: run("index", str(read_only.parent / "corpus"), "--index", str(inside)))
    assert code == 1
    assert err == (f"Error: cannot create the index folder {inside} (Permission denied); check the folder's "
                   "permissions, or index into one you can write with --index DIR\n")
