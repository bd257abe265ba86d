"""Rendering records for people (rich) and for scripts (JSON). No logic beyond presentation.

rich is imported only where it is used: search results bound for a pipe or file, where rich would print
plain text anyway, are written without it (`show_results`), so a one-shot search does not pay for it.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from searchkit.models import IndexSummary
    from searchkit.results import Hit, IndexStats, QuoteHit, SearchResult, Snippet, SpeakerCount, StoredDoc

HIGHLIGHT = "bold yellow"
_BOLD = "[bold]{}[/]"
_NOT_PLAIN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
"""Characters rich would drop (some control codes) or change (tabs) even when printing plain text."""


def stdout() -> Console:
    """Console for results; plain (no colour, no wrapping games) when not a terminal."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def stderr() -> Console:
    """Console for progress, notes and errors."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def plain_stdout() -> TextIO | None:
    """`sys.stdout` when `stdout()` would print to it as plain text (not a terminal, no TTY_COMPATIBLE or
    FORCE_COLOR asking for styles, not in Jupyter); None when rich is needed."""
    out = sys.stdout
    if out is None or "TTY_COMPATIBLE" in os.environ or "FORCE_COLOR" in os.environ:
        return None
    import builtins

    if hasattr(builtins, "get_ipython"):
        return None
    try:
        return None if out.isatty() else out
    except (AttributeError, ValueError):  # no isatty, or closed: rich treats both as "not a terminal"
        return out


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text for a date, or None."""
    return value.isoformat() if value else None


def rel(path: str) -> str:
    """A path relative to the working directory when that is shorter."""
    try:
        r = os.path.relpath(path)
    except ValueError:
        return path
    return r if len(r) < len(path) else path


def styled(snippet: Snippet) -> Text:
    """A snippet as rich text with its matches highlighted."""
    from rich.text import Text

    text = Text(snippet.text)
    for span in snippet.highlights:
        text.stylize(HIGHLIGHT, span.start, span.end)
    return text


