"""Rows 3, 4, 5 and 14: hostile input files and arguments (all-caps headlines, huge files, symlink loops,
undecodable names, FIFOs, odd line separators, a query that looks like an option)."""

from __future__ import annotations

import os
from pathlib import Path

from lab import Case, Lab, Run, archive_files, documents, exported, judge, run_problems

HEADLINE_BODY = "\n\nThe plan was discussed in Washington on Monday, officials said.\n"
CAPS_WORDS = ["THE", "ALLIES", "AFTER", "NASSAU", "IN", "DECEMBER", "WITH", "BRITAIN", "FRANCE", "AND", "GERMANY"]
HEADLINE_BUDGET_S = 5.0  # a one-paragraph file: anything near the per-file budget means a blow-up
LARGE_BUDGET_S = 60.0  # a large file may take a while, but no single file stalls a run
RSS_LIMIT_MB = 400


def caps_headline(words: int) -> str:
    """`words - 1` capitalised words, a year, a colon: the regex tries every split of every word before
    giving up at the digits."""
    return " ".join(CAPS_WORDS[:words - 1]) + " 1960: A NEW PLAN"


def _reported(run: Run, name: str) -> bool:
    """Whether `index --json` mentions `name` among its failures or warnings."""
    data = run.json()
    if not isinstance(data, dict):
        return False
    entries = [*data.get("failed", []), *data.get("warnings", [])]
    return any(name in f"{e.get('path', '')} {e.get('reason', '')}" for e in entries if isinstance(e, dict))


def row3(lab: Lab) -> list[Case]:
    cases = []
    cap = 60 if lab.quick else 180
    headlines = [("the issue's headline", "THE ALLIES AFTER NASSAU IN DECEMBER 1960, THE U.S.: A NEW PLAN"),
                 ("7 words", caps_headline(7)), ("12 words", caps_headline(12))]
    for label, headline in headlines:
        base = lab.fresh("row3")
        (base / "d").mkdir()
        (base / "d" / "headline.txt").write_text(headline + HEADLINE_BODY, encoding="utf-8")
        run = lab.sk.run("index", base / "d", "--index", base / "ix", "--json", cwd=base, timeout=cap)
        problems = run_problems(run, budget=HEADLINE_BUDGET_S)
        count, _ = documents(lab.sk, base / "ix", base) if not run.timed_out else (None, None)
        if not run.timed_out and count != 1:
            problems.append(f"{count} documents, not 1")
        cases.append(judge("3", f"{label}: `{headline}`", run.describe(), problems))
    return cases


def large_file(lab: Lab, path: Path, megabytes: int) -> None:
    """A file of about `megabytes` MB: a title line, then archive articles' text one after another."""
    target = megabytes << 20
    parts, size = [b"A very long compilation of wire stories\n\n"], 0
    sources = list(archive_files(lab.corpus, 2000)) if lab.corpus else []
    if not sources:
        import synth

        sources = synth.write_corpus(path.parent / "synth-src", 200)
    chunks = [s.read_bytes() for s in sources]
    i = 0
    while size < target:
        chunk = chunks[i % len(chunks)]
        parts.append(chunk)
        size += len(chunk)
        i += 1
    path.write_bytes(b"".join(parts)[:target])


def row4(lab: Lab) -> list[Case]:
    cases = []
    sizes = (1, 2, 4, 16) if lab.quick else (1, 2, 4, 16, 50)
    cap = 120 if lab.quick else 300
    base = lab.fresh("row4")
    (base / "tiny").mkdir()
    (base / "tiny" / "a.txt").write_text("A tiny file\n\nNothing to see here.\n", encoding="utf-8")
    # Linearity is judged on CPU time (the command's and its reaped workers'): wall time on shared cores
    # swings with the neighbours' load, which made a linear run read "not linear".
    startup = lab.sk.run("index", base / "tiny" / "a.txt", "--index", base / "ix-tiny", "--workers", "1",
                         cwd=base).cpu_seconds
    first_rate = None
    for mb in sizes:
        folder = base / f"{mb}mb"
        folder.mkdir()
        path = folder / f"big-{mb}mb.txt"
        large_file(lab, path, mb)
        run = lab.sk.run("index", path, "--index", base / f"ix-{mb}", "--workers", "1", "--json", cwd=base,
                         timeout=cap)
        problems = run_problems(run, budget=LARGE_BUDGET_S)
        if run.rss_mb > RSS_LIMIT_MB:
            problems.append(f"peak RSS {run.rss_mb:.0f} MB > {RSS_LIMIT_MB} MB")
        rate = max(run.cpu_seconds - startup, 0.0) / mb
        if first_rate is None:
            first_rate = max(rate, 0.05)
        elif not run.timed_out and rate > 1.5 * first_rate and run.cpu_seconds > 3:
            problems.append(f"{rate:.2f} CPU s/MB vs {first_rate:.2f} CPU s/MB at 1 MB: not linear")
        data = run.json()
        if not run.timed_out and isinstance(data, dict):
            indexed = data.get("documents") == 1
            if not indexed and not _reported(run, path.name):
                problems.append("neither indexed nor reported")
            extra = ("indexed" if indexed else "reported") + (f", {len(data.get('warnings', []))} warnings")
        else:
            extra = "no summary"
        happened = (f"{run.describe(err=False)}; {run.cpu_seconds:.1f} CPU s, {rate:.2f} CPU s/MB after start-up; "
                    f"{extra}")
        cases.append(judge("4", f"one {mb} MB file, `index FILE --workers 1`", happened, problems))
    return cases


