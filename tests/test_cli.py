"""The command line through click's CliRunner: exit codes, JSON shapes, messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli
from searchkit.engine.writing import IndexWriter

from .conftest import ARTICLES, SEEDS


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_index_json_summary(corpus: Path, tmp_path: Path) -> None:
    code, out, err = run("index", str(corpus), "--index", str(tmp_path / "ix"), "--json")
    assert code == 0, err
    summary = json.loads(out)
    assert summary["added"] == 1 and summary["documents"] == len(ARTICLES)
    assert summary["failed"] == [] and set(summary) >= {"added", "updated", "removed", "unchanged", "failed"}


def test_index_human_summary_lists_failures(corpus: Path, tmp_path: Path) -> None:
    (corpus / "bad.json").write_text("[1, 2", encoding="utf-8")
    code, out, err = run("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert code == 0
    assert "1 added" in out and "1 failed" in out
    assert re.search(r"failed .*bad\.json: .+", err) and "bad.json" not in out  # per-file notes on stderr


def test_index_env_var_sets_location(corpus: Path, tmp_path: Path) -> None:
    code, _, _ = run("index", str(corpus), env={"SEARCHKIT_INDEX": str(tmp_path / "envix")})
    assert code == 0 and (tmp_path / "envix").is_dir()


def test_search_json_shape(built: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--index", str(built), "--json")
    assert code == 0
    obj = json.loads(out)
    assert set(obj) >= {"query", "total", "page", "hits"}
    assert obj["query"] == "ceasefire" and obj["total"] == 2 and obj["page"] == 1
    hit = obj["hits"][0]
    assert set(hit) >= {"id", "path", "title", "date", "speakers", "score", "snippet"}
    assert hit["id"] == "a4" and hit["date"] == "2024-02-29T08:30:00" and hit["speakers"] == ["Ana Ruiz"]
    assert hit["speaker_roles"] == [None]
    for start, end in hit["highlights"]:
        assert hit["snippet"][start:end].lower().startswith(("cease", "ceasefire"))


def test_search_json_with_no_hits_is_valid(built: Path) -> None:
    code, out, _ = run("search", "zzzqqq", "--index", str(built), "--json")
    assert code == 1  # nothing found: exit 1, as grep and rg
    obj = json.loads(out)
    assert obj["total"] == 0 and obj["hits"] == []


def test_search_filters_and_sort_from_the_command_line(built: Path) -> None:
    code, out, _ = run("search", "ceasefire OR talks OR quota", "--index", str(built), "--from", "2023-02",
                       "--to", "2023-03", "--speaker", "ruiz", "--speaker", "berg", "--sort", "oldest", "--json")
    assert code == 0
    assert [h["id"] for h in json.loads(out)["hits"]] == ["a2", "a3"]


def test_search_human_output_shows_rank_title_and_highlight(built: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--index", str(built))
    assert code == 0
    assert "2 results for ceasefire" in out
    assert "1. Ceasefire monitors arrive" in out and "2024-02-29" in out and "Ana Ruiz" in out


def test_zero_hits_suggests_a_spelling(built: Path) -> None:
    code, out, _ = run("search", "monitros", "--index", str(built))
    assert code == 1
    assert "No results for monitros" in out and "Did you mean: monitors?" in out


def test_queries_file_prints_one_json_line_per_query(built: Path, tmp_path: Path) -> None:
    qfile = tmp_path / "q.tsv"
    qfile.write_text("q1\tceasefire\nquota\n\nq3\tnothingmatches\n", encoding="utf-8")
    code, out, _ = run("search", "--queries", str(qfile), "--match", "any", "--limit", "100", "--json",
                       "--index", str(built))
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [x["query_id"] for x in lines] == ["q1", "2", "q3"]
    assert [h["id"] for h in lines[1]["hits"]] == ["a2"]
    assert lines[2]["hits"] == [] and lines[2]["total"] == 0


def test_missing_index_is_a_one_line_error(tmp_path: Path) -> None:
    code, out, err = run("search", "x", "--index", str(tmp_path / "none"))
    assert code == 1 and out == ""
    assert err.strip() == (f"Error: no index at {tmp_path / 'none'}; index a folder of articles first "
                           "(`searchkit index FOLDER`), or name an index with --index DIR")


@pytest.mark.parametrize("args", [["search"], ["search", "x", "--from", "2023-13"], ["search", "x", "--limit", "0"],
                                  ["search", "x", "--sort", "sideways"], ["nosuchcommand"]])
def test_usage_errors_exit_2(built: Path, args: list[str]) -> None:
    code, _, err = run(*args, "--index", str(built)) if args[0] == "search" else run(*args)
    assert code == 2 and "Traceback" not in err


def test_lock_message(built: Path, corpus: Path) -> None:
    (corpus / "new.txt").write_text("New harbour report\n\nThe harbour reopened.\n", encoding="utf-8")  # work to do
    holder = IndexWriter(built)
    try:
        code, _, err = run("index", str(corpus), "--index", str(built))
    finally:
        holder.cancel()
    assert code == 1
    assert "index is locked by another process" in err and len(err.strip().splitlines()) == 1


def test_show_and_show_json(built: Path) -> None:
    code, out, _ = run("show", "a3", "--index", str(built), "--query", "calm")
    assert code == 0 and "Cease-fire holds in the north" in out and "welcomed the calm" in out
    code, out, _ = run("show", "a3", "--index", str(built), "--json")
    doc = json.loads(out)
    assert doc["id"] == "a3" and doc["speakers"] == ["Elena Marsh", "Ana Ruiz"] and "Erdoğan" in doc["body"]
    code, _, err = run("show", "nope", "--index", str(built))
    assert code == 1 and "no article 'nope' in the index (ids look like 'a1'" in err


def test_export_is_json_lines_of_every_document(built: Path) -> None:
    code, out, _ = run("export", "--index", str(built))
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert sorted(r["id"] for r in rows) == [a["id"] for a in ARTICLES]
    assert all(set(r) >= {"id", "path", "title", "date", "speakers", "summary", "body"} for r in rows)


def test_stats_and_speakers(built: Path) -> None:
    code, out, _ = run("stats", "--index", str(built), "--json")
    assert code == 0
    st = json.loads(out)
    assert st["documents"] == 5 and st["earliest"].startswith("2023-01-15") and st["latest"].startswith("2024-02-29")
    code, out, _ = run("speakers", "--index", str(built), "--json")
    assert code == 0
    rows = json.loads(out)
    assert {r["name"]: r["articles"] for r in rows} == {"Elena Marsh": 2, "Ana Ruiz": 2, "Tomas Berg": 1}


def test_seeds_demo(tmp_path: Path) -> None:
    """The README's demo: index the bundled seeds and find the Zakharova article by speaker."""
    ix = str(tmp_path / "ix")
    code, out, _ = run("index", str(SEEDS), "--index", ix, "--json")
    assert code == 0 and json.loads(out)["failed"] == []
    code, out, _ = run("search", "peacekeepers", "--speaker", "zakharova", "--index", ix, "--json")
    hits = json.loads(out)["hits"]
    assert [h["speakers"] for h in hits] == [["Maria Zakharova"]]
    assert "spokeswoman" in hits[0]["speaker_roles"][0]


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (SEEDS.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.commands:
        code, out, _ = run(name, "--help")
        assert code == 0 and "Usage:" in out
        assert f"searchkit {name}" in readme, name


def test_index_from_another_version_gives_a_rebuild_hint_and_rebuild_recovers(corpus: Path, tmp_path: Path) -> None:
    """Whoosh pickles the schema with module paths, so an index from another version may not load: the user
    gets one line saying so, and --rebuild starts clean without having to open it."""
    ix = tmp_path / "ix"
    assert run("index", str(corpus), "--index", str(ix))[0] == 0
    (ix / "searchkit.json").write_text('{"schema_version": 1}', encoding="utf-8")
    for args in (["search", "ceasefire"], ["index", str(corpus)]):
        code, out, err = run(*args, "--index", str(ix))
        assert code == 1 and out == ""
        assert "built by another searchkit version" in err and "--rebuild" in err and "Traceback" not in err
    code, out, _ = run("index", str(corpus), "--index", str(ix), "--rebuild", "--json")
    assert code == 0 and json.loads(out)["documents"] == len(ARTICLES)
    assert run("search", "ceasefire", "--index", str(ix))[0] == 0
