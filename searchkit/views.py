"""The news-analysis features as people and scripts see them: timelines (a bar chart), similar articles,
saved searches and alerts, as `Listing`s for the output layer. No logic beyond presentation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from searchkit.output import Listing
from searchkit.render import flat, iso, plural

if TYPE_CHECKING:
    from rich.console import Console

    from searchkit.alerts import Alert, SavedSearch
    from searchkit.similar import Similar
    from searchkit.timeline import Timeline

PathStyle = Callable[[str], str]
BAR_WIDTH = 50
BAR = "█"


# --- timeline ----------------------------------------------------------------------------------

def timeline_json(tl: Timeline) -> dict[str, Any]:
    return {"query": tl.query, "unit": tl.unit, "total": tl.total, "undated": tl.undated,
            "periods": [{"period": p.name, "start": p.start.isoformat(), "articles": p.count,
                         "speakers": [{"name": n, "articles": k} for n, k in p.speakers]} for p in tl.periods],
            "split": {name: list(counts) for name, counts in tl.split}}


def _timeline_rows(tl: Timeline) -> list[dict[str, Any]]:
    rows = []
    for i, p in enumerate(tl.periods):
        row: dict[str, Any] = {"period": p.name, "start": p.start.isoformat(), "articles": p.count}
        row.update({name: counts[i] for name, counts in tl.split})
        row["top_speakers"] = "; ".join(f"{n} {k}" for n, k in p.speakers)
        rows.append(row)
    return rows


def _timeline_head(tl: Timeline, label: str) -> str:
    if not tl.total:
        return f"No articles for {label}."
    if not tl.periods:
        return f"Timeline of {label}: {plural(tl.total, 'article')}, none of them dated."
    span = tl.periods[0].name if len(tl.periods) == 1 else f"{tl.periods[0].name} – {tl.periods[-1].name}"
    undated = f" ({tl.undated} undated, not shown)" if tl.undated else ""
    return f"Timeline of {label}: {plural(tl.total, 'article')}{undated}, {span} by {tl.unit}"


def _bars(tl: Timeline) -> list[tuple[str, str, str, str]]:
    """Each period as (name, bar, count, speakers): bars scaled to the largest period; any article shows."""
    top = max((p.count for p in tl.periods), default=0) or 1
    digits = len(f"{top:,}")
    out = []
    for p in tl.periods:
        length = 0 if p.count == 0 else max(1, round(BAR_WIDTH * p.count / top))
        people = ", ".join(f"{n} {k}" for n, k in p.speakers)
        out.append((p.name, BAR * length, f"{p.count:,}".rjust(digits), people))
    return out


def timeline_listing(tl: Timeline, label: str) -> Listing:
    head = _timeline_head(tl, flat(label))
    bars = _bars(tl)
    width = max((len(name) for name, *_ in bars), default=0)

    def human(console: Console) -> None:
        from rich.text import Text

        console.print(Text(head))
        for name, bar, count, people in bars:
            console.print(Text.assemble((name.ljust(width), "bold"), " ", (count, ""), " ",
                                        (bar, "cyan"), ("  " + people if people else "", "dim")), soft_wrap=True)

    def plain(out: TextIO) -> None:
        lines = [head]
        lines += [f"{name.ljust(width)} {count} {bar}{'  ' + people if people else ''}".rstrip()
                  for name, bar, count, people in bars]
        out.write("".join(line + "\n" for line in lines))

    columns = ["period", "start", "articles", *(name for name, _ in tl.split), "top_speakers"]
    return Listing(rows=_timeline_rows(tl), columns=columns, document=timeline_json(tl), human=human, plain=plain,
                   found=tl.total > 0)


# --- similar -----------------------------------------------------------------------------------

def similar_listing(found: Similar, path_style: PathStyle) -> Listing:
    from searchkit.render import hanging

    copies = f"; {plural(found.copies, 'copy', 'copies')} of it left out" if found.copies else ""
    head = [f"Like {flat(found.source.title or found.source.id)} ({found.source.id}){copies}",
            f"by {', '.join(found.terms)}" if found.terms else "(no distinctive words)", ""]
    rows = [{"rank": n, "id": d.id, "path": path_style(d.source), "title": d.title, "date": iso(d.date),
             "score": round(score, 4)} for n, (d, score) in enumerate(found.hits, 1)]

    def human(console: Console) -> None:
        from rich.text import Text

        for line in head:
            console.print(Text(line))
        for row in rows:
            hanging(console, Text(f"{row['rank']}. ".rjust(5), style="bold"),
                    Text(flat(row["title"] or row["id"]), style="bold cyan"), 5)
            hanging(console, None, Text(f"{day_of(row)} · score {row['score']:.2f} · {row['path']}", style="dim"), 5)

    def plain(out: TextIO) -> None:
        lines = list(head)
        for row in rows:
            lines += [f"{row['rank']:>3}. {flat(row['title'] or row['id'])}",
                      f"     {day_of(row)} · score {row['score']:.2f} · {row['path']}"]
        out.write("".join(line + "\n" for line in lines))

    document = {"id": found.source.id, "title": found.source.title, "terms": list(found.terms),
                "copies_left_out": found.copies, "hits": rows}
    return Listing(rows=rows, columns=("rank", "id", "path", "title", "date", "score"), document=document,
                   human=human, plain=plain, paths=[r["path"] for r in rows], found=bool(rows))


def day_of(row: dict[str, Any]) -> str:
    return (row.get("date") or "undated")[:10]


# --- alerts ------------------------------------------------------------------------------------

def alert_json(alert: Alert, path_style: PathStyle) -> dict[str, Any]:
    a = alert.article
    return {"alert": alert.name, "query": alert.query, "id": a.id, "title": a.title, "date": iso(a.date),
            "path": path_style(a.path)}


def alerts_listing(alerts: Sequence[Alert], searches: int, path_style: PathStyle) -> Listing:
    rows = [alert_json(a, path_style) for a in alerts]
    if not searches:
        head = ["No saved searches; add one with `searchkit alerts add NAME QUERY`."]
    elif not rows:
        head = [f"Nothing new for {plural(searches, 'saved search', 'saved searches')}."]
    else:
        head = [f"{plural(len(rows), 'new article')} for {plural(searches, 'saved search', 'saved searches')}:"]
    lines = [f"[{r['alert']}] {day_of(r)} {flat(r['title'] or r['id'])} ({r['id']})" for r in rows]

    def plain(out: TextIO) -> None:
        out.write("".join(line + "\n" for line in [*head, *lines]))

    def human(console: Console) -> None:
        from rich.text import Text

        console.print(Text(head[0]))
        for r in rows:
            console.print(Text.assemble((f"[{r['alert']}] ", "bold green"), (day_of(r) + " ", "dim"),
                                        (flat(r["title"] or r["id"]), "bold cyan"), (f" ({r['id']})", "dim")),
                          soft_wrap=True)

    return Listing(rows=rows, columns=("alert", "id", "date", "title", "path", "query"),
                   document={"searches": searches, "alerts": rows}, human=human, plain=plain,
                   paths=[r["path"] for r in rows])


def saved_json(s: SavedSearch) -> dict[str, Any]:
    return {"name": s.name, "query": s.query, "from": s.date_from, "to": s.date_to, "speakers": list(s.speakers),
            "match": s.match, "created": s.created, "reported": s.reported}


def saved_listing(searches: Sequence[SavedSearch]) -> Listing:
    rows = [saved_json(s) for s in searches]

    def describe(s: SavedSearch) -> str:
        parts = [s.query or "*"]
        if s.speakers:
            parts.append("speaker " + " or ".join(s.speakers))
        if s.date_from or s.date_to:
            parts.append(f"{s.date_from or '…'} to {s.date_to or '…'}")
        return f"{s.name}: {', '.join(parts)} ({plural(s.reported, 'article')} reported since {s.created[:10]})"

    lines = [describe(s) for s in searches] or ["No saved searches; add one with `searchkit alerts add NAME QUERY`."]

    def plain(out: TextIO) -> None:
        out.write("".join(line + "\n" for line in lines))

    def human(console: Console) -> None:
        for line in lines:
            console.print(line, markup=False, soft_wrap=True)

    return Listing(rows=rows, columns=("name", "query", "from", "to", "speakers", "match", "created", "reported"),
                   human=human, plain=plain)
