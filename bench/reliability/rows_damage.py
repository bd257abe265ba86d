"""Rows 6, 9 and 10: a corrupt manifest, damaged segment files, a full disk."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from lab import Case, Lab, Run, documents, error_problems, exported, judge, listing, run_problems

REBUILD = "searchkit index --rebuild"


def _garbage(size: int) -> bytes:
    return (b"this is not an SQLite database \x00\xff" * (size // 33 + 1))[:size]


def row6(lab: Lab) -> list[Case]:
    cases = []
    n = lab.scale
    docs = lab.sample(n)
    for damage in ("garbage bytes", "truncated to 1 KB"):
        for args in (("index",), ("index", "--rebuild")):
            base = lab.fresh("row6")
            ix = lab.copy_index(n, base / "ix")
            manifest = ix / "manifest.sqlite"
            for extra in ("-wal", "-shm"):
                Path(f"{manifest}{extra}").unlink(missing_ok=True)
            if damage == "garbage bytes":
                manifest.write_bytes(_garbage(64 << 10))
            else:
                with open(manifest, "r+b") as f:
                    f.truncate(1024)
            run = lab.sk.run(*args[:1], docs, *args[1:], "--index", ix, "--json", cwd=base, timeout=900)
            after, _ = documents(lab.sk, ix, base)
            if run.code == 0 and not run.traceback:
                problems = run_problems(run)
            else:
                problems = error_problems(run, must_mention=REBUILD)
                if args[1:]:
                    problems.insert(0, "`--rebuild` failed")
            if after != n:
                problems.append(f"index now holds {after} documents, not {n}")
            happened = f"{run.describe()}; {after} documents after (of {n})"
            cases.append(judge("6", f"manifest {damage}; `{' '.join(args)}`", happened, problems))
    return cases


# --------------------------------------------------------------------------- row 9


def _segment_files(ix: Path) -> dict[str, Path | None]:
    """The file of each kind the issue damaged: from the largest article segment, its quotes twin, the TOC."""
    def largest(pattern: str) -> Path | None:
        found = sorted(ix.glob(pattern), key=lambda p: p.stat().st_size)
        return found[-1] if found else None

    trm = largest("searchkit_*.trm")
    seg = trm.name[:-len(".trm")] if trm else "none"
    tocs = sorted(ix.glob("_searchkit_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    return {".trm": trm, ".pst": ix / f"{seg}.pst", "_stored.col": ix / f"{seg}._stored.col",
            "date.col": ix / f"{seg}.date.col", "quotes .trm": largest("quotes_*.trm"),
            ".toc": tocs[-1] if tocs else None}


def _code(run: Run) -> str:
    """A command's outcome in a few characters, for a crowded cell."""
    if run.timed_out:
        return "HANG"
    if run.traceback:
        return f"TRACEBACK({len(run.err_lines)} lines)"
    if run.ok:
        return "ok"
    if run.one_line_error and REBUILD in run.stderr:
        return "error→rebuild"
    return f"exit {run.code} `{run.first_err[:60]}`" + (f" +{len(run.err_lines) - 1} lines" if len(run.err_lines) > 1
                                                        else "")


def _commands(doc_id: str) -> list[tuple[str, ...]]:
    return [("search", "oil", "--json"), ("stats", "--json"), ("export",), ("show", doc_id, "--json"),
            ("quotes", "market", "--json")]


