"""One-shot start-up: what a search imports, the scoped Whoosh import stand-ins, and the rich-free plain
output of `search` (byte for byte what rich prints when it prints plain text)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from searchkit import render
from searchkit.results import Hit, SearchResult, Snippet, Span


def _imported_after(code: str) -> set[str]:
    """Modules a fresh interpreter holds after running `code`."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_engine_import_leaves_urllib_request_absent_or_real() -> None:
    code = (
        "import sys, urllib\n"
        "import searchkit.engine.index, searchkit.engine.query\n"
        "m = sys.modules.get('urllib.request')\n"
        "assert m is None or m.__file__.endswith('request.py'), m\n"
        "assert getattr(urllib, 'request', None) is m\n"
        "assert 'http.client' not in sys.modules and 'whoosh.lang.morph_en' not in sys.modules\n"
        "import urllib.request\n"
        "assert urllib.request.__file__.endswith('request.py') and callable(urllib.request.urlopen)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_stand_ins_call_the_real_functions(tmp_path: Path) -> None:
    """`whoosh.compat.urlretrieve` and Whoosh's `variations` still work, importing the real module on use
    (a file: URL, so no network)."""
    src, dst = tmp_path / "src.txt", tmp_path / "dst.txt"
    src.write_text("hello", encoding="utf-8")
    code = (
        "import sys\n"
        "import searchkit.engine.query\n"
        "import whoosh.compat, whoosh.query.terms\n"
        "assert 'urllib.request' not in sys.modules\n"
        f"whoosh.compat.urlretrieve({src.as_uri()!r}, {str(dst)!r})\n"
        "import urllib.request\n"
        "assert type(sys.modules['urllib.request']).__name__ == 'module'\n"
        "assert sys.modules['urllib.request'].urlretrieve.__module__ == 'urllib.request'\n"
        "from whoosh.lang.morph_en import variations\n"
        "assert whoosh.query.terms.variations('rendering') == variations('rendering')\n"
        "assert 'render' in variations('rendering')\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert dst.read_text(encoding="utf-8") == "hello"


def test_whoosh_already_imported_is_left_alone() -> None:
    code = (
        "import urllib.request, whoosh.query, whoosh.lang.morph_en\n"
        "real = urllib.request.urlretrieve\n"
        "import searchkit.engine.query, whoosh.compat\n"
        "assert whoosh.compat.urlretrieve is real\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_search_imports_no_rich_network_or_write_path_modules() -> None:
    modules = _imported_after("import searchkit.cli, searchkit.search, searchkit.render")
    unwanted = {"rich", "rich.console", "rich.table", "urllib.request", "http.client", "email",
                "whoosh.lang.morph_en", "searchkit.engine.documents", "searchkit.engine.writing",
                "searchkit.indexer", "searchkit.speakers", "searchkit.dates", "searchkit.models"}
    assert not modules & unwanted


def test_the_command_line_collects_rarely_and_freezes_its_objects_before_exit() -> None:
    code = (
        "import gc, sys\n"
        "from searchkit.cli import main\n"
        "sys.argv = ['searchkit', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert gc.get_threshold() == (50_000, 20, 100), gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- plain output is exactly rich's -------------------------------------------------------------

def _hit(rank: int, title: str, text: str, *, speakers: tuple[str, ...] = ("Ana Ruiz",),
         date: datetime | None = datetime(2023, 1, 15, 9, 0), path: str = "/tmp/x/a.txt") -> Hit:
    return Hit(rank=rank, id=f"id{rank}", path=path, title=title, date=date, speakers=speakers, score=1.23456,
               snippet=Snippet(text, (Span(0, min(3, len(text))),)), roles=())


def _rich_text(result: SearchResult, limit: int, width: int = 80) -> str:
    from rich.console import Console

    buf = io.StringIO()
    render.results(Console(file=buf, highlight=False, soft_wrap=True, width=width), result, limit)
    return buf.getvalue()


def _plain_text(result: SearchResult, limit: int) -> str | None:
    buf = io.StringIO()
    return buf.getvalue() if render.plain_results(buf, result, limit) else None


LONG = "word " * 60 + "end. " + "ünïcödé 中文字 😀 " * 10
RESULTS = [
    SearchResult("oil prices", 2, 1, (_hit(1, "Oil prices rise", "Oil prices rose sharply."),
                                      _hit(2, "", "…trailing ellipsis …", speakers=(), date=None))),
    SearchResult("title:oil", 30, 2, tuple(_hit(i, f"Title {i} — “quoted” ‘x’", LONG) for i in range(11, 21))),
    SearchResult("wide 中文 query", 1, 1, (_hit(1, "中文标题 " * 30, "x" * 300 + "   "),)),
    SearchResult("a]b {} %s", 1, 1, (_hit(1, "Title with [brackets] and :colons: here", "text [red]x[/] :smile:"),)),
    SearchResult("multi\nline", 1, 1, (_hit(1, "Line one\nline two  \n", "para one\n\npara two"),)),
    SearchResult("nothing here", 0, 1, (), suggestion="nothing her"),
    SearchResult("nothing", 0, 1, ()),
    SearchResult("past", 12, 9, ()),
    SearchResult("any words", 5, 1, (_hit(1, "T", "s"),), fallback_any=True),
]


@pytest.mark.parametrize("result", RESULTS)
@pytest.mark.parametrize("width", [20, 80, 200])
def test_plain_results_match_rich(result: SearchResult, width: int) -> None:
    plain = _plain_text(result, 10)
    assert plain is not None
    assert plain == _rich_text(result, 10, width)


@pytest.mark.parametrize("query", ["[bold]x[/]", "a :smile: b", "back\\slash", "x:y:z"])
def test_markup_or_emoji_in_the_query_goes_through_rich(query: str) -> None:
    assert _plain_text(SearchResult(query, 0, 1, ()), 10) is None
    assert _plain_text(SearchResult(query, 1, 1, (_hit(1, "T", "s"),)), 10) is None


@pytest.mark.parametrize("text", ["tab\there", "bell\x07", "cr\r\n", "esc\x1b[31m", "nul\x00"])
def test_control_characters_go_through_rich(text: str) -> None:
    assert _plain_text(SearchResult("q", 1, 1, (_hit(1, text, "s"),)), 10) is None
    assert _plain_text(SearchResult("q", 1, 1, (_hit(1, "T", text),)), 10) is None


def test_plain_stdout_only_when_rich_would_print_plain(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stdout", pipe)
    assert render.plain_stdout() is pipe
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert render.plain_stdout() is None
    monkeypatch.delenv("FORCE_COLOR")
    monkeypatch.setenv("TTY_COMPATIBLE", "0")
    assert render.plain_stdout() is None
    monkeypatch.delenv("TTY_COMPATIBLE")
    monkeypatch.setattr(sys, "stdout", Tty())
    assert render.plain_stdout() is None


def test_show_results_falls_back_to_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    for result in (RESULTS[0], SearchResult("a :smile: b", 1, 1, (_hit(1, "T", "s"),))):
        buf = io.StringIO()
        monkeypatch.setattr(sys, "stdout", buf)
        render.show_results(result, 10)
        assert buf.getvalue() == _rich_text(result, 10)
