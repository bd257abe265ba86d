"""The kill -9 loop (issue #13): SIGKILL `index` at random moments of builds, rebuilds and updates, and
check each time that the index reopens and that a re-run converges to exactly the files on disk.

Shared by the replay (`replay.py --rows kill`, 36 rounds on archive files) and the test suite
(`tests/test_crash_recovery.py`, fewer rounds on synthetic stories).
"""

from __future__ import annotations

import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lab import Searchkit, article_files, exported, kill_session, quote_totals

PATTERN = ("update", "build", "update", "rebuild")  # round r does PATTERN[r % 4]: every kind, in a fixed mix


class Folder:
    """The loop's article folder (`dir`): the first `start` files of `source`, then random edits that add
    files from the rest of `source`, append to some and delete others."""

    def __init__(self, source: Path, base: Path, start: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.source = source
        files = sorted(Path(p) for p in article_files(source))
        self.dir = base / "d"
        for f in files[:start]:
            self._copy_in(f)
        self.spare = files[start:]

    def _copy_in(self, f: Path) -> None:
        dest = self.dir / f.relative_to(self.source)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(f, dest)

    def edit(self, round_no: int) -> str:
        """Add, change and delete a few files (as a day of new wire copy would); returns `+added ~changed -gone`."""
        present = sorted(Path(p) for p in article_files(self.dir))
        add = self.rng.sample(self.spare, min(len(self.spare), self.rng.randint(10, 60)))
        for f in add:
            self._copy_in(f)
            self.spare.remove(f)
        changed = self.rng.sample(present, min(len(present), self.rng.randint(5, 30)))
        for f in changed:
            with open(f, "a", encoding="utf-8") as out:
                out.write(f"\n\nOfficials said on Tuesday that markets calmed, in round {round_no}.\n")
        rest = [p for p in present if p not in changed]
        gone = self.rng.sample(rest, min(len(rest), self.rng.randint(5, 30)))
        for f in gone:
            f.unlink()
            self.spare.append(self.source / f.relative_to(self.dir))
        return f"+{len(add)} ~{len(changed)} -{len(gone)}"


@dataclass(frozen=True)
class Probes:
    """What is looked up after each re-run. `search` must work; when `search_everywhere`, the word is in
    every file and the search must find each file on disk (not one more). With `quote`, a word in every
    statement of every file: `quotes` must hold no statement twice and none of a file no longer on disk,
    and at the end the statements must be exactly a clean build's."""

    search: str = "said"
    search_everywhere: bool = False
    quote: str | None = None


QUOTES_SHOWN = 10_000  # `quotes --limit` at most


def quoted(sk: Searchkit, ix: Path, cwd: Path, word: str, docs: Path) -> tuple[Counter[tuple[str, str]] | None, str]:
    """Every (path, statement) of `quotes WORD`, counted; None and why when the command fails. (Before
    wave 2 a hit named its article by `article_id`, relative to the indexed folder `docs`, not by `path`.)"""
    run = sk.run("quotes", word, "--index", ix, "--json", "--limit", str(QUOTES_SHOWN), cwd=cwd, timeout=300)
    data = run.json()
    if not run.ok or not isinstance(data, dict):
        return None, f"quotes: {run.describe()}"
    return Counter((h.get("path") or str(docs / h["article_id"]), h["quote"]) for h in data["hits"]), ""


def consistency(sk: Searchkit, docs: Path, ix: Path, cwd: Path, probes: Probes) -> list[str]:
    """After a re-run: the index holds exactly the files on disk, once each; search works (and finds every
    file when the probe word is in all of them); no statement is stored twice or outlives its file."""
    problems = []
    want = article_files(docs)
    paths, exp = exported(sk, ix, cwd)
    if paths is None:
        problems.append(f"export: {exp.describe()}")
    elif len(paths) != len(set(paths)) or set(paths) != want:
        problems.append(f"{len(paths)} documents ({len(set(paths) - want)} not on disk, {len(want - set(paths))} "
                        f"missing, {len(paths) - len(set(paths))} duplicates) for {len(want)} files")
    search = sk.run("search", probes.search, "--index", ix, "--json", "--limit", "1", cwd=cwd, timeout=300)
    data = search.json()
    if not search.ok or not isinstance(data, dict) or not isinstance(data.get("total"), int):
        problems.append(f"search {probes.search}: {search.describe()}")
    elif probes.search_everywhere and data["total"] != len(want):
        problems.append(f"search {probes.search}: {data['total']} hits for {len(want)} files that hold it")
    if probes.quote:
        statements, why = quoted(sk, ix, cwd, probes.quote, docs)
        if statements is None:
            problems.append(why)
        else:
            twice = sum(n - 1 for n in statements.values() if n > 1)
            stale = {path for path, _ in statements} - want
            if twice:
                problems.append(f"{twice} statements stored more than once")
            if stale:
                problems.append(f"statements of {len(stale)} files no longer on disk")
    return problems


def crash_and_recover(sk: Searchkit, docs: Path, ix: Path, cwd: Path, *, rebuild: bool, delay: float,
                      probes: Probes = Probes()) -> tuple[bool, list[str]]:
    """Start `index` (with `--rebuild`), SIGKILL its whole process group after `delay` s; check the index
    reopens (`stats`: no traceback, or a one-line "no index" when nothing was ever committed), re-run
    `index`, and check the index is consistent with the files on disk (`consistency`).
    Returns (whether the kill came before the run ended, problems)."""
    proc = sk.start("index", docs, "--index", ix, *(["--rebuild"] if rebuild else []), cwd=cwd)
    end = time.monotonic() + delay
    while time.monotonic() < end and proc.poll() is None:
        time.sleep(0.01)
    mid = proc.poll() is None
    kill_session(proc.pid)
    proc.wait(10, orphan_grace=2)
    problems = []
    reopen = sk.run("stats", "--index", ix, "--json", cwd=cwd)
    if reopen.traceback or reopen.code not in (0, 1) or (reopen.code == 1 and not reopen.one_line_error):
        problems.append(f"reopen: {reopen.describe()}")
    rerun = sk.run("index", docs, "--index", ix, "--json", cwd=cwd, timeout=1800)
    if rerun.code != 0 or rerun.traceback:
        return mid, [*problems, f"re-run: {rerun.describe()}"]
    return mid, problems + consistency(sk, docs, ix, cwd, probes)


@dataclass
class LoopResult:
    rounds: int
    files: int = 0
    killed_mid: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    failed_rounds: int = 0
    quotes_match: bool = False

    @property
    def converged(self) -> int:
        return self.rounds - self.failed_rounds


def run(sk: Searchkit, source: Path, base: Path, *, start: int, rounds: int, seed: int, probes: Probes = Probes(),
        say: Callable[[str], None] = lambda _msg: None) -> LoopResult:
    """The loop over a folder made from `source` (which needs a few hundred files beyond `start`); at the
    end the quotes are compared with a clean build of the final folder (every statement with `probes.quote`,
    else the totals of a few common words)."""
    folder = Folder(source, base, start, seed)
    rng = random.Random(seed)
    ix = base / "ix"
    build = sk.run("index", folder.dir, "--index", ix, cwd=base, timeout=1800)
    folder.edit(0)
    update = sk.run("index", folder.dir, "--index", ix, cwd=base, timeout=1800)
    durations = {"build": build.seconds, "rebuild": build.seconds, "update": update.seconds}  # kills fall in these
    result = LoopResult(rounds)
    for r in range(1, rounds + 1):
        kind = PATTERN[r % len(PATTERN)]
        result.kinds[kind] = result.kinds.get(kind, 0) + 1
        change = ""
        if kind == "build":
            shutil.rmtree(ix, ignore_errors=True)
        else:
            change = folder.edit(r)
        delay = rng.uniform(0.05, 1.1 * max(durations[kind], 0.5))
        mid, problems = crash_and_recover(sk, folder.dir, ix, base, rebuild=kind == "rebuild", delay=delay,
                                          probes=probes)
        result.killed_mid += mid
        if problems:
            result.failed_rounds += 1
            result.failures += [f"round {r} ({kind} {change}, kill at {delay:.2f} s): {p}" for p in problems]
        say(f"  round {r}: {kind} {change}, kill at {delay:.2f} s{' (mid-run)' if mid else ' (after exit)'}"
            + (f": {'; '.join(problems)}" if problems else ""))
    ref = base / "reference"
    sk.run("index", folder.dir, "--index", ref, cwd=base, timeout=1800)
    if probes.quote:
        got, want = (quoted(sk, index, base, probes.quote, folder.dir)[0] for index in (ix, ref))
        result.quotes_match = got is not None and got == want
        if not result.quotes_match:
            differ = set((got or Counter()).items()) ^ set((want or Counter()).items())
            result.failures.append(f"{got and got.total()} statements vs a clean build's {want and want.total()} "
                                   f"({len(differ)} (file, statement, count) entries differ)")
    else:
        got, want = quote_totals(sk, ix, base), quote_totals(sk, ref, base)
        result.quotes_match = got is not None and got == want
        if not result.quotes_match:
            result.failures.append(f"quote totals {got} vs a clean build's {want}")
    result.files = len(article_files(folder.dir))
    return result
