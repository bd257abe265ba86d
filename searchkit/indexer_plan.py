"""Planning an index run: which files to read and which to forget, from the files found and the manifest.

Both sides are `(key, size, mtime_ns)` stamps: the manifest's rows are taken one by one out of the set of
files found, so a re-run over 10^5 unchanged files is set lookups in C; only the files that differ become
a `Task` (with the content hash the manifest knew, if any).
"""

from __future__ import annotations

import os
from typing import NamedTuple

from searchkit.manifest import Manifest
from searchkit.reading import Discovery


class Task(NamedTuple):
    """A file to (re)read (`key` and `rel` as `reading.SourceFile` has them; its `Path` is made when it is
    read), with what the manifest knew of it. A tuple: sent to worker processes by the thousand."""

    key: str
    rel: str
    size: int
    mtime_ns: int
    old_digest: str | None


class Plan(NamedTuple):
    """The work an `index` run has to do."""

    tasks: tuple[Task, ...]
    removed: tuple[str, ...]
    unchanged: int


def plan(discovery: Discovery, manifest: Manifest) -> Plan:
    """Compare the files found with the manifest: new or changed files are tasks; files gone from a folder
    that was indexed (and not merely unreadable now) are removed."""
    fresh = set(discovery.stamps)  # new, or changed in size or mtime, once the recorded stamps are out
    gone = []  # removed, or the old stamps of changed files
    for stamp in manifest.stamps():  # one pass, no set of the manifest: ~0.1 s less at 10^5 files
        if stamp in fresh:
            fresh.remove(stamp)
        else:
            gone.append(stamp)
    fresh_keys = {key for key, _size, _mtime in fresh}
    old = manifest.digests(key for key, _size, _mtime in gone if key in fresh_keys)
    rels = discovery.rels
    tasks = tuple(Task(key, rels[key], size, mtime_ns, old.get(key)) for key, size, mtime_ns in sorted(fresh))
    roots = tuple(str(r) + os.sep for r in discovery.roots)
    seen = discovery.unstatable
    removed = tuple(sorted(key for key, _size, _mtime in gone
                           if key not in rels and key not in seen and key.startswith(roots))) if roots else ()
    return Plan(tasks, removed, len(discovery.stamps) - len(tasks))
