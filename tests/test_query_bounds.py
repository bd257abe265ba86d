"""Queries are bounded: nesting, NOT runs, words, prefix and fuzzy expansion; no query string raises (#13)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searchkit import querylang
from searchkit.cli import cli
from searchkit.engine import expansion
from searchkit.errors import InvalidQuery
from searchkit.search import Searcher, read_queries

from .conftest import ARTICLES


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample collection's index, built once for the module (hypothesis reruns a test many times)."""
    from searchkit.indexer import index_paths

    folder = tmp_path_factory.mktemp("corpus")
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    index_dir = folder.parent / "bounded-index"
    index_paths([folder], index_dir, workers=1)
    return index_dir


def test_deep_parentheses_are_flattened_with_a_note() -> None:
    parsed = querylang.parse("(" * 200 + "oil" + ")" * 200)
    assert parsed.tree == querylang.parse("oil").tree
    assert parsed.notes == ["parentheses nested deeper than 20 levels ignored"]
    kept = querylang.parse("(" * 20 + "oil" + ")" * 20)
    assert kept.notes == [] and kept.tree == querylang.parse("oil").tree


def test_a_run_of_nots_cancels_in_pairs() -> None:
    assert querylang.parse("NOT " * 400 + "oil").tree == querylang.parse("oil").tree
    assert querylang.parse("NOT " * 401 + "oil").tree == querylang.Not(querylang.Word("oil"))


def test_words_past_the_limit_are_dropped_with_a_note() -> None:
    parsed = querylang.parse(" ".join(f"w{i}" for i in range(querylang.MAX_WORDS + 5)))
    assert isinstance(parsed.tree, querylang.Group) and len(parsed.tree.items) == querylang.MAX_WORDS
    assert parsed.notes == [f"only the first {querylang.MAX_WORDS:,} words of the query searched"]


def test_prefix_and_fuzzy_words_past_the_limit_are_dropped_with_a_note() -> None:
    parsed = querylang.parse("oil~2 " * 200 + "prices")
    assert isinstance(parsed.tree, querylang.Group)
    assert [w.fuzzy for w in parsed.tree.items] == [2] * querylang.MAX_EXPANDING + [0]
    assert parsed.notes == [f"only the first {querylang.MAX_EXPANDING} prefix and fuzzy words searched"]


def test_pathological_queries_answer_quickly_with_notes(index: Path) -> None:
    """Each of these raised RecursionError (3,000 lines) or took 20 s on 3,000 articles."""
    with Searcher(index) as s:
        for query, note in [("(" * 200 + "oil" + ")" * 200, "parentheses nested deeper than 20 levels ignored"),
                            ("NOT " * 400 + "oil", None),
                            ("oil~2 " * 200, "only the first 8 prefix and fuzzy words searched")]:
            started = time.perf_counter()
            result = s.search(query)
            assert time.perf_counter() - started < 5, query[:20]  # a guard against blow-up, not a benchmark
            assert result.total == s.search("oil~2" if "~" in query else "oil").total
            assert list(result.notes) == ([note] if note else [])


def test_an_expansion_past_its_share_keeps_the_shortest_words(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expansion, "MAX_TERMS", 2)
    monkeypatch.setattr(expansion, "MIN_SHARE", 1)
    with Searcher(index) as s:
        result = s.search("p*")
        full = s.search("path OR peace")  # the two shortest words of this corpus starting with p
    assert result.notes and result.notes[0].startswith("p* stands for ") and result.notes[0].endswith(
        " words; the 2 shortest were searched")
    assert {h.id for h in result.hits} == {h.id for h in full.hits}


def test_a_repeated_expansion_is_expanded_once(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = expansion._Expander.expand

    def counting(self: expansion._Expander, q: object) -> object:
        calls.append(repr(q))
        return original(self, q)

    monkeypatch.setattr(expansion._Expander, "expand", counting)
    with Searcher(index) as s:
        s.search("quotta~ quotta~ quotta~")
    assert len(set(calls)) == 2 and len(calls) == 6  # title and body, three times each, expanded twice


def test_the_not_matcher_never_reads_past_its_end() -> None:
    """Whoosh's `AndNotMatcher.skip_to` past the last positive posting read its id: an IndexError that
    `NOT market* AND "crude oil"~3 z~2` reached on 3,000 Reuters articles."""
    from whoosh.matching import ListMatcher
    from whoosh.matching.binary import AndNotMatcher

    import searchkit.engine.query  # noqa: F401  (patches the matcher)

    matcher = AndNotMatcher(ListMatcher([1, 2, 3]), ListMatcher([2, 9]))
    matcher.skip_to(5)
    assert not matcher.is_active()


QUERY_ATOMS = st.sampled_from(["oil", "prices", "path", "peace", "talks", '"peace talks"', '"oil prices"~2',
                               "(", ")", "AND", "OR", "NOT", "-", "+", "*", "~", '"', ":", "&&", "||", "title:",
                               "body:", "speaker:", "date:", "id:", "date:2023", "date:2023-02", "speaker:marsh",
                               "mon*", "quotta~", "p~2", "a*", "-oil", "\u2028", "\x0c", "\t", "ǅ", "İ", "é"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(QUERY_ATOMS, st.text(max_size=12)), max_size=40).map(" ".join),
       st.sampled_from(["all", "any"]), st.sampled_from(["relevance", "newest"]))
def test_no_query_string_raises(index: Path, query: str, match: str, sort: str) -> None:
    with Searcher(index) as s:
        result = s.search(query, match=match, sort=sort)  # type: ignore[arg-type]
    assert result.total >= len(result.hits)


def test_query_file_lines_end_at_newlines_only(tmp_path: Path) -> None:
    path = tmp_path / "queries.txt"
    path.write_bytes("q1\toil\x0cprices\r\nq2\tpeace\u2028talks\n\noil\rtalks\n".encode())
    assert read_queries(path) == [("q1", "oil\x0cprices"), ("q2", "peace\u2028talks"), ("4", "oil\rtalks")]
    path.write_bytes(b"oil \xff\n")
    with pytest.raises(InvalidQuery, match="is not UTF-8"):
        read_queries(path)


def test_one_pathological_query_does_not_abort_a_batch(index: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("deep\t" + "(" * 200 + "oil" + ")" * 200 + "\nplain\toil\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["search", "--queries", str(queries), "--index", str(index)],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    deep, plain = (json.loads(line) for line in result.stdout.splitlines())
    assert deep["notes"] == ["parentheses nested deeper than 20 levels ignored"] and "notes" not in plain
    assert deep["total"] == plain["total"] > 0


def test_a_query_starting_with_a_dash_after_double_dash(index: Path) -> None:
    result = CliRunner().invoke(cli, ["search", "--index", str(index), "--json", "--", "-oil", "path"])
    assert result.exit_code == 0 and json.loads(result.stdout)["total"] == 2
    assert "searchkit search -- -oil" in CliRunner().invoke(cli, ["search", "--help"]).stdout


@pytest.mark.parametrize("text", ["title:(" * 1000, "title:" * 5000 + "oil", "-title:(" * 1000 + "oil"])
def test_long_runs_of_scopes_parse_without_recursion(text: str) -> None:
    """Each `field:` token recursed into the parser once: 1,000 of them raised RecursionError."""
    from searchkit import querylang

    querylang.parse(text)  # no RecursionError
