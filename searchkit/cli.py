"""The `searchkit` command line: parse options, call the library, hand the records to the output layer.

Errors from the library become one-line messages here, in `SearchkitGroup.invoke` (exit 1); usage
errors exit 2; a search that finds nothing exits 1 (as grep and rg do). `SEARCHKIT_DEBUG=1` shows the
traceback instead. Heavy modules are imported inside the commands so `--help` and one-shot searches
start fast. Output options come from one decorator (`output.output_options`); defaults from the config
file (`searchkit.config`) reach every command through click's `default_map`.

A new command: a `short_help` that fits one line of `searchkit --help`, an `epilog=examples(...)` (tests
require examples on every command), `@index_option`, `@query_filters` if it takes a query, and, if it
lists things, `@output_options` with `emit(out, Listing(...))` (see `output.Listing`).
"""

from __future__ import annotations

import functools
import gc
import os
import sys
import warnings
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from searchkit import cli_features
from searchkit.options import default_map, file_rules, file_selection, index_option, query_filters
from searchkit.output import FORMATS, HUMAN_ONLY, Output, emit, note, output_options

LISTS = tuple(f for f in FORMATS if f != "files")  # formats of commands that list no files


DEFAULT_HALF_LIFE = "30d"  # `--recent`'s half-life


def examples(*lines: str) -> str:
    """A help epilog listing example command lines (kept as written: `\\b` stops click rewrapping)."""
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


