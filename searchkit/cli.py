"""The `searchkit` command line: parse options, call one library function, render.

Errors from the library become one-line messages here, in `SearchkitGroup.invoke` (exit 1); usage
errors exit 2. `SEARCHKIT_DEBUG=1` shows the traceback instead. Heavy modules are imported inside the
commands so `--help` and one-shot searches start fast.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import click

INDEX_OPTION = click.option("--index", "index_dir", type=click.Path(path_type=Path, file_okay=False),
                            default=Path("index"), envvar="SEARCHKIT_INDEX", show_default=True,
                            help="Index folder (or set SEARCHKIT_INDEX).")
JSON_OPTION = click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")


class DateBound(click.ParamType):
    """YYYY, YYYY-MM or YYYY-MM-DD, as the first (`--from`) or last (`--to`) moment of that period."""

    name = "date"

    def __init__(self, end: bool) -> None:
        self.end = end

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        from searchkit.dates import parse_bound
        from searchkit.errors import InvalidDate

        try:
            return parse_bound(str(value), end=self.end)
        except InvalidDate as exc:
            self.fail(str(exc), param, ctx)


class SearchkitGroup(click.Group):
    """The one place where library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        from searchkit.errors import SearchkitError

        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=SyntaxWarning)
        try:
            return super().invoke(ctx)
        except SearchkitError as exc:
            if os.environ.get("SEARCHKIT_DEBUG"):
                raise
            hint = f"; {exc.hint}" if exc.hint else ""
            click.echo(f"Error: {exc}{hint}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)


@click.group(cls=SearchkitGroup)
@click.version_option(package_name="searchkit", prog_name="searchkit")
def cli() -> None:
    """Full-text search for folders of news articles: index them, then search by words, phrases,
    dates and speakers."""


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Start from an empty index.")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
@JSON_OPTION
def index_cmd(paths: tuple[Path, ...], index_dir: Path, rebuild: bool, workers: int | None, as_json: bool) -> None:
    """Index article files and folders (default: seeds/). Re-running adds new files, re-indexes changed
    ones and removes deleted ones."""
    from searchkit import render
    from searchkit.indexer import index_paths

    err = render.stderr()
    with render.ProgressBar(err, enabled=err.is_terminal and not as_json) as progress:
        summary = index_paths(list(paths) or [Path("seeds")], index_dir, rebuild=rebuild, workers=workers,
                              progress=progress)
    if as_json:
        render.print_json(sys.stdout, render.summary_json(summary))
    else:
        render.summary(render.stdout(), summary, str(index_dir))
    if summary.failed and not (summary.added or summary.updated or summary.unchanged or summary.removed):
        sys.exit(1)


@cli.command("search")
@click.argument("query", required=False)
@INDEX_OPTION
@click.option("--from", "date_from", type=DateBound(end=False), help="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", type=DateBound(end=True), help="Latest date (inclusive, whole period).")
@click.option("--speaker", "speakers", multiple=True, help="Only articles quoting this person (repeatable: any).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@click.option("--match", type=click.Choice(["all", "any"]), default="all", show_default=True,
              help="all: every word must match; any: rank by any word.")
@click.option("--queries", "queries_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Run each line (`id<TAB>query` or `query`) and print one JSON line per query.")
@JSON_OPTION
def search_cmd(query: str | None, index_dir: Path, date_from: datetime | None, date_to: datetime | None,
               speakers: tuple[str, ...], sort: str, limit: int, page: int, match: str, queries_file: Path | None,
               as_json: bool) -> None:
    """Search the index. QUERY: words, "exact phrases", AND/OR/NOT, -word, (groups), title:/body:/speaker:
    fields, word* prefixes, word~ fuzzy."""
    from searchkit import render
    from searchkit.search import Searcher, read_queries

    if (query is None) == (queries_file is None):
        raise click.UsageError("give a QUERY or --queries FILE (one of them)")
    options: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "speakers": speakers, "sort": sort,
                               "limit": limit, "page": page, "match": match}
    with Searcher(index_dir) as searcher:
        if queries_file is not None:
            for result in searcher.search_many(read_queries(queries_file), **options):
                render.print_json(sys.stdout, render.result_json(result))
            return
        assert query is not None
        result = searcher.search(query, **options)
    if as_json:
        render.print_json(sys.stdout, render.result_json(result))
    else:
        render.show_results(result, limit)


