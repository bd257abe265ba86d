"""Which files under a folder the user wants left out: `--exclude` / `--include` globs and a
`.searchkitignore` in the folder, all in gitignore syntax (matched by `pathspec`, not by hand)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from searchkit.errors import InvalidPattern

if TYPE_CHECKING:
    import pathspec

IGNORE_FILE = ".searchkitignore"


@dataclass(frozen=True, slots=True)
class Selection:
    """What the user asked to leave out (`exclude`) or keep only (`include`), as gitignore patterns.

    Patterns match paths relative to the folder being indexed: `README.TXT` anywhere, `/top.txt` at
    the top only, `drafts/` a folder, `!keep.txt` an exception. Files given by name are not filtered.
    """

    exclude: tuple[str, ...] = ()
    include: tuple[str, ...] = ()


class Rules:
    """The compiled selection for one folder: its `.searchkitignore` (if any) plus the options."""

    __slots__ = ("_exclude", "_include")

    def __init__(self, exclude: pathspec.PathSpec | None, include: pathspec.PathSpec | None) -> None:
        self._exclude = exclude
        self._include = include

    @classmethod
    def for_folder(cls, root: str, selection: Selection) -> Rules | None:
        """The rules for walking `root`, or None when nothing is excluded (the walk then skips matching)."""
        lines = list(selection.exclude)
        ignore_file = Path(root) / IGNORE_FILE
        if ignore_file.is_file():
            try:
                lines += ignore_file.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError as exc:
                raise InvalidPattern(f"cannot read {ignore_file}: {exc.strerror or exc}") from None
        exclude = _compile(lines, str(ignore_file) if len(lines) > len(selection.exclude) else "--exclude")
        include = _compile(list(selection.include), "--include")
        return None if exclude is None and include is None else cls(exclude, include)

    def excludes_folder(self, rel: str) -> bool:
        """Whether the folder at `rel` ("a/b", relative to the root) is excluded, and so not walked."""
        return self._exclude is not None and self._exclude.match_file(rel + "/")

    def excludes_file(self, rel: str) -> bool:
        """Whether the file at `rel` is left out: excluded, or not among the files to include."""
        if self._exclude is not None and self._exclude.match_file(rel):
            return True
        return self._include is not None and not self._include.match_file(rel)


def _compile(lines: Sequence[str], origin: str) -> pathspec.PathSpec | None:
    """Gitignore patterns compiled, or None when there are none; a bad one is an `InvalidPattern`.
    `pathspec` is imported only here: most runs have no patterns, and it costs ~10 ms to import."""
    patterns = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if not patterns:
        return None
    import pathspec

    for pattern in patterns:  # one at a time, so the message names the culprit
        try:
            pathspec.GitIgnoreSpec.from_lines([pattern])
        except ValueError as exc:
            raise InvalidPattern(f"invalid pattern {pattern!r} in {origin}: {exc}") from None
    return pathspec.GitIgnoreSpec.from_lines(lines)
