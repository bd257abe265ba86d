"""The bench corpus: extract the Reuters archive once, select documents deterministically, lay out folders.

- The archive is extracted into `bench/.cache/` on first use (a marker file records completion).
- Every file is listed in sorted order. 1,000 evenly spaced files are held out as the "new" files of the
  update step; the base set is the first N of an evenly spaced sample of the rest (all of it in full mode),
  so every year is covered at any N.
- The update step also changes 1,000 evenly spaced base files: a deterministic paragraph is appended to
  the body. Changed copies are written under the run folder; new files are the held-out originals.
- `parse_reuters` is the tiny header parser the peers use (searchkit parses files with its own indexer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
CACHE_DIR = BENCH_DIR / ".cache"
ARCHIVE = BENCH_DIR.parent.parent / "shared" / "corpora" / "reuters-ding-2006-2013.tar.zst"
TOP = "ReutersNews106521"
HELD_OUT = 1000
CHANGED = 1000
CHANGE_TEXT = (
    "\n\n  Editor's update: this article was revised after publication; the searchkit bench appended this "
    "paragraph (revision two) to test incremental indexing.\n"
)


@dataclass(frozen=True, slots=True)
class Doc:
    """A parsed Reuters article as the peers index it."""

    id: str
    title: str
    author: str
    date: datetime | None
    body: str


@dataclass(frozen=True, slots=True)
class Selection:
    """Which files a run indexes (`base`), adds (`new`) and modifies (`changed`), as relative paths."""

    root: Path
    base: list[str]
    new: list[str]
    changed: list[str]


def corpus_root(archive: Path = ARCHIVE) -> Path:
    """Extract the archive into the cache once and return the folder holding `YYYYMMDD/slug` files."""
    root = CACHE_DIR / TOP
    marker = CACHE_DIR / f".{TOP}.extracted"
    if marker.exists() and root.is_dir():
        return root
    if not archive.exists():
        sys.exit(f"corpus archive not found: {archive}")
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    if root.exists():
        shutil.rmtree(root)
    print(f"extracting {archive.name} into {CACHE_DIR} (once) ...", file=sys.stderr, flush=True)
    subprocess.run(["tar", "--zstd", "-xf", str(archive), "-C", str(CACHE_DIR)], check=True)
    marker.write_text("ok\n")
    return root


def list_files(root: Path) -> list[str]:
    """All article files as sorted relative paths `YYYYMMDD/slug` (cached in a list file)."""
    listing = CACHE_DIR / f"{TOP}.files.txt"
    if listing.exists():
        return listing.read_text().split("\n")[:-1]
    names = sorted(
        f"{day}/{name}" for day in os.listdir(root) if (root / day).is_dir() for name in os.listdir(root / day)
    )
    listing.write_text("".join(n + "\n" for n in names))
    return names


def evenly(items: list[str], k: int) -> list[str]:
    """`k` items spread evenly over `items` (order kept); all of them when `k >= len(items)`."""
    n = len(items)
    if k >= n:
        return list(items)
    return [items[(i * n) // k] for i in range(k)]


def select(n_docs: int | None) -> Selection:
    """The deterministic base/new/changed sets for a run of `n_docs` base documents (None: all)."""
    root = corpus_root()
    files = list_files(root)
    new = evenly(files, HELD_OUT)
    held = set(new)
    pool = [f for f in files if f not in held]
    base = pool if n_docs is None else evenly(pool, n_docs)
    changed = evenly(base, min(CHANGED, len(base) // 2))
    return Selection(root, base, new, changed)


def link_tree(src_root: Path, rels: list[str], dst_root: Path) -> None:
    """Hard-link (or copy, across devices) `rels` from `src_root` into a fresh `dst_root`."""
    if dst_root.exists():
        shutil.rmtree(dst_root)
    for rel in rels:
        dst = dst_root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src_root / rel, dst)
        except OSError:
            shutil.copy2(src_root / rel, dst)


def write_changed(sel: Selection, out_root: Path) -> None:
    """Write the modified versions of `sel.changed` under `out_root` (same relative paths)."""
    if out_root.exists():
        shutil.rmtree(out_root)
    for rel in sel.changed:
        dst = out_root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        text = (sel.root / rel).read_text(encoding="utf-8", errors="replace")
        dst.write_text(text.rstrip() + CHANGE_TEXT, encoding="utf-8")


def apply_delta(sel: Selection, changed_root: Path, docs_root: Path) -> None:
    """Put the update into a folder indexed by path: link the new files, replace the changed ones.

    Changed files are replaced by rename, so a hard link into the cache is never written through.
    """
    for rel in sel.new:
        dst = docs_root / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        if not dst.exists():
            os.link(sel.root / rel, dst)
    for rel in sel.changed:
        dst = docs_root / rel
        tmp = dst.with_name(dst.name + ".bench-tmp")
        shutil.copyfile(changed_root / rel, tmp)
        os.replace(tmp, dst)


_DATE_FORMATS = ("%a %b %d, %Y %I:%M%p", "%a %b %d, %Y")


def _parse_date(line: str) -> datetime | None:
    parts = line.split()
    if len(parts) >= 5:
        line = " ".join(parts[:5])  # drop the time zone ("EDT")
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(line, fmt)
        except ValueError:
            continue
    return None


def parse_reuters(doc_id: str, text: str) -> Doc:
    """Split a Reuters file into title / author / date / body (headers are `-- ` lines, then the body)."""
    lines = text.split("\n")
    headers: list[str] = []
    i = 0
    while i < len(lines) and lines[i].startswith("-- ") and len(headers) < 4:
        headers.append(lines[i][3:].strip())
        i += 1
    title = headers[0] if headers else ""
    author = ""
    date: datetime | None = None
    for h in headers[1:]:
        if h.startswith("By "):
            author = h[3:].strip()
        elif not h.startswith("http") and date is None:
            date = _parse_date(h)
    body = "\n".join(lines[i:]).strip()
    return Doc(doc_id, title, author, date, body)


def read_doc(path: Path, doc_id: str) -> Doc:
    """Read and parse one file."""
    return parse_reuters(doc_id, path.read_text(encoding="utf-8", errors="replace"))
