"""The `index` options that choose what is read and how much: --exclude, --include, --follow-symlinks,
--max-size, --budget (CliRunner, exact output)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    d.mkdir()
    (d / "a.txt").write_text("Harbour talks\n\nThe harbour opened on Monday.\n")
    (d / "README.TXT").write_text("About this folder\n\nRead the harbour files first.\n")
    (d / "notes.md").write_text("# Notes\n\nharbour notes\n")
    return d


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_exclude_and_include(folder: Path, tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    code, out = run("index", str(folder), "--index", ix, "--exclude", "README.TXT", "--include", "*.txt", "--json")
    assert code == 0
    assert '"added": 1,' in out and '"failed": []' in out


def test_follow_symlinks_and_the_report_without_it(folder: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("Outside\n\nharbour outside\n")
    (folder / "link").symlink_to(outside, target_is_directory=True)
    ix = str(tmp_path / "ix")
    code, out = run("index", str(folder), "--index", ix)
    assert code == 0
    assert ": symbolic link to outside the indexed folders (not followed without --follow-symlinks)" in out
    code, out = run("index", str(folder), "--index", ix, "--follow-symlinks", "--json")
    assert code == 0 and '"added": 1,' in out and '"failed": []' in out


def test_max_size_and_budget_values(folder: Path, tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    (folder / "big.txt").write_text("Big\n\n" + "harbour line\n" * 2_000)
    code, out = run("index", str(folder), "--index", ix, "--max-size", "1KB", "--budget", "5", "--json")
    assert code == 0
    assert "big.txt\", \"reason\": \"file of 25.4 KB: only its first 1 KB were read (--max-size)\"" in out
    code, out = run("index", str(folder), "--index", ix, "--max-size", "lots")
    assert code == 2
    assert "Invalid value for '--max-size': invalid size 'lots': use a number of bytes, or KB, MB or GB" in out
