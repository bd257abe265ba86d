"""Saved searches: each newly matching article is reported once, across checks, restarts and rebuilds."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from searchkit.alerts import AlertStore, Matched, SavedSearch
from searchkit.errors import AlertExists, AlertNotFound, InvalidQuery


class Archive:
    """A stand-in for the index: the articles present now, and which saved query each matches."""

    def __init__(self) -> None:
        self.articles: dict[str, tuple[Matched, set[str]]] = {}

    def put(self, aid: str, *queries: str, day: int | None = 1) -> None:
        date = datetime(2024, 5, day) if day is not None else None
        self.articles[aid] = (Matched(aid, f"Title {aid}", date, f"/a/{aid}.txt"), set(queries))

    def matcher(self, search: SavedSearch) -> list[Matched]:
        return [m for m, qs in self.articles.values() if search.query in qs]


def reported(result: object) -> list[tuple[str, str]]:
    return [(a.name, a.article.id) for a in result.alerts]  # type: ignore[attr-defined]


def test_new_matches_are_reported_once_oldest_first(tmp_path: Path) -> None:
    archive = Archive()
    archive.put("old", "opec")
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"), known=[m.id for m in archive.matcher(SavedSearch("oil", "opec"))])
        assert reported(store.check(archive.matcher)) == []
        archive.put("b", "opec", day=9)
        archive.put("a", "opec", day=3)
        archive.put("u", "opec", day=None)
        archive.put("other", "quake")
        assert reported(store.check(archive.matcher)) == [("oil", "a"), ("oil", "b"), ("oil", "u")]
        assert reported(store.check(archive.matcher)) == []
        assert [s.reported for s in store.searches()] == [3]  # "old" was known, not reported


def test_nothing_is_reported_twice_after_a_restart_or_a_rebuild(tmp_path: Path) -> None:
    archive = Archive()
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"))
        archive.put("a", "opec")
        assert reported(store.check(archive.matcher)) == [("oil", "a")]
    archive.articles.clear()  # a rebuild: the index is emptied, then refilled with the same articles
    archive.put("a", "opec")
    archive.put("b", "opec")
    with AlertStore(tmp_path) as reopened:
        assert reported(reopened.check(archive.matcher)) == [("oil", "b")]
        assert [(s.name, s.reported) for s in reopened.searches()] == [("oil", 2)]


def test_without_known_ids_existing_matches_are_reported(tmp_path: Path) -> None:
    archive = Archive()
    archive.put("a", "opec")
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"))
        assert reported(store.check(archive.matcher)) == [("oil", "a")]


def test_searches_are_checked_separately_and_by_name(tmp_path: Path) -> None:
    archive = Archive()
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"))
        store.add(SavedSearch("quakes", "quake", speakers=("Ana Ruiz",), date_from="2024-01-01"))
        archive.put("a", "opec", "quake")
        assert reported(store.check(archive.matcher, names=["quakes"])) == [("quakes", "a")]
        assert reported(store.check(archive.matcher)) == [("oil", "a")]
        saved = {s.name: s for s in store.searches()}
        assert saved["quakes"].speakers == ("Ana Ruiz",)
        assert saved["quakes"].date_from == "2024-01-01"


def test_remove_forgets_the_search_and_its_reports(tmp_path: Path) -> None:
    archive = Archive()
    archive.put("a", "opec")
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"))
        store.check(archive.matcher)
        store.remove("oil")
        assert store.searches() == []
        store.add(SavedSearch("oil", "opec"))
        assert reported(store.check(archive.matcher)) == [("oil", "a")]


def test_bad_names_and_duplicates_are_errors(tmp_path: Path) -> None:
    with AlertStore(tmp_path) as store:
        store.add(SavedSearch("oil", "opec"))
        with pytest.raises(AlertExists):
            store.add(SavedSearch("oil", "brent"))
        with pytest.raises(AlertNotFound):
            store.remove("gas")
        with pytest.raises(AlertNotFound):
            store.check(lambda s: [], names=["gas"])
        with pytest.raises(InvalidQuery):
            store.add(SavedSearch(" ", "opec"))
        with pytest.raises(InvalidQuery):
            store.add(SavedSearch("empty", ""))


def test_damaged_saved_searches_are_one_line_and_never_replaced(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from searchkit.cli import cli
    from searchkit.errors import AlertsDamaged

    table = tmp_path / "alerts.sqlite"
    table.write_bytes(b"not a database " * 100)
    with pytest.raises(AlertsDamaged, match="move it aside"):
        AlertStore(tmp_path)
    result = CliRunner().invoke(cli, ["alerts", "list", "--index", str(tmp_path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stderr.startswith(f"Error: the table {table} is damaged (file is not a database)")
    assert table.read_bytes() == b"not a database " * 100  # the user's saved searches are left as they were
