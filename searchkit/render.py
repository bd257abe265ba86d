"""Records as people and scripts see them: JSON shapes, `Listing`s for the output layer, and the human
forms (rich on a terminal, plain text when piped). No logic beyond presentation.

rich is imported only inside the terminal renderers, so a search piped into another program never loads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TextIO

from searchkit.output import Listing

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from searchkit.models import IndexSummary
    from searchkit.reports import IndexStats, QuoteHit, SpeakerCount
    from searchkit.results import Hit, SearchResult, Snippet, StoredDoc

PathStyle = Callable[[str], str]
HIGHLIGHT = "bold yellow"
DATE_SOURCES = {"publication": "the publication line", "front-matter": "the front matter", "json": "the record",
                "header": "a date line", "dateline": "the dateline"}
"""How `show` names where an article's date came from (`StoredDoc.date_source`)."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """`1 result`, `2 results`."""
    return f"{count} {noun if count == 1 else plural_form or noun + 's'}"


def flat(text: str) -> str:
    """Text on one line: control characters and runs of white space become single spaces."""
    return " ".join(_CONTROL.sub(" ", text).split())


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text for a date, or None."""
    return value.isoformat() if value else None


def day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d") if value else "undated"


def styled(snippet: Snippet, one_line: bool = True) -> Text:
    """A snippet as rich text with its matches highlighted (control characters and line breaks as spaces
    when `one_line`, keeping the highlight offsets)."""
    from rich.text import Text

    text = Text(_CONTROL.sub(" ", snippet.text) if one_line else snippet.text)
    for span in snippet.highlights:
        text.stylize(HIGHLIGHT, span.start, span.end)
    return text


# --- JSON shapes -------------------------------------------------------------------------------

def hit_json(hit: Hit) -> dict[str, Any]:
    return {"rank": hit.rank, "id": hit.id, "path": hit.path, "title": hit.title, "date": iso(hit.date),
            "speakers": list(hit.speakers), "speaker_roles": list(hit.roles), "score": hit.score,
            "snippet": hit.snippet.text, "highlights": [[s.start, s.end] for s in hit.snippet.highlights],
            **({"copies": list(hit.copies)} if hit.copies else {})}


def result_json(result: SearchResult) -> dict[str, Any]:
    out: dict[str, Any] = {"query": result.query, "total": result.total, "page": result.page,
                           "hits": [hit_json(h) for h in result.hits]}
    if result.query_id is not None:
        out = {"query_id": result.query_id, **out}
    if result.stories is not None:
        out["stories"] = result.stories
    if result.fallback_any:
        out["fallback"] = "any"
    if result.suggestion:
        out["suggestion"] = result.suggestion
    if result.notes:
        out["notes"] = list(result.notes)
    return out


def summary_json(summary: IndexSummary) -> dict[str, Any]:
    return {"added": summary.added, "updated": summary.updated, "removed": summary.removed,
            "unchanged": summary.unchanged, "failed": [{"path": f.path, "reason": f.reason} for f in summary.failed],
            "warnings": [{"path": f.path, "reason": f.reason} for f in summary.warnings],
            "documents": summary.documents, "seconds": summary.seconds}


def doc_json(doc: StoredDoc) -> dict[str, Any]:
    from searchkit.export import article

    return article(doc)


def stats_json(stats: IndexStats) -> dict[str, Any]:
    return {"path": stats.path, "documents": stats.documents, "earliest": iso(stats.earliest),
            "latest": iso(stats.latest), "undated": stats.undated, "size_bytes": stats.size_bytes,
            "last_update": iso(stats.last_update), "top_speakers": [speaker_json(s) for s in stats.top_speakers]}


def speaker_json(s: SpeakerCount) -> dict[str, Any]:
    return {"name": s.name, "articles": s.articles, "roles": list(s.roles)}


def quote_json(hit: QuoteHit) -> dict[str, Any]:
    """A statement; `id` is its article's id, as in search hits."""
    return {"rank": hit.rank, "id": hit.article_id, "path": hit.path, "title": hit.title, "date": iso(hit.date),
            "speaker": hit.speaker, "speaker_role": hit.role, "score": hit.score, "quote": hit.snippet.text,
            "highlights": [[s.start, s.end] for s in hit.snippet.highlights]}


# --- numbered entries (search hits, statements) ------------------------------------------------

def _numbered_rich(console: Console, head: list[str], entries: Sequence[tuple[int, Text, str, Text]]) -> None:
    """Head lines, then numbered entries wrapped to the console with a hanging indent."""
    from rich.text import Text

    for line in head:
        console.print(Text(line))
    if not entries:
        return
    indent = max(5, len(str(entries[-1][0])) + 3)
    for rank, heading, meta, body in entries:
        hanging(console, Text(f"{rank}. ".rjust(indent), style="bold"), heading, indent)
        hanging(console, None, Text(meta, style="dim"), indent)
        hanging(console, None, body, indent)
        console.print()


