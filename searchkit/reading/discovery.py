"""Folders to the files to index: a walk that records what it finds and what it skips, and why.

The walk never leaves the folders it was given unless asked (`follow_symlinks`): a symbolic link to a
file or folder outside them is reported, not read, so a link to /etc cannot put /etc/shadow in an index.
A link that points back up its own folder (a loop), a link to nowhere, a name that is not valid UTF-8, a
named pipe, socket or device, a folder that cannot be listed and a file gone before it could be stat'ed
are each reported with the reason, and the walk goes on. Files left out by the user's patterns (see
`ignore`) are only counted.
"""

from __future__ import annotations

import errno
import gc
import hashlib
import marshal
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from stat import S_ISREG

from searchkit.errors import NoInputFiles
from searchkit.models import FileFailure
from searchkit.reading.files import file_kind, unsupported
from searchkit.reading.ignore import Rules, Selection

OUTSIDE = "symbolic link to outside the indexed folders (not followed without --follow-symlinks)"
LOOP = "symbolic link loop"
BAD_NAME = "name is not valid UTF-8"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A file to index: `rel` is relative to the folder given (POSIX separators), `key` is `str(path)`."""

    path: Path
    rel: str
    key: str


Stamp = tuple[str, int, int]  # key, size, mtime_ns
Newer = tuple[int, Callable[[], object]]
"""`(mtime_ns, told)`: `told()` is called once, when the walk first meets a file modified later than
`mtime_ns` (the indexer's hint that there will be work, `Workers.warm`)."""
NEVER = 2**63  # no file is newer


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found: indexable files, files skipped (with the reason), folders walked.

    Files are kept as plain data, since a re-run over 10^5 unchanged files only compares them with the
    manifest: `found` maps each key to its `(key, size, mtime_ns)` stamp from the walk's own stat (in the
    walk's order), `rels` maps each key to its `rel`. `files` builds `SourceFile` records (sorted by key)
    when they are wanted.
    """

    found: dict[str, Stamp]
    rels: dict[str, str]
    skipped: tuple[FileFailure, ...]
    roots: tuple[Path, ...]
    unstatable: frozenset[str] = frozenset()  # listed, but stat failed: neither read nor taken as removed
    excluded: int = 0  # files and folders left out by --exclude / --include / .searchkitignore

    @property
    def stamps(self) -> frozenset[Stamp]:
        """Every indexable file's `(key, size, mtime_ns)`."""
        return frozenset(self.found.values())

    @property
    def files(self) -> tuple[SourceFile, ...]:
        """Every indexable file as a `SourceFile`, sorted by key."""
        return tuple(SourceFile(Path(key), self.rels[key], key) for key in sorted(self.rels))

    def fingerprint(self) -> str:
        """A digest of what the walk found, as far as comparing it with the manifest goes: the roots, every
        file's stamp in the walk's order, the files that could not be stat'ed. Equal digests mean the same
        files with the same stamps (a re-run over unchanged folders lists them in the same order), so a run
        whose walk matches the digest its manifest recorded need not compare 10^5 stamps row by row
        (`indexer_plan.plan`)."""
        stamps = self.found.values()
        digest = hashlib.sha256()  # ~3x blake2b's speed where the CPU has SHA instructions
        for part in ("\0".join(map(str, self.roots)), "\0".join(sorted(self.unstatable)), "\0".join(self.found)):
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0\0")
        numbers = (list(map(itemgetter(1), stamps)), list(map(itemgetter(2), stamps)))  # in C: ~15 ms at 10^5
        digest.update(marshal.dumps(numbers, 2))  # version 2: no references, each int spelled out
        return digest.hexdigest()


def printable(path: str) -> str:
    """A path as it can be shown and stored: bytes that are not UTF-8 as `\\xNN` escapes."""
    if path.isascii():
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _valid_name(name: str) -> bool:
    """Whether a name from the file system is valid UTF-8 (Python keeps bad bytes as lone surrogates)."""
    if name.isascii():
        return True
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _within(path: str, folders: Sequence[str]) -> bool:
    """Whether `path` is one of `folders` or inside one (all real paths)."""
    return any(path == folder or path.startswith(folder.rstrip(os.sep) + os.sep) for folder in folders)


def _link_problem(exc: OSError) -> str:
    """Why a symbolic link cannot be followed."""
    if exc.errno == errno.ELOOP:
        return LOOP
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "broken symbolic link"
    return f"cannot follow symbolic link: {exc.strerror or exc}"


def _indexable(name: str, mode: int) -> bool:
    """Whether a file met in a walk is one to index: a regular file of a kind searchkit reads (a name without
    an extension is read as plain text)."""
    return S_ISREG(mode) and ("." not in name or unsupported(name) is None)


def _stat_problem(exc: OSError) -> str:
    """Why a listed file cannot be stat'ed."""
    if isinstance(exc, FileNotFoundError | NotADirectoryError):
        return "vanished before it could be read"
    return f"cannot read: {exc.strerror or exc}"


class _Walk:
    """One discovery run: collects what `Discovery` holds."""

    def __init__(self, roots: Sequence[str], selection: Selection, follow_symlinks: bool,
                 newer: Newer | None = None) -> None:
        self.roots = roots
        self.newest, self.told = newer or (NEVER, None)
        self.selection = selection
        self.follow = follow_symlinks
        self.stamps: dict[str, Stamp] = {}  # key -> (key, size, mtime_ns), in the walk's order
        self.rels: dict[str, str] = {}
        self.skipped: dict[str, FileFailure] = {}
        self.unstatable: set[str] = set()
        self.excluded = 0
        self.walked: set[str] = set()  # real folders walked through a followed link
        self.linked: dict[str, str] = {}  # key of a file reached through a followed link -> its real path

    def result(self) -> Discovery:
        """What the walk found; a file reached through a link and also by another path is kept once."""
        taken = set(self.rels.keys() - self.linked.keys())
        for key in sorted(self.linked):
            if key in self.rels and (real := self.linked[key]) in taken:
                del self.rels[key], self.stamps[key]
            else:
                taken.add(real)
        skipped = self.skipped
        return Discovery(
            found=self.stamps,
            rels=self.rels,
            skipped=tuple(skipped[key] for key in sorted(skipped)),
            roots=tuple(Path(root) for root in self.roots),
            unstatable=frozenset(self.unstatable),
            excluded=self.excluded,
        )

    def _newer(self) -> None:
        """A file newer than `newest` was met: tell, once."""
        told, self.newest, self.told = self.told, NEVER, None
        if told is not None:
            told()

    def skip(self, key: str, reason: str) -> None:
        """Report `key` as not indexed, for `reason`."""
        shown = printable(key)
        self.skipped[shown] = FileFailure(shown, reason)

    def given_file(self, key: str, rel: str) -> None:
        """Record a file given by name (a real path)."""
        if (reason := unsupported(rel)) is not None:
            self.skip(key, reason)
            return
        try:
            st = os.stat(key)
        except OSError as exc:
            self.unstatable.add(key)
            self.skip(key, _stat_problem(exc))
            return
        if not stat.S_ISREG(st.st_mode):
            self.skip(key, f"not a regular file ({file_kind(st.st_mode)})")
            return
        self._record(key, rel, st)

    def _record(self, key: str, rel: str, st: os.stat_result) -> None:
        """Keep an indexable file's stamp (the walk's loop over plain folders does the same inline, to save a
        call a file on ~10^5 files)."""
        self.stamps[key] = (key, st.st_size, st.st_mtime_ns)
        self.rels[key] = rel
        if st.st_mtime_ns > self.newest:
            self._newer()

    def folder(self, root: str) -> None:
        """Walk the folder `root` (a real path); hidden names are skipped.

        Keys are strings straight from `os.scandir` (`DirEntry.path`), stamps come from `DirEntry.stat`,
        and no `Path` is built per file. Through a followed link, keys keep the link's path (so removing
        the link removes its files on the next run) and the real path is remembered to index a file once.
        """
        rules = Rules.for_folder(root, self.selection)
        stack = [(root, root, "")]  # (real folder, folder as listed, rel prefix)
        while stack:
            real_dir, listed_dir, prefix = stack.pop()
            try:
                scan = os.scandir(listed_dir)
            except OSError as exc:
                self.skip(listed_dir, f"cannot list folder: {exc.strerror or exc}")
                continue
            via_link = real_dir != listed_dir
            plain = rules is None and not via_link  # most folders: a file's stamp is recorded right here
            stamps, rels, newest = self.stamps, self.rels, self.newest
            with scan:
                for entry in scan:
                    name = entry.name
                    if name[0] == ".":
                        continue
                    if not name.isascii() and not _valid_name(name):
                        self.skip(entry.path, BAD_NAME)
                        continue
                    try:  # the kind as listed (no system call where the file system gives it)
                        regular = entry.is_file(follow_symlinks=False)
                    except OSError as exc:
                        self.skip(entry.path, f"cannot read: {exc.strerror or exc}")
                        continue
                    if regular and plain:  # `_file`'s and `_record`'s work for ~10^5 plain files, without calls
                        key = entry.path
                        try:
                            st = entry.stat(follow_symlinks=False)
                        except OSError:
                            st = None
                        if st is not None and S_ISREG(st.st_mode) and ("." not in name or unsupported(name) is None):
                            mtime = st.st_mtime_ns  # (the test is `_indexable`'s, inline)
                            stamps[key] = (key, st.st_size, mtime)
                            rels[key] = prefix + name
                            if mtime > newest:
                                self._newer()
                                newest = self.newest
                        else:
                            self._file(entry, prefix + name, None, st)  # skipped: `_file` says why
                        continue
                    rel = prefix + name
                    try:
                        is_link = not regular and entry.is_symlink()
                        is_dir = not regular and not is_link and entry.is_dir(follow_symlinks=False)
                    except OSError as exc:
                        self.skip(entry.path, f"cannot read: {exc.strerror or exc}")
                        continue
                    if is_link:
                        target = self._link(entry, real_dir, rel, rules)
                        if target is not None:
                            stack.append((target, entry.path, rel + "/"))
                    elif is_dir:
                        if rules is not None and rules.excludes_folder(rel):
                            self.excluded += 1
                        else:
                            stack.append((os.path.join(real_dir, name), entry.path, rel + "/"))
                    elif self._file(entry, rel, rules, None) and via_link:
                        self.linked[entry.path] = os.path.join(real_dir, name)

    def _file(self, entry: os.DirEntry[str], rel: str, rules: Rules | None, st: os.stat_result | None) -> bool:
        """Record a file met in a folder (indexable, skipped with the reason, or left out); True if kept."""
        key = entry.path
        if rules is not None and rules.excludes_file(rel):
            self.excluded += 1
            return False
        if st is None:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError as exc:  # gone since it was listed, or not ours to see
                self.unstatable.add(key)
                self.skip(key, _stat_problem(exc))
                return False
        if not _indexable(entry.name, st.st_mode):
            reason = unsupported(entry.name) if stat.S_ISREG(st.st_mode) else None
            self.skip(key, reason or f"not a regular file ({file_kind(st.st_mode)})")
            return False
        self._record(key, rel, st)
        return True

    def _link(self, entry: os.DirEntry[str], real_dir: str, rel: str, rules: Rules | None) -> str | None:
        """Handle a symbolic link met in a folder; the real folder to walk next, if it is one to follow.

        Without `follow_symlinks` (the default), a link into the given folders is passed over quietly
        (what it points to is indexed where it lies) and a link out of them is reported. Following links,
        a folder already walked through a link is not walked again. A link to a folder that holds it is a
        loop either way.
        """
        try:
            st = os.stat(entry.path)
        except OSError as exc:
            self.skip(entry.path, _link_problem(exc))
            return None
        target = os.path.realpath(entry.path)
        is_dir = stat.S_ISDIR(st.st_mode)
        if is_dir and _within(real_dir, [target]):
            self.skip(entry.path, LOOP)
            return None
        if not self.follow:
            if not _within(target, self.roots):
                self.skip(entry.path, OUTSIDE)
            return None
        if not is_dir:
            if self._file(entry, rel, rules, st):
                self.linked[entry.path] = target
            return None
        if rules is not None and rules.excludes_folder(rel):
            self.excluded += 1
            return None
        if target in self.walked:
            return None
        self.walked.add(target)
        return target


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while allocating many acyclic objects (2x faster walks)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def discover(paths: Sequence[Path], *, selection: Selection | None = None,
             follow_symlinks: bool = False, newer: Newer | None = None) -> Discovery:
    """Find the files to index under `paths` (folders are walked recursively, hidden names skipped).

    `selection` leaves files out by pattern (see `ignore`); `follow_symlinks` lets the walk follow links
    out of the given folders; `newer` tells when the walk first meets a file modified after a given time.
    Paths given by name are followed and not filtered. Raises `NoInputFiles`
    for a path that does not exist.
    """
    with _gc_paused():
        return _discover(paths, selection or Selection(), follow_symlinks, newer)


def _given(path: Path) -> tuple[str, bool]:
    """The real path of a path given by name and whether it is a folder; raises `NoInputFiles`."""
    try:
        st = os.stat(path)
    except OSError as exc:
        shown = printable(str(path))
        if exc.errno == errno.ELOOP:
            raise NoInputFiles(f"symbolic link loop: {shown}") from None
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            raise NoInputFiles(f"no such file or directory: {shown}") from None
        raise NoInputFiles(f"cannot read {shown}: {exc.strerror or exc}") from None
    return os.path.realpath(path), stat.S_ISDIR(st.st_mode)


def _discover(paths: Sequence[Path], selection: Selection, follow_symlinks: bool, newer: Newer | None
              ) -> Discovery:
    """`discover` without the collector pause."""
    given = [(Path(p).expanduser(), *_given(Path(p).expanduser())) for p in paths]
    roots = list(dict.fromkeys(real for _path, real, is_dir in given if is_dir and _valid_name(real)))
    walk = _Walk(roots, selection, follow_symlinks, newer)
    for path, real, is_dir in given:
        if not _valid_name(real):
            walk.skip(real, BAD_NAME)
        elif is_dir:
            walk.folder(real)
        else:
            walk.given_file(real, path.name)
    return walk.result()
