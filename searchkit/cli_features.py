"""The news-analysis commands: `timeline`, `similar`, `watch` and `alerts`. Each parses its options, calls
one library function and renders through the shared output layer (`output.emit`, `views`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from searchkit.options import DateBound, index_option, query_filters
from searchkit.output import Output, emit, note, output_options

TABLES = ("human", "json", "jsonl", "csv", "tsv")


def examples(*lines: str) -> str:
    """A help epilog listing example command lines (kept as written: `\\b` stops click rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


def path_style(index_dir: Path) -> Any:
    from searchkit.history import PathStyle, load_roots

    return PathStyle(load_roots(index_dir))


# --- timeline ----------------------------------------------------------------------------------

TIMELINE_OPTIONS = [
    click.option("--by", "unit", type=click.Choice(["day", "week", "month", "year"]), default=None,
                 help="Period of each bar [default: the finest giving at most 100 bars]."),
    click.option("--top-speakers", type=click.IntRange(0, 20), default=0, metavar="N",
                 help="Show the N people most quoted in each period's matching articles."),
    click.option("--split", is_flag=True, help="Also count each --speaker apart (a column each)."),
]


def timeline_options(fn: Any) -> Any:
    """The options `timeline` and `search --timeline` share."""
    for option in reversed(TIMELINE_OPTIONS):
        fn = option(fn)
    return fn


def show_timeline(index_dir: Path, text: str, out: Output, *, date_from: datetime | None, date_to: datetime | None,
                  speakers: tuple[str, ...], match: str, unit: str | None, top_speakers: int, split: bool) -> None:
    """Count the matches of a query per period and print them (for `timeline` and `search --timeline`)."""
    from searchkit import render, views
    from searchkit.search import Searcher

    if split and len(speakers) < 2:
        raise click.UsageError("--split needs two or more --speaker names to count apart")
    with Searcher(index_dir) as searcher:
        line = searcher.timeline(text, match=match, date_from=date_from, date_to=date_to, speakers=speakers,
                                 unit=unit, top_speakers=top_speakers, split=split)
    emit(out, views.timeline_listing(line, render.search_label(text, date_from, date_to, speakers)))


@click.command("timeline", short_help="Count matching articles per day, week, month or year, as a bar chart.",
               epilog=examples("searchkit timeline opec",
                               "searchkit timeline opec --by year --top-speakers 3",
                               "searchkit timeline sanctions --speaker putin --speaker obama --split --csv",
                               "searchkit timeline --speaker bernanke --json     # every article quoting him"))
@query_filters
@index_option
@timeline_options
@output_options(formats=TABLES)
def timeline_cmd(words: tuple[str, ...], index_dir: Path, date_from: datetime | None, date_to: datetime | None,
                 speakers: tuple[str, ...], match: str, unit: str | None, top_speakers: int, split: bool,
                 out: Output) -> None:
    """How many articles match QUERY (and the filters) in each day, week, month or year, drawn as bars;
    undated matches are counted apart. QUERY is as for `search`; without one, the filters alone."""
    text = " ".join(words)
    if not text and not (date_from or date_to or speakers):
        raise click.UsageError("give a QUERY, or a filter (--speaker, --from, --to); '*' counts every article")
    show_timeline(index_dir, text, out, date_from=date_from, date_to=date_to, speakers=speakers, match=match,
                  unit=unit, top_speakers=top_speakers, split=split)


# --- similar -----------------------------------------------------------------------------------

@click.command("similar", short_help="Articles like one article: sharing its most distinctive words.",
               epilog=examples("searchkit similar @1                    # like the first hit of the last search",
                               "searchkit similar 20080302/us-oil-saudi-prices-idUSL0245799820080302 --limit 5",
                               "searchkit similar @2 --from 2008 --to 2009 --json"))
@click.argument("ref", metavar="ID|PATH|@N")
@index_option
@click.option("--limit", type=click.IntRange(1, 1_000), default=10, show_default=True, help="Most articles to show.")
@click.option("--from", "date_from", type=DateBound(end=False), metavar="DATE",
              help="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", type=DateBound(end=True), metavar="DATE", help="Latest date, inclusive.")
@click.option("--speaker", "speakers", multiple=True, metavar="NAME", help="Only articles quoting this person.")
@output_options
def similar_cmd(ref: str, index_dir: Path, limit: int, date_from: datetime | None, date_to: datetime | None,
                speakers: tuple[str, ...], out: Output) -> None:
    """Articles most like one article (by id, path or @N, as for `show`): an any-word search for its most
    distinctive words, leaving out the article and its wire copies."""
    from searchkit import lookup, views
    from searchkit.search import Searcher
    from searchkit.similar import similar

    with Searcher(index_dir) as searcher:
        doc = lookup.find(searcher, ref)
        found = similar(searcher.engine_reader, doc, index_dir, limit=limit, date_from=date_from, date_to=date_to,
                        speakers=speakers)
    emit(out, views.similar_listing(found, path_style(index_dir)))


# --- alerts ------------------------------------------------------------------------------------

@click.group("alerts", short_help="Saved searches: be told once about each new matching article.",
             epilog=examples('searchkit alerts add opec "opec quota" --from 2008',
                             "searchkit alerts check                  # new matches since the last check",
                             "searchkit alerts check --jsonl | notify-send-each",
                             "searchkit alerts list", "searchkit alerts remove opec"))
def alerts_group() -> None:
    """Saved searches kept beside the index. `alerts check` prints each article that newly matches a saved
    search once, never again (even after restarts or `index --rebuild`); `watch --alerts` checks after
    every update."""


@alerts_group.command("add", short_help="Save a search under a name.")
@click.argument("name")
@query_filters
@index_option
@click.option("--all", "report_existing", is_flag=True,
              help="Report the articles that match already too (by default only later arrivals are reported).")
def alerts_add(name: str, words: tuple[str, ...], index_dir: Path, date_from: datetime | None,
               date_to: datetime | None, speakers: tuple[str, ...], match: str, report_existing: bool) -> None:
    """Save QUERY (and its filters) as NAME. Articles matching now count as seen, unless --all."""
    from searchkit import alerts
    from searchkit.search import Searcher

    search = alerts.SavedSearch(name, " ".join(words), date_from.isoformat() if date_from else None,
                                date_to.isoformat() if date_to else None, speakers, match)
    known: list[str] = []
    if not report_existing:
        with Searcher(index_dir) as searcher:
            known = [m.id for m in alerts.index_matcher(searcher.engine_reader)(search)]
    with alerts.AlertStore(index_dir) as store:
        store.add(search, known)
    seen = f"; {len(known)} matching articles already count as seen" if known else ""
    click.echo(f"Saved alert {name}{seen}.")


@alerts_group.command("list", short_help="List the saved searches.")
@index_option
@output_options(formats=TABLES)
def alerts_list(index_dir: Path, out: Output) -> None:
    """The saved searches, with how many articles each has reported."""
    from searchkit import alerts, views

    with alerts.AlertStore(index_dir) as store:
        emit(out, views.saved_listing(store.searches()))


@alerts_group.command("remove", short_help="Forget a saved search.")
@click.argument("name")
@index_option
def alerts_remove(name: str, index_dir: Path) -> None:
    """Forget the saved search NAME and what it has reported."""
    from searchkit import alerts

    with alerts.AlertStore(index_dir) as store:
        store.remove(name)
    click.echo(f"Removed alert {name}.")


@alerts_group.command("check", short_help="Print the articles newly matching each saved search.")
@click.argument("names", nargs=-1)
@index_option
@output_options
def alerts_check(names: tuple[str, ...], index_dir: Path, out: Output) -> None:
    """Run the saved searches (all, or NAMES) and print each article that matches one for the first time;
    it is never printed again. `--jsonl` prints one line per article, for a notifier."""
    run_check(index_dir, out, names)


def run_check(index_dir: Path, out: Output, names: tuple[str, ...] = (), *, only_news: bool = False) -> None:
    """Check the saved searches and print what is new (with `only_news`, nothing when nothing is)."""
    from searchkit import alerts, views
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher, alerts.AlertStore(index_dir) as store:
        result = store.check(alerts.index_matcher(searcher.engine_reader), names)
    if only_news and not result.alerts:
        return
    listing = views.alerts_listing(result.alerts, result.searches, path_style(index_dir))
    listing.found = True  # nothing new is not a failure
    emit(out, listing)


# --- watch -------------------------------------------------------------------------------------

@click.command("watch", short_help="Keep the index current as files arrive, change or go.",
               epilog=examples("searchkit watch ~/news",
                               "searchkit watch --alerts --jsonl         # alerts as JSON lines, for a notifier"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--alerts", "check_alerts", is_flag=True, help="Run `alerts check` after every update.")
@click.option("--quiet-time", type=click.FloatRange(0.05, 600), default=1.0, show_default=True, metavar="SECONDS",
              help="Wait for this long without a change before updating.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
@output_options(formats=("human", "jsonl"))
def watch_cmd(paths: tuple[Path, ...], index_dir: Path, check_alerts: bool, quiet_time: float, workers: int | None,
              out: Output) -> None:
    """Index PATHS (default: what was indexed before), then watch them and re-index after every burst of
    changes, until Ctrl-C. An update interrupted by Ctrl-C is not committed: the index stays as it was after
    the last completed update."""
    from searchkit import history, render
    from searchkit.watch import watch

    targets = list(paths) or [Path(p) for p in history.load_roots(index_dir) if Path(p).exists()]
    if not targets:
        raise click.UsageError("nothing to watch: give the folders of your articles, e.g. `searchkit watch ~/news`")
    if paths:
        history.remember_roots(index_dir, list(paths))

    def updated(summary: Any, events: int) -> None:
        if summary.added or summary.updated or summary.removed or summary.failed:
            note(render.summary_line(summary, str(index_dir)))
        if check_alerts:
            run_check(index_dir, out, only_news=True)
            sys.stdout.flush()

    def failed(exc: Exception) -> None:
        note(f"Update failed: {exc}; retrying after the next change.")

    note(f"Watching {', '.join(map(str, targets))} (Ctrl-C to stop).")
    watch(targets, index_dir, on_update=updated, on_error=failed, quiet=quiet_time, workers=workers)


COMMANDS = (timeline_cmd, similar_cmd, watch_cmd, alerts_group)
