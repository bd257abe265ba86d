"""Index folders from elsewhere: pickles that name code are refused, folders others can write are refused,
and what searchkit writes only its owner can read (#13 row 1, and the modes of row 2)."""

from __future__ import annotations

import os
import pickle
import stat
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli
from searchkit.engine import unpickle
from searchkit.errors import IndexUntrusted

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "reliability"))
from rows_untrusted import _Payload, poison_toc

COMMANDS = [("search", "oil"), ("stats",), ("export",), ("quotes", "said"), ("show", "a1"), ("index",)]


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("part", ["schema", "segments"])
def test_a_toc_naming_code_is_refused_and_never_run(built: Path, corpus: Path, tmp_path: Path, part: str) -> None:
    marker = tmp_path / "pwned"
    payload = pickle.dumps(_Payload(f"touch {marker}"), 2)
    for toc in built.glob("_*_*.toc"):
        poison_toc(toc, payload, part)
    for command in COMMANDS:
        args = [*command, str(corpus)] if command == ("index",) else list(command)
        code, _out, err = _run(*args, "--index", str(built))
        assert not marker.exists(), command
        assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, (command, err)
        assert err.startswith("Error: the index names `posix.system`, which is not part of an index"), err


def test_every_whoosh_reader_unpickles_with_restrictions() -> None:
    import searchkit.engine.index  # noqa: F401  (imports what a search imports)

    assert unpickle.unrestricted() == []
    with pytest.raises(IndexUntrusted):
        unpickle.loads(pickle.dumps(_Payload("true")))
    assert unpickle.loads(pickle.dumps(((1, 2), b"x", {1}, 2.5), 5)) == ((1, 2), b"x", {1}, 2.5)


@pytest.mark.parametrize("target", ["folder", "toc", "manifest"])
def test_an_index_others_can_write_is_refused(built: Path, corpus: Path, target: str) -> None:
    path = {"folder": built, "toc": next(built.glob("_searchkit_*.toc")), "manifest": built / "manifest.sqlite"}[target]
    path.chmod(0o777 if target == "folder" else 0o666)
    for command in COMMANDS:
        args = [*command, str(corpus)] if command == ("index",) else list(command)
        code, _out, err = _run(*args, "--index", str(built))
        assert code == 1 and len(err.strip().splitlines()) == 1, (command, err)
        assert err.startswith(f"Error: other users can write the index {'folder' if target == 'folder' else 'file'} "
                              f"{path} (mode {'0777' if target == 'folder' else '0666'}), so it may have been "
                              "altered: searchkit will not read it; if it is yours, `chmod -R go-w "), err
    path.chmod(0o700 if target == "folder" else 0o600)
    assert _run("search", "oil", "--index", str(built))[0] == 0


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_what_searchkit_writes_only_its_owner_can_read(corpus: Path, tmp_path: Path, umask: int) -> None:
    index_dir = tmp_path / "ix"
    old = os.umask(umask)
    try:
        assert _run("index", str(corpus), "--index", str(index_dir))[0] == 0
        assert _run("search", "oil", "--index", str(index_dir))[0] == 0  # remembers its hits beside the index
        (corpus / "more.txt").write_text("Oil prices rose again on Monday.\n", encoding="utf-8")
        assert _run("index", str(corpus), "--index", str(index_dir))[0] == 0
    finally:
        os.umask(old)
    modes = {str(p.relative_to(tmp_path)): stat.S_IMODE(p.stat().st_mode)
             for p in [index_dir, *index_dir.rglob("*")]}
    assert len(modes) > 10
    loose = {name: f"{mode:04o}" for name, mode in modes.items()
             if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)}
    assert loose == {}


def test_the_schema_file_is_replaced_atomically(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash while the schema-version file is written leaves the old one (it was rewritten in place: a kill
    left it empty, and the index "built by another searchkit version")."""
    from searchkit import private
    from searchkit.engine import index

    schema_file = built / "searchkit.json"
    schema_file.write_text('{"schema_version": 1}', encoding="utf-8")

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt  # stands for a kill between writing the new file and putting it in place

    monkeypatch.setattr(private.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        index.create_index(built, "quotes")
    assert schema_file.read_text(encoding="utf-8") == '{"schema_version": 1}'
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".")) == []
