"""Run the searchkit CLI and kill it with SIGKILL right after its K-th index commit (row 7 of issue #13),
right after it opens a given file for writing (which truncates it), or right after its K-th rename.

    python bench/reliability/killpoint.py [--after-commits K] [--note FILE] -- index FOLDER --index DIR
    python bench/reliability/killpoint.py --after-truncating NAME [--note FILE] -- index FOLDER --rebuild ...
    python bench/reliability/killpoint.py --after-renames K [--note FILE] -- index FOLDER ...

An index commit is the moment a Whoosh table of contents becomes current: its temporary file is renamed to
`_<indexname>_<generation>.toc`. The hook watches `os.rename` / `os.replace` in the command's own process
(not its workers) and counts renames onto such names with generation >= 1 (generation 0 is the empty
TOC written when an index is created). With K = 1 on a first build, the process dies after the first of
the article/quotes commits and before the second, whichever order the engine uses, and before the
manifest is written: the crash that duplicated quotes. It depends only on the index staying a Whoosh
index (TOC files renamed into place), not on searchkit's internal function names, so it survives the
engine's refactor. `--note` appends the committed TOC's (or renamed file's) name to FILE before the kill
(so a caller can tell that the kill point was reached); a run that exits normally never reached it.

`--after-truncating NAME` instead kills the process right after it opens a file called NAME for writing
(`open` / `io.open` with "w" in the mode, as `Path.write_text` does): the moment a file rewritten in place
is empty. A crash there must not leave an index that refuses to open.

`--after-renames K` kills it right after its K-th rename of any file (`os.rename` / `os.replace`: every
table of contents, every file replaced atomically, a rebuild's moves). Stepping K from 1 until a run ends
without reaching its kill point visits every such step of a run: the moments between two of them are
where a crash leaves one file new and the next one old (a first build's empty table of contents written
before its schema-version file was one).

Run it with the interpreter the `searchkit` command uses (`lab.Searchkit.python` finds it).
"""

from __future__ import annotations

import argparse
import builtins
import io
import os
import re
import signal
import sys

TOC_NAME = re.compile(r"^_(?P<index>.+)_(?P<gen>[0-9]+)\.toc$")


def _die(owner: int, note: str | None, what: str) -> None:
    if note:
        with open(note, "a", encoding="utf-8") as f:
            f.write(f"{what}\n")
    os.kill(owner, signal.SIGKILL)


def install_truncate(name: str, note: str | None) -> None:
    """Patch `open` so that opening a file called `name` for writing is this process's last act."""
    owner = os.getpid()
    original = io.open

    def hooked(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        handle = original(file, mode, *args, **kwargs)
        if os.getpid() == owner and "w" in mode and isinstance(file, (str, bytes, os.PathLike)) \
                and os.path.basename(os.fsdecode(file)) == name:
            _die(owner, note, f"truncated {name}")
        return handle

    io.open = builtins.open = hooked


def install(after: int, note: str | None, *, every_rename: bool = False) -> None:
    """Patch `os.rename` and `os.replace` so that the `after`-th TOC commit of this process (with
    `every_rename`, its `after`-th rename of any file) is its last act."""
    owner = os.getpid()
    seen: list[str] = []

    def hooked(original):  # type: ignore[no-untyped-def]
        def call(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            result = original(src, dst, *args, **kwargs)
            name = os.path.basename(os.fsdecode(dst))
            match = TOC_NAME.match(name)
            if os.getpid() == owner and (every_rename or (match and int(match["gen"]) >= 1)):
                seen.append(name)
                if len(seen) == after:
                    _die(owner, note, name)
            return result

        return call

    os.rename = hooked(os.rename)
    os.replace = hooked(os.replace)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--after-commits", type=int, default=1, help="kill after this many TOC commits (default 1)")
    parser.add_argument("--after-truncating", metavar="NAME", help="kill right after opening a file NAME for writing")
    parser.add_argument("--after-renames", type=int, metavar="K", help="kill after the K-th rename of any file")
    parser.add_argument("--note", help="append the name of the last committed TOC (or renamed file) to this file "
                        "before the kill")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then the searchkit arguments")
    options = parser.parse_args()
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if options.after_truncating:
        install_truncate(options.after_truncating, options.note)
    elif options.after_renames is not None:
        if options.after_renames < 1:
            parser.error("--after-renames counts from 1")
        install(options.after_renames, options.note, every_rename=True)
    else:
        install(options.after_commits, options.note)
    from searchkit.cli import main as cli_main

    sys.argv = ["searchkit", *args]
    cli_main()


if __name__ == "__main__":
    main()
