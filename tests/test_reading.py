"""Tests for searchkit.reading: decoding, every format (golden pairs) and failures (discovery: test_discovery)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkit.errors import UnreadableFile
from searchkit.models import Article
from searchkit.reading import decode, discover, read_articles, title_from_body
from searchkit.reading.text import _SOFT_BREAK

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "reading"
SEEDS = ROOT / "seeds"
SHARED = Path(__file__).resolve().parents[2] / "shared"
REUTERS_DIR = os.environ.get("SEARCHKIT_REUTERS_DIR")

# --------------------------------------------------------------------------- golden pairs


def _golden_cases() -> list[Path]:
    """Every `<name>.expected.json` under tests/golden/reading."""
    return sorted(GOLDEN.glob("*.expected.json"))


def _golden_input(expected: Path, spec: dict[str, Any]) -> Path:
    """The input of a golden case: its `input` key (relative to the repo) or the sibling `<name>[.ext]`."""
    if "input" in spec:
        return ROOT / spec["input"]
    name = expected.name.removesuffix(".expected.json")
    found = [p for p in GOLDEN.iterdir()
             if (p.name == name or p.name.startswith(f"{name}.")) and not p.name.endswith(".expected.json")]
    assert len(found) == 1, f"golden case {name}: expected exactly one input file, found {found}"
    return found[0]


def _check_record(article: Article, spec: dict[str, Any]) -> None:
    """Compare one article with the fields its expected record lists."""
    for key in ("id", "title", "summary", "source_format", "ordinal", "body", "date_source"):
        if key in spec:
            assert getattr(article, key) == spec[key], key
    if "date" in spec:
        assert (article.date.isoformat() if article.date else None) == spec["date"]
    if "warnings" in spec:
        assert list(article.warnings) == spec["warnings"]
    if "speakers" in spec:
        assert article.speaker_names == spec["speakers"]
    if "body_startswith" in spec:
        assert article.body.startswith(spec["body_startswith"])
    if "body_endswith" in spec:
        assert article.body.endswith(spec["body_endswith"])
    if "paragraphs" in spec:
        assert len(article.body.split("\n\n")) == spec["paragraphs"]
    for text in spec.get("body_excludes", ()):
        assert text not in article.body, text


@pytest.mark.parametrize("expected", _golden_cases(), ids=lambda p: p.name.removesuffix(".expected.json"))
def test_golden(expected: Path) -> None:
    """Each golden input parses to exactly the records in its `.expected.json`."""
    spec = json.loads(expected.read_text(encoding="utf-8"))
    source = _golden_input(expected, spec)
    articles = read_articles(source, source.name)
    records = spec if isinstance(spec, list) else [spec]
    assert len(articles) == len(records)
    for article, record in zip(articles, records, strict=True):
        assert article.path == str(source)
        _check_record(article, record)


def test_golden_cases_cover_every_format() -> None:
    """The golden set keeps at least one case per source format."""
    formats = set()
    for expected in _golden_cases():
        spec = json.loads(expected.read_text(encoding="utf-8"))
        formats |= {r["source_format"] for r in (spec if isinstance(spec, list) else [spec])}
    assert formats == {"seed", "text", "markdown", "json", "jsonl"}


# --------------------------------------------------------------------------- seeds


def test_seed_articles_all_parse_in_seed_layout() -> None:
    """Every shipped seed parses as the seed layout: dated, summarised, no repeated title or noise line."""
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) >= 10
    for path in files:
        (article,) = read_articles(path, path.name)
        assert article.source_format == "seed", path.name
        assert article.date is not None and article.summary
        assert "Abone Ol" not in article.body
        assert not article.body.startswith(article.title)
        assert 4 <= len(article.body.split("\n\n")) <= 10, path.name
        assert article.warnings == ()


def test_seed_without_repeated_title_or_noise_line(tmp_path: Path) -> None:
    """The repeated title and the noise line are optional; the body is kept whole without them."""
    path = tmp_path / "a.txt"
    path.write_text("Title here\n\nSummary.\n\nPublication: 01.02.2024 - 08:05\nFirst paragraph.\n\nSecond.\n")
    (article,) = read_articles(path, "a.txt")
    assert (article.source_format, article.date.isoformat()) == ("seed", "2024-02-01T08:05:00")
    assert article.body == "First paragraph.\n\nSecond."


def test_seed_with_bad_publication_date_warns(tmp_path: Path) -> None:
    """An unparseable Publication value leaves the date empty and says so."""
    path = tmp_path / "a.txt"
    path.write_text("Title\n\nSummary.\n\nPublication: someday\nTitle\nAbone Ol google-news\n\nBody.\n")
    (article,) = read_articles(path, "a.txt")
    assert article.date is None and article.body == "Body."
    assert article.warnings == ("unrecognised publication date 'someday'",)


# --------------------------------------------------------------------------- plain text details


@pytest.mark.parametrize(
    ("header", "iso"),
    [
        ("2023-09-19", "2023-09-19T00:00:00"),
        ("2023-09-19T10:00:00", "2023-09-19T10:00:00"),
        ("19 September 2023", "2023-09-19T00:00:00"),
        ("Sept. 19, 2023", "2023-09-19T00:00:00"),
        ("19.09.2023", "2023-09-19T00:00:00"),
        ("-- Sun Oct 22, 2006 12:14pm EDT", "2006-10-22T12:14:00"),
    ],
)
def test_plain_text_date_line_is_used_and_removed(tmp_path: Path, header: str, iso: str) -> None:
    """A header line that is only a date gives the date and leaves the body."""
    path = tmp_path / "note"
    path.write_text(f"A title\n{header}\n\nThe body text.\n")
    (article,) = read_articles(path, "note")
    assert article.date is not None and article.date.isoformat() == iso
    assert article.body == "The body text."


def test_plain_text_dateline_is_used_but_kept(tmp_path: Path) -> None:
    """A dateline opening the first paragraph dates the article without losing words."""
    path = tmp_path / "a.txt"
    path.write_text("A title\n\nMERENBURG, Sept. 19, 2023 - The council met.\n")
    (article,) = read_articles(path, "a.txt")
    assert article.date is not None and article.date.date().isoformat() == "2023-09-19"
    assert article.date_source == "dateline"
    assert article.body == "MERENBURG, Sept. 19, 2023 - The council met."


UNDATED = {
    "anniversary.txt": "Ten years on, the city remembers\n\nThe attacks on 11 September 2001 changed the skyline "
                       "of the city for ever, residents said on Monday.\n\nA ceremony was held at noon.\n",
    "obituary.txt": "Ada Lovell, harbour pilot\n\nAda Lovell, who was born on 5 April 1920 in Merenburg, guided "
                    "ships into the port for forty years.\n\nShe died at home, her family said.\n",
    "first_line.txt": "Council budget\nOn September 19, 2023 the council met to set the budget.\n",
    "second_para.txt": "Council budget\n\nThe council met.\n\nMERENBURG, 5 May 2020 - An old report.\n",
    "lower_place.txt": "Storm\n\nMerenburg, 19 September 2023 - The storm arrived.\n",
    "no_year.txt": "Senate vote\n\nWASHINGTON, Sept. 12 (Reuters) - The Senate voted on Tuesday.\n",
    "anniversary.md": "# Ten years on\n\nThe attacks on 11 September 2001 changed the skyline.\n",
    "obituary.md": "---\ntitle: Ada Lovell\n---\n\nBorn in Merenburg on 5 April 1920, she was a pilot.\n",
    "sentence.json": '{"title": "Ten years on", "body": "The attacks on 11 September 2001 changed it."}',
}


@pytest.mark.parametrize("name", sorted(UNDATED))
def test_dates_inside_sentences_never_date_an_article(tmp_path: Path, name: str) -> None:
    """Undated articles stay undated: a date in a sentence (an anniversary, a birth date), in a later
    paragraph, or in a dateline without a year or a capitalised place is not the article's date."""
    path = tmp_path / name
    path.write_text(UNDATED[name], encoding="utf-8")
    (article,) = read_articles(path, name)
    assert (article.date, article.date_source) == (None, None)
    assert any(text in article.body for text in ("2001", "1920", "2023", "2020", "Sept. 12"))  # text kept


