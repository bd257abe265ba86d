"""The shared output options (formats, colour, pager-free piping), the config file and shell completion,
through CliRunner."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.shell_completion import ShellComplete

from searchkit.cli import cli

from .conftest import ARTICLES, run

# --- formats -----------------------------------------------------------------------------------

def test_every_listing_command_takes_the_same_format_options() -> None:
    listing = {"search", "quotes", "speakers", "stats"}
    for name in listing:
        names = {opt for p in cli.commands[name].params for opt in p.opts}
        assert {"--human", "--json", "--jsonl", "--csv", "--tsv", "--color"} <= names, name
    assert {"-l", "--files"} <= {opt for p in cli.commands["search"].params for opt in p.opts}


def test_search_csv_and_tsv(built: Path, corpus: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--index", str(built), "--csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["rank", "id", "path", "title", "date", "speakers", "score", "snippet"]
    assert rows[2][:6] == ["2", "a3", f"{corpus}/articles.jsonl", "Cease-fire holds in the north",
                           "2023-03-01T00:00:00", "Elena Marsh; Ana Ruiz"]
    code, out, _ = run("search", "ceasefire", "--index", str(built), "--tsv")
    assert out.splitlines()[1].split("\t")[:4] == ["1", "a4", f"{corpus}/articles.jsonl", "Ceasefire monitors arrive"]


def test_jsonl_is_one_hit_per_line_and_json_is_valid_when_empty(built: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--index", str(built), "--jsonl")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a4", "a3"]
    code, out, _ = run("speakers", "--index", str(built), "--json", "--limit", "1")
    assert code == 0 and json.loads(out) == [{"name": "Ana Ruiz", "articles": 2, "roles": []}]
    code, out, _ = run("search", "zzzz", "--index", str(built), "--jsonl")
    assert code == 1 and out == ""


def test_files_lists_each_path_once(built: Path, corpus: Path) -> None:
    code, out, _ = run("search", "ceasefire OR quota", "--index", str(built), "-l")
    assert code == 0 and out == f"{corpus}/articles.jsonl\n"


def test_stats_formats(built: Path) -> None:
    code, out, _ = run("stats", "--index", str(built), "--jsonl")
    assert code == 0 and [json.loads(line)["field"] for line in out.splitlines()][:2] == ["index", "documents"]
    code, out, _ = run("stats", "--index", str(built), "--json")
    assert json.loads(out)["documents"] == 5


# --- colour ------------------------------------------------------------------------------------

def test_colour_only_on_a_terminal_unless_forced(built: Path, tty: None) -> None:
    assert "\x1b[" in run("search", "ceasefire", "--index", str(built))[1]
    assert "\x1b[" not in run("search", "ceasefire", "--index", str(built), env={"NO_COLOR": "1"})[1]
    assert "\x1b[" not in run("search", "ceasefire", "--index", str(built), "--color", "never")[1]
    assert "\x1b[" in run("search", "ceasefire", "--index", str(built), "--color", "always",
                          env={"NO_COLOR": "1"})[1]


def test_piped_output_has_no_colour_and_always_forces_it(built: Path) -> None:
    assert "\x1b[" not in run("search", "ceasefire", "--index", str(built))[1]
    assert "\x1b[" in run("search", "ceasefire", "--index", str(built), "--color", "always")[1]


def test_terminal_tables_are_drawn_by_rich(built: Path, tty: None) -> None:
    _, out, _ = run("speakers", "--index", str(built), "--color", "never")
    assert out.splitlines()[1].split() == ["┃", "name", "┃", "articles", "┃", "roles", "┃"]


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    """`searchkit speakers | head -1`: no traceback when the reader leaves early."""
    from searchkit.indexer import index_paths

    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.jsonl").write_text("\n".join(json.dumps({**a, "id": f"{a['id']}-{n}", "speakers": [f"Person {n}"]})
                                              for n in range(3000) for a in ARTICLES[:1]) + "\n", encoding="utf-8")
    index_paths([corpus], tmp_path / "ix", workers=1)
    exe = Path(sys.executable).with_name("searchkit")
    shell = f"{exe} speakers --limit 3000 --index {tmp_path / 'ix'} | head -1"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, text=True, check=False)
    assert done.stdout == "name\tarticles\troles\n" and "Traceback" not in done.stderr


# --- config file -------------------------------------------------------------------------------

def _config(tmp_path: Path, text: str) -> dict[str, str]:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return {"SEARCHKIT_CONFIG": str(path)}


def test_config_sets_index_and_format(built: Path, corpus: Path, tmp_path: Path) -> None:
    env = _config(tmp_path, f'index = "{built}"\nformat = "jsonl"\n')
    code, out, _ = run("search", "ceasefire", env=env)
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a4", "a3"]
    code, out, _ = run("search", "ceasefire", "--human", env=env)
    assert out.startswith("2 results for ceasefire")
    code, out, _ = run("index", str(corpus), "--json", env=env)  # jsonl, which index lacks, is not forced on it
    assert code == 0 and json.loads(out)["unchanged"] == 1


def test_command_line_and_environment_beat_the_config(built: Path, tmp_path: Path) -> None:
    env = _config(tmp_path, 'index = "nowhere"\n')
    assert run("search", "ceasefire", "--index", str(built), env=env)[0] == 0
    assert run("--index", str(built), "search", "ceasefire", env=env)[0] == 0
    assert run("search", "ceasefire", env={**env, "SEARCHKIT_INDEX": str(built)})[0] == 0
    code, _, err = run("search", "ceasefire", env=env)
    assert code == 1 and f"no index at {tmp_path / 'nowhere'}" in err


def test_config_workers_reach_index(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake(paths: list[Path], index_dir: Path, **kwargs: object) -> object:
        seen.update(kwargs)
        raise SystemExit(0)

    monkeypatch.setattr("searchkit.indexer.index_paths", fake)
    run("index", str(corpus), env=_config(tmp_path, "workers = 3\n"))
    assert seen["workers"] == 3


@pytest.mark.parametrize(("text", "message"), [
    ("indx = 'x'\n", "unknown setting 'indx' in"),
    ("workers = 'two'\n", "workers in"),
    ("format = 'yaml'\n", "format in"),
    ("index = [\n", "is not valid TOML"),
])
def test_bad_config_is_one_line(tmp_path: Path, text: str, message: str) -> None:
    code, out, err = run("stats", env=_config(tmp_path, text))
    assert code == 1 and out == "" and err.startswith("Error: ") and message in err and len(err.splitlines()) == 1


def test_a_named_config_must_exist(tmp_path: Path) -> None:
    code, _, err = run("stats", env={"SEARCHKIT_CONFIG": str(tmp_path / "none.toml")})
    assert code == 1 and err == f"Error: SEARCHKIT_CONFIG names {tmp_path / 'none.toml'}, which does not exist\n"


def test_the_default_config_file_is_read_from_xdg_config_home(built: Path, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "xdg" / "searchkit"
    folder.mkdir(parents=True)
    (folder / "config.toml").write_text('format = "json"\ncolor = "never"\n', encoding="utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    _, out, _ = run("speakers", "--index", str(built))
    assert json.loads(out)[0]["name"] == "Ana Ruiz"


# --- shell completion --------------------------------------------------------------------------

@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_clicks_script(shell: str) -> None:
    code, out, _ = run("completion", shell)
    assert code == 0 and "_SEARCHKIT_COMPLETE" in out and f"{shell}_complete" in out


def _complete(args: list[str], incomplete: str) -> list[str]:
    return [c.value for c in ShellComplete(cli, {}, "searchkit", "_SEARCHKIT_COMPLETE").get_completions(args,
                                                                                                        incomplete)]


def test_speaker_names_complete_from_the_index(built: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _complete(["search", "--index", str(built), "--speaker"], "ru") == ["Ana Ruiz"]  # by surname
    assert _complete(["--index", str(built), "quotes", "--speaker"], "el") == ["Elena Marsh"]
    monkeypatch.setenv("SEARCHKIT_INDEX", str(built))
    assert _complete(["export", "--speaker"], "") == ["Ana Ruiz", "Elena Marsh", "Tomas Berg"]
    monkeypatch.setenv("_SEARCHKIT_COMPLETE", "bash_complete")
    assert _complete(["search", "--speaker"], "tom") == ["Tomas\\\\ Berg"]


def test_speaker_completion_without_an_index_offers_nothing(tmp_path: Path) -> None:
    assert _complete(["search", "--index", str(tmp_path / "none"), "--speaker"], "a") == []