def hanging(console: Console, first: Text | None, text: Text, indent: int) -> None:
    """`text` wrapped at word boundaries to the console's width, every line indented by `indent` columns
    (the first one starting with `first` instead, when given); no trailing padding."""
    from rich.text import Text

    for n, line in enumerate(text.wrap(console, max(10, console.width - indent), overflow="fold")):
        line.rstrip()
        prefix = first if n == 0 and first is not None else Text(" " * indent)
        console.print(Text.assemble(prefix, line), soft_wrap=True)


def _numbered_plain(out: TextIO, head: list[str], entries: Sequence[tuple[int, str, str, str]]) -> None:
    lines = list(head)
    for rank, heading, meta, body in entries:
        lines += [f"{rank:>3}. {heading}", f"     {meta}", f"     {body}", ""]
    out.write("".join(line + "\n" for line in lines))


# --- search ------------------------------------------------------------------------------------

def search_label(query: str, date_from: datetime | None, date_to: datetime | None, speakers: Sequence[str]) -> str:
    """What a search is for, in its head line: the query, or the filters when listing without one."""
    if query.strip() not in ("", "*"):
        return query
    parts = [f"speaker {' or '.join(speakers)}"] if speakers else []
    if date_from or date_to:
        parts.append(f"{day(date_from) if date_from else '…'} to {day(date_to) if date_to else '…'}")
    return ", ".join(parts) or "every article"


def _search_head(result: SearchResult, label: str, limit: int, reasons: Sequence[str]) -> list[str]:
    notes = [f"Note: {n}." for n in result.notes]
    if result.total == 0:
        lines = [*notes, f"No results for {label}."]
        lines += [r[0].upper() + r[1:] + ("" if r.endswith("?") else ".") for r in reasons]
        if result.suggestion:
            lines.append(f"Did you mean: {result.suggestion}?")
        return lines
    if not result.hits:
        return [f"{plural(result.total, 'result')}; page {result.page} is past the end."]
    first = (result.page - 1) * limit + 1
    last = first + len(result.hits) - 1
    note = " (no article has all the words; showing articles with any)" if result.fallback_any else ""
    folded = result.stories is not None and result.stories < result.total
    stories = f", {plural(result.stories or 0, 'story', 'stories')}" if folded else ""
    return [*notes, f"{plural(result.total, 'result')}{stories} for {label}{note} — showing {first}–{last}", ""]


def _hit_meta(hit: Hit, path: str) -> str:
    meta = [day(hit.date)]
    if hit.speakers:
        meta.append(", ".join(hit.speakers))
    if hit.score:  # a listing without a query has no scores
        meta.append(f"score {hit.score:.2f}")
    if hit.copies:
        meta.append(f"+{plural(len(hit.copies), 'copy', 'copies')}")
    meta.append(path)
    if hit.id != path:
        meta.append(f"id {hit.id}")
    return flat(" · ".join(meta))


def search_listing(result: SearchResult, *, label: str, limit: int, reasons: Sequence[str],
                   path_style: PathStyle) -> Listing:
    head = _search_head(result, flat(label), limit, reasons)

    def human(console: Console) -> None:
        from rich.text import Text

        _numbered_rich(console, head, [(h.rank, Text(flat(h.title or h.id), style="bold cyan"),
                                        _hit_meta(h, path_style(h.path)), styled(h.snippet)) for h in result.hits])

    def plain(out: TextIO) -> None:
        _numbered_plain(out, head, [(h.rank, flat(h.title or h.id), _hit_meta(h, path_style(h.path)),
                                     flat(h.snippet.text)) for h in result.hits])

    notes = [*reasons, *([f"did you mean: {result.suggestion}?"] if result.suggestion else [])]
    return Listing(rows=[hit_json(h) for h in result.hits],
                   columns=("rank", "id", "path", "title", "date", "speakers", "score", "snippet"),
                   document=result_json(result), human=human, plain=plain,
                   paths=[path_style(h.path) for h in result.hits], found=result.total > 0,
                   notes=[f"note: {n}" for n in result.notes] + (notes if result.total == 0 else []))


# --- quotes ------------------------------------------------------------------------------------

