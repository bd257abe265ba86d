"""One person, one name across the archive: the pure alias -> canonical map (speakers.canonical)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.speakers.canonical import Mention, _fold, _folded, canonical_map


def _m(name: str, year: int | None = 1987, times: int = 1) -> list[Mention]:
    return [Mention(name, None, date(year, 3, 1) if year else None)] * times


def test_a_surname_joins_the_one_full_name_quoted_near_it() -> None:
    mentions = _m("Ronald Reagan", 1987, 11) + _m("Reagan", 1987, 100) + _m("Besides Reagan", 1987)
    assert canonical_map(mentions)["Reagan"] == "Ronald Reagan"


def test_an_ambiguous_surname_stays_as_it_is() -> None:
    mentions = _m("George Bush", 1990) + _m("George W. Bush", 1990) + _m("Bush", 1990)
    assert "Bush" not in canonical_map(mentions)


def test_a_full_name_far_away_in_time_does_not_take_a_surname() -> None:
    mentions = _m("George Bush", 1987) + _m("George W. Bush", 2006) + _m("Bush", 2006, 3)
    assert canonical_map(mentions)["Bush"] == "George W. Bush"
    assert "Bush" not in canonical_map(_m("George Bush", 1987) + _m("Bush", 2006))


def test_a_leading_word_that_starts_no_other_name_is_dropped() -> None:
    mentions = _m("Exchequer Nigel Lawson", 1987, 42) + _m("Nigel Lawson", 1987, 2) + _m("Staff Howard Baker") \
        + _m("Howard Baker") + _m("Nigel Mansell")
    got = canonical_map(mentions)
    assert got["Exchequer Nigel Lawson"] == "Nigel Lawson"
    assert got["Staff Howard Baker"] == "Howard Baker"


def test_a_first_name_is_not_a_leading_word() -> None:
    mentions = _m("John Paul Jones") + _m("Paul Jones") + _m("John Smith")
    assert canonical_map(mentions) == {}


def test_a_surname_of_two_words_is_not_a_full_name_to_join() -> None:
    mentions = _m("Frans van Houten") + _m("Van Houten") + _m("Garvin Van Dort") + _m("Paulo Nogueira Batista") \
        + _m("Nogueira Batista")
    assert canonical_map(mentions) == {}


def test_a_first_name_alone_joins_no_one() -> None:
    assert canonical_map(_m("Juliette John") + _m("John Smith") + _m("John Major") + _m("John")) == {}


def test_case_accent_and_suffix_variants_are_one_name() -> None:
    mentions = _m("Zoë Lindqvist", times=3) + _m("Zoe Lindqvist") + _m("JOEL BENENSON") + _m("Joel Benenson", times=2) \
        + _m("Martin Luther King Jr.", times=2) + _m("Martin Luther King")
    assert canonical_map(mentions) == {"Zoe Lindqvist": "Zoë Lindqvist", "JOEL BENENSON": "Joel Benenson",
                                       "Martin Luther King": "Martin Luther King Jr."}


def test_undated_mentions_are_near_every_date() -> None:
    assert canonical_map(_m("Ana Ruiz", None) + _m("Ruiz", 2001))["Ruiz"] == "Ana Ruiz"


def test_the_previous_choice_stands_while_its_name_is_mentioned() -> None:
    first = canonical_map(_m("Zoe Lindqvist", times=2) + _m("Zoë Lindqvist"))
    assert first == {"Zoë Lindqvist": "Zoe Lindqvist"}
    later = _m("Zoe Lindqvist", times=2) + _m("Zoë Lindqvist", times=9)  # the other form is now more common
    assert canonical_map(later, first) == first
    assert canonical_map(later) == {"Zoe Lindqvist": "Zoë Lindqvist"}  # without the previous map it would flip
    # a surname that became ambiguous keeps the full name it had joined
    previous = canonical_map(_m("Ann Lee") + _m("Lee"))
    assert canonical_map(_m("Ann Lee") + _m("Bob Lee") + _m("Lee"), previous) == {"Lee": "Ann Lee"}


_NAMES = st.sampled_from(["Ann Lee", "Bob Lee", "Lee", "ANN LEE", "Ann Leé", "Dr Ann Lee", "Ronald Reagan",
                          "Reagan", "Exchequer Ronald Reagan", "Ronald Reagan Jr.", "Ronald"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_NAMES, st.one_of(st.none(), st.integers(1980, 2013))), max_size=30))
def test_the_map_points_at_mentioned_names_and_never_chains(raw: list[tuple[str, int | None]]) -> None:
    mentions = [Mention(n, None, date(y, 1, 1) if y else None) for n, y in raw]
    got = canonical_map(mentions)
    names = {m.name for m in mentions}
    assert set(got) <= names and set(got.values()) <= names
    assert not set(got) & set(got.values())  # a canonical name is never itself an alias
    assert canonical_map(mentions, got) == got  # a re-run with nothing new changes nothing


# ------------------------------------------------------------------ beside the index


def _index(tmp_path, records):  # type: ignore[no-untyped-def]
    import json

    from searchkit.indexer import index_paths

    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / "recs.jsonl").write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
    index_paths([src], tmp_path / "ix", workers=1)
    return tmp_path / "ix"


_RECORDS = [
    {"id": "1", "title": "a", "body": "budget", "date": "1987-03-01", "speakers": ["Exchequer Nigel Lawson"]},
    {"id": "2", "title": "b", "body": "budget", "date": "1987-03-02", "speakers": ["Exchequer Nigel Lawson"]},
    {"id": "3", "title": "c", "body": "budget", "date": "1987-03-03", "speakers": ["Nigel Lawson"]},
    {"id": "4", "title": "d", "body": "budget", "date": "1987-03-04", "speakers": ["Reagan"]},
    {"id": "5", "title": "e", "body": "budget", "date": "1987-03-05", "speakers": ["Ronald Reagan", "Ann Lee"]},
    {"id": "6", "title": "f", "body": "budget", "date": "1987-03-06", "speakers": ["Bob Lee", "Lee"]},
]


def test_speakers_shows_canonical_names_and_filters_match_every_form(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchkit.search import Searcher, search_quotes

    ix = _index(tmp_path, _RECORDS)
    with Searcher(ix) as s:
        counts = {c.name: c.articles for c in s.speaker_counts()}
        lawson = s.search("budget", speakers=["Nigel Lawson"], limit=10)
        reagan = s.search("budget", speakers=["ronald reagan"], limit=10)
    assert counts == {"Nigel Lawson": 3, "Ronald Reagan": 2, "Ann Lee": 1, "Bob Lee": 1, "Lee": 1}
    assert sorted(h.id for h in lawson.hits) == ["1", "2", "3"]
    assert all(h.speakers == ("Nigel Lawson",) for h in lawson.hits)  # hits show the canonical name
    assert sorted(h.id for h in reagan.hits) == ["4", "5"]
    assert search_quotes(ix, "budget")[0] == 0  # records without quotes: nothing to show, no error


def test_canonical_names_hold_across_incremental_runs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchkit.search import Searcher

    _index(tmp_path, _RECORDS)
    more = [*_RECORDS, *({"id": f"x{i}", "title": "x", "body": "budget", "date": "1987-04-01",
                          "speakers": ["Exchequer Nigel Lawson"]} for i in range(5))]
    ix = _index(tmp_path, more)
    with Searcher(ix) as s:
        counts = {c.name: c.articles for c in s.speaker_counts()}
    assert counts["Nigel Lawson"] == 8 and "Exchequer Nigel Lawson" not in counts


def test_a_name_the_archive_writes_as_a_company_is_not_listed_as_a_speaker(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchkit.indexer import index_paths
    from searchkit.search import Searcher

    src = tmp_path / "src"
    src.mkdir()
    texts = ["Harlow Finch ( HFN.N ) rose. Analyst Ann Lee said the bank was cheap.",
             "Harlow Finch ( HFN.N ) fell. Analyst Bob Marr said the bank was dear.",
             "Rates will rise, Harlow Finch said on Monday. Ann Lee said they would not."]
    for i, text in enumerate(texts):
        (src / f"{i}.txt").write_text(f"Bank news {i}\n2024-03-0{i + 1}\n\n{text}\n", encoding="utf-8")
    index_paths([src], tmp_path / "ix", workers=1)
    with Searcher(tmp_path / "ix") as s:
        assert {c.name: c.articles for c in s.speaker_counts()} == {"Ann Lee": 2, "Bob Marr": 1}
        line = s.timeline("rates OR bank", unit="year", top_speakers=3)
    assert [p.speakers for p in line.periods] == [(("Ann Lee", 2), ("Bob Marr", 1))]  # a timeline's too


def test_timelines_count_people_under_their_canonical_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from searchkit.search import Searcher

    ix = _index(tmp_path, _RECORDS)
    with Searcher(ix) as s:
        line = s.timeline("budget", unit="month", top_speakers=2)
        lawson = s.timeline("budget", unit="month", speakers=("Nigel Lawson",))
    assert [(p.name, p.count, p.speakers) for p in line.periods] == [
        ("1987-03", 6, (("Nigel Lawson", 3), ("Ronald Reagan", 2)))]
    assert lawson.total == 3


_STORE_NAMES = ["Ronald Reagan", "Reagan", "RONALD REAGAN", "George Bush", "George W. Bush", "Bush", "Ana Ruiz",
                "Ruiz", "Exchequer Nigel Lawson", "Nigel Lawson", "Lawson", "Zoë Lindqvist", "Zoe Lindqvist", "Lee",
                "Ann Lee", "Bob Lee", "John", "Besides Reagan", "Martin Luther King Jr."]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_STORE_NAMES), st.sampled_from([None, "", "1987-03-01", "1988-01-02",
                                                                          "1999-12-31"])), max_size=30),
       st.lists(st.sampled_from(_STORE_NAMES), max_size=4))
def test_the_store_maps_from_its_tallies_as_from_every_mention(tmp_path_factory, rows, kept) -> None:  # type: ignore[no-untyped-def]
    """The store counts each form in SQLite and reads days only where a surname needs them
    (`canonical_of_counts`): the same map, aliases in the same order, as from every mention."""
    from searchkit.speakers.store import NameStore

    folder = tmp_path_factory.mktemp("names")
    previous = {name: "Ronald Reagan" for name in kept}  # some earlier choices, stale ones included
    mentions = [Mention(name, None, date.fromisoformat(day) if day else None) for name, day in rows]
    store = NameStore(folder)
    try:
        with store.db:
            store.db.executemany("INSERT INTO aliases VALUES (?, ?)", previous.items())
        store.stage("a.txt", [(f"id{i}", day, [(name, None)], ()) for i, (name, day) in enumerate(rows)])
        store.merge()
        got = list(store.db.execute("SELECT alias, canonical FROM aliases"))
    finally:
        store.close()
    assert got == list(canonical_map(mentions, previous).items())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aZ.,'’ \t-Jr", max_size=14) | st.sampled_from(_STORE_NAMES))
def test_an_ascii_name_is_folded_at_once_as_word_by_word(name: str) -> None:
    """`_folded` lowers an ASCII name whole (no accents to strip): the words `_fold` gives one at a time."""
    assert _folded(name) == [w for w in (_fold(part) for part in name.split()) if w]


def test_a_store_merging_here_writes_its_rows_a_small_batch_at_a_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run whose names merge runs in its own process (a first build, a rebuild) cannot hand its rows to
    another one: told so (`merge_here`), the store writes them every `WRITE_BATCH` files instead of holding
    `STAGE_BATCH` (a large build's indexer process held ~20 MB of them beside the workers' peak); an update
    still holds its own for the spare worker."""
    from searchkit.speakers import store as store_module

    monkeypatch.setattr(store_module, "STAGE_BATCH", 4)
    monkeypatch.setattr(store_module, "WRITE_BATCH", 2)
    for here, held in ((False, True), (True, False)):
        store = store_module.NameStore(tmp_path / str(here))
        try:
            if here:
                store.merge_here()
            for source in ("a.txt", "b.txt"):
                store.stage(source, [(f"{source}#1", "1987-03-01", [("Ronald Reagan", None)], ())])
            assert (store.staged() is not None) is held
            store.merge()
            assert store.count() == 2
        finally:
            store.close()