@pytest.mark.parametrize(
    ("name", "content", "iso", "source"),
    [
        ("seed.txt", "T\n\nSummary.\n\nPublication: 01.02.2024 - 08:05\nBody.\n", "2024-02-01T08:05:00",
         "publication"),
        ("wire.txt", "-- T\n-- Fri Oct 20, 2006 6:15pm EDT\n\nBody.\n", "2006-10-20T18:15:00", "header"),
        ("later.txt", "T\nA standfirst sentence.\n19 September 2023\n\nBody.\n", "2023-09-19T00:00:00", "header"),
        ("fm.md", "---\ndate: 2024-05-12\n---\nBody.\n", "2024-05-12T00:00:00", "front-matter"),
        ("line.md", "# T\n\n*8 March 2024*\n\nBody.\n", "2024-03-08T00:00:00", "header"),
        ("wire.md", "# T\n\nLONDON, 8 March 2024 (AP) - Body.\n", "2024-03-08T00:00:00", "dateline"),
        ("rec.json", '{"title": "T", "body": "B", "date": "2024-03-08"}', "2024-03-08T00:00:00", "json"),
        ("rec.jsonl", '{"title": "T", "body": "B", "date": 0}\n', "1970-01-01T00:00:00", "json"),
    ],
)
def test_date_source_names_the_metadata_a_date_came_from(
    tmp_path: Path, name: str, content: str, iso: str, source: str,
) -> None:
    """Every date comes with where it was found: publication, header, front-matter, dateline or json."""
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    (article,) = read_articles(path, name)
    assert (article.date.isoformat() if article.date else None, article.date_source) == (iso, source)