@cli.command("quotes")
@click.argument("query")
@INDEX_OPTION
@click.option("--speaker", "speakers", multiple=True, help="Only statements by this person (repeatable: any).")
@click.option("--from", "date_from", type=DateBound(end=False), help="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--to", "date_to", type=DateBound(end=True), help="Latest date (inclusive, whole period).")
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--match", type=click.Choice(["all", "any"]), default="all", show_default=True)
@JSON_OPTION
def quotes_cmd(query: str, index_dir: Path, speakers: tuple[str, ...], date_from: datetime | None,
               date_to: datetime | None, limit: int, match: str, as_json: bool) -> None:
    """Search what people said: attributed quotes and statements, with speaker, date and article."""
    from searchkit import render
    from searchkit.search import search_quotes

    total, hits = search_quotes(index_dir, query, speakers=speakers, date_from=date_from, date_to=date_to,
                                limit=limit, match=match)  # type: ignore[arg-type]
    if as_json:
        render.print_json(sys.stdout, {"query": query, "total": total,
                                       "hits": [render.quote_json(h) for h in hits]})
    else:
        render.quotes(render.stdout(), query, total, hits)


@cli.command("show")
@click.argument("doc_id")
@INDEX_OPTION
@click.option("--query", "query", help="Highlight this query's matches.")
@JSON_OPTION
def show_cmd(doc_id: str, index_dir: Path, query: str | None, as_json: bool) -> None:
    """Show one whole article by its id."""
    from searchkit import render
    from searchkit.search import Searcher, highlight_document

    with Searcher(index_dir) as searcher:
        doc = searcher.get(doc_id)
    if as_json:
        render.print_json(sys.stdout, render.doc_json(doc))
    elif query:
        render.document(render.stdout(), doc, *highlight_document(doc, query))
    else:
        render.document(render.stdout(), doc)


@cli.command("export")
@INDEX_OPTION
def export_cmd(index_dir: Path) -> None:
    """Every document as JSON Lines (id, path, title, date, speakers, summary, body)."""
    from searchkit import render
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher:
        for doc in searcher.documents():
            render.print_json(sys.stdout, render.doc_json(doc))


@cli.command("stats")
@INDEX_OPTION
@JSON_OPTION
def stats_cmd(index_dir: Path, as_json: bool) -> None:
    """Document count, date span, index size, last update and top speakers."""
    from searchkit import render
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher:
        st = searcher.stats()
    if as_json:
        render.print_json(sys.stdout, render.stats_json(st))
    else:
        render.stats(render.stdout(), st)


@cli.command("speakers")
@INDEX_OPTION
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
@JSON_OPTION
def speakers_cmd(index_dir: Path, limit: int, as_json: bool) -> None:
    """Speakers with the number of articles quoting them."""
    from searchkit import render
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher:
        rows = searcher.speaker_counts(limit)
    if as_json:
        render.print_json(sys.stdout, [render.speaker_json(r) for r in rows])
    else:
        render.speakers(render.stdout(), rows)


def main() -> None:
    """Console-script entry point.

    A command is one short-lived process, so the cyclic collector runs rarely (the first generation
    every 50,000 allocations, not 700) and its objects are frozen before exit, sparing the final
    collections: together ~25 ms of a ~180 ms one-shot search. Reference counting still frees
    everything acyclic. The thresholds are the indexer's `BULK_GC_THRESHOLDS`, written out rather than
    imported (importing the indexer would cost a search its start-up); the library sets them itself while
    indexing, for callers other than this command line.
    """
    gc.set_threshold(50_000, 20, 100)
    try:
        cli(prog_name="searchkit")
    finally:
        gc.freeze()
