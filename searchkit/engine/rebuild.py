"""`--rebuild` beside the old index: readers keep the old one until the new one takes its place.

A rebuild used to recreate both indexes in place, so readers saw 0 documents for the whole run and a kill
left an empty index. Now it holds the index's write locks (without opening the old index, which may be
unreadable), builds complete new indexes in a staging folder inside the index folder (same file system,
so files move by renaming), and `publish` moves the new segment files in and writes each index's next
table of contents listing only them: the switch is the TOC rename, atomic for each index (quotes first,
then articles). Old segments are deleted as after any commit. A kill before `publish` leaves the old
index and a staging folder that the next write session removes; a kill between the two TOCs leaves new
quotes beside the old articles, each complete, which the next run keeps current as after any update.
Side tables the caller rebuilds (the manifest) are built in the staging folder too and moved in by
`publish_file`, after the index: the manifest follows the index, as in every run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from whoosh.index import TOC, clean_files

from searchkit import private
from searchkit.engine.index import PrivateStorage
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME

STAGING = "rebuild"  # the staging folder's name inside the index folder


def staging(index_dir: Path) -> Path:
    """The staging folder of `index_dir`."""
    return index_dir / STAGING


def fresh(index_dir: Path) -> Path:
    """An empty, private staging folder (what a killed rebuild left there is garbage: the caller holds the
    index's write locks)."""
    folder = staging(index_dir)
    discard(index_dir)
    private.make_dir(folder)
    return folder


def discard(index_dir: Path) -> None:
    """Remove the staging folder, if any (under the index's write locks)."""
    shutil.rmtree(staging(index_dir), ignore_errors=True)


def publish(index_dir: Path) -> None:
    """Make the committed indexes of the staging folder the indexes of `index_dir`."""
    folder = staging(index_dir)
    source, target = PrivateStorage(str(folder)), PrivateStorage(str(index_dir))
    for name in (QUOTES_NAME, INDEX_NAME):
        toc = TOC.read(source, name)
        for segment in toc.segments:
            for filename in _files(folder, segment):
                os.replace(folder / filename, index_dir / filename)
        generation = max(1, TOC._latest_generation(target, name) + 1)  # 0 is "nothing committed yet"
        TOC(toc.schema, toc.segments, generation).write(target, name)
        clean_files(target, name, generation, toc.segments)
    schema_file = folder / "searchkit.json"
    private.write_text(index_dir / schema_file.name, schema_file.read_text(encoding="utf-8"))


def publish_file(index_dir: Path, name: str) -> None:
    """Move the closed file `name` (an SQLite side table) from the staging folder into `index_dir`, in place
    of the old one and its journal files (an old write-ahead log must not be replayed into the new file)."""
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            (index_dir / f"{name}{suffix}").unlink()
    os.replace(staging(index_dir) / name, index_dir / name)


def _files(folder: Path, segment: object) -> list[str]:
    """A segment's files: as recorded at its commit (`integrity`), else by name."""
    sizes = getattr(segment, "sizes", None)
    if sizes:
        return list(sizes)
    prefix = segment.segment_id() + "."  # type: ignore[attr-defined]
    return [p.name for p in folder.iterdir() if p.name.startswith(prefix)]
