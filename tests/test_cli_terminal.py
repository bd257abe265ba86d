"""Issue #16's ten complaints, each replayed through CliRunner with the output it must now give."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import pytest

from searchkit.cli import cli

from .conftest import SEEDS, run


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder of one-article text files, indexed by its relative name from tmp_path (the working folder)."""
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "977.txt").write_text("Japan chip pact\n\nJapan and the US agreed on semiconductors, Yeutter said.\n",
                                    encoding="utf-8")
    (folder / "978.txt").write_text("Rate worries\n\nVolcker said inflation was a concern for the markets.\n",
                                    encoding="utf-8")
    assert run("index", "articles", "--index", "ix")[0] == 0
    return folder


# --- 1. from a hit to the article ----------------------------------------------------------------

def test_1_search_prints_the_id_and_show_takes_id_path_or_rank(built: Path, corpus: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--index", str(built))
    assert code == 0
    assert out == (
        "2 results for ceasefire — showing 1–2\n\n"
        "  1. Ceasefire monitors arrive\n"
        f"     2024-02-29 · Ana Ruiz · score 1.67 · {corpus}/articles.jsonl · id a4\n"
        "     Monitors arrived to watch the ceasefire. Russia's envoy returned the path map.\n\n"
        "  2. Cease-fire holds in the north\n"
        f"     2023-03-01 · Elena Marsh, Ana Ruiz · score 1.46 · {corpus}/articles.jsonl · id a3\n"
        "     The cease-fire held overnight in Erdoğan Square, officials said. Ruiz welcomed the calm.\n\n"
    )
    for ref in ("a3", "@2"):
        code, out, _ = run("show", ref, "--index", str(built))
        head = "Cease-fire holds in the north\n2023-03-01 00:00 (from the record) · id a3 · "
        assert code == 0 and out.startswith(head), ref
    code, _, err = run("show", "@3", "--index", str(built))
    assert code == 1 and err == "Error: the last search ('ceasefire') showed @1–@2, not @3\n"
    code, _, err = run("show", str(corpus / "articles.jsonl"), "--index", str(built))
    assert code == 1 and err == (f"Error: {corpus / 'articles.jsonl'} holds 5 articles; show one by its id "
                                 "(a1, a2, a3, …)\n")


def test_1_show_by_printed_relative_or_absolute_path_and_a_helpful_miss(files: Path) -> None:
    for ref in ("articles/977.txt", str(files / "977.txt"), "./articles/../articles/977.txt"):
        code, out, _ = run("show", ref, "--index", "ix")
        assert code == 0 and out.splitlines()[0] == "Japan chip pact", ref
    code, _, err = run("show", "977", "--index", "ix")
    assert code == 1
    assert err == ("Error: no article '977' in the index (ids look like '977.txt', as printed by `searchkit search`; "
                   "a path as indexed, or @N for the N-th hit of the last search, also work)\n")


def test_1_show_at_n_without_a_search_says_what_to_do(built: Path) -> None:
    code, _, err = run("show", "@1", "--index", str(built))
    assert code == 1
    assert err == ("Error: no search remembered for this index yet: run `searchkit search` first, then "
                   "`searchkit show @1`\n")


# --- 2. wrapped to the terminal, pager ---------------------------------------------------------

def test_2_terminal_output_wraps_at_words_with_a_hanging_indent(corpus: Path, tty: None,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(corpus.parent)
    run("index", "corpus", "--index", "ix")
    code, out, _ = run("search", "ceasefire", "--index", "ix", "--color", "never", "--limit", "1",
                       env={"COLUMNS": "40"})
    assert code == 0
    assert out == (
        "2 results for ceasefire — showing 1–1\n\n"
        "  1. Ceasefire monitors arrive\n"
        "     2024-02-29 · Ana Ruiz · score 1.67\n"
        "     · corpus/articles.jsonl · id a4\n"
        "     Monitors arrived to watch the\n"
        "     ceasefire. Russia's envoy returned\n"
        "     the path map.\n\n"
    )


def test_2_show_pages_long_articles_on_a_terminal(built: Path, tty: None, tmp_path: Path) -> None:
    paged, script = tmp_path / "paged.txt", tmp_path / "pager.py"
    script.write_text(f"import sys\nopen({str(paged)!r}, 'w').write(sys.stdin.read())\n", encoding="utf-8")
    pager = f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"
    code, out, _ = run("show", "a1", "--index", str(built), "--color", "never",
                       env={"PAGER": pager, "LINES": "4", "COLUMNS": "60"})
    assert code == 0 and out == ""
    text = paged.read_text(encoding="utf-8")
    assert text.startswith("Peace talks collapsed in Valdor\n") and text.endswith("said.\n")
    assert all(len(line) <= 60 and line == line.rstrip() for line in text.splitlines())
    code, out, _ = run("show", "a1", "--index", str(built), "--no-pager", env={"PAGER": pager, "LINES": "4"})
    assert code == 0 and out.startswith("\x1b[") and "Peace talks collapsed in Valdor" in out


# --- 3. unquoted words are one query -------------------------------------------------------------

def test_3_unquoted_words_are_joined(built: Path) -> None:
    code, out, _ = run("search", "ceasefire", "monitors", "--index", str(built))
    assert code == 0 and out.startswith("1 result for ceasefire monitors — showing 1–1\n")


# --- 4. the filter at fault, exit 1 ------------------------------------------------------------

def test_4_a_misspelt_speaker_is_named_with_a_suggestion(built: Path) -> None:
    code, out, _ = run("search", "ceasefire", "--speaker", "ruis", "--index", str(built))
    assert code == 1
    assert out == "No results for ceasefire.\nNo article quotes 'ruis'; did you mean 'Ana Ruiz'?\n"


def test_4_a_reversed_date_range_is_a_warning_and_an_empty_period_is_named(built: Path) -> None:
    code, out, err = run("search", "ceasefire", "--from", "2024-03", "--to", "2023-01", "--index", str(built))
    assert code == 1 and out == "No results for ceasefire.\n"
    assert err == "Warning: --from 2024-03-01 is after --to 2023-01-31: the date range is reversed.\n"
    code, out, _ = run("search", "ceasefire", "--from", "2025", "--index", str(built))
    assert code == 1 and out == ("No results for ceasefire.\nNo article is dated from 2025-01-01 on "
                                 "(the index spans 2023-01-15 to 2024-02-29).\n")
    code, out, _ = run("search", "ceasefire", "--speaker", "berg", "--index", str(built))
    assert code == 1 and out == ("No results for ceasefire.\n"
                                 "2 articles match 'ceasefire' without the filters, none with them.\n")


def test_4_machine_formats_keep_stdout_clean_and_put_the_reason_on_stderr(built: Path) -> None:
    code, out, err = run("search", "ceasefire", "--speaker", "ruis", "--index", str(built), "--json")
    assert code == 1 and json.loads(out)["hits"] == []
    assert err == "no article quotes 'ruis'; did you mean 'Ana Ruiz'?\n"


def test_4_the_readme_demo_still_exits_0(tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    assert run("index", str(SEEDS), "--index", ix)[0] == 0
    assert run("search", "peace talks", "--index", ix)[0] == 0


# --- 5. first run outside the project folder ---------------------------------------------------

def test_5_first_run_messages_say_what_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run("search", "japan")
    assert code == 1 and out == ""
    assert err == ("Error: no index at index; index a folder of articles first (`searchkit index FOLDER`), "
                   "or name an index with --index DIR\n")
    code, out, err = run("index")
    assert code == 2 and out == ""
    assert err.endswith("Error: nothing to index: give the folders or files holding your articles, "
                        "e.g. `searchkit index ~/news`\n")


def test_5_index_without_paths_updates_what_was_indexed_before(files: Path) -> None:
    (files / "979.txt").write_text("Late news\n\nA third article.\n", encoding="utf-8")
    code, out, _ = run("index", "--index", "ix")
    assert code == 0 and out.startswith("Indexed into ix: 1 added, 0 updated, 0 removed, 2 unchanged")


# --- 6. listing without a query ----------------------------------------------------------------

def test_6_filters_alone_list_articles_newest_first(built: Path, corpus: Path) -> None:
    code, out, _ = run("search", "--speaker", "marsh", "--index", str(built))
    assert code == 0
    assert out.splitlines()[:4] == ["2 results for speaker marsh — showing 1–2", "",
                                    "  1. Cease-fire holds in the north",
                                    f"     2023-03-01 · Elena Marsh, Ana Ruiz · {corpus}/articles.jsonl · id a3"]
    code, out, _ = run("search", "*", "--from", "2024", "--index", str(built), "--jsonl")
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a4"]
    code, out, _ = run("search", "*", "--index", str(built), "--jsonl")  # every article, dated ones newest first
    ids = [json.loads(line)["id"] for line in out.splitlines()]
    assert code == 0 and sorted(ids) == ["a1", "a2", "a3", "a4", "a5"]
    assert [i for i in ids if i != "a5"] == ["a4", "a3", "a2", "a1"]  # a5 is undated (its place: engine's sort)
    code, _, err = run("search", "--index", str(built))
    assert code == 2 and "give a QUERY, or a filter (--speaker, --from, --to) to list articles" in err


# --- 7. help -----------------------------------------------------------------------------------

def test_7_every_command_has_examples_and_h_works() -> None:
    for args in ([], *([name] for name in cli.commands)):
        code, out, _ = run(*args, "-h")
        assert code == 0 and "Usage: searchkit" in out and "\n  Examples:\n    " in out, args


def test_7_group_help_does_not_cut_descriptions_off() -> None:
    code, out, _ = run("--help", env={"COLUMNS": "80"})
    commands = out.split("Commands:\n")[1].split("\n\n")[0]
    assert code == 0 and "..." not in commands
    assert "  show        Show one article: by id, by path, or @N from the last search.\n" in commands


def test_7_query_help_names_date_and_options_are_described() -> None:
    _, out, _ = run("search", "--help")
    assert "date:" in out and "Which page of hits to show." in out and "Order of hits" in out
    _, out, _ = run("quotes", "--help")
    assert "Most statements to show." in out


def test_7_index_is_accepted_before_the_command(built: Path) -> None:
    code, out, _ = run("--index", str(built), "search", "ceasefire", "--json")
    assert code == 0 and json.loads(out)["total"] == 2


# --- 8. piped output ---------------------------------------------------------------------------

def test_8_piped_tables_are_tsv_without_boxes_or_padding(built: Path) -> None:
    code, out, _ = run("speakers", "--index", str(built))
    assert code == 0
    assert out == "name\tarticles\troles\nAna Ruiz\t2\t\nElena Marsh\t2\t\nTomas Berg\t1\t\n"
    code, out, _ = run("stats", "--index", str(built))
    assert code == 0 and out.startswith(f"field\tvalue\nindex\t{built}\ndocuments\t5\n"
                                        "date span\t2023-01-15 – 2024-02-29\nundated\t1 article\n")
    assert not any(line != line.rstrip(" ") for line in out.splitlines())


def test_8_index_warnings_go_to_stderr(corpus: Path, tmp_path: Path) -> None:
    (corpus / "extra.jsonl").write_text('{"id": "n1", "title": "One", "body": "Text."}\n{broken\n', encoding="utf-8")
    code, out, err = run("index", str(corpus), "--index", str(tmp_path / "ix"))
    assert code == 0 and "  warning " not in out
    assert f"  warning {corpus}/extra.jsonl: line 2: invalid JSON" in err


# --- 9. small things ---------------------------------------------------------------------------

def test_9_counts_are_pluralised(built: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    (one / "a.txt").write_text("A title\n\nOnly article.\n", encoding="utf-8")
    code, out, _ = run("index", str(one), "--index", str(tmp_path / "ix1"))
    assert code == 0 and "— 1 document (" in out
    _, out, _ = run("search", "monitors", "--index", str(built))
    assert out.startswith("1 result for monitors")


def test_9_quotes_json_uses_the_same_id_key_as_search(tmp_path: Path) -> None:
    ix = str(tmp_path / "ix")
    run("index", str(SEEDS), "--index", ix)
    code, out, _ = run("quotes", "peacekeepers", "--speaker", "zakharova", "--index", ix, "--json")
    hit = json.loads(out)["hits"][0]
    assert code == 0 and hit["id"] == "000_ad256211f7d105d4.txt" and "article_id" not in hit
    _, out, _ = run("search", "peacekeepers", "--speaker", "zakharova", "--index", ix, "--json")
    assert json.loads(out)["hits"][0]["id"] == hit["id"]
    code, out, _ = run("quotes", "peacekeepers", "--speaker", "zakharova", "--index", ix, "--limit", "1")
    assert out.startswith("2 statements match peacekeepers — showing 1\n")


def test_9_paths_print_as_indexed(files: Path) -> None:
    _, out, _ = run("search", "japan", "--index", "ix")
    assert "· articles/977.txt ·" in out  # indexed as a relative name: relative
    assert run("index", str(files), "--index", "abs")[0] == 0
    _, out, _ = run("search", "japan", "--index", "abs")
    assert f"· {files}/977.txt ·" in out  # indexed by absolute path: stays absolute
    _, out, _ = run("search", "japan", "--index", "abs", "-l")
    assert out == f"{files}/977.txt\n"


# --- 10. progress: a moving-window ETA and named phases ---------------------------------------

def test_10_the_eta_follows_the_recent_rate_not_the_average() -> None:
    from searchkit.progress import RateWindow, clock_text

    now = [0.0]
    window = RateWindow(window=10.0, clock=lambda: now[0])
    for second in range(0, 21):  # slow start: 1 file/s for 20 s
        now[0] = float(second)
        window.add(second)
    for second in range(21, 41):  # then 10 files/s
        now[0] = float(second)
        window.add(20 + 10 * (second - 20))
    remaining = window.remaining(total=1220)  # 220 done; 1000 left at 10/s (the average would say ~180 s)
    assert remaining is not None and 99 <= remaining <= 101
    assert clock_text(remaining) == "1:40" and clock_text(None) == "estimating…"


def test_10_no_estimate_before_two_seconds_of_progress() -> None:
    from searchkit.progress import RateWindow

    now = [0.0]
    window = RateWindow(clock=lambda: now[0])
    window.add(0)
    now[0] = 1.0
    window.add(50)
    assert window.remaining(100) is None


@pytest.mark.parametrize("parallel", [False, True])
def test_10_the_indexer_names_its_phases_after_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       parallel: bool) -> None:
    from searchkit import indexer
    from searchkit.engine import workers

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(6):
        (folder / f"{n}.txt").write_text(f"Title {n}\n\nBody {n}, Marsh said.\n", encoding="utf-8")
    if parallel:
        monkeypatch.setattr(workers, "SEGMENT_THRESHOLD", 2)  # each worker writes its own segments
    events: list[object] = []
    indexer.index_paths([folder], tmp_path / "ix", workers=2 if parallel else 1,
                        progress=lambda done, total: events.append((done, total)), phase=events.append)
    names = [e for e in events if isinstance(e, str)]
    assert names == (["finishing segments"] if parallel else []) + ["committing", "recording files", "grouping copies"]
    assert events.index("committing") > events.index((6, 6))


def test_10_the_progress_bar_shows_the_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit.progress import IndexProgress

    with IndexProgress(enabled=True) as progress:
        progress(3, 10)
        progress.phase("committing")
        reading, committing = progress.bar.tasks
        assert (reading.description, reading.fields["count"], reading.finished_time) == ("reading", "3/10", None)
        assert committing.description == "committing…" and committing.started