def quotes_listing(query: str, total: int, hits: Sequence[QuoteHit], path_style: PathStyle) -> Listing:
    if hits:
        verb = "matches" if total == 1 else "match"
        head = [f"{plural(total, 'statement')} {verb} {flat(query)} — showing {len(hits)}", ""]
    else:
        head = [f"No statements match {flat(query)}."]

    def meta(hit: QuoteHit) -> str:
        return flat(" · ".join([day(hit.date), hit.title, f"id {hit.article_id}"]))

    def who(hit: QuoteHit) -> str:
        return flat(f"{hit.speaker} ({hit.role})" if hit.role else hit.speaker)

    def human(console: Console) -> None:
        from rich.text import Text

        _numbered_rich(console, head, [(h.rank, Text(who(h), style="bold green"), meta(h), styled(h.snippet))
                                       for h in hits])

    def plain(out: TextIO) -> None:
        _numbered_plain(out, head, [(h.rank, who(h), meta(h), flat(h.snippet.text)) for h in hits])

    return Listing(rows=[quote_json(h) for h in hits],
                   columns=("rank", "id", "path", "title", "date", "speaker", "speaker_role", "score", "quote"),
                   document={"query": query, "total": total, "hits": [quote_json(h) for h in hits]},
                   human=human, plain=plain, paths=[path_style(h.path) for h in hits if h.path], found=bool(hits))


# --- speakers, stats ---------------------------------------------------------------------------

def speakers_listing(rows: Sequence[SpeakerCount]) -> Listing:
    return Listing(rows=[speaker_json(r) for r in rows], columns=("name", "articles", "roles"))


def stats_listing(st: IndexStats) -> Listing:
    span = f"{st.earliest:%Y-%m-%d} – {st.latest:%Y-%m-%d}" if st.earliest and st.latest else "no dated articles"
    fields = [("index", st.path), ("documents", str(st.documents)), ("date span", span),
              ("undated", plural(st.undated, "article")),
              ("index size", f"{st.size_bytes / 1e6:.1f} MB"),
              ("last update", f"{st.last_update:%Y-%m-%d %H:%M:%S}" if st.last_update else "never"),
              ("top speakers", ", ".join(f"{s.name} ({s.articles})" for s in st.top_speakers) or "none")]

    def human(console: Console) -> None:
        from rich.table import Table

        table = Table(show_header=False, box=None)
        for name, value in fields:
            table.add_row(name, value)
        console.print(table)

    return Listing(rows=[{"field": k, "value": v} for k, v in fields], columns=("field", "value"),
                   document=stats_json(st), human=human)


# --- index summary, one document ----------------------------------------------------------------

def summary_line(s: IndexSummary, index_dir: str) -> str:
    return (f"Indexed into {index_dir}: {s.added} added, {s.updated} updated, {s.removed} removed, "
            f"{s.unchanged} unchanged, {len(s.failed)} failed — "
            f"{plural(s.documents, 'document')} ({s.seconds:.1f} s)")


def file_notes(s: IndexSummary, path_style: PathStyle) -> list[str]:
    """One line per failed file and per warning (for stderr)."""
    return ([f"  failed {path_style(f.path)}: {f.reason}" for f in s.failed]
            + [f"  warning {path_style(w.path)}: {w.reason}" for w in s.warnings])


def _doc_meta(doc: StoredDoc, path: str) -> str:
    when = doc.date.strftime("%Y-%m-%d %H:%M") if doc.date else "undated"
    if doc.date and doc.date_source:
        when += f" (from {DATE_SOURCES.get(doc.date_source, doc.date_source)})"
    return " · ".join([when, f"id {doc.id}", path])


def _speaker_line(doc: StoredDoc) -> str:
    roles = list(doc.roles) + [None] * len(doc.speakers)
    return "Speakers: " + ", ".join(f"{n} ({r})" if r else n for n, r in zip(doc.speakers, roles, strict=False))


def document(console: Console, doc: StoredDoc, path: str, title: Snippet | None = None,
             body: Snippet | None = None) -> None:
    """One article for a terminal, wrapped to its width, its query matches highlighted when given."""
    from rich.text import Text

    parts = [styled(title) if title else Text(flat(doc.title)), Text(_doc_meta(doc, path), style="dim")]
    parts[0].stylize("bold cyan")
    if doc.speakers:
        parts.append(Text(_speaker_line(doc), style="dim"))
    if doc.summary:
        parts.append(Text(doc.summary, style="italic"))
    parts += [Text(""), styled(body, one_line=False) if body else Text(doc.body)]
    for part in parts:
        hanging(console, None, part, 0)


def plain_document(out: TextIO, doc: StoredDoc, path: str) -> None:
    lines = [flat(doc.title), _doc_meta(doc, path)]
    if doc.speakers:
        lines.append(_speaker_line(doc))
    if doc.summary:
        lines.append(doc.summary)
    out.write("\n".join([*lines, "", doc.body]).rstrip("\n") + "\n")
