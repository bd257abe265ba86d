"""The news-analysis commands through the command line: timeline, collapse of wire copies, similar, recency,
alerts and watch."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


BAR = "█"


def test_timeline_draws_bars_and_counts_undated_apart(built: Path) -> None:
    code, out, _ = run("timeline", "*", "--by", "year", "--index", str(built))
    assert code == 0
    assert out == ("Timeline of every article: 5 articles (1 undated, not shown), 2023 – 2024 by year\n"
                   f"2023 3 {BAR * 50}\n2024 1 {BAR * 17}\n")


def test_timeline_top_speakers_and_machine_formats(built: Path) -> None:
    code, out, _ = run("timeline", "talks", "OR", "ceasefire", "--by", "month", "--top-speakers", "1",
                       "--index", str(built), "--json")
    assert code == 0
    doc = json.loads(out)
    assert (doc["total"], doc["undated"], doc["unit"]) == (4, 0, "month")
    months = [(p["period"], p["articles"]) for p in doc["periods"]]
    assert months[:3] == [("2023-01", 1), ("2023-02", 1), ("2023-03", 1)]
    assert doc["periods"][0]["speakers"] == [{"name": "Elena Marsh", "articles": 1}]
    assert len(doc["periods"]) == 14  # empty months are kept
    code, out, _ = run("timeline", "talks", "OR", "ceasefire", "--by", "year", "--index", str(built), "--csv")
    assert out == "period,start,articles,top_speakers\n2023,2023-01-01,3,\n2024,2024-01-01,1,\n"


def test_search_timeline_is_the_timeline_and_nothing_found_exits_1(built: Path) -> None:
    assert run("search", "oil", "--timeline", "--index", str(built)) == run("timeline", "oil", "--index", str(built))
    code, out, _ = run("timeline", "zebra", "--index", str(built))
    assert (code, out) == (1, "No articles for zebra.\n")
    code, _, err = run("timeline", "oil", "--speaker", "ruiz", "--split", "--index", str(built))
    assert code == 2 and "--split needs two or more --speaker" in err


def wire(folder: Path, name: str, day: int, text: str, title: str = "Opec story") -> None:
    (folder / name).write_text(f"{title}\n\nPublished: 2024-03-{day:02d}\n\n{text}\n", encoding="utf-8")


def words(seed: int, n: int = 80) -> str:
    rng = random.Random(seed)
    return " ".join(rng.choice(["opec", "quota", "oil", "vienna", "output", "barrel", "cut", "saudi", "price",
                                "ministers", "said", "the", "on", "in", "a", "cartel", "supply"]) for _ in range(n))


@pytest.fixture
def wires(tmp_path: Path) -> Path:
    folder = tmp_path / "wires"
    folder.mkdir()
    base = words(1)
    wire(folder, "first.txt", 3, base)
    wire(folder, "resent.txt", 4, base + " Corrects a typo.")
    wire(folder, "update.txt", 5, "OPEC ministers agreed on Friday. " + base)
    wire(folder, "other.txt", 6, words(2))
    wire(folder, "third.txt", 2, words(3))
    for n in range(8):  # unrelated stories: the opec words are distinctive
        wire(folder, f"snow{n}.txt", 7, f"Snow closed the mountain pass {n} times this winter.", title="Snow")
    ix = tmp_path / "ix"
    assert run("index", str(folder), "--index", str(ix))[0] == 0
    return ix


def test_search_shows_one_hit_per_story_earliest_copy_first(wires: Path) -> None:
    _code, out, _ = run("search", "opec", "--index", str(wires), "--json")
    doc = json.loads(out)
    assert (doc["total"], doc["stories"]) == (5, 3)
    first = next(h for h in doc["hits"] if h["id"] == "first.txt")
    assert first["copies"] == ["resent.txt", "update.txt"]
    assert {h["id"] for h in doc["hits"]} == {"first.txt", "other.txt", "third.txt"}
    assert [h["rank"] for h in doc["hits"]] == [1, 2, 3]
    _code, out, _ = run("search", "opec", "--index", str(wires))
    assert out.startswith("5 results, 3 stories for opec — showing 1–3")
    assert "+2 copies" in out
    _code, out, _ = run("search", "opec", "--index", str(wires), "--all-copies", "--json")
    assert len(json.loads(out)["hits"]) == 5
    _code, out, _ = run("search", "opec", "--index", str(wires), "--limit", "1", "--page", "2", "--json")
    assert [h["rank"] for h in json.loads(out)["hits"]] == [2]


def test_similar_leaves_out_the_article_and_its_copies(wires: Path) -> None:
    code, out, _ = run("similar", "first.txt", "--index", str(wires), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["copies_left_out"] == 2
    assert [h["id"] for h in doc["hits"]][:2] in (["other.txt", "third.txt"], ["third.txt", "other.txt"])
    assert not {"first.txt", "resent.txt", "update.txt"} & {h["id"] for h in doc["hits"]}
    assert doc["terms"]
    code, _, err = run("similar", "nope.txt", "--index", str(wires))
    assert code == 1 and err.startswith("Error: no article 'nope.txt'")


def test_recent_favours_newer_matches_and_relevance_stays_pure(tmp_path: Path) -> None:
    folder = tmp_path / "dated"
    folder.mkdir()
    (folder / "old.txt").write_text("Old\n\nPublished: 2010-01-01\n\nstrike strike strike at the port\n")
    (folder / "new.txt").write_text("New\n\nPublished: 2013-06-01\n\nstrike strike at the port today\n")
    ix = str(tmp_path / "ix")
    run("index", str(folder), "--index", ix)

    def ids(*extra: str) -> list[str]:
        return [h["id"] for h in json.loads(run("search", "strike", "--index", ix, "--json", *extra)[1])["hits"]]

    assert ids() == ["old.txt", "new.txt"]
    assert ids("--recent") == ["new.txt", "old.txt"]
    assert ids("--boost-recent", "10y") == ["old.txt", "new.txt"]  # a slow decay keeps the stronger match first
    code, _, err = run("search", "strike", "--index", ix, "--boost-recent", "soon")
    assert code == 1 and "cannot read half-life 'soon'" in err


def test_alerts_session_across_an_update_and_a_rebuild(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    wire(folder, "a.txt", 1, "Opec ministers met in Vienna.")
    ix = str(tmp_path / "ix")
    run("index", str(folder), "--index", ix)
    code, out, _ = run("alerts", "add", "oil", "opec", "--index", ix)
    assert (code, out) == (0, "Saved alert oil; 1 matching articles already count as seen.\n")
    assert run("alerts", "check", "--index", ix)[1] == "Nothing new for 1 saved search.\n"
    wire(folder, "b.txt", 2, "Opec agreed a cut.", title="Opec cuts")
    wire(folder, "c.txt", 2, "Snow closed the pass.", title="Snow")
    run("index", str(folder), "--index", ix)
    code, out, _ = run("alerts", "check", "--index", ix, "--jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["alert"], r["id"], r["title"]) for r in rows] == [("oil", "b.txt", "Opec cuts")]
    run("index", str(folder), "--index", ix, "--rebuild")
    assert run("alerts", "check", "--index", ix, "--jsonl")[1] == ""
    code, out, _ = run("alerts", "list", "--index", ix, "--json")
    assert [(s["name"], s["query"], s["reported"]) for s in json.loads(out)] == [("oil", "opec", 1)]
    assert run("alerts", "add", "oil", "brent", "--index", ix)[0] == 1
    assert run("alerts", "remove", "oil", "--index", ix) == (0, "Removed alert oil.\n", "")
    code, _, err = run("alerts", "remove", "oil", "--index", ix)
    assert code == 1 and "no alert named 'oil'" in err


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
def test_watch_reports_alerts_and_ctrl_c_leaves_a_consistent_index(tmp_path: Path) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    wire(folder, "a.txt", 1, "Opec ministers met in Vienna.")
    ix = tmp_path / "ix"
    run("index", str(folder), "--index", str(ix))
    run("alerts", "add", "oil", "opec", "--index", str(ix))
    exe = [sys.executable, "-m", "searchkit"]
    proc = subprocess.Popen([*exe, "watch", str(folder), "--index", str(ix), "--alerts", "--jsonl",
                             "--quiet-time", "0.2", "--workers", "1"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=str(Path(__file__).resolve().parents[1]))
    try:
        assert proc.stderr is not None and proc.stdout is not None
        assert "Watching" in proc.stderr.readline()
        time.sleep(0.5)
        wire(folder, "b.txt", 2, "Opec agreed a cut.", title="Opec cuts")
        line = proc.stdout.readline()  # blocks until the alert arrives (the test's timeout bounds it)
        assert json.loads(line)["id"] == "b.txt"
        for n in range(200):  # a burst, interrupted while it is being indexed
            wire(folder, f"burst{n:03d}.txt", 3, f"Burst {n} about snow.")
        time.sleep(0.4)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
    code, out, _ = run("index", str(folder), "--index", str(ix), "--json")  # the index opens and catches up
    assert code == 0 and json.loads(out)["documents"] == 202
    assert os.path.exists(ix / "alerts.sqlite")
