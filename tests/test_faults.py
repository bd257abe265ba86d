"""Faults end in one line, and recovery works (#13 row 9): damaged files, a damaged or lost table of
contents."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli
from searchkit.indexer import index_paths

REBUILD = "searchkit index --rebuild"
READERS = [("search", "oil"), ("stats",), ("export",), ("show", "a1"), ("quotes", "act")]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _one_line_naming_rebuild(code: int, err: str) -> bool:
    return code == 1 and len(err.strip().splitlines()) == 1 and REBUILD in err and "Traceback" not in err


def _fine(code: int, _out: str, err: str) -> bool:
    """Done, or nothing found (exit 1, nothing on stderr)."""
    return code in (0, 1) and err == ""


def _largest(index_dir: Path, pattern: str) -> Path:
    return max(index_dir.glob(pattern), key=lambda p: p.stat().st_size)


def _notes(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"n{i:03}.txt").write_text(
            f"Harbour note {i}\n\nA note on the harbour.\n\nPublication: {1 + i % 28:02}.03.2023 - 09:15\n"
            f"Oil prices rose, the minister said on day {i}. \"We will act,\" said Elena Marsh.\n", encoding="utf-8")
    return folder


# --------------------------------------------------------------------------- damage


@pytest.mark.parametrize("target", ["searchkit_*.trm", "searchkit_*.pst", "searchkit_*._stored.col",
                                    "searchkit_*.date.col", "quotes_*.trm", "_searchkit_*.toc"])
@pytest.mark.parametrize("how", ["truncated", "deleted"])
def test_a_damaged_file_is_one_line_naming_rebuild(tmp_path: Path, target: str, how: str) -> None:
    """Each command that reads the damaged index says so in one line; `index` too (it reported "unchanged",
    and after a lost TOC "unchanged 3000, documents 0"); `--rebuild` repairs it."""
    docs = _notes(tmp_path / "docs", 40)
    ix = tmp_path / "ix"
    index_paths([docs], ix, workers=1)
    readers = [*READERS[:3], ("show", str(docs / "n001.txt")), READERS[4]]
    path = _largest(ix, target)
    assert path.stat().st_size > 1
    if how == "deleted":
        path.unlink()
    else:
        with open(path, "r+b") as f:
            f.truncate(path.stat().st_size // 2)
    quotes = target.startswith("quotes")
    for command in readers:
        code, out, err = _run(*command, "--index", str(ix))
        if quotes != (command[0] == "quotes"):  # the other index is whole (`quotes` reads only the quotes)
            assert _fine(code, out, err), (command, err)
        else:
            assert _one_line_naming_rebuild(code, err), (command, err)
    code, _out, err = _run("index", str(docs), "--index", str(ix))
    assert _one_line_naming_rebuild(code, err), err
    assert _run("index", str(docs), "--index", str(ix), "--rebuild")[0] == 0
    assert all(_run(*command, "--index", str(ix))[0] == 0 for command in readers)


def test_a_damaged_schema_file_names_rebuild(built: Path) -> None:
    (built / "searchkit.json").write_text("{not json", encoding="utf-8")
    code, _out, err = _run("search", "oil", "--index", str(built))
    assert _one_line_naming_rebuild(code, err), err