def test_plain_text_body_starting_with_by_is_not_a_byline(tmp_path: Path) -> None:
    """"By the end ..." is a sentence, not a byline, and stays in the body."""
    path = tmp_path / "a.txt"
    path.write_text("A title\nBy the end of the year, prices rose.\n")
    assert read_articles(path, "a.txt")[0].body == "By the end of the year, prices rose."


def test_plain_text_title_only(tmp_path: Path) -> None:
    """A file with a single line is an article with an empty body."""
    path = tmp_path / "a.txt"
    path.write_text("\n\n  Just a headline  \n")
    (article,) = read_articles(path, "a.txt")
    assert (article.title, article.body) == ("Just a headline", "")


def test_title_from_body_truncates_at_a_word() -> None:
    """Derived titles stop at the first sentence or about 100 characters, on a word boundary."""
    assert title_from_body("Short sentence. Another one.") == "Short sentence"
    long = "word " * 60
    title = title_from_body(long)
    assert title.endswith("…") and len(title) <= 101 and "wor…" not in title


# --------------------------------------------------------------------------- decoding and failures


def test_decode_handles_bom_cp1252_utf16_and_line_endings() -> None:
    """UTF-8 with BOM, cp1252 (with a warning), UTF-16 with BOM; CR and CRLF become LF."""
    assert decode(b"\xef\xbb\xbfA\r\nB\rC") == ("A\nB\nC", [])
    assert decode("caf\u00e9".encode("cp1252")) == ("caf\u00e9", ["not UTF-8; decoded as cp1252"])
    assert decode(b"\x81\xe9x") == ("\x81\u00e9x", ["not UTF-8; decoded as latin-1"])
    assert decode("Zo\u00eb".encode("utf-16")) == ("Zo\u00eb", [])


