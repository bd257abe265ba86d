"""Workers end with their run: kill -9 or SIGTERM of `index` leaves nothing running (#13 row 8).

Before, the workers outlived their parent: pool workers blocked on a pipe a minute later, segment workers
kept writing segments for half a minute. Runs through the command line in its own session (the replay's
`lab`), on synthetic stories.
"""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "reliability"))

import lab  # noqa: E402
import synth  # noqa: E402

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


@pytest.fixture
def sk(tmp_path: Path) -> lab.Searchkit:
    command = lab.Searchkit(module=True)
    command.env["PYTHONPATH"] = str(ROOT)
    command.isolate(tmp_path / "home")
    return command


def _busy_workers(proc: lab.Proc, timeout: float = 120) -> list[int]:
    """Wait until the `index` process has forked its workers and they have started reading."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        workers = lab.children_of(proc.pid)
        if len(workers) >= 2:
            time.sleep(0.3)  # let them get going: the pool mid-chunk, the segment workers mid-segment
            if proc.poll() is not None:
                raise RuntimeError("the run ended before it could be signalled: give it more to read")
            return workers
        time.sleep(0.05)
    raise RuntimeError("the run never forked two workers")


@pytest.mark.slow
@pytest.mark.parametrize("files", [900, 1_050], ids=["pool", "segment-workers"])
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_workers_end_with_their_run(tmp_path: Path, sk: lab.Searchkit, files: int, sig: signal.Signals) -> None:
    docs = tmp_path / "docs"
    for path in synth.write_corpus(docs, files):  # four times a story's length: seconds of work on a fast runner
        story = path.read_text(encoding="utf-8")
        path.write_text(story + "\n" + "\n".join(story.split("\n", 2)[-1] for _ in range(3)), encoding="utf-8")
    proc = sk.start("index", docs, "--index", tmp_path / "ix", "--workers", "2", cwd=tmp_path)
    try:
        _busy_workers(proc)
        proc.signal(sig)
        run = proc.wait(timeout=30, orphan_grace=3)
        assert run.orphans == []  # nothing of the run alive 3 s after it ended
        if sig == signal.SIGTERM:
            assert (run.code, run.stderr.strip()) == (143, "Terminated.")
    finally:
        lab.kill_session(proc.pid)
    reopen = sk.run("index", docs, "--index", tmp_path / "ix", "--json", cwd=tmp_path, timeout=600)
    assert reopen.code == 0 and reopen.json()["documents"] == files
