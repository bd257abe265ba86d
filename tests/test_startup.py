"""One-shot start-up: what a search imports, the scoped Whoosh import stand-ins, and the rich-free plain
output of `search` (plain text, written without rich)."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from searchkit import render
from searchkit.copies import COPIES_NAME
from searchkit.results import Hit, SearchResult, Snippet, Span


def _imported_after(code: str) -> set[str]:
    """Modules a fresh interpreter holds after running `code`."""
    out = subprocess.run([sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
                         capture_output=True, text=True, check=True).stdout
    return set(out.split())


def _run(code: str) -> None:
    """Run `code` in a fresh interpreter; its asserts fail the test."""
    subprocess.run([sys.executable, "-c", code], check=True)


def _copies_through(tmp_path: Path, code: str) -> None:
    """Run `code`, which copies the file `{src}` (or `{src_uri}`) to `{dst}` (filled in) through a stand-in,
    and check the copy."""
    src, dst = tmp_path / "src.txt", tmp_path / "dst.txt"
    src.write_text("hello", encoding="utf-8")
    for name, value in (("{src_uri}", src.as_uri()), ("{src}", str(src)), ("{dst}", str(dst))):
        code = code.replace(name, repr(value))
    _run(code)
    assert dst.read_text(encoding="utf-8") == "hello"


def test_engine_import_leaves_urllib_request_absent_or_real() -> None:
    code = (
        "import sys, urllib\n"
        "import searchkit.engine.index, searchkit.engine.query\n"
        "m = sys.modules.get('urllib.request')\n"
        "assert m is None or m.__file__.endswith('request.py'), m\n"
        "assert getattr(urllib, 'request', None) is m\n"
        "assert 'http.client' not in sys.modules and 'whoosh.lang.morph_en' not in sys.modules\n"
        "assert 'whoosh.lang.porter' not in sys.modules\n"
        "import urllib.request\n"
        "assert urllib.request.__file__.endswith('request.py') and callable(urllib.request.urlopen)\n"
    )
    _run(code)


def test_stand_ins_call_the_real_functions(tmp_path: Path) -> None:
    """`whoosh.compat.urlretrieve`, Whoosh's `variations` and its Porter `stem` still work, importing the real
    module on use (a file: URL, so no network)."""
    code = (
        "import sys\n"
        "import searchkit.engine.query\n"
        "import whoosh.compat, whoosh.query.terms\n"
        "assert 'urllib.request' not in sys.modules\n"
        "whoosh.compat.urlretrieve({src_uri}, {dst})\n"
        "import urllib.request\n"
        "assert type(sys.modules['urllib.request']).__name__ == 'module'\n"
        "assert sys.modules['urllib.request'].urlretrieve.__module__ == 'urllib.request'\n"
        "from whoosh.lang.morph_en import variations\n"
        "assert whoosh.query.terms.variations('rendering') == variations('rendering')\n"
        "assert 'render' in variations('rendering')\n"
        "import whoosh.analysis.morph\n"
        "assert 'whoosh.lang.porter' not in sys.modules\n"
        "assert [t.text for t in whoosh.analysis.StemmingAnalyzer()('rendering')] == ['render']\n"
        "from whoosh.lang.porter import stem\n"
        "assert whoosh.analysis.morph.stem('rendering') == stem('rendering') == 'render'\n"
    )
    _copies_through(tmp_path, code)


def test_whoosh_already_imported_is_left_alone() -> None:
    code = (
        "import urllib.request, whoosh.query, whoosh.lang.morph_en\n"
        "real = urllib.request.urlretrieve\n"
        "import searchkit.engine.query, whoosh.compat\n"
        "assert whoosh.compat.urlretrieve is real\n"
    )
    _run(code)


def test_a_search_imports_no_rich_network_or_write_path_modules() -> None:
    modules = _imported_after("import searchkit.cli, searchkit.search, searchkit.render, searchkit.output, "
                              "searchkit.history, searchkit.options, searchkit.collapse, searchkit.engine.stories")
    unwanted = {"rich", "rich.console", "rich.table", "urllib.request", "http.client", "email",
                "whoosh.lang.morph_en", "whoosh.lang.porter", "searchkit.engine.documents", "searchkit.engine.writing",
                "searchkit.indexer", "searchkit.speakers.attribution", "searchkit.speakers.patterns",
                "searchkit.speakers.canonical", "searchkit.dates", "searchkit.models",
                "numpy", "searchkit.minhash", "searchkit.copies_update",  # numpy: ~90 ms, index time only
                "queue", "html", "tempfile", "shutil", "bz2", "lzma", "hashlib",  # Whoosh's, for paths never taken
                "searchkit.reports"}  # the other commands' records
    assert not modules & unwanted


def test_a_search_creates_only_the_record_classes_it_uses() -> None:
    """Each frozen dataclass costs ~0.3-0.6 ms to create: the quotes, statements, speaker counts and index
    statistics records are made when a command that shows them runs."""
    code = (
        "import sys, searchkit.cli, searchkit.search, searchkit.collapse, searchkit.render\n"
        "import searchkit.results as r\n"
        "made = {n for n in ('StoredQuote', 'QuoteHit', 'SpeakerCount', 'IndexStats', 'Statement') if hasattr(r, n)}\n"
        "assert not made and 'searchkit.reports' not in sys.modules, made\n"
    )
    _run(code)


def test_a_search_makes_its_records_as_named_tuples() -> None:
    """A named tuple costs ~0.07 ms to create, a frozen dataclass ~0.3-0.6 (~4.6M instructions): every record
    class a search makes (`--recent` too), its own and the ones it returns, is a named tuple (14 dataclasses
    were ~70M of a one-shot search's 737M instructions)."""
    code = (
        "import dataclasses, searchkit.cli, searchkit.search, searchkit.collapse, searchkit.render\n"
        "from searchkit import copies, limits, querylang, recency, results\n"
        "from searchkit.engine import api, query\n"
        "from searchkit.snippets import matching\n"
        "records = (api.DayCounts, api.Ranked, query.Compiled, matching._Needles, querylang._Tok,"
        " querylang.ParseResult, limits.Limits, results.StoredDoc, results.MatchSpec, results.Span, results.Snippet,"
        " results.Hit, results.SearchResult, querylang.Word, querylang.Phrase, querylang.Group, querylang.AnyOf,"
        " querylang.Not, copies.Entry, copies.Group, recency.Decay)\n"
        "made = [r.__name__ for r in records if dataclasses.is_dataclass(r) or not hasattr(r, '_fields')]\n"
        "assert not made, made\n"
    )
    _run(code)


def test_whoosh_modules_given_stand_ins_reach_the_real_ones(tmp_path: Path) -> None:
    """What Whoosh imported from a stand-in works as the real thing: a module's attributes (an exception
    class too) and a function imported by name, each importing the real module on first use."""
    code = (
        "import sys\n"
        "import searchkit.engine.query\n"
        "import whoosh.compat, whoosh.filedb.compound, whoosh.filedb.filestore, whoosh.highlight\n"
        "import whoosh.filedb.filetables\n"
        "assert not {'queue', 'html', 'tempfile', 'shutil', 'hashlib'} & set(sys.modules)\n"
        "assert whoosh.filedb.filetables.md5_hash(b'searchkit') == 0x40d66f6e\n"
        "import queue, tempfile\n"
        "assert whoosh.compat.queue.Empty is queue.Empty and whoosh.compat.queue.Queue is queue.Queue\n"
        "assert whoosh.compat.htmlescape('<a & b>') == '&lt;a &amp; b&gt;'\n"
        "assert whoosh.highlight.htmlescape('a<b', quote=False) == 'a&lt;b'\n"
        "assert whoosh.filedb.filestore.tempfile.gettempdir() == tempfile.gettempdir()\n"
        "with open({src}, 'rb') as a, open({dst}, 'wb') as b:\n"
        "    whoosh.filedb.compound.copyfileobj(a, b)\n"
        "assert type(sys.modules['shutil']).__name__ == 'module' and sys.modules['shutil'].__file__\n"
    )
    _copies_through(tmp_path, code)


def test_a_stand_in_read_while_its_block_runs_fails_loudly() -> None:
    """A module that reads a stood-in module's attribute at import time gets an error, not the stand-in."""
    code = (
        "import sys\n"
        "from searchkit.lazy import stand_in\n"
        "assert 'colorsys' not in sys.modules\n"
        "with stand_in('colorsys'):\n"
        "    import colorsys\n"
        "    try:\n"
        "        colorsys.rgb_to_hsv\n"
        "    except AttributeError:\n"
        "        pass\n"
        "    else:\n"
        "        raise SystemExit('read the stand-in')\n"
        "assert 'colorsys' not in sys.modules\n"
        "assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0) == (0.0, 1.0, 1.0)\n"
        "assert type(sys.modules['colorsys']).__name__ == 'module'\n"
    )
    _run(code)


def test_the_command_line_collects_rarely_and_freezes_its_objects_before_exit() -> None:
    code = (
        "import gc, sys\n"
        "from searchkit.cli import main\n"
        "sys.argv = ['searchkit', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert gc.get_threshold() == (50_000, 20, 100), gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
    )
    _run(code)


# --- piped search output: plain text without rich ------------------------------------------------

def test_a_piped_search_runs_without_rich(built: Path) -> None:
    """A one-shot search into a pipe prints its hits and never imports rich, numpy (only the indexer needs
    it) nor the write path."""
    code = (
        "import sys\n"
        "from searchkit.cli import cli\n"
        f"sys.argv = ['searchkit', 'search', 'ceasefire', '--index', {str(built)!r}]\n"
        "try:\n    cli(prog_name='searchkit')\nexcept SystemExit as e:\n    assert not e.code, e.code\n"
        "print(sorted(m for m in sys.modules if m.startswith(('rich', 'searchkit.indexer', 'searchkit.models',"
        " 'numpy'))))\n"
    )
    assert (built / COPIES_NAME).exists()  # the search folds wire copies, reading their groups
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "1. Ceasefire monitors arrive" in out
    assert out.rstrip().endswith("[]")


def _hit(rank: int, title: str, text: str) -> Hit:
    return Hit(rank=rank, id=f"id{rank}", path="/tmp/x/a.txt", title=title, date=datetime(2023, 1, 15, 9, 0),
               speakers=("Ana Ruiz",), score=1.23456, snippet=Snippet(text, (Span(0, min(3, len(text))),)), roles=())


def _plain(result: SearchResult) -> str:
    buf = io.StringIO()
    listing = render.search_listing(result, label=result.query, limit=10, reasons=(), path_style=lambda p: p)
    assert listing.plain is not None
    listing.plain(buf)
    return buf.getvalue()


def test_plain_results_are_one_line_per_field_with_markup_and_controls_neutralised() -> None:
    """Markup and emoji codes print as typed; control characters and line breaks become single spaces, so
    every hit is exactly four lines."""
    result = SearchResult("[bold]x[/] :smile:", 1, 1, (_hit(1, "Line one\nline\ttwo\x1b[31m", "para\n\npara\x07two"),))
    assert _plain(result) == (
        "1 result for [bold]x[/] :smile: — showing 1–1\n"
        "\n"
        "  1. Line one line two [31m\n"
        "     2023-01-15 · Ana Ruiz · score 1.23 · /tmp/x/a.txt · id id1\n"
        "     para para two\n"
        "\n"
    )


def test_a_walk_without_patterns_imports_no_pathspec(tmp_path: Path) -> None:
    """`pathspec` (~10 ms to import) is loaded only when there are patterns to compile."""
    (tmp_path / "a.txt").write_text("Title\n\nBody.\n", encoding="utf-8")
    walk = f"from pathlib import Path\nfrom searchkit import reading\nreading.discover([Path({str(tmp_path)!r})])"
    assert "pathspec" not in _imported_after(walk)
    (tmp_path / ".searchkitignore").write_text("drafts/\n", encoding="utf-8")
    assert "pathspec" in _imported_after(walk)


def test_an_unchanged_tree_is_indexed_without_numpy_or_the_write_path(built: Path, corpus: Path) -> None:
    """A re-run over unchanged files (one failing, as it does every run) loads neither numpy (~0.1 s of a ~1 s
    re-run at 10^5 files) nor the index writer, nor the parsers and their date patterns (~12 ms): they are imported
    once there is something to read, write or group."""
    (corpus / "empty.txt").write_bytes(b"")
    code = (
        "import sys\nfrom pathlib import Path\nfrom searchkit.indexer import index_paths\n"
        f"s = index_paths([Path({str(corpus)!r})], Path({str(built)!r}), workers=2)\n"
        "assert (s.added, s.updated, s.removed, s.unchanged) == (0, 0, 0, 1), s\n"
        "assert [f.reason for f in s.failed] == ['empty file'], s.failed\n"
        "assert 'numpy' not in sys.modules and 'searchkit.engine.writing' not in sys.modules\n"
        "assert 'searchkit.reading.formats' not in sys.modules and 'searchkit.dates' not in sys.modules\n"
    )
    _run(code)