def test_an_update_hands_its_names_to_the_spare_worker_and_a_first_build_writes_them_as_it_goes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The indexer tells the store where the merge runs: a first build's rows are written as staged; an update
    of more files than `WRITE_BATCH` still holds them for the spare worker (`staged()`)."""
    from searchkit.indexer import index_paths
    from searchkit.speakers import store as store_module

    monkeypatch.setattr(store_module, "WRITE_BATCH", 2)
    held: list[bool] = []
    real = store_module.NameStore.staged

    def noting(self: store_module.NameStore) -> object:
        staged = real(self)
        held.append(staged is not None)
        return staged

    monkeypatch.setattr(store_module.NameStore, "staged", noting)
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(4):
        (docs / f"n{i}.txt").write_text(f"Note {i}\n\n\"We will act,\" said Ronald Reagan on day {i}.\n")
    index_paths([docs], tmp_path / "ix", workers=1)
    for i in range(3):
        (docs / f"n{i}.txt").write_text(f"Note {i}\n\n\"We will wait,\" said Ronald Reagan on day {i}.\n")
    index_paths([docs], tmp_path / "ix", workers=1)
    assert held == [False, True]


def test_a_store_that_discarded_what_it_wrote_hands_its_next_rows_to_another_process(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`staged()` is None once rows went to the temporary tables (the merge must then run here); after
    `discard_staged` the tables are empty again, so rows staged next are in memory and can be merged beside."""
    from searchkit.speakers import store as store_module

    monkeypatch.setattr(store_module, "STAGE_BATCH", 2)
    store = store_module.NameStore(tmp_path)
    try:
        for source in ("a.txt", "b.txt"):
            store.stage(source, [(f"{source}#1", "1987-03-01", [("Ronald Reagan", None)], ())])
        assert store.staged() is None  # the batch went to the temporary tables
        store.discard_staged()
        store.stage("c.txt", [("c.txt#1", "1987-03-01", [("Nancy Reagan", None)], ())])
        assert store.staged() == [("c.txt", [("c.txt#1", "1987-03-01", [("Nancy Reagan", None)], ())])]
    finally:
        store.close()
