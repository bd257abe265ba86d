"""Options the commands share: where the index is, the query and its filters, and the config file's
defaults (handed to click as its `default_map`)."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

DEFAULT_INDEX = Path("index")
COMPLETE_VAR = "_SEARCHKIT_COMPLETE"  # click's completion environment variable for `searchkit`
CONFIG_PARAMS = {"workers": "workers", "exclude": "exclude", "include": "include", "format": "output_format",
                 "color": "color"}
"""Config key → the parameter name it sets a default for, in every command that has that parameter."""


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


def config(ctx: click.Context | None = None) -> Any:
    """The config file's defaults, read once per command line (kept on the root context)."""
    from searchkit import config as config_file

    root = ctx.find_root() if ctx is not None else None
    if root is not None and "config" in root.meta:
        return root.meta["config"]
    loaded = config_file.load()
    if root is not None:
        root.meta["config"] = loaded
    return loaded


def index_location(ctx: click.Context, given: Path | None = None) -> Path:
    """The index folder: the command's `--index`, else the group's `--index` (or `SEARCHKIT_INDEX`), else the
    config file's `index`, else ./index."""
    if given is not None:
        return given
    for c in _lineage(ctx):
        if c.params.get("index_dir") is not None:
            return Path(c.params["index_dir"])
    env = os.environ.get("SEARCHKIT_INDEX")  # also read here for shell completion, where no callback runs
    if env:
        return Path(env)
    return config(ctx).index or DEFAULT_INDEX


def _lineage(ctx: click.Context | None) -> list[click.Context]:
    out = []
    while ctx is not None:
        out.append(ctx)
        ctx = ctx.parent
    return out


def _resolve_index(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    return value if ctx.resilient_parsing else index_location(ctx, value)


INDEX_HELP = "Index folder [default: SEARCHKIT_INDEX, the config file's index, or ./index]."
index_option = click.option("--index", "index_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
                            callback=_resolve_index, metavar="DIR", help=INDEX_HELP)


def default_map(commands: dict[str, click.Command], settings: Any) -> dict[str, dict[str, Any]]:
    """click's `default_map` from the config file: each setting for every command with that parameter."""
    out: dict[str, dict[str, Any]] = {}
    for name, command in commands.items():
        names = {p.name for p in command.params}
        defaults = {param: getattr(settings, key) for key, param in CONFIG_PARAMS.items()
                    if param in names and getattr(settings, key) not in (None, ())}
        if defaults:
            out[name] = defaults
    return out


def complete_speaker(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Speakers in the index whose full name or surname starts with what was typed (none when there is
    no index: completion must never fail)."""
    from click.shell_completion import CompletionItem

    from searchkit.errors import SearchkitError
    from searchkit.search import Searcher

    try:
        with Searcher(index_location(ctx)) as searcher:
            names = [s.name for s in searcher.speaker_counts()]
    except (SearchkitError, OSError):
        return []
    typed = incomplete.lower()
    found = list(dict.fromkeys(n for n in names if n.lower().startswith(typed)
                               or n.rsplit(" ", 1)[-1].lower().startswith(typed)))
    if os.environ.get(COMPLETE_VAR, "").startswith("bash"):
        # click's bash script reads each reply with `read` (which eats one level of backslashes) and inserts
        # it as typed: `Maria\\ Zakharova` arrives as `Maria\ Zakharova`, one shell word
        found = [n.replace(" ", "\\\\ ") for n in found]
    return [CompletionItem(n) for n in found]


def query_filters(fn: Callable[..., Any]) -> Callable[..., Any]:
    """What `search`, `quotes` and `export` share: the QUERY words (joined), --from, --to, --speaker, --match."""
    for option in reversed([
        click.argument("words", nargs=-1, metavar="[QUERY]..."),
        click.option("--from", "date_from", type=DateBound(end=False), metavar="DATE",
                      help="Earliest date: YYYY, YYYY-MM or YYYY-MM-DD (the whole period from its start)."),
        click.option("--to", "date_to", type=DateBound(end=True), metavar="DATE",
                     help="Latest date, inclusive: YYYY, YYYY-MM or YYYY-MM-DD (to the period's end)."),
        click.option("--speaker", "speakers", multiple=True, metavar="NAME", shell_complete=complete_speaker,
                     help="Only articles quoting this person: full name or surname, any case or accents "
                          "(repeat for any of several)."),
        click.option("--match", type=click.Choice(["all", "any"]), default="all", show_default=True,
                     help="all: every word must match; any: rank by any word."),
    ]):
        fn = option(fn)
    return fn


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    from searchkit.limits import parse_size

    try:
        return None if value is None else parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def file_selection(command: Callable[..., Any]) -> Callable[..., Any]:
    """The `index` options that choose what is read, and how much (see `file_rules`)."""
    from searchkit.limits import DEFAULT_BUDGET, DEFAULT_MAX_SIZE, human_size

    options = (
        click.option("--exclude", multiple=True, metavar="GLOB",
                     help="Leave out files and folders matching GLOB (gitignore syntax, repeatable; a "
                          ".searchkitignore at the top of an indexed folder adds its own)."),
        click.option("--include", multiple=True, metavar="GLOB", help="Index only files matching GLOB (repeatable)."),
        click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links out of the indexed folders."),
        click.option("--max-size", callback=_size, metavar="SIZE",
                     help=f"Read at most SIZE of a file (default {human_size(DEFAULT_MAX_SIZE).replace(' ', '')}): "
                          "larger text files are indexed from their start, larger JSON files reported; JSON "
                          "Lines are read a record at a time (SIZE bounds a record)."),
        click.option("--budget", type=click.FloatRange(min=0), metavar="SECONDS",
                     help=f"CPU seconds a file's parsing, and each article's speaker extraction, may take "
                          f"(default {DEFAULT_BUDGET:g}; 0: no limit). Past it an article is indexed without "
                          "speakers, a file that cannot be parsed in time is reported."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def file_rules(exclude: tuple[str, ...] = (), include: tuple[str, ...] = (), follow_symlinks: bool = False,
               max_size: int | None = None, budget: float | None = None) -> dict[str, Any]:
    """`index_paths` keyword arguments from the `file_selection` options."""
    from searchkit.limits import DEFAULT_BUDGET, DEFAULT_MAX_SIZE, Limits
    from searchkit.reading.ignore import Selection

    limits = Limits(max_size=max_size or DEFAULT_MAX_SIZE, budget=DEFAULT_BUDGET if budget is None else budget or None)
    return {"selection": Selection(tuple(exclude), tuple(include)), "follow_symlinks": follow_symlinks,
            "limits": limits}