def _good(lab: Lab, base: Path, n: int = 20) -> Path:
    return lab.articles(n, base / "d")


def row5(lab: Lab) -> list[Case]:
    cases = []
    setups = [
        ("symlink loop `a -> b`, `b -> a`", "loop-a", lambda d: ((d / "loop-a").symlink_to("loop-b"),
                                                                 (d / "loop-b").symlink_to("loop-a"))),
        ("folder cycle `sub/up -> ..`", "up", lambda d: ((d / "sub").mkdir(), (d / "sub" / "up").symlink_to(".."))),
        ("file name not UTF-8 (`caf\\xe9-report.txt`)", "caf", lambda d: _bad_name(d)),
    ]
    for label, name, make in setups:
        base = lab.fresh("row5")
        docs = _good(lab, base)
        own = {p for p in _files(docs)}
        make(docs)
        run = lab.sk.run("index", docs, "--index", base / "ix", "--json", cwd=base, timeout=300)
        problems = run_problems(run)
        paths, exp = exported(lab.sk, base / "ix", base)
        if paths is None:
            problems.append(f"export: {exp.describe()}")
        else:
            missing = own - set(paths)
            if missing:
                problems.append(f"{len(missing)} of {len(own)} good files not indexed")
            if len(paths) != len(set(paths)):
                problems.append("a file indexed twice")
            through = [p for p in paths if "/up/" in p]
            if through:
                problems.append(f"{len(through)} files indexed again through the cycle")
        indexed_bad = name == "caf" and paths is not None and any("caf" in p for p in paths)
        if not indexed_bad and not run.timed_out and not _reported(run, name):
            problems.append(f"`{name}` neither indexed nor reported")
        search = lab.sk.run("search", "said", "--index", base / "ix", cwd=base, timeout=60)
        if search.traceback:
            problems.append("`search` traceback")
        again = lab.sk.run("index", docs, "--index", base / "ix", "--json", cwd=base, timeout=300)
        problems += [f"re-run: {p}" for p in run_problems(again)]
        data = again.json()
        if isinstance(data, dict) and (data.get("added") or data.get("updated") or data.get("removed")):
            problems.append("re-run changes the index again")
        cases.append(judge("5", label, f"{run.describe()}; {len(paths or [])} documents", problems))
    return cases


def _bad_name(folder: Path) -> None:
    path = os.path.join(os.fsencode(folder), b"caf\xe9-report.txt")
    with open(path, "wb") as f:
        f.write(b"Cafe report\n\nThe cafe opened on Monday, its owner said.\n")


def _files(folder: Path) -> list[str]:
    return [os.path.join(d, f) for d, _dirs, files in os.walk(folder) for f in files]


def row14(lab: Lab) -> list[Case]:
    cases = []
    base = lab.fresh("row14")
    docs = _good(lab, base, 40)
    fifo = base / "pipe.txt"
    os.mkfifo(fifo)
    run = lab.sk.run("index", fifo, "--index", base / "ix-fifo", "--json", cwd=base, timeout=30)
    problems = run_problems(run, budget=10, ok_codes=(0, 1))
    cases.append(judge("14", "a FIFO as the argument: `index pipe.txt`", run.describe(), problems))
    os.mkfifo(docs / "inner-pipe.txt")
    run = lab.sk.run("index", docs, "--index", base / "ix", "--json", cwd=base, timeout=60)
    problems = run_problems(run, budget=20)
    if not run.timed_out and not _reported(run, "inner-pipe"):
        problems.append("the FIFO is not reported")
    cases.append(judge("14", "a FIFO inside the folder: `index d`", run.describe(), problems))
    (docs / "inner-pipe.txt").unlink()
    ix = base / "ix"
    if not (ix.exists() and documents(lab.sk, ix, base)[0]):
        lab.sk.run("index", docs, "--index", ix, cwd=base, timeout=300)
    separators = {"form feed": "\f", "vertical tab": "\v", "U+2028": "\u2028", "U+2029": "\u2029",
                  "NEL U+0085": "\x85", "FS U+001C": "\x1c"}
    lines = [f"q{i}\toil{sep}prices\n" for i, sep in enumerate(separators.values(), 1)]
    lines.append(f"q{len(lines) + 1}\toil prices\r\n")  # a Windows line end still ends one line
    qfile = base / "queries.tsv"
    qfile.write_bytes("".join(lines).encode("utf-8"))
    run = lab.sk.run("search", "--queries", qfile, "--index", ix, cwd=base, timeout=120)
    got = [r.get("query_id") if isinstance(r, dict) else None for r in run.json_lines()]
    want = [f"q{i}" for i in range(1, len(lines) + 1)]
    problems = run_problems(run, ok_codes=(0, 1))
    if got != want:
        problems.append(f"{len(got)} results for {len(want)} lines (ids {', '.join(map(str, got[:9]))})")
    cases.append(judge("14", f"`--queries` lines holding {', '.join(separators)}; a CRLF line", run.describe(),
                       problems))
    run = lab.sk.run("search", "--index", ix, "--json", "--", "-oil", cwd=base, timeout=60)
    problems = run_problems(run, ok_codes=(0, 1))
    if not isinstance(run.json(), dict):
        problems.append("no JSON result")
    cases.append(judge("14", "`search -- -oil`", run.describe(), problems))
    run = lab.sk.run("search", "-oil", "--index", ix, cwd=base, timeout=60)
    problems = run_problems(run, ok_codes=(0, 2))
    cases.append(judge("14", "`search -oil` (a usage error is fine if `--` is documented)", run.describe(), problems))
    return cases