def row9(lab: Lab) -> list[Case]:
    cases = []
    n = lab.scale
    docs = lab.sample(n)
    paths, _ = exported(lab.sk, lab.built(n), lab.root)
    if not paths:
        return [Case("9", "damaged segments", "cannot export the clean index", None, "harness: no clean index")]
    first = lab.sk.run("search", "oil", "--json", "--limit", "1", "--index", lab.built(n), cwd=lab.root).json()
    doc_id = first["hits"][0]["id"] if first and first.get("hits") else ""
    modes = ("truncated", "deleted")
    for kind in _segment_files(lab.built(n)):
        for mode in modes:
            if lab.quick and mode == "deleted" and kind != ".toc":
                continue
            base = lab.fresh("row9")
            ix = lab.copy_index(n, base / "ix")
            target = _segment_files(ix)[kind]
            if target is None or not target.exists():
                cases.append(Case("9", f"{kind} {mode}", "", None, f"no {kind} file in this index layout"))
                continue
            if mode == "deleted":
                target.unlink()
            else:
                with open(target, "r+b") as f:
                    f.truncate(target.stat().st_size // 2)
            problems = []
            codes = []
            for args in _commands(doc_id):
                run = lab.sk.run(*args, "--index", ix, cwd=base, timeout=120)
                codes.append(f"{args[0]} {_code(run)}")
                if not run.ok or run.traceback or run.timed_out:
                    bad = error_problems(run, must_mention=REBUILD)
                    problems += [f"`{args[0]}`: {p}" for p in bad]
            run = lab.sk.run("index", docs, "--index", ix, "--json", cwd=base, timeout=900)
            summary = run.json() if run.code == 0 else None
            said = f"index {_code(run)}"
            if isinstance(summary, dict):
                said = (f"index: exit 0, {summary['unchanged']} unchanged, {summary['added'] + summary['updated']} "
                        f"re-read, {summary['documents']} documents")
            if run.code == 0 and not run.traceback:
                after = [lab.sk.run(*args, "--index", ix, cwd=base, timeout=120) for args in _commands(doc_id)]
                broken = [f"{args[0]} {_code(r)}" for args, r in zip(_commands(doc_id), after, strict=True)
                          if not r.ok or r.traceback]
                count, _ = documents(lab.sk, ix, base)
                if broken or count != n:
                    problems.append(f"`index` exit 0 ({said.split(', ', 1)[1]}) but the index is still damaged "
                                    f"({', '.join(broken) or f'{count} documents of {n}'})")
                else:
                    said += " → repaired"
            else:
                problems += [f"`index`: {p}" for p in error_problems(run, must_mention=REBUILD)]
            happened = "; ".join([*codes, said])
            cases.append(judge("9", f"{kind} {mode}", happened, problems))
    return cases


# --------------------------------------------------------------------------- row 10


def mount_tmpfs(path: Path, megabytes: int) -> str | None:
    """Mount a `megabytes` MB tmpfs at `path`; the reason when that is impossible."""
    path.mkdir(parents=True, exist_ok=True)
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={megabytes}m,mode=0755", "tmpfs", str(path)],
                         capture_output=True, text=True)
    return None if res.returncode == 0 else (res.stderr.strip() or f"mount exit {res.returncode}")


def unmount_all(root: Path) -> None:
    """Unmount whatever the replay mounted under `root`."""
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return
    prefix = str(root.resolve())
    for line in reversed(mounts):
        point = line.split()[1].replace("\\040", " ")
        if point.startswith(prefix):
            subprocess.run(["umount", "-l", point], capture_output=True)


def _free_mb(path: Path) -> float:
    st = os.statvfs(path)
    return st.f_bavail * st.f_frsize / 2**20


def row10(lab: Lab) -> list[Case]:
    cases = []
    old_n, new_n = 100, 3000  # the new files must overflow the disk whatever the replay's scale
    for size in (30, 30, 12, 12, 12):  # the 12 MB hang depends on timing: several tries
        base = lab.fresh("row10")
        mnt = base / "mnt"
        why = mount_tmpfs(mnt, size)
        if why:
            return [Case("10", f"{size} MB filesystem", "", None, f"cannot mount a tmpfs here ({why})")]
        try:
            cases.extend(_disk_full(lab, base, mnt, size, old_n, new_n))
        finally:
            subprocess.run(["umount", "-l", str(mnt)], capture_output=True)
    return cases


def _disk_full(lab: Lab, base: Path, mnt: Path, size: int, old_n: int, new_n: int) -> list[Case]:
    cases = []
    ix = mnt / "ix"
    old = lab.articles(old_n, base / "old")
    build = lab.sk.run("index", old, "--index", ix, "--json", cwd=base, timeout=600)
    if build.code != 0:
        return [Case("10", f"{size} MB filesystem", f"the {old_n}-file index does not fit: {build.describe()}", None,
                     "harness: old index did not build")]
    before, free_before = listing(ix), _free_mb(mnt)
    cap = 300
    run = lab.sk.run("index", lab.sample(new_n), "--index", ix, cwd=base, timeout=cap)
    problems = error_problems(run)
    left = {f: s for f, s in listing(ix).items() if f not in before}
    free_after = _free_mb(mnt)
    if left:
        problems.append(f"{len(left)} files left ({sum(left.values()) / 2**20:.1f} MB, e.g. {sorted(left)[0]})")
    count, stats = documents(lab.sk, ix, base)
    if count != old_n:
        problems.append(f"old index: {count} documents, not {old_n} ({stats.first_err})")
    happened = (f"{run.describe()}; free {free_before:.1f} → {free_after:.1f} MB; {len(left)} new files; "
                f"old index {count} documents")
    cases.append(judge("10", f"{size} MB tmpfs: {old_n}-file index, then `index` {new_n} more", happened, problems))
    extra = base / "old" / "more"
    extra.mkdir()
    for i, f in enumerate(sorted(p for p in (base / "old").rglob("*") if p.is_file())[:5]):
        shutil.copyfile(f, extra / f"copy-{i}")
    small = lab.sk.run("index", old, "--index", ix, "--json", cwd=base, timeout=cap)
    problems = run_problems(small)
    count, _ = documents(lab.sk, ix, base)
    if count != old_n + 5:
        problems.append(f"{count} documents, not {old_n + 5}")
    happened = f"{small.describe()}; {count} documents"
    cases.append(judge("10", f"{size} MB tmpfs: then a 5-file update that fits", happened, problems))
    return cases
