"""Shared fixtures: a small article collection written fresh for each test, and paths to ../shared."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from searchkit import output
from searchkit.cli import cli

# Property tests guard against blow-up with their own size-proportional bounds; hypothesis's per-example
# deadline (200 ms) only measures how busy the machine is, so CI on a loaded runner must not fail on it.
settings.register_profile("searchkit", deadline=None)
settings.load_profile("searchkit")

# A suite started in the background of a non-interactive shell (`cmd &`) inherits SIGINT ignored, and so would
# every command a test starts: the tests that press Ctrl-C (`watch`, `heap.give_back`) need it delivered, as
# on a terminal. A handler set here is reset to the default in the commands the tests start (exec keeps only
# an ignored signal).
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = ROOT / "seeds"

# A tiny, hand-written collection with known dates and speakers, so search assertions do not depend on
# extraction quality. Ids are the record ids.
ARTICLES = [
    {"id": "a1", "title": "Peace talks collapsed in Valdor", "date": "2023-01-15T09:00:00",
     "speakers": ["Elena Marsh"],
     "body": "The peace talks collapsed on Sunday after a long night. Diplomatic settlements were discussed "
             "but no diplomatic settlement emerged. Return to the path of dialogue, Marsh said."},
    {"id": "a2", "title": "Fishing quota dispute", "date": "2023-02-28T12:00:00", "speakers": ["Tomas Berg"],
     "body": "A talk collapses into shouting as the fishing quota dispute widens. Oil prices rose."},
    {"id": "a3", "title": "Cease-fire holds in the north", "date": "2023-03-01T00:00:00",
     "speakers": ["Elena Marsh", "Ana Ruiz"],
     "body": "The cease-fire held overnight in Erdoğan Square, officials said. Ruiz welcomed the calm."},
    {"id": "a4", "title": "Ceasefire monitors arrive", "date": "2024-02-29T08:30:00", "speakers": ["Ana Ruiz"],
     "body": "Monitors arrived to watch the ceasefire. Russia's envoy returned the path map."},
    {"id": "a5", "title": "Undated market note", "speakers": [],
     "body": "Oil prices fell sharply as markets weighed the return to the path of growth."},
]


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep tests off any real index and the user's own config: no SEARCHKIT_INDEX or SEARCHKIT_CONFIG from
    the environment, an empty config folder, no debug tracebacks, no colour or pager settings."""
    for name in ("SEARCHKIT_INDEX", "SEARCHKIT_DEBUG", "SEARCHKIT_CONFIG", "NO_COLOR", "FORCE_COLOR", "PAGER",
                 "LESS", "COLUMNS", "LINES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder holding the sample collection as a JSON Lines file."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "articles.jsonl").write_text("\n".join(json.dumps(a) for a in ARTICLES) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def built(corpus: Path, tmp_path: Path) -> Path:
    """An index of the sample collection."""
    from searchkit.indexer import index_paths

    index_dir = tmp_path / "index"
    index_paths([corpus], index_dir, workers=1)
    return index_dir


@pytest.fixture
def shared() -> Path:
    """The read-only ../shared folder; tests using it skip when it is absent."""
    if not SHARED.is_dir() or os.environ.get("SEARCHKIT_NO_SHARED"):
        pytest.skip("../shared is not present")
    return SHARED


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the command line in-process: exit code, stdout, stderr (exceptions propagate)."""
    result = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False, prog_name="searchkit")
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def tty(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend stdout is a terminal."""
    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
