"""Turn raw engine measurements into the bench JSON, the table (rows = metrics, columns = engines, ratios,
targets) and the `--compare` diff of searchkit's results between two runs.
"""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from corpus import BENCH_DIR
from measure import percentile
from queries import CLASSES

CLASS_LABELS = {
    "common": "common term",
    "rare": "rare term",
    "and": "two-term AND",
    "phrase": "phrase",
    "date": "term + year filter",
    "speaker": "term + speaker filter",
    "date-base": "  (same terms, no date filter)",
    "speaker-base": "  (same terms, no speaker filter)",
}
NOISE_TOLERANCE = 1.10  # "filtered no slower than unfiltered" passes up to +10 % (timing noise)


# --------------------------------------------------------------------------- assembling


def _class_stats(queries: dict[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = {}
    by_cls: dict[str, list[float]] = {}
    for q in queries.values():
        by_cls.setdefault(q["cls"], []).append(q["ms"])
    for cls, ms in by_cls.items():
        stats[cls] = {"p50": percentile(ms, 50), "p95": percentile(ms, 95), "n": len(ms)}
    main = [q["ms"] for q in queries.values() if q["cls"] in CLASSES]
    stats["all"] = {"p50": percentile(main, 50), "p95": percentile(main, 95), "n": len(main)}
    return stats


TOTAL_CHECK_CLASSES = ("common", "rare", "and", "phrase", "date")


def _total_mismatches(m: dict[str, Any], ref: dict[str, Any]) -> list[str]:
    """Queries whose total differs from the reference engine's by more than 20 % (analysers differ a little;
    a large gap points at a counting bug). The speaker class differs by design and is not checked."""
    out = []
    for qid, q in m.get("queries", {}).items():
        r = ref.get("queries", {}).get(qid)
        if r is None or q["cls"] not in TOTAL_CHECK_CLASSES:
            continue
        if abs(q["total"] - r["total"]) > 0.2 * max(r["total"], 5):
            out.append(f"{qid} ({q['total']} vs {r['total']})")
    return out


def _derive(m: dict[str, Any]) -> None:
    qs = m.get("queries", {})
    m["classes"] = _class_stats(qs)
    m["zero_hit_queries"] = sorted(k for k, q in qs.items() if q["cls"] in CLASSES and q["total"] == 0)
    m["search_peak_mb"] = max(m.get("query_peak_mb", 0.0), m.get("oneshot", {}).get("peak_mb", 0.0))
    m["index_peak_mb"] = max(m.get("build_peak_mb", 0.0), m.get("update_peak_mb") or 0.0)  # updates index too
    for f in ("date", "speaker"):
        base = m["classes"].get(f"{f}-base", {}).get("p50")
        m[f"{f}_vs_unfiltered"] = m["classes"][f]["p50"] / base if base else None


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("searchkit", "tantivy", "Whoosh", "PyStemmer"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "-"
    import sqlite3

    out["sqlite"] = sqlite3.sqlite_version
    git = subprocess.run(
        ["git", "-C", str(BENCH_DIR.parent), "describe", "--always", "--dirty"], capture_output=True, text=True
    )
    out["searchkit_git"] = git.stdout.strip() or "-"
    out["searchkit_src_sha1"] = _source_hash()
    return out


def _source_hash() -> str:
    """Hash of searchkit's source files: tells whether two runs measured the same (possibly uncommitted) code."""
    h = hashlib.sha1()
    for path in sorted((BENCH_DIR.parent / "searchkit").rglob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:12]


def assemble(
    run: Any, results: dict[str, Any], skipped: dict[str, str], load_start: dict[str, float], load_end: dict[str, float]
) -> dict[str, Any]:
    for m in results.values():
        _derive(m)
    if "tantivy" in results:
        for m in results.values():
            m["total_mismatches_vs_tantivy"] = _total_mismatches(m, results["tantivy"])
    data: dict[str, Any] = {
        "meta": {
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
            "argv": sys.argv,
            "base_docs": len(run.sel.base),
            "new_docs": len(run.sel.new),
            "changed_docs": len(run.sel.changed),
            "queries": len(run.queries),
            "reps": run.args.reps,
            "load_start": load_start,
            "load_end": load_end,
            "versions": _versions(),
        },
        "engines": results,
        "skipped": skipped,
    }
    data["targets"] = evaluate_targets(data)
    return data


# --------------------------------------------------------------------------- rows and targets


Getter = Callable[[dict[str, Any]], float | None]


@dataclass(frozen=True)
class Row:
    label: str
    get: Getter
    fmt: str = "{:,.1f}"
    target: str = ""


def _cls(cls: str, key: str) -> Getter:
    return lambda m: m.get("classes", {}).get(cls, {}).get(key)


def _count(items: list[str] | None) -> float | None:
    return None if items is None else float(len(items))


ROWS: list[Row] = [
    Row("documents indexed", lambda m: m.get("docs"), "{:,.0f}"),
    Row("build wall s", lambda m: m.get("build_wall_s")),
    Row("build docs/s", lambda m: m.get("docs_per_s"), "{:,.0f}", "≥ 8× naive Whoosh"),
    Row("build CPU s (user+sys)", lambda m: m.get("build_cpu_s")),
    Row("build CPU ms/doc", lambda m: m.get("cpu_ms_per_doc"), "{:,.2f}", "≤ 1.75"),
    Row("index size MB", lambda m: m.get("index_mb"), "{:,.0f}", "≤ 2× tantivy"),
    Row("peak RSS indexing MB (build or update)", lambda m: m.get("index_peak_mb"), "{:,.0f}", "≤ 400"),
    Row("open index ms", lambda m: m.get("open_ms")),
    Row("query p50 ms (all 110)", _cls("all", "p50"), "{:,.2f}", "≤ 10"),
    Row("query p95 ms (all 110)", _cls("all", "p95"), "{:,.2f}", "≤ 40"),
    *[Row(f"{CLASS_LABELS[c]} p50 ms", _cls(c, "p50"), "{:,.2f}") for c in CLASSES[:4]],
    *[
        Row(f"{CLASS_LABELS[c]} p95 ms", _cls(c, "p95"), "{:,.2f}", "≤ 40" if c == "phrase" else "")
        for c in CLASSES[:4]
    ],
    Row("term + year filter p50 ms", _cls("date", "p50"), "{:,.2f}"),
    Row(CLASS_LABELS["date-base"] + " p50", _cls("date-base", "p50"), "{:,.2f}"),
    Row("  year-filtered ÷ unfiltered", lambda m: m.get("date_vs_unfiltered"), "{:,.2f}", "≤ 1 (+10% noise)"),
    Row("term + speaker filter p50 ms", _cls("speaker", "p50"), "{:,.2f}"),
    Row(CLASS_LABELS["speaker-base"] + " p50", _cls("speaker-base", "p50"), "{:,.2f}"),
    Row("  speaker-filtered ÷ unfiltered", lambda m: m.get("speaker_vs_unfiltered"), "{:,.2f}", "≤ 1 (+10% noise)"),
    Row("term + year filter p95 ms", _cls("date", "p95"), "{:,.2f}"),
    Row("term + speaker filter p95 ms", _cls("speaker", "p95"), "{:,.2f}"),
    Row("queries with 0 hits", lambda m: float(len(m.get("zero_hit_queries", []))), "{:,.0f}"),
    Row("totals off > 20% from tantivy's", lambda m: _count(m.get("total_mismatches_vs_tantivy")), "{:,.0f}"),
    Row(f'one-shot CLI search "{"oil prices"}" ms', lambda m: m.get("oneshot", {}).get("wall_ms"), "{:,.0f}", "≤ 150"),
    Row("update 1,000 new + 1,000 changed s", lambda m: m.get("update_s"), "{:,.2f}", "≤ 5"),
    Row("no-change re-run s", lambda m: m.get("nochange_s"), "{:,.2f}", "≤ 1"),
    Row("peak RSS searching MB", lambda m: m.get("search_peak_mb"), "{:,.0f}", "≤ 400"),
]


def _val(data: dict[str, Any], engine: str, get: Getter) -> float | None:
    m = data["engines"].get(engine)
    if m is None:
        return None
    try:
        return get(m)
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def evaluate_targets(data: dict[str, Any]) -> dict[str, Any]:
    """The issue's targets, judged on searchkit (None where an input is missing)."""
    sk = "searchkit"
    g = {row.label: row.get for row in ROWS}

    def v(label: str, engine: str = sk) -> float | None:
        return _val(data, engine, g[label])

    def le(x: float | None, limit: float) -> bool | None:
        return None if x is None else x <= limit

    docs_ratio = _ratio(v("build docs/s"), v("build docs/s", "whoosh-naive"))
    size_ratio = _ratio(v("index size MB"), v("index size MB", "tantivy"))
    return {
        "build docs/s": {"value": docs_ratio, "ok": None if docs_ratio is None else docs_ratio >= 8},
        "index size MB": {"value": size_ratio, "ok": le(size_ratio, 2)},
        **{
            label: {"value": v(label), "ok": le(v(label), lim)}
            for label, lim in (
                ("query p50 ms (all 110)", 10),
                ("build CPU ms/doc", 1.75),
                ("query p95 ms (all 110)", 40),
                ("phrase p95 ms", 40),
                ("  year-filtered ÷ unfiltered", NOISE_TOLERANCE),
                ("  speaker-filtered ÷ unfiltered", NOISE_TOLERANCE),
                ('one-shot CLI search "oil prices" ms', 150),
                ("update 1,000 new + 1,000 changed s", 5),
                ("no-change re-run s", 1),
                ("peak RSS indexing MB (build or update)", 400),
                ("peak RSS searching MB", 400),
            )
        },
    }


# --------------------------------------------------------------------------- printing


def _fmt(x: float | None, fmt: str) -> str:
    return "—" if x is None else fmt.format(x)


def _mark(ok: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: ""}[ok]


def table_rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    engines = list(data["engines"])
    header = ["metric", *engines, "searchkit ÷ tantivy", "searchkit ÷ naive Whoosh", "target (searchkit)", ""]
    targets = data.get("targets", {})
    rows = []
    for row in ROWS:
        vals = {e: _val(data, e, row.get) for e in engines}
        sk = vals.get("searchkit")
        cells = [row.label, *[_fmt(vals[e], row.fmt) for e in engines]]
        cells.append(_fmt(_ratio(sk, vals.get("tantivy")), "{:,.2f}×"))
        cells.append(_fmt(_ratio(sk, vals.get("whoosh-naive")), "{:,.2f}×"))
        cells.append(row.target)
        cells.append(_mark(targets.get(row.label, {}).get("ok")) if row.target else "")
        rows.append(cells)
    return header, rows


def _notes(data: dict[str, Any]) -> list[str]:
    meta = data["meta"]
    ls, le = meta["load_start"], meta["load_end"]
    notes = [
        f"{meta['base_docs']:,} base docs, {meta['queries']} queries (+ unfiltered twins), top 10 with snippets; "
        f"query times are the median of {meta['reps']} warm rounds per query, the engines taking turns in "
        "each round (the one-shot runs too).",
        f"searchkit source sha1 {meta['versions'].get('searchkit_src_sha1')} "
        f"(git {meta['versions'].get('searchkit_git')}). "
        f"Noise: load average at start {ls['load1']:.2f} / {ls['load5']:.2f} / {ls['load15']:.2f}, "
        f"at end {le['load1']:.2f} / {le['load5']:.2f} / {le['load15']:.2f} (1/5/15 min) on {ls['cpus']:.0f} CPUs.",
        "Ratios are plain value ratios of the row (searchkit's value divided by the peer's).",
        "Targets are for the full corpus (106k); at other sizes the marks are indicative.",
    ]
    whoosh = data["engines"].get("whoosh-naive", {})
    if whoosh.get("update_extrapolated_from"):
        notes.append(
            f"naive Whoosh update: {whoosh['update_extrapolated_from']} of 2,000 update_document calls "
            "timed, extrapolated linearly."
        )
    for e, m in data["engines"].items():
        if m.get("total_mismatches_vs_tantivy") and e != "tantivy":
            bad = m["total_mismatches_vs_tantivy"]
            notes.append(f"{e}: totals off from tantivy's (common/rare/AND/phrase/date): {', '.join(bad[:8])}")
        if m.get("zero_hit_queries"):
            notes.append(f"{e}: 0 hits for {', '.join(m['zero_hit_queries'][:12])}")
        if m.get("answers_changed_between_rounds"):
            notes.append(f"{e}: answers not the same in every query round for "
                         f"{', '.join(m['answers_changed_between_rounds'][:12])}")
        for key in ("build_summary", "update_summary", "nochange_summary"):
            s = m.get(key)
            if s:
                brief = {k: s.get(k) for k in ("added", "updated", "removed", "unchanged", "failed_count")}
                notes.append(f"{e} {key.split('_')[0]}: {brief}")
    notes += [f"skipped {e}: {why.splitlines()[-1] if why else ''}" for e, why in data.get("skipped", {}).items()]
    return notes


def print_table(data: dict[str, Any]) -> None:
    header, rows = table_rows(data)
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for r in [header, *rows]:
            print(
                "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True)))
            )
    else:
        table = Table(title="searchkit bench", show_lines=False)
        for i, h in enumerate(header):
            table.add_column(h, justify="left" if i == 0 else "right")
        for r in rows:
            style = "red" if r[-1] == "FAIL" else ("green" if r[-1] == "PASS" else None)
            table.add_row(*r, style=style)
        Console(width=200).print(table)
    for n in _notes(data):
        print("-", n)


def print_compare(old: dict[str, Any], new: dict[str, Any], engine: str = "searchkit") -> int:
    """Print the queries whose top-10 ids or totals changed between two runs; return how many."""
    a = old.get("engines", {}).get(engine, {}).get("queries", {})
    b = new.get("engines", {}).get(engine, {}).get("queries", {})
    if not a or not b:
        print(f"\ncompare: no {engine} results in one of the runs")
        return 0
    if old["meta"].get("base_docs") != new["meta"].get("base_docs"):
        print("\ncompare: WARNING: different document counts; results are expected to differ")
    changed = 0
    print(f"\ncompare {engine} results with {old['meta'].get('finished')}:")
    for qid in sorted(set(a) | set(b)):
        qa, qb = a.get(qid), b.get(qid)
        if qa is None or qb is None:
            print(f"  {qid}: only in {'new' if qa is None else 'old'} run")
            changed += 1
        elif qa["total"] != qb["total"] or qa["ids"] != qb["ids"]:
            changed += 1
            same = len(set(qa["ids"]) & set(qb["ids"]))
            print(
                f"  {qid}: total {qa['total']} -> {qb['total']}, top-10 overlap {same}/{max(len(qa['ids']), 1)}"
                f"{', same top 10' if qa['ids'] == qb['ids'] else ', order changed' if same == len(qa['ids']) else ''}"
            )
    print(f"  {changed} of {len(set(a) | set(b))} queries changed" if changed else "  no result changed")
    for row in ROWS:
        va, vb = _val(old, engine, row.get), _val(new, engine, row.get)
        if va is not None and vb is not None and row.target:
            print(f"  {row.label}: {_fmt(va, row.fmt)} -> {_fmt(vb, row.fmt)}")
    return changed
