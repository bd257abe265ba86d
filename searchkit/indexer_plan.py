"""Planning an index run: which files to read and which to forget, from the files found and the manifest.

Both sides are `(key, size, mtime_ns)` stamps: the manifest's rows are taken one by one out of the set of
files found, so a re-run over 10^5 unchanged files is set lookups in C; only the files that differ become
a `Task` (with the content hash the manifest knew, if any), held in `Tasks` until the run's commit. A walk
whose digest is the one the manifest recorded with its rows (`Manifest.listing`) skips the comparison (~0.15 s
of a no-change re-run's ~0.9 s of CPU at 10^5 files): its tasks are the files that failed last time. Runs that
alternate between folders into one index, or a file system whose listings change order between runs, always
compare: safe, only slower.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, overload

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


class Tasks(Sequence[Task]):
    """Planned tasks, held compactly and made into `Task`s when asked for: the keys in one string, a `rel`
    as the length of the key's tail that it is, the stamps in arrays. A first build over 10^5 files held
    ~36 MB of `Task`s in the parent process while the workers indexed (and fragmented its heap); these hold
    ~11 MB. The order is the given one."""

    def __init__(self, tasks: Iterable[Task]) -> None:
        keys: list[str] = []
        self._ends = array("q")  # where each key ends in `_keys`
        self._rel_lengths = array("q")  # each rel as the key's last characters
        self._sizes, self._mtimes = array("q"), array("q")
        self._other_rels: dict[int, str] = {}  # the rels that are no tail of their key
        self._digests: dict[int, str] = {}  # the manifest's content hashes (changed files only)
        end = 0
        for number, task in enumerate(tasks):
            keys.append(task.key)
            end += len(task.key)
            self._ends.append(end)
            tail = task.key.endswith(task.rel)
            self._rel_lengths.append(len(task.rel) if tail else 0)
            if not tail:
                self._other_rels[number] = task.rel
            self._sizes.append(task.size)
            self._mtimes.append(task.mtime_ns)
            if task.old_digest is not None:
                self._digests[number] = task.old_digest
        self._keys = "".join(keys)

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> Task: ...
    @overload
    def __getitem__(self, index: slice) -> list[Task]: ...

    def __getitem__(self, index: int | slice) -> Task | list[Task]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self._ends):
            raise IndexError("task index out of range")
        key = self.key(index)
        rel = self._other_rels.get(index) if self._other_rels else None
        if rel is None:
            rel = key[len(key) - self._rel_lengths[index]:]
        return Task(key, rel, self._sizes[index], self._mtimes[index], self._digests.get(index))

    def __iter__(self) -> Iterator[Task]:
        return map(self.__getitem__, range(len(self)))

    def key(self, index: int) -> str:
        """Task `index`'s key, without making its `Task`."""
        return self._keys[self._ends[index - 1] if index else 0:self._ends[index]]


class Plan(NamedTuple):
    """The work an `index` run has to do, and the digest of the walk it was planned from (for the manifest:
    once the run is recorded, its rows match that walk)."""

    tasks: Tasks
    removed: tuple[str, ...]
    unchanged: int
    fingerprint: str


def plan(discovery: Discovery, manifest: Manifest) -> Plan:
    """Compare the files found with the manifest: new or changed files are tasks; files gone from a folder
    that was indexed (and not merely unreadable now) are removed."""
    fingerprint = discovery.fingerprint()
    listing = manifest.listing()
    if listing is not None and listing[0] == fingerprint:
        return _as_listed(discovery, listing[1], fingerprint)
    found = discovery.found
    fresh = set(found.values())  # new, or changed in size or mtime, once the recorded stamps are out
    gone = []  # removed, or the old stamps of changed files
    for stamp in manifest.stamps():  # one pass, no set of the manifest: ~0.1 s less at 10^5 files
        if stamp in fresh:
            fresh.remove(stamp)
        else:
            gone.append(stamp)
    fresh_keys = {key for key, _size, _mtime in fresh}
    old = manifest.digests(key for key, _size, _mtime in gone if key in fresh_keys)
    rels = discovery.rels
    tasks = Tasks(Task(key, rels[key], size, mtime_ns, old.get(key)) for key, size, mtime_ns in sorted(fresh))
    roots = tuple(str(r) + os.sep for r in discovery.roots)
    seen = discovery.unstatable
    removed = tuple(sorted(key for key, _size, _mtime in gone
                           if key not in rels and key not in seen and key.startswith(roots))) if roots else ()
    return Plan(tasks, removed, len(found) - len(tasks), fingerprint)


def _as_listed(discovery: Discovery, pending: list[str], fingerprint: str) -> Plan:
    """The plan of a walk that found what the manifest's rows match: what comparing them would give, the
    files recorded as failed (not in the manifest, so new to it) and nothing removed."""
    found, rels = discovery.found, discovery.rels
    tasks = Tasks(Task(key, rels[key], found[key][1], found[key][2], None) for key in sorted(pending)
                  if key in found)
    return Plan(tasks, (), len(found) - len(tasks), fingerprint)