class SearchkitGroup(click.Group):
    """The one place where library errors become messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        import sqlite3

        from searchkit.errors import SearchkitError, Terminated

        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=SyntaxWarning)
        try:
            return super().invoke(ctx)
        except (SearchkitError, sqlite3.DatabaseError) as error:
            if os.environ.get("SEARCHKIT_DEBUG"):
                raise
            exc = error
            if not isinstance(error, SearchkitError):  # a side table (copies, speakers) failing mid-query
                from searchkit.sidecar import searchkit_error

                exc = searchkit_error(error, "a table of the index")
                if exc is None:
                    raise
            hint = f"; {exc.hint}" if exc.hint else ""
            click.echo(f"Error: {exc}{hint}", err=True)
            sys.exit(1)
        except Terminated:
            click.echo("Terminated.", err=True)
            sys.exit(143)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `searchkit search x | head -1`: the reader left, nothing to report
            sys.stderr.close()
            sys.exit(141)


@click.group(cls=SearchkitGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=examples("searchkit index ~/news       # index a folder of articles",
                             'searchkit search "interest rates" --from 1987 --speaker volcker',
                             "searchkit show @1            # the first hit of the last search",
                             "searchkit --index ~/news-index stats"))
@click.option("--index", "index_dir", type=click.Path(path_type=Path, file_okay=False), envvar="SEARCHKIT_INDEX",
              default=None, metavar="DIR", help="Index folder for every command [default: SEARCHKIT_INDEX, the "
                                                "config file's index, or ./index].")
@click.version_option(package_name="searchkit", prog_name="searchkit")
@click.pass_context
def cli(ctx: click.Context, index_dir: Path | None) -> None:
    """Full-text search for folders of news articles: index them, then search by words, phrases, dates and
    speakers.

    Defaults (index location, workers, excludes, output format, colour) can be kept in
    ~/.config/searchkit/config.toml (or the file named by SEARCHKIT_CONFIG).
    """
    from searchkit.options import config

    ctx.default_map = {**default_map(cli.commands, config(ctx)), **(ctx.default_map or {})}


def _path_style(index_dir: Path) -> Any:
    from searchkit.history import PathStyle, load_roots

    return PathStyle(load_roots(index_dir))


# --- index -------------------------------------------------------------------------------------

@cli.command("index", short_help="Index folders of articles, or bring an index up to date.",
             epilog=examples("searchkit index ~/news ~/wires/2024.jsonl",
                             "searchkit index                          # update what was indexed before",
                             "searchkit index ~/news --rebuild --index ~/news-index"))
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True,
              help="Build a new index from the files (beside the old one, which searches use until it is done).")
@click.option("--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count).")
@click.option("--wait", is_flag=True, help="If another `searchkit index` is writing this index, wait for it to "
                                           "finish instead of stopping with an error.")
@file_selection
@output_options(formats=HUMAN_ONLY)
def index_cmd(paths: tuple[Path, ...], index_dir: Path, rebuild: bool, workers: int | None, wait: bool, out: Output,
              **selection: Any) -> None:
    """Index article files and folders (plain text, Markdown, JSON, JSON Lines). Re-running adds new files,
    re-indexes changed ones and removes deleted ones; without PATHS it updates the files and folders
    indexed before (or ./seeds in the project folder)."""
    from searchkit import history, render
    from searchkit.indexer import index_paths
    from searchkit.progress import IndexProgress

    targets = list(paths) or _previous_roots(index_dir)
    with IndexProgress(enabled=sys.stderr.isatty() and out.format == "human") as progress:
        summary = index_paths(targets, index_dir, rebuild=rebuild, workers=workers, progress=progress,
                              phase=progress.phase, wait=wait, **file_rules(**selection))
    if paths:
        history.remember_roots(index_dir, list(paths))
    if out.format == "json":
        click.echo(_json(render.summary_json(summary)))
    else:
        click.echo(render.summary_line(summary, str(index_dir)))
        for line in render.file_notes(summary, _path_style(index_dir)):
            note(line)
    if summary.failed and not (summary.added or summary.updated or summary.unchanged or summary.removed):
        sys.exit(1)


def _previous_roots(index_dir: Path) -> list[Path]:
    from searchkit.history import load_roots

    roots = [Path(p) for p in load_roots(index_dir) if os.path.exists(p)]
    if roots:
        return roots
    if Path("seeds").is_dir():
        return [Path("seeds")]
    raise click.UsageError("nothing to index: give the folders or files holding your articles, "
                           "e.g. `searchkit index ~/news`")


def _json(obj: Any) -> str:
    import json

    return json.dumps(obj, ensure_ascii=False)


# --- search, quotes ------------------------------------------------------------------------------

@cli.command("search", short_help="Search articles by words, phrases, dates and speakers.",
             epilog=examples("searchkit search japan semiconductors",
                             'searchkit search \'"trade deficit" title:japan\' --from 1987-03 --to 1987-05',
                             "searchkit search --speaker volcker      # list without a query, newest first",
                             "searchkit search oil --csv > hits.csv",
                             "searchkit search tariffs -l | xargs grep -l Yeutter"))
@query_filters
@index_option
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default=None,
              help="Order of hits [default: relevance with a query, newest without].")
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True, help="Hits per page.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Which page of hits to show.")
@click.option("--queries", "queries_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Run each line (`id<TAB>query` or `query`) and print one JSON line per query.")
@click.option("--recent", is_flag=True,
              help=f"Favour recent matches: relevance blended with a decay by date (half-life {DEFAULT_HALF_LIFE}).")
@click.option("--boost-recent", "half_life", metavar="HALF_LIFE",
              help="As --recent with this half-life: days, or 2w, 6m, 1y. See README, Recency.")
@click.option("--all-copies", is_flag=True,
              help="Show every wire copy of a story as its own hit (by default one hit per story, '+N copies').")
@click.option("--timeline", "as_timeline", is_flag=True,
              help="Count the matches per day, week, month or year instead (as `searchkit timeline`).")
@cli_features.timeline_options
@output_options
def search_cmd(words: tuple[str, ...], index_dir: Path, date_from: datetime | None, date_to: datetime | None,
               speakers: tuple[str, ...], match: str, sort: str | None, limit: int, page: int,
               queries_file: Path | None, recent: bool, half_life: str | None, all_copies: bool, as_timeline: bool,
               unit: str | None, top_speakers: int, split: bool, out: Output) -> None:
    """Search the index and print the best hits, each with its rank (for `show @N`), title, date,
    speakers, path, id and a snippet with the matches highlighted.

    \b
    QUERY: words (unquoted words are joined; all must match, unless --match any),
    "exact phrases", AND / OR / NOT, -word, (groups), title: body: speaker: date:
    fields (date:1987-03), word* prefixes, word~ fuzzy. Without a QUERY, or with '*',
    the filters list every article they allow, newest first. Put -- before a query
    that starts with '-': searchkit search -- -oil prices
    """
    from searchkit import collapse, diagnose, history, querylang, render
    from searchkit.search import Searcher, read_queries

    text = " ".join(words)
    if queries_file is not None:
        if text:
            raise click.UsageError("give a QUERY or --queries FILE, not both")
        with Searcher(index_dir) as searcher:
            for result in searcher.search_many(read_queries(queries_file), date_from=date_from, date_to=date_to,
                                               speakers=speakers, sort=sort or "relevance", limit=limit,
                                               page=page, match=match):
                click.echo(_json(render.result_json(result)))
        return
    if not text and not (date_from or date_to or speakers):
        raise click.UsageError("give a QUERY, or a filter (--speaker, --from, --to) to list articles; "
                               "'*' lists every article")
    if as_timeline or unit or top_speakers or split:
        cli_features.show_timeline(index_dir, text, out, date_from=date_from, date_to=date_to, speakers=speakers,
                                   match=match, unit=unit, top_speakers=top_speakers, split=split)
        return
    warning = diagnose.reversed_range(date_from, date_to)
    if warning:
        note(f"Warning: {warning}.")
    sort = sort or ("relevance" if querylang.parse(text).tree is not None else "newest")
    options: dict[str, Any] = {"date_from": date_from, "date_to": date_to, "speakers": speakers, "sort": sort,
                               "limit": limit, "page": page, "match": match}
    with Searcher(index_dir) as searcher:
        ranker: Any = searcher
        if recent or half_life:
            from searchkit import recency

            ranker = recency.RecentSearcher(searcher, recency.parse_half_life(half_life or DEFAULT_HALF_LIFE))
        run = ranker.search if all_copies else functools.partial(collapse.search, ranker, index_dir)
        result = run(text, **options)
        reasons = [] if result.total or warning else diagnose.why_empty(
            searcher, text, date_from=date_from, date_to=date_to, speakers=speakers)
    label = render.search_label(text, date_from, date_to, speakers)
    history.remember_results(index_dir, label, [(h.rank, h.id) for h in result.hits])
    emit(out, render.search_listing(result, label=label, limit=limit, reasons=reasons,
                                    path_style=_path_style(index_dir)))


@cli.command("quotes", short_help="Search what people said: attributed quotes and statements.",
             epilog=examples("searchkit quotes peacekeepers --speaker zakharova",
                             "searchkit quotes --speaker volcker --limit 20   # latest statements of one person",
                             'searchkit quotes "interest rates" --from 1987 --jsonl'))
@query_filters
@index_option
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True,
              help="Most statements to show.")
@output_options
def quotes_cmd(words: tuple[str, ...], index_dir: Path, date_from: datetime | None, date_to: datetime | None,
               speakers: tuple[str, ...], match: str, limit: int, out: Output) -> None:
    """Search attributed statements (direct quotes and reported speech) with their speaker, date and
    article. QUERY is as for `search`; without one, the filters list the latest statements."""
    from searchkit import render
    from searchkit.search import search_quotes

    text = " ".join(words)
    if not text and not (date_from or date_to or speakers):
        raise click.UsageError("give a QUERY, or a filter (--speaker, --from, --to) to list statements")
    total, hits = search_quotes(index_dir, text, speakers=speakers, date_from=date_from, date_to=date_to,
                                limit=limit, match=match)  # type: ignore[arg-type]
    emit(out, render.quotes_listing(text or render.search_label(text, date_from, date_to, speakers), total, hits,
                                    _path_style(index_dir)))


# --- one article, export -------------------------------------------------------------------------

@cli.command("show", short_help="Show one article: by id, by path, or @N from the last search.",
             epilog=examples("searchkit show @1", "searchkit show seeds/001_valdoria-karsland-open-peace-talks.txt",
                             "searchkit show a4 --query ceasefire --no-pager"))
@click.argument("ref", metavar="ID|PATH|@N")
@index_option
@click.option("--query", "query", metavar="QUERY", help="Highlight this query's matches.")
@click.option("--pager/--no-pager", default=True, show_default=True,
              help="Page long articles on a terminal through $PAGER (default: less -R).")
@output_options(formats=HUMAN_ONLY)
def show_cmd(ref: str, index_dir: Path, query: str | None, pager: bool, out: Output) -> None:
    """Show one whole article: by its id, by the path printed in search results (relative or absolute),
    or as @N, the N-th hit of the last search."""
    from searchkit import lookup, render
    from searchkit.output import Listing
    from searchkit.search import Searcher, highlight_document

    with Searcher(index_dir) as searcher:
        doc = lookup.find(searcher, ref)
    path = _path_style(index_dir)(doc.source)
    marks = highlight_document(doc, query) if query else (None, None)
    listing = Listing(rows=[render.doc_json(doc)], columns=(), document=render.doc_json(doc), paths=[path],
                      human=lambda console: render.document(console, doc, path, *marks),
                      plain=lambda stream: render.plain_document(stream, doc, path))
    if out.styled:
        out.page(listing.human, enabled=pager)  # type: ignore[arg-type]
    else:
        emit(out, listing)


@cli.command("export", short_help="Write articles as JSON Lines, CSV or OpenSearch bulk files.",
             epilog=examples("searchkit export > articles.jsonl",
                             "searchkit export oil --from 1987 --format csv -o oil-1987.csv",
                             "searchkit export --format opensearch -o for-opensearch/"))
@query_filters
@index_option
@click.option("--format", "export_format", type=click.Choice(["jsonl", "csv", "opensearch"]), default="jsonl",
              show_default=True, help="opensearch: `_bulk` NDJSON and the mapping to create the index with.")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="PATH",
              help="File to write (default: stdout); for opensearch, a folder for bulk.ndjson and mapping.json.")
@click.option("--opensearch-index", default="searchkit", show_default=True, metavar="NAME",
              help="Index name written into the bulk actions.")
def export_cmd(words: tuple[str, ...], index_dir: Path, date_from: datetime | None, date_to: datetime | None,
               speakers: tuple[str, ...], match: str, export_format: str, output: Path | None,
               opensearch_index: str) -> None:
    """Every article matching the QUERY and filters (as for `search`), or the whole index without them:
    id, path, title, date, speakers, speaker_roles, summary, body (opensearch adds the quotes)."""
    from searchkit import export
    from searchkit.search import Searcher, Statements

    text = " ".join(words)
    if export_format == "opensearch" and output is None:
        raise click.UsageError("--format opensearch writes two files: give a folder with -o/--output")
    count = 0

    with Searcher(index_dir) as searcher:
        docs = searcher.matching(text, date_from=date_from, date_to=date_to, speakers=speakers,
                                 match=match)  # type: ignore[arg-type]

        def counted() -> Any:
            nonlocal count
            for doc in docs:
                count += 1
                yield doc

        if export_format == "opensearch":
            assert output is not None
            output.mkdir(parents=True, exist_ok=True)
            (output / "mapping.json").write_text(export.mapping_json(), encoding="utf-8")
            with Statements(index_dir) as statements, (output / "bulk.ndjson").open("w", encoding="utf-8") as f:
                f.writelines(export.bulk(((d, statements.of(d)) for d in counted()), opensearch_index))
        else:
            lines = export.jsonl(counted()) if export_format == "jsonl" else export.csv_rows(counted())
            if output is None:
                sys.stdout.writelines(lines)
            else:
                with output.open("w", encoding="utf-8") as f:
                    f.writelines(lines)
    if output is not None:
        note(f"Exported {count} {'article' if count == 1 else 'articles'} to {output}.")
    if count == 0 and (text or date_from or date_to or speakers):
        note("Nothing matched.")
        sys.exit(1)


# --- the index as a whole ----------------------------------------------------------------------

@cli.command("stats", short_help="Documents, date span, size, last update and top speakers.",
             epilog=examples("searchkit stats", "searchkit stats --json"))
@index_option
@output_options(formats=LISTS)
def stats_cmd(index_dir: Path, out: Output) -> None:
    """Document count, date span, index size, last update and top speakers."""
    from searchkit import render
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher:
        st = searcher.stats()
    emit(out, render.stats_listing(st))


@cli.command("speakers", short_help="People quoted, with the number of articles quoting each.",
             epilog=examples("searchkit speakers --limit 20", "searchkit speakers --limit 1000 --csv > speakers.csv"))
@index_option
@click.option("--limit", type=click.IntRange(1), default=50, show_default=True, help="Most speakers to list.")
@output_options(formats=LISTS)
def speakers_cmd(index_dir: Path, limit: int, out: Output) -> None:
    """Speakers, most quoted first, with the number of articles quoting them and their roles."""
    from searchkit import render
    from searchkit.search import Searcher

    with Searcher(index_dir) as searcher:
        rows = searcher.speaker_counts(limit)
    emit(out, render.speakers_listing(rows))


@cli.command("completion", short_help="Print the shell completion script for bash, zsh or fish.",
             epilog=examples('eval "$(searchkit completion bash)"      # add to ~/.bashrc',
                             'eval "$(searchkit completion zsh)"       # add to ~/.zshrc',
                             "searchkit completion fish > ~/.config/fish/completions/searchkit.fish"))
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion_cmd(shell: str) -> None:
    """Print the completion script for SHELL: commands, options, files and speaker names (from the index)."""
    from searchkit.completion import script

    click.echo(script(cli, shell))


for _command in cli_features.COMMANDS:
    cli.add_command(_command)


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

