"""Peer engines, each set up the way a user following its docs would, on the same parsed fields.

- tantivy: en_stem title/body, raw id, date fast field; one writer, 200 MB heap; SnippetGenerator snippets.
- fts5: SQLite FTS5 `porter unicode61`, rowid-linked `meta` table (id, date) for updates and date filters;
  `snippet()`.
- whoosh-naive: Whoosh 2.7.4, StemmingAnalyzer, stored body, plain `ix.writer()`, `update_document` for
  updates, `hit.highlights("body")` snippets, MultifieldParser over title+body.

Every engine answers a query spec from `queries.json` (terms AND-ed, a phrase, a year, a speaker name that the
peers match as a body phrase) with (total, top-10 ids, snippets).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from corpus import Doc

Spec = dict[str, Any]
Answer = tuple[int, list[str], list[str]]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """[Jan 1 of `year`, Jan 1 of the next year)."""
    return datetime(year, 1, 1), datetime(year + 1, 1, 1)


class Engine(Protocol):
    def build(self, docs: Iterable[Doc]) -> int: ...
    def update(self, new: list[Doc], changed: list[Doc]) -> None: ...
    def open(self) -> None: ...
    def search(self, spec: Spec) -> Answer: ...
    def close(self) -> None: ...


# --------------------------------------------------------------------------- tantivy


class Tantivy:
    def __init__(self, index_dir: Path) -> None:
        import tantivy

        self.t = tantivy
        self.dir = index_dir
        sb = tantivy.SchemaBuilder()
        sb.add_text_field("id", stored=True, tokenizer_name="raw")
        sb.add_text_field("title", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("body", stored=True, tokenizer_name="en_stem")
        sb.add_text_field("author", stored=True)
        sb.add_date_field("date", stored=True, indexed=True, fast=True)
        self.schema = sb.build()
        index_dir.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(index_dir))

    def _doc(self, d: Doc) -> Any:
        fields: dict[str, Any] = {"id": d.id, "title": d.title, "body": d.body, "author": d.author}
        if d.date is not None:
            fields["date"] = d.date
        return self.t.Document(**fields)

    def build(self, docs: Iterable[Doc]) -> int:
        writer = self.index.writer(heap_size=200_000_000)
        n = 0
        for d in docs:
            writer.add_document(self._doc(d))
            n += 1
        writer.commit()
        writer.wait_merging_threads()
        return n

    def update(self, new: list[Doc], changed: list[Doc]) -> None:
        writer = self.index.writer(heap_size=200_000_000)
        for d in changed:
            writer.delete_documents_by_term("id", d.id)
        for d in [*new, *changed]:
            writer.add_document(self._doc(d))
        writer.commit()
        writer.wait_merging_threads()

    def open(self) -> None:
        self.index.reload()
        self.searcher = self.index.searcher()

    def _query(self, spec: Spec) -> Any:
        parts = [f"+{t}" for t in spec.get("terms", [])]
        if spec.get("phrase"):
            parts.append(f'+"{spec["phrase"]}"')
        if spec.get("speaker"):
            parts.append(f'+body:"{spec["speaker"].lower()}"')
        query = self.index.parse_query(" ".join(parts), ["title", "body"])
        if spec.get("year"):
            lo, hi = year_bounds(spec["year"])
            rq = self.t.Query.range_query(self.schema, "date", self.t.FieldType.Date, lo, hi, include_upper=False)
            query = self.t.Query.boolean_query([(self.t.Occur.Must, query), (self.t.Occur.Must, rq)])
        return query

    def search(self, spec: Spec) -> Answer:
        query = self._query(spec)
        res = self.searcher.search(query, 10)
        gen = self.t.SnippetGenerator.create(self.searcher, query, self.schema, "body")
        ids, snippets = [], []
        for _score, addr in res.hits:
            doc = self.searcher.doc(addr)
            ids.append(doc["id"][0])
            snippets.append(gen.snippet_from_doc(doc).to_html())
        return res.count, ids, snippets

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------- SQLite FTS5


class Fts5:
    def __init__(self, index_dir: Path) -> None:
        index_dir.mkdir(parents=True, exist_ok=True)
        self.db_path = index_dir / "fts.sqlite"
        self.db = sqlite3.connect(self.db_path)

    def _create(self) -> None:
        self.db.executescript(
            """
            PRAGMA journal_mode=WAL;
            CREATE TABLE IF NOT EXISTS meta(rowid INTEGER PRIMARY KEY, id TEXT UNIQUE, date INTEGER);
            CREATE INDEX IF NOT EXISTS meta_date ON meta(date);
            CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5(title, body, author,
                tokenize='porter unicode61');
            """
        )

    def _insert(self, d: Doc) -> None:
        ts = int(d.date.timestamp()) if d.date else None
        cur = self.db.execute("INSERT INTO meta(id, date) VALUES (?, ?)", (d.id, ts))
        self.db.execute(
            "INSERT INTO docs(rowid, title, body, author) VALUES (?, ?, ?, ?)",
            (cur.lastrowid, d.title, d.body, d.author),
        )

    def build(self, docs: Iterable[Doc]) -> int:
        self._create()
        n = 0
        with self.db:
            for d in docs:
                self._insert(d)
                n += 1
        return n

    def update(self, new: list[Doc], changed: list[Doc]) -> None:
        with self.db:
            for d in changed:
                row = self.db.execute("SELECT rowid FROM meta WHERE id = ?", (d.id,)).fetchone()
                if row:
                    self.db.execute("DELETE FROM docs WHERE rowid = ?", row)
                    self.db.execute("DELETE FROM meta WHERE rowid = ?", row)
            for d in [*new, *changed]:
                self._insert(d)

    def open(self) -> None:
        pass

    @staticmethod
    def _match(spec: Spec) -> str:
        parts = [f'"{t}"' for t in spec.get("terms", [])]
        if spec.get("phrase"):
            parts.append(f'"{spec["phrase"]}"')
        expr = "{title body} : (" + " AND ".join(parts) + ")"
        if spec.get("speaker"):
            expr += f' AND body : "{spec["speaker"]}"'
        return expr

    def search(self, spec: Spec) -> Answer:
        where = "docs MATCH ?"
        args: list[Any] = [self._match(spec)]
        if spec.get("year"):
            lo, hi = year_bounds(spec["year"])
            where += " AND meta.date >= ? AND meta.date < ?"
            args += [int(lo.timestamp()), int(hi.timestamp())]
        join = "FROM docs JOIN meta ON meta.rowid = docs.rowid WHERE " + where
        rows = self.db.execute(
            f"SELECT meta.id, snippet(docs, 1, '[', ']', '…', 24) {join} ORDER BY rank LIMIT 10", args
        ).fetchall()
        total = self.db.execute(f"SELECT count(*) {join}", args).fetchone()[0]
        return int(total), [r[0] for r in rows], [r[1] for r in rows]

    def close(self) -> None:
        self.db.close()


# --------------------------------------------------------------------------- Whoosh, used naively


class WhooshNaive:
    def __init__(self, index_dir: Path) -> None:
        from whoosh import fields, index
        from whoosh.analysis import StemmingAnalyzer
        from whoosh.qparser import MultifieldParser

        self.dir = index_dir
        self.schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            body=fields.TEXT(analyzer=StemmingAnalyzer(), stored=True),
            author=fields.TEXT(stored=True),
            date=fields.DATETIME(stored=True),
        )
        self.index_mod = index
        self.parser_cls = MultifieldParser

    @staticmethod
    def _fields(d: Doc) -> dict[str, Any]:
        f: dict[str, Any] = {"id": d.id, "title": d.title, "body": d.body, "author": d.author}
        if d.date is not None:
            f["date"] = d.date
        return f

    def build(self, docs: Iterable[Doc]) -> int:
        self.dir.mkdir(parents=True, exist_ok=True)
        ix = self.index_mod.create_in(str(self.dir), self.schema)
        writer = ix.writer()
        n = 0
        for d in docs:
            writer.add_document(**self._fields(d))
            n += 1
        writer.commit()
        return n

    def update(self, new: list[Doc], changed: list[Doc]) -> None:
        ix = self.index_mod.open_dir(str(self.dir))
        writer = ix.writer()
        for d in [*new, *changed]:
            writer.update_document(**self._fields(d))
        writer.commit()

    def open(self) -> None:
        self.ix = self.index_mod.open_dir(str(self.dir))
        self.searcher = self.ix.searcher()
        self.parser = self.parser_cls(["title", "body"], self.schema)

    def search(self, spec: Spec) -> Answer:
        from whoosh import query as wq

        parts = list(spec.get("terms", []))
        if spec.get("phrase"):
            parts.append(f'"{spec["phrase"]}"')
        if spec.get("speaker"):
            parts.append(f'body:"{spec["speaker"]}"')
        q = self.parser.parse(" ".join(parts))
        if spec.get("year"):
            lo, hi = year_bounds(spec["year"])
            q = wq.And([q, wq.DateRange("date", lo, hi, endexcl=True)])
        results = self.searcher.search(q, limit=10)
        ids = [hit["id"] for hit in results]
        snippets = [hit.highlights("body") for hit in results]
        return len(results), ids, snippets

    def close(self) -> None:
        self.searcher.close()


PEERS: dict[str, type] = {"tantivy": Tantivy, "fts5": Fts5, "whoosh-naive": WhooshNaive}


def make(name: str, index_dir: Path) -> Engine:
    """A peer engine by name, on `index_dir`."""
    engine: Engine = PEERS[name](index_dir)
    return engine
