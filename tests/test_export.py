"""`searchkit export`: the query and filters of `search`, JSON Lines, CSV, and OpenSearch bulk files checked
with opensearch-py's own serializer and bulk helpers (a test-only dependency)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from searchkit.cli import cli

from .conftest import ARTICLES, SEEDS


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, prog_name="searchkit")
    return result.exit_code, result.stdout, result.stderr


def test_export_takes_the_query_and_filters_of_search(built: Path) -> None:
    code, out, _ = run("export", "ceasefire", "--index", str(built))
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a4", "a3"]
    code, out, _ = run("export", "--speaker", "marsh", "--from", "2023-02", "--index", str(built))
    assert code == 0 and [json.loads(line)["id"] for line in out.splitlines()] == ["a3"]
    code, out, err = run("export", "nothingmatches", "--index", str(built))
    assert code == 1 and out == "" and err == "Nothing matched.\n"


def test_export_csv(built: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    code, out, err = run("export", "--format", "csv", "-o", str(target), "--index", str(built))
    assert code == 0 and out == "" and err == f"Exported 5 articles to {target}.\n"
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert sorted(r["id"] for r in rows) == [a["id"] for a in ARTICLES]
    a3 = next(r for r in rows if r["id"] == "a3")
    assert a3["speakers"] == "Elena Marsh; Ana Ruiz" and a3["date"] == "2023-03-01T00:00:00"
    assert a3["date_source"] == "json" and next(r for r in rows if r["id"] == "a5")["date"] == ""


@pytest.fixture
def bulk_files(tmp_path: Path) -> tuple[list[str], dict[str, Any]]:
    """The seeds exported for OpenSearch: the bulk file's lines and the mapping."""
    ix, out = tmp_path / "ix", tmp_path / "os"
    assert run("index", str(SEEDS), "--index", str(ix))[0] == 0
    code, _, _ = run("export", "--format", "opensearch", "-o", str(out), "--opensearch-index", "news",
                     "--index", str(ix))
    assert code == 0
    lines = (out / "bulk.ndjson").read_text(encoding="utf-8").splitlines()
    return lines, json.loads((out / "mapping.json").read_text(encoding="utf-8"))


def _pairs(lines: list[str]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    from opensearchpy.serializer import JSONSerializer

    loads = JSONSerializer().loads
    assert len(lines) % 2 == 0
    return [(loads(lines[i]), loads(lines[i + 1])) for i in range(0, len(lines), 2)]


def test_bulk_file_is_what_opensearch_pys_bulk_helper_sends(bulk_files: tuple[list[str], dict[str, Any]]) -> None:
    """Feed the exported documents to `helpers.bulk` as a user would (`_index`/`_id` plus the source), with
    a real client whose transport records the request instead of sending it: the body must be the file."""
    from opensearchpy import OpenSearch, helpers

    lines, _mapping = bulk_files
    pairs = _pairs(lines)
    assert len(pairs) == 11
    actions = [{"_index": a["index"]["_index"], "_id": a["index"]["_id"], **source} for a, source in pairs]
    client = OpenSearch(hosts=[{"host": "localhost", "port": 9200}])
    sent: list[tuple[str, str, Any]] = []

    def perform_request(method: str, url: str, params: Any = None, body: Any = None, headers: Any = None) -> Any:
        sent.append((method, url, body))
        return {"errors": False, "items": [{"index": {"status": 201}} for _ in range(body.count("\n") // 2)]}

    client.transport.perform_request = perform_request  # type: ignore[method-assign]
    assert helpers.bulk(client, actions, chunk_size=1000) == (11, [])
    assert [(m, u) for m, u, _ in sent] == [("POST", "/_bulk")]
    body = sent[0][2]
    assert [json.loads(x) for x in body.splitlines()] == [json.loads(x) for x in lines]


def test_bulk_actions_parse_as_index_actions_with_ids(bulk_files: tuple[list[str], dict[str, Any]]) -> None:
    from opensearchpy.helpers.actions import expand_action

    lines, _ = bulk_files
    ids = set()
    for action, source in _pairs(lines):
        assert action == {"index": {"_index": "news", "_id": source["id"]}}
        expanded_action, data = expand_action({"_index": "news", "_id": source["id"], **source})
        assert expanded_action == action and data == source
        ids.add(source["id"])
    assert len(ids) == 11


def test_mapping_covers_every_exported_field(bulk_files: tuple[list[str], dict[str, Any]]) -> None:
    lines, mapping = bulk_files
    props = mapping["mappings"]["properties"]
    assert mapping["mappings"]["dynamic"] == "strict"
    assert props["title"] == {"type": "text", "analyzer": "english"} and props["body"]["analyzer"] == "english"
    assert props["date"] == {"type": "date"}
    assert props["speakers"] == {"type": "keyword", "fields": {"text": {"type": "text"}}}
    assert props["quotes"]["type"] == "nested"
    quotes = 0
    for _action, source in _pairs(lines):
        assert set(source) <= set(props)
        for quote in source["quotes"]:
            assert set(quote) <= set(props["quotes"]["properties"])
            quotes += 1
    assert quotes > 10


def test_bulk_carries_each_articles_statements(bulk_files: tuple[list[str], dict[str, Any]]) -> None:
    lines, _ = bulk_files
    doc = next(s for _a, s in _pairs(lines) if s["id"] == "000_ad256211f7d105d4.txt")
    assert doc["speakers"] == ["Maria Zakharova"] and doc["date"] == "2023-09-19T17:58:00"
    assert doc["quotes"][0]["speaker"] == "Maria Zakharova" and doc["quotes"][0]["text"].startswith("We are deeply")
    assert [q["start"] for q in doc["quotes"]] == sorted(q["start"] for q in doc["quotes"])


def test_opensearch_needs_a_folder(built: Path) -> None:
    code, _, err = run("export", "--format", "opensearch", "--index", str(built))
    assert code == 2 and "give a folder with -o/--output" in err
