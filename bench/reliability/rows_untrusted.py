"""Rows 1-2: an index folder from someone else, and symlinks out of the indexed folder."""

from __future__ import annotations

import os
import pickle
import shlex
import shutil
from pathlib import Path

from lab import Case, Lab, article_files, error_problems, exported, judge, loose_modes, run_problems

SMALL = 40  # articles in these rows' folders


class _Payload:
    """Unpickles into a call of `os.system(cmd)`: what a hostile table of contents can hold."""

    def __init__(self, cmd: str) -> None:
        self.cmd = cmd

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (self.cmd,)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _encode_varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def poison_toc(toc: Path, payload: bytes, part: str = "schema") -> None:
    """Replace the pickled schema (or the pickled segment list) of a Whoosh 2.7 TOC file with `payload`.

    Layout (whoosh.index.TOC.write): 3 varints (type sizes), int -12345, int version, 3 varints (release),
    varint length + schema pickle, int generation, int 0, segments pickle (to the end)."""
    data = toc.read_bytes()
    pos = 0
    for _ in range(3):
        _, pos = _varint(data, pos)
    pos += 8
    for _ in range(3):
        _, pos = _varint(data, pos)
    length, start = _varint(data, pos)
    end = start + length
    if part == "schema":
        data = data[:pos] + _encode_varint(len(payload)) + payload + data[end:]
    else:
        data = data[:end + 8] + payload
    toc.write_bytes(data)


def latest_toc(ix: Path, name: str) -> Path:
    tocs = sorted(ix.glob(f"_{name}_*.toc"), key=lambda p: int(p.stem.rsplit("_", 1)[1]))
    if not tocs:
        raise RuntimeError(f"no _{name}_*.toc in {ix}")
    return tocs[-1]


def row1(lab: Lab) -> list[Case]:
    cases = []
    base = lab.fresh("row1")
    docs = lab.articles(SMALL, base / "d")
    clean_ix = base / "clean-ix"
    build = lab.sk.run("index", docs, "--index", clean_ix, cwd=base)
    if build.code != 0:
        return [judge("1", "building the index to poison", build.describe(), ["build failed"])]
    marker = base / "PWNED"
    payload = pickle.dumps(_Payload(f"touch {shlex.quote(str(marker))}"), 2)
    plans = [
        ("article TOC: schema pickle → os.system", "searchkit", "schema",
         [("search", "oil"), ("stats",), ("export",), ("index", docs)]),
        ("article TOC: segment-list pickle → os.system", "searchkit", "segments", [("search", "oil")]),
        ("quotes TOC: schema pickle → os.system", "quotes", "schema", [("quotes", "market")]),
    ]
    for label, name, part, commands in plans:
        ix = base / f"ix-{name}-{part}"
        shutil.copytree(clean_ix, ix)
        poison_toc(latest_toc(ix, name), payload, part)
        for args in commands:
            marker.unlink(missing_ok=True)
            run = lab.sk.run(*args, "--index", ix, cwd=base, timeout=60)
            ran = marker.exists()
            problems = ["THE PAYLOAD RAN (marker file written)"] if ran else []
            problems += error_problems(run)
            cases.append(judge("1", f"{label}; `{args[0]}`", run.describe(), problems))
    for label, target in (("index folder mode 0777 (writable by others)", ""),
                          ("article TOC mode 0666 (writable by others)", "toc")):
        ix = base / f"ix-open-{target or 'dir'}"
        shutil.copytree(clean_ix, ix)
        path = latest_toc(ix, "searchkit") if target else ix
        path.chmod(0o666 if target else 0o777)
        for args in (("search", "oil"), ("index", docs)):
            run = lab.sk.run(*args, "--index", ix, cwd=base, timeout=60)
            cases.append(judge("1", f"{label}; `{args[0]}`", run.describe(), error_problems(run)))
    return cases


def row2(lab: Lab) -> list[Case]:
    cases = []
    base = lab.fresh("row2")
    docs = lab.articles(SMALL, base / "d")
    (docs / "etcdir").symlink_to("/etc")
    (docs / "hostname.txt").symlink_to("/etc/hostname")
    ix = base / "ix"
    run = lab.sk.run("index", docs, "--index", ix, "--json", cwd=base, timeout=300)
    inside = os.path.realpath(docs) + os.sep

    def through_links(p: str) -> bool:
        return not os.path.realpath(p).startswith(inside) or "/etcdir/" in p or p.endswith("/hostname.txt")

    own = {p for p in article_files(docs) if not os.path.islink(p)}
    paths, exp = exported(lab.sk, ix, base)
    outside = sorted(p for p in paths or [] if through_links(p))
    problems = run_problems(run)
    if paths is None:
        problems.append(f"export failed: {exp.describe()}")
    if outside:
        problems.append(f"{len(outside)} files from outside indexed (e.g. {outside[0]})")
    if paths is not None and not own <= set(paths):
        problems.append(f"only {len(own & set(paths))} of the folder's {len(own)} own files indexed")
    cases.append(judge("2", "`ln -s /etc d/etcdir` + `ln -s /etc/hostname d/hostname.txt`; `index d`",
                       f"{run.describe()}; {len(paths or [])} documents, {len(outside)} from outside", problems))
    show = lab.sk.run("show", "etcdir/shadow", "--index", ix, cwd=base, timeout=60)
    leaked = "root:" in show.stdout
    problems = ["printed /etc/shadow"] if leaked else []
    if show.traceback:
        problems.append("traceback")
    cases.append(judge("2", "`show etcdir/shadow`", show.describe(), problems))
    loose = loose_modes(ix) if ix.exists() else []
    cases.append(judge("2", "index file modes (want 0600 files / 0700 folders)",
                       f"{len(loose)} paths open to group/others" + (f", e.g. {', '.join(loose[:3])}" if loose else ""),
                       [f"{len(loose)} index paths readable or writable by group/others"] if loose else []))
    (docs / "etcdir").unlink()
    (docs / "hostname.txt").unlink()
    again = lab.sk.run("index", docs, "--index", ix, "--json", cwd=base, timeout=300)
    paths, exp = exported(lab.sk, ix, base)
    outside = sorted(p for p in paths or [] if through_links(p))
    problems = run_problems(again)
    if outside:
        problems.append(f"{len(outside)} outside files still indexed after the links were deleted")
    happened = f"{again.describe()}; {len(outside)} outside documents left"
    cases.append(judge("2", "links deleted, `index d` again", happened, problems))
    return cases