@pytest.mark.parametrize(("name", "content"), [
    ("empty.txt", b""), ("blank.md", b" \n\t\r\n\x0b\x0c "), ("blank.jsonl", b"\n\n"), ("bom.txt", b"\xef\xbb\xbf"),
    ("nbsp.txt", "\u00a0\u2028".encode()), ("blank.pdf", b" "), ("empty", b""), ("x.txt", b" x "),
])
def test_blank_files_are_refused_before_the_parsers_load_as_the_parsers_refuse_them(tmp_path: Path, name: str,
                                                                                     content: bytes) -> None:
    """`reading.read_articles` refuses bytes that are only ASCII whitespace itself (a re-run reads the files that
    failed, and empty ones need no parser): with the reason `formats.read_articles` gives, type checked first."""
    from searchkit.reading import formats

    path = tmp_path / name
    path.write_bytes(content)
    outcomes = []
    for read in (read_articles, formats.read_articles):
        try:
            outcomes.append([(a.title, a.body) for a in read(path, name, content)])
        except UnreadableFile as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("bin.txt", b"GIF89a\x00\x01\x02", "binary file (contains NUL bytes)"),
        ("empty.txt", b"", "empty file"),
        ("blank.md", b" \n\t\r\n  ", "empty file"),
        ("broken.json", b'{"title": "x",\n "body": }', "invalid JSON: Expecting value (line 2, column 10)"),
        ("number.json", b"42", "JSON must be an object or a list of objects, not a int"),
        ("emptylist.json", b"[]", "JSON must be an object or a list of objects, not an empty list"),
        ("strings.json", b'["a", "b"]', "record 1: not a JSON object (and 1 more)"),
        ("nothing.json", b'{"title": " ", "body": ""}', "record has no title and no body"),
        ("empty_id.json", b'{"id": 3, "title": ""}', "record has no title and no body"),
        ("allbad.jsonl", b'{"title": "a"\n\n[1]\n', "line 1: invalid JSON (Expecting ',' delimiter, column 14)"
         " (and 1 more)"),
        ("scalar.ndjson", b"7\n", "line 1: not a JSON object"),
        ("doc.pdf", b"%PDF-1.4", "unsupported file type .pdf"),
        ("dashes.txt", b"----\n--\n\n---\n", "no title and no body"),
    ],
)
def test_unreadable_files_raise_with_reason(tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    """Files that cannot be articles raise UnreadableFile with a short, specific reason."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableFile) as caught:
        read_articles(path, name)
    assert str(caught.value) == reason


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    """A file that vanished between discovery and reading is reported, not crashed on."""
    with pytest.raises(UnreadableFile, match=r"^vanished before it could be read$"):
        read_articles(tmp_path / "gone.txt", "gone.txt")


def test_jsonl_empty_record_with_id_is_kept_beside_real_ones(tmp_path: Path) -> None:
    """An id-only record (as in the CRAN collection) keeps its id when other records are readable."""
    path = tmp_path / "docs.jsonl"
    path.write_text('{"id": "1", "title": "T", "body": "B"}\n{"id": "2", "title": "", "body": ""}\n')
    articles = read_articles(path, "docs.jsonl")
    assert [a.id for a in articles] == ["1", "2"]
    assert articles[1].title == "" and articles[1].warnings == ("line 2: record has no title and no body",)


def test_json_record_fields(tmp_path: Path) -> None:
    """Numeric ids and timestamps, speaker strings, body lists and the `text` / `content` aliases."""
    path = tmp_path / "r.json"
    records = [
        {"id": 7.0, "title": "T", "body": ["p1", "p2"], "date": 0, "speakers": "Ana Ruiz"},
        {"id": True, "title": "U", "content": "c", "date": "2024-13-01"},
    ]
    path.write_text(json.dumps(records))
    first, second = read_articles(path, "r.json")
    assert (first.id, first.body, first.date.isoformat(), first.speaker_names) == (
        "7", "p1\n\np2", "1970-01-01T00:00:00", ["Ana Ruiz"])
    assert (second.id, second.body, second.date) == ("r.json#2", "c", None)
    assert second.warnings == ("record 2: unrecognised date '2024-13-01'",)


def test_markdown_without_front_matter_uses_first_line(tmp_path: Path) -> None:
    """Without front matter or a heading, the first line is the title."""
    path = tmp_path / "n.md"
    path.write_text("Plain first line\n\nSome *emphasis* and a ![pic](x.png) here.\n")
    (article,) = read_articles(path, "n.md")
    assert (article.title, article.body) == ("Plain first line", "Some emphasis and a pic here.")


def test_markdown_unclosed_front_matter_is_text(tmp_path: Path) -> None:
    """A `---` block that never closes is not front matter."""
    path = tmp_path / "n.md"
    path.write_text("---\ntitle: x\nBody line.\n")
    (article,) = read_articles(path, "n.md")
    assert "title: x" in article.body


# --------------------------------------------------------------------------- shared research data


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "ir").is_dir(), reason="../shared/ir is absent")
@pytest.mark.parametrize(("name", "count"), [("cran", 1400), ("cisi", 1460), ("med", 1033), ("cacm", 3204),
                                             ("npl", 11429)])
def test_ir_collections_load_with_exact_ids(name: str, count: int) -> None:
    """Every IR docs.jsonl loads completely, with the ids exactly as stored (cacm keeps its dates)."""
    path = SHARED / "ir" / name / "docs.jsonl"
    articles = read_articles(path, "docs.jsonl")
    ids = [json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(articles) == count
    assert [a.id for a in articles] == ids
    assert all(a.source_format == "jsonl" and a.title for a in articles if a.body)
    if name == "cacm":
        assert sum(a.date is not None for a in articles) > 3000


@pytest.mark.shared
@pytest.mark.skipif(not REUTERS_DIR, reason="set SEARCHKIT_REUTERS_DIR to an extracted ReutersNews106521")
def test_reuters_sample_parses() -> None:
    """About 200 real Reuters files: title, date in range, every body word kept, header lines left out."""
    found = discover([Path(REUTERS_DIR or "")])
    sample = found.files[:: max(1, len(found.files) // 200)]
    for source in sample:
        raw = source.path.read_text(encoding="utf-8").split("\n")
        try:
            (article,) = read_articles(source.path, source.rel)
        except UnreadableFile as exc:
            assert str(exc) == "empty file"
            continue
        header = [line for line in raw[:4] if line.startswith("--")]
        assert article.title and article.date is not None, source.rel
        assert 2006 <= article.date.year <= 2013
        assert article.body.split() == " ".join(raw[len(header):]).split(), source.rel


def test_plain_text_paragraph_first_line_is_not_the_title(tmp_path: Path) -> None:
    """A long first line that is a paragraph gives a derived title and stays in the body."""
    path = tmp_path / "a.txt"
    text = "The council met on Tuesday to discuss the harbour. " * 6
    path.write_text(text + "\n")
    (article,) = read_articles(path, "a.txt")
    assert article.title == "The council met on Tuesday to discuss the harbour"
    assert article.body == text.strip()


def test_plain_text_date_deep_in_the_body_is_not_the_article_date(tmp_path: Path) -> None:
    """Only the opening lines can date an article; a date mentioned later is just text."""
    path = tmp_path / "a.txt"
    path.write_text("A title\n\nFirst.\n\nSecond.\n\nThe plant opened on 5 May 2001.\n")
    assert read_articles(path, "a.txt")[0].date is None


_LOOKBEHIND_FIRST = re.compile(r"(?<=[.!?\"'”’)])[ \t]{2,}(?=[\"“‘'(]?[A-Z0-9])")
"""The soft paragraph break as first written (a lookbehind tried at every character): the reference."""


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \t.!?\"'”’)“‘(aZ09x\n", max_size=40))
def test_soft_breaks_split_where_the_lookbehind_first_pattern_split(text: str) -> None:
    """The soft-break pattern spelled to start with a space finds the same breaks as the pattern it replaced."""
    assert _SOFT_BREAK.split(text) == _LOOKBEHIND_FIRST.split(text)
