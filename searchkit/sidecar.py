"""Side tables beside the index: small SQLite databases that features keep next to it (copies, alerts),
keyed by stable article ids so they outlive document numbers, updates and rebuilds."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Self

from searchkit import private


class SideTable:
    """An SQLite database `name` in the index folder, created with `schema` (a script of `IF NOT EXISTS`
    statements) on first use; a context manager that closes it."""

    def __init__(self, index_dir: Path, name: str, schema: str) -> None:
        private.make_dir(index_dir)
        self.path = index_dir / name
        private.touch(self.path)  # owner-only, and so its journal files (SQLite gives them the database's mode)
        self.db = sqlite3.connect(self.path)
        self.db.execute("PRAGMA journal_mode=WAL")  # readers (a search) never wait for a writer (an update)
        self.db.executescript(schema)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self.db.close()
