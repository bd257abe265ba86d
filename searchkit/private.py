"""Index folders belong to their owner: what searchkit writes there only its owner can read, and it refuses
a folder that someone else could have changed (as ssh's StrictModes refuses a writable `authorized_keys`).

An index holds the text of every indexed file, so its folders are created 0700 and its files 0600 (the
Whoosh segments, the manifest and every side table). An index folder, or a file in it, that a user other
than its owner can write may have been altered to mislead or to attack: reading it is refused, with the
command that fixes the modes.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

from searchkit.errors import IndexNotWritable, IndexUntrusted

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_dir(path: Path) -> None:
    """Create `path` (and missing parents) with the folder itself private; an existing folder is left as is.
    `IndexNotWritable` when it cannot be created, or exists and this process cannot add files to it (a run
    would otherwise fail on its first write, after listing and reading every file)."""
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except PermissionError as exc:
        raise IndexNotWritable(f"cannot create the index folder {path} ({exc.strerror})") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise IndexNotWritable(f"cannot write the index folder {path} (permission denied)")


def touch(path: Path) -> None:
    """Create `path` empty and private if it does not exist (so that SQLite, which gives its journal files
    the database's mode, or a lock, does not create it readable by everyone)."""
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))


def write_text(path: Path, text: str, *, sync: bool = True) -> None:
    """Replace `path` with `text`, private, atomically: a crash leaves the old file or the new one (with
    `sync`, also a crash of the machine)."""
    write_bytes(path, text.encode("utf-8"), sync=sync)


def write_bytes(path: Path, data: bytes, *, sync: bool = True) -> None:
    """`write_text` for bytes."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if sync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _writable_by_others(st: os.stat_result, uid: int) -> bool:
    """Whether someone other than `uid` (or root) can write what `st` describes."""
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return True
    return st.st_uid not in (uid, 0) and bool(st.st_mode & stat.S_IWUSR)


def check_folder(index_dir: Path) -> None:
    """Raise `IndexUntrusted` when the index folder or a file in it can be written by another user.
    Nothing to check where there are no user ids (Windows) or no folder yet."""
    if not hasattr(os, "getuid"):
        return
    uid = os.getuid()
    try:
        entries = [(index_dir, os.stat(index_dir))]
        with os.scandir(index_dir) as found:
            for entry in found:
                with contextlib.suppress(FileNotFoundError):  # gone meanwhile, or a dangling link
                    entries.append((Path(entry.path), entry.stat()))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise IndexUntrusted(f"cannot read the index folder {index_dir}: {exc.strerror or exc}") from None
    for path, st in entries:
        if _writable_by_others(st, uid):
            what = "folder" if path == index_dir else "file"
            mode = stat.S_IMODE(st.st_mode)
            raise IndexUntrusted(f"other users can write the index {what} {path} (mode {mode:04o}), so it may have "
                                 f"been altered: searchkit will not read it; if it is yours, `chmod -R go-w "
                                 f"{index_dir}` (and check who owns it)")