class ProgressBar:
    """A rich progress bar on stderr, fed by the indexer's `(done, total)` callback; a no-op when disabled."""

    def __init__(self, console: Console, enabled: bool) -> None:
        self.console, self.enabled = console, enabled
        self.bar: Any = None
        self.task: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

        self.bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                            TimeRemainingColumn(), console=self.console, transient=True)
        self.bar.__enter__()
        self.task = self.bar.add_task("indexing", total=None)
        return self.update

    def update(self, done: int, total: int) -> None:
        self.bar.update(self.task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


# --- JSON shapes -------------------------------------------------------------------------------

def hit_json(hit: Hit) -> dict[str, Any]:
    return {"id": hit.id, "path": hit.path, "title": hit.title, "date": iso(hit.date), "speakers": list(hit.speakers),
            "speaker_roles": list(hit.roles), "score": hit.score, "snippet": hit.snippet.text,
            "highlights": [[s.start, s.end] for s in hit.snippet.highlights]}


def result_json(result: SearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {"query": result.query, "total": result.total, "page": result.page,
                           "hits": [hit_json(h) for h in result.hits]}
    if result.query_id is not None:
        out = {"query_id": result.query_id, **out}
    if result.fallback_any:
        out["fallback"] = "any"
    if result.suggestion:
        out["suggestion"] = result.suggestion
    return out


def summary_json(summary: IndexSummary) -> dict[str, Any]:
    return {"added": summary.added, "updated": summary.updated, "removed": summary.removed,
            "unchanged": summary.unchanged, "failed": [{"path": f.path, "reason": f.reason} for f in summary.failed],
            "warnings": [{"path": f.path, "reason": f.reason} for f in summary.warnings],
            "documents": summary.documents, "seconds": summary.seconds}


def doc_json(doc: StoredDoc) -> dict[str, Any]:
    return {"id": doc.id, "path": doc.source, "title": doc.title, "date": iso(doc.date), "speakers": list(doc.speakers),
            "speaker_roles": [r for r in doc.roles], "summary": doc.summary, "body": doc.body}


def stats_json(stats: IndexStats) -> dict[str, Any]:
    return {"path": stats.path, "documents": stats.documents, "earliest": iso(stats.earliest),
            "latest": iso(stats.latest), "size_bytes": stats.size_bytes, "last_update": iso(stats.last_update),
            "top_speakers": [speaker_json(s) for s in stats.top_speakers]}


def speaker_json(s: SpeakerCount) -> dict[str, Any]:
    return {"name": s.name, "articles": s.articles, "roles": list(s.roles)}


def quote_json(hit: QuoteHit) -> dict[str, Any]:
    return {"article_id": hit.article_id, "title": hit.title, "date": iso(hit.date), "speaker": hit.speaker,
            "speaker_role": hit.role, "score": hit.score, "quote": hit.snippet.text,
            "highlights": [[s.start, s.end] for s in hit.snippet.highlights]}


def print_json(out: TextIO, obj: Any) -> None:
    """One JSON document on its own line."""
    out.write(json.dumps(obj, ensure_ascii=False) + "\n")


# --- human output ------------------------------------------------------------------------------

def summary(console: Console, s: IndexSummary, index_dir: str) -> None:
    console.print(f"Indexed into {index_dir}: [green]{s.added} added[/], {s.updated} updated, {s.removed} removed, "
                  f"{s.unchanged} unchanged, [{'red' if s.failed else 'green'}]{len(s.failed)} failed[/] "
                  f"— {s.documents} documents ({s.seconds:.1f} s)")
    for f in s.failed:
        console.print(f"  [red]failed[/] {rel(f.path)}: {f.reason}")
    for w in s.warnings:
        console.print(f"  [yellow]warning[/] {rel(w.path)}: {w.reason}")


def _result_head(result: SearchResult, limit: int, bold: str = _BOLD) -> list[str]:
    """The lines before the hits, as console markup (or plain text with `bold="{}"`)."""
    if result.total == 0:
        lines = [f"No results for {bold.format(result.query)}."]
        if result.suggestion:
            lines.append(f"Did you mean: {bold.format(result.suggestion)}?")
        return lines
    if not result.hits:
        return [f"{result.total} results; page {result.page} is past the end."]
    first = (result.page - 1) * limit + 1
    last = first + len(result.hits) - 1
    note = " (no article has all the words; showing articles with any)" if result.fallback_any else ""
    return [f"{result.total} results for {bold.format(result.query)}{note} — showing {first}–{last}\n"]


def _hit_meta(hit: Hit) -> str:
    meta = [hit.date.strftime("%Y-%m-%d") if hit.date else "undated"]
    if hit.speakers:
        meta.append(", ".join(hit.speakers))
    meta.append(f"score {hit.score:.2f}")
    meta.append(rel(hit.path))
    return "     " + " · ".join(meta)


def results(console: Console, result: SearchResult, limit: int) -> None:
    for line in _result_head(result, limit):
        console.print(line)
    if result.total and result.hits:
        for hit in result.hits:
            _hit(console, hit)


def _hit(console: Console, hit: Hit) -> None:
    from rich.text import Text

    head = Text(f"{hit.rank:>3}. ", style="bold")
    head.append(hit.title or hit.id, style="bold cyan")
    console.print(head)
    console.print(Text(_hit_meta(hit), style="dim"))
    body = Text("     ")
    body.append_text(styled(hit.snippet))
    console.print(body)
    console.print()


def plain_results(out: TextIO, result: SearchResult, limit: int) -> bool:
    """Write exactly what `results` prints on a plain-text console, without rich; False (and nothing
    written) when rich could print some of it differently: markup or emoji codes in the query or
    suggestion, control characters or tabs anywhere."""
    head = _result_head(result, limit, "{}")
    if any("[" in line or "\\" in line or line.count(":") > 1 for line in head):
        return False
    lines = head
    if result.total and result.hits:
        for hit in result.hits:
            lines += [f"{hit.rank:>3}. {hit.title or hit.id}", _hit_meta(hit), "     " + hit.snippet.text, ""]
    text = "\n".join(lines) + "\n"
    if _NOT_PLAIN.search(text):
        return False
    out.write(text)
    return True


def show_results(result: SearchResult, limit: int) -> None:
    """Print `results` to stdout: written directly when that is plain text, through rich otherwise."""
    out = plain_stdout()
    if out is None or not plain_results(out, result, limit):
        results(stdout(), result, limit)


def document(console: Console, doc: StoredDoc, title: Snippet | None = None, body: Snippet | None = None) -> None:
    from rich.text import Text

    console.print(styled(title) if title else Text(doc.title), style="bold cyan")
    meta = [doc.date.strftime("%Y-%m-%d %H:%M") if doc.date else "undated", f"id {doc.id}", rel(doc.source)]
    console.print(" · ".join(meta), style="dim")
    if doc.speakers:
        names = [f"{n} ({r})" if r else n for n, r in zip(doc.speakers, list(doc.roles) + [None] * len(doc.speakers),
                                                            strict=False)]
        console.print("Speakers: " + ", ".join(names), style="dim")
    if doc.summary:
        console.print(Text(doc.summary, style="italic"))
    console.print()
    console.print(styled(body) if body else Text(doc.body))


def stats(console: Console, st: IndexStats) -> None:
    from rich.table import Table

    table = Table(show_header=False, box=None)
    table.add_row("index", st.path)
    table.add_row("documents", str(st.documents))
    span = f"{st.earliest:%Y-%m-%d} – {st.latest:%Y-%m-%d}" if st.earliest and st.latest else "no dated articles"
    table.add_row("date span", span)
    table.add_row("index size", f"{st.size_bytes / 1e6:.1f} MB")
    table.add_row("last update", f"{st.last_update:%Y-%m-%d %H:%M:%S}" if st.last_update else "never")
    table.add_row("top speakers", ", ".join(f"{s.name} ({s.articles})" for s in st.top_speakers) or "none")
    console.print(table)


def speakers(console: Console, rows: Iterable[SpeakerCount]) -> None:
    from rich.table import Table

    table = Table("speaker", "articles", "role")
    for row in rows:
        table.add_row(row.name, str(row.articles), ", ".join(row.roles))
    console.print(table)


def quotes(console: Console, query: str, total: int, hits: Iterable[QuoteHit]) -> None:
    from rich.text import Text

    rows = list(hits)
    if not rows:
        console.print(f"No statements match [bold]{query}[/].")
        return
    console.print(f"{total} statements match [bold]{query}[/] — showing {len(rows)}\n")
    for hit in rows:
        who = f"{hit.speaker} ({hit.role})" if hit.role else hit.speaker
        head = Text(f"{hit.rank:>3}. ", style="bold")
        head.append(who, style="bold green")
        console.print(head)
        console.print(Text("     " + " · ".join([hit.date.strftime("%Y-%m-%d") if hit.date else "undated",
                                                 hit.title, f"id {hit.article_id}"]), style="dim"))
        body = Text("     ")
        body.append_text(styled(hit.snippet))
        console.print(body)
        console.print()
