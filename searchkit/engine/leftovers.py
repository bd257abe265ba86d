"""Files no commit lists: what a failed or killed write leaves in an index folder, removed under its locks.

A run that fails (a full disk, a worker that dies) has written segment files, spilled posting runs, a
writer's scratch folder and perhaps a table of contents it never renamed into place. They hold no committed
data, but on a full disk they keep it full, so the next run failed the same way. `sweep` deletes them for
the indexes whose write locks the caller holds (no other writer is making files there): every segment file
and TOC that the index's current table of contents does not list (Whoosh's own rule after a commit), TOC
temporary files and the scratch folder; spilled runs when it holds both.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from whoosh.index import TOC, clean_files

from searchkit.engine.index import PrivateStorage
from searchkit.engine.pool import SPILL_FOLDER
from searchkit.engine.schema import INDEX_NAME, QUOTES_NAME


def sweep(index_dir: Path, names: Sequence[str] = (INDEX_NAME, QUOTES_NAME)) -> None:
    """Delete what no current table of contents of the indexes `names` lists (best effort: never raises)."""
    storage = PrivateStorage(str(index_dir))
    leftovers: list[Path] = []
    for name in names:
        with contextlib.suppress(Exception):  # no index, or an unreadable TOC: leave its files alone
            toc = TOC.read(storage, name)
            clean_files(storage, name, toc.generation, toc.segments)
        leftovers += index_dir.glob(f"_{name}_*.toc.*")
        shutil.rmtree(index_dir / f"{name}.tmp", ignore_errors=True)
    if set(names) >= {INDEX_NAME, QUOTES_NAME}:
        leftovers += (index_dir / SPILL_FOLDER).glob("*.run")
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            leftover.unlink()
