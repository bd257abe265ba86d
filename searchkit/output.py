"""The output layer every command shares (sqlite-utils style): one decorator, `@output_options`, adds the
format options, and `emit` writes a `Listing` in the chosen format.

- human: rich on a terminal (wrapped to its width with hanging indents, coloured unless `--color never`
  or `NO_COLOR`), plain text when piped; tables become TSV when piped.
- `--json` (one document, valid even when empty), `--jsonl` (one record a line), `--csv`, `--tsv`, and
  `-l/--files` (paths only, one a line, for `xargs` and `fzf`).

stdout carries only the chosen format; notes and warnings go to stderr. Nothing found exits 1 (grep, rg).
rich is imported only when a terminal (or `--color always`) needs it.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

import click

if TYPE_CHECKING:
    from rich.console import Console

FORMATS = ("human", "json", "jsonl", "csv", "tsv", "files")
HUMAN_ONLY = ("human", "json")
_FLAGS = {"human": ("--human", "Readable text: wrapped on a terminal, plain when piped (default)."),
          "json": ("--json", "One JSON document."),
          "jsonl": ("--jsonl", "JSON Lines: one record per line."),
          "csv": ("--csv", "CSV with a header row."),
          "tsv": ("--tsv", "Tab-separated values with a header row."),
          "files": ("-l/--files", "Only the paths of the matching files, one per line.")}


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (a function so tests can pretend it is)."""
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class Output:
    """The chosen format and colour mode, and the consoles and streams that follow from them. (Plain
    classes here, not dataclasses: building a dataclass costs a one-shot search ~0.3-0.6 ms of start-up.)"""

    __slots__ = ("color", "format")

    def __init__(self, format: str = "human", color: str = "auto") -> None:
        self.format, self.color = format, color

    @property
    def styled(self) -> bool:
        """Human output goes through rich: stdout is a terminal, or colour is forced."""
        return self.format == "human" and (self.color == "always" or stdout_is_terminal())

    def colored(self) -> bool:
        if self.color == "auto":
            return stdout_is_terminal() and not os.environ.get("NO_COLOR")
        return self.color == "always"

    def console(self, file: TextIO | None = None) -> Console:
        """A rich console for human output: wraps to the terminal, colours only when `colored()`."""
        import shutil

        from rich.console import Console

        colored = self.colored()
        return Console(file=file or sys.stdout, highlight=False, force_terminal=True if colored else None,
                       color_system="auto" if colored else None, emoji=False,
                       width=shutil.get_terminal_size().columns if file is not None else None)

    def page(self, render: Callable[[Console], None], enabled: bool = True) -> None:
        """Human output through a pager (`$PAGER`, default `less -R`) when on a terminal and longer than it."""
        if not (enabled and stdout_is_terminal()):
            render(self.console())
            return
        import io
        import shutil

        buf = io.StringIO()
        render(self.console(buf))
        text = buf.getvalue()
        if text.count("\n") < shutil.get_terminal_size().lines or not _run_pager(text):
            sys.stdout.write(text)


def _run_pager(text: str) -> bool:
    """Show `text` in the pager; False when it cannot be started (then the caller prints it)."""
    import shlex
    import subprocess

    command = shlex.split(os.environ.get("PAGER") or "less -R")
    if not command or command[0] == "cat":
        return False
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git: quit if one screen, keep colours, leave the text on screen
    try:
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, env=env, text=True, encoding="utf-8")
    except OSError:
        return False
    try:
        assert proc.stdin is not None
        proc.stdin.write(text)
        proc.stdin.close()
    except BrokenPipeError:  # the reader quit early
        pass
    proc.wait()
    return True


def note(message: str) -> None:
    """A warning or remark for the person, on stderr (never mixed into the output)."""
    click.echo(message, err=True)


class Listing:
    """What a listing command hands to `emit`: the same records in every format.

    `rows` are flat JSON-ready records (JSON Lines, CSV and TSV write `columns` of them); `document` is
    what `--json` prints (default: the rows as a list); `human` renders for a terminal and `plain` writes
    the piped human form (default for both: a table / TSV of the columns); `paths` feeds `-l`;
    `found=False` makes the command exit 1; `notes` go to stderr in machine formats (human output shows
    them itself).
    """

    def __init__(self, rows: Sequence[dict[str, Any]], columns: Sequence[str], *, document: Any = None,
                 human: Callable[[Console], None] | None = None, plain: Callable[[TextIO], None] | None = None,
                 paths: Sequence[str] = (), found: bool = True, notes: Sequence[str] = ()) -> None:
        self.rows, self.columns, self.document = rows, columns, document
        self.human, self.plain, self.paths, self.found, self.notes = human, plain, paths, found, notes


def emit(out: Output, listing: Listing) -> None:
    """Write `listing` to stdout in `out.format`; exit 1 when it found nothing."""
    fmt, stream = out.format, sys.stdout
    if fmt == "human":
        if out.styled:
            (listing.human or functools.partial(_table, listing))(out.console())
        else:
            (listing.plain or functools.partial(_delimited, listing, "\t"))(stream)
    else:
        for message in listing.notes:
            note(message)
        if fmt == "json":
            doc = listing.document if listing.document is not None else list(listing.rows)
            stream.write(json.dumps(doc, ensure_ascii=False) + "\n")
        elif fmt == "jsonl":
            stream.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in listing.rows)
        elif fmt in ("csv", "tsv"):
            _delimited(listing, "," if fmt == "csv" else "\t", stream)
        elif fmt == "files":
            stream.writelines(p + "\n" for p in dict.fromkeys(listing.paths))
    if not listing.found:
        click.get_current_context().exit(1)


def _cell(value: Any, tsv: bool) -> str:
    from searchkit.export import cell

    text = cell(value)
    return " ".join(text.split()) if tsv else text  # TSV cannot quote: tabs and newlines become spaces


def _delimited(listing: Listing, sep: str, stream: TextIO) -> None:
    if sep == ",":
        import csv

        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(listing.columns)
        writer.writerows([_cell(row.get(c), False) for c in listing.columns] for row in listing.rows)
        return
    stream.write("\t".join(listing.columns) + "\n")
    stream.writelines("\t".join(_cell(row.get(c), True) for c in listing.columns) + "\n" for row in listing.rows)


def _table(listing: Listing, console: Console) -> None:
    from rich.table import Table

    table = Table(*listing.columns)
    for row in listing.rows:
        table.add_row(*(_cell(row.get(c), True) for c in listing.columns))
    console.print(table)


def output_options(fn: Callable[..., Any] | None = None, *, formats: Sequence[str] = FORMATS) -> Any:
    """Add the output options to a command; the command receives them as one `out: Output` argument.

    `formats` limits the choice (a command without paths leaves out `files`; one without rows keeps
    `human` and `json`). The default format and colour come from the config file through click's
    `default_map` (`output_format`, `color`).
    """

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def wrapper(*args: Any, output_format: str | None, color: str, **kwargs: Any) -> Any:
            chosen = output_format if output_format in formats else "human"
            return f(*args, out=Output(format=chosen, color=color), **kwargs)

        options = [click.option(*_FLAGS[name][0].split("/"), "output_format", flag_value=name,
                                help=_FLAGS[name][1]) for name in FORMATS if name in formats]
        options.append(click.option("--color", "color", type=click.Choice(["auto", "always", "never"]),
                                    default="auto", show_default=True,
                                    help="Colour human output: auto = on a terminal, unless NO_COLOR is set."))
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate(fn) if fn is not None else decorate
