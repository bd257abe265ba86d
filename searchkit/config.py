"""The user's defaults, from a TOML file: `$SEARCHKIT_CONFIG`, else `$XDG_CONFIG_HOME/searchkit/config.toml`
(`~/.config/searchkit/config.toml`).

A missing default file means no defaults; a file named by `$SEARCHKIT_CONFIG` must exist. Unknown keys and
wrong types are errors (a typo should not be silently ignored). Options given on the command line and
environment variables win over the file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from searchkit.errors import ConfigError

FORMATS = ("human", "json", "jsonl", "csv", "tsv", "files")
COLORS = ("auto", "always", "never")
EXAMPLE = """\
index = "~/news/index"      # where the index lives (relative paths: from this file's folder)
workers = 2                 # indexing worker processes
exclude = ["README*", "*.log"]
include = []
format = "human"            # human, json, jsonl, csv, tsv or files
color = "auto"              # auto, always or never
"""


class Config:
    """Defaults read from the config file (None or empty: not set). A plain class: it is built on every
    command, and a dataclass would cost a one-shot search ~1 ms of start-up."""

    __slots__ = ("color", "exclude", "format", "include", "index", "path", "workers")

    def __init__(self, path: Path | None = None, index: Path | None = None, workers: int | None = None,
                 exclude: tuple[str, ...] = (), include: tuple[str, ...] = (), format: str | None = None,
                 color: str | None = None) -> None:
        self.path, self.index, self.workers, self.exclude, self.include = path, index, workers, exclude, include
        self.format, self.color = format, color


def default_path() -> Path:
    """Where the config file is looked for."""
    explicit = os.environ.get("SEARCHKIT_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "searchkit" / "config.toml"


def load(path: Path | None = None) -> Config:
    """The config at `path` (default: `default_path()`); an empty `Config` when the default file is absent."""
    path = path or default_path()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        if os.environ.get("SEARCHKIT_CONFIG"):
            raise ConfigError(f"SEARCHKIT_CONFIG names {path}, which does not exist") from None
        return Config()
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror or exc}") from None
    import tomllib

    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"the config file {path} is not valid TOML: {exc}") from None
    return _parse(table, path)


def _parse(table: dict[str, Any], path: Path) -> Config:
    known = {"index", "workers", "exclude", "include", "format", "color"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(f"unknown setting {unknown[0]!r} in {path} (known: {', '.join(sorted(known))})")

    def check(key: str, ok: bool, expected: str) -> None:
        if key in table and not ok:
            raise ConfigError(f"{key} in {path} must be {expected}, not {table[key]!r}")

    check("index", isinstance(table.get("index"), str), "a path (a string)")
    workers = table.get("workers")
    check("workers", isinstance(workers, int) and not isinstance(workers, bool) and 1 <= workers <= 64,
          "a whole number from 1 to 64")
    for key in ("exclude", "include"):
        value = table.get(key)
        check(key, isinstance(value, list) and all(isinstance(v, str) for v in value), "a list of glob strings")
    check("format", table.get("format") in FORMATS, "one of " + ", ".join(FORMATS))
    check("color", table.get("color") in COLORS, "one of " + ", ".join(COLORS))
    index = None
    if "index" in table:
        index = Path(table["index"]).expanduser()
        if not index.is_absolute():
            index = path.parent / index
    return Config(path=path, index=index, workers=workers, exclude=tuple(table.get("exclude", ())),
                  include=tuple(table.get("include", ())), format=table.get("format"), color=table.get("color"))
