"""Crash recovery, through the command line as a user meets it (issue #13, "keep what works").

The instruments are the reliability replay's (bench/reliability/: `lab` runs commands in their own
sessions with timeouts, `killloop` drives the kill -9 loop, `killpoint.py` kills a run right after its
first index commit); here they run on synthetic stories, so the tests need nothing from ../shared.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench" / "reliability"))

import killloop  # noqa: E402
import lab  # noqa: E402
import synth  # noqa: E402

BUILD_FILES = 1_050  # past the indexer's SEGMENT_THRESHOLD (1,000): builds use the segment-writing workers
ROUNDS = 12  # kills in the loop (seeded): 3 of builds, 3 of rebuilds, 6 of updates


@pytest.fixture
def sk(tmp_path: Path) -> lab.Searchkit:
    """This checkout's command line (`python -m searchkit` with the repository first on the path), with a
    HOME of its own."""
    command = lab.Searchkit(module=True)
    command.env["PYTHONPATH"] = str(ROOT)
    command.isolate(tmp_path / "home")
    return command


@pytest.mark.slow
def test_kill9_at_random_moments_converges(tmp_path: Path, sk: lab.Searchkit) -> None:
    """SIGKILL the whole `index` process group at random (seeded) moments of builds, rebuilds and updates:
    every time the index reopens and a re-run succeeds; then the index holds exactly the files on disk,
    once each, `search` finds each of them, and no statement is stored twice or outlives its file. At the
    end the statements are exactly a clean build's."""
    source = tmp_path / "source"
    synth.write_corpus(source, BUILD_FILES + 300)
    probes = killloop.Probes(search="officials", search_everywhere=True, quote="because")  # in every title / quote
    result = killloop.run(sk, source, tmp_path, start=BUILD_FILES, rounds=ROUNDS, seed=7, probes=probes,
                          say=print)
    assert result.failures == []
    assert result.quotes_match
    assert result.killed_mid >= ROUNDS // 2, "too few kills landed inside a run for the test to mean anything"


@pytest.mark.slow
@pytest.mark.parametrize("files", [200, BUILD_FILES], ids=["pool", "segment-workers"])
def test_kill_between_the_two_commits_of_a_first_build(tmp_path: Path, sk: lab.Searchkit, files: int) -> None:
    """Row 7: a first build killed right after its first index commit (quotes or articles, whichever the
    engine commits first), then re-run, ends with exactly the quotes and documents of a clean build."""
    docs = tmp_path / "docs"
    synth.write_corpus(docs, files)
    note = tmp_path / "killed-after"
    killed = sk.run("index", docs, "--index", tmp_path / "ix", cwd=tmp_path, timeout=600,
                    wrapper=["--after-commits", "1", "--note", str(note)])
    if not note.exists():  # not an AssertionError: a harness that stopped working must not pass as "xfail"
        raise RuntimeError(f"the kill point was never reached: {killed.describe()}")
    rerun = sk.run("index", docs, "--index", tmp_path / "ix", "--json", cwd=tmp_path, timeout=600)
    clean = sk.run("index", docs, "--index", tmp_path / "clean", cwd=tmp_path, timeout=600)
    if rerun.code != 0 or clean.code != 0:
        raise RuntimeError(f"indexing failed: {rerun.describe()} / {clean.describe()}")
    paths, _ = lab.exported(sk, tmp_path / "ix", tmp_path)
    assert sorted(paths or []) == sorted(lab.article_files(docs))
    assert lab.quote_totals(sk, tmp_path / "ix", tmp_path) == lab.quote_totals(sk, tmp_path / "clean", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("rebuild", [False, True], ids=["first-build", "rebuild"])
def test_kill_while_the_schema_file_is_rewritten(tmp_path: Path, sk: lab.Searchkit, rebuild: bool) -> None:
    """A first build or a `--rebuild` killed right after it truncates the schema-version file: `index`
    afterwards must work (it failed with "built by another searchkit version (schema None ...)"). Since the
    file is replaced atomically (`private.write_text`), it is never opened for writing in place: then the
    run must simply succeed with the file intact."""
    docs = tmp_path / "docs"
    synth.write_corpus(docs, 100)
    ix = tmp_path / "ix"
    if rebuild and sk.run("index", docs, "--index", ix, cwd=tmp_path, timeout=600).code != 0:
        raise RuntimeError("the first build failed")
    note = tmp_path / "killed-after"
    killed = sk.run("index", docs, "--index", ix, *(["--rebuild"] if rebuild else []), cwd=tmp_path, timeout=600,
                    wrapper=["--after-truncating", "searchkit.json", "--note", str(note)])
    if not note.exists():  # never rewritten in place: the run went on to the end
        assert (killed.code, killed.first_err) == (0, "")
        assert '"schema_version"' in (ix / "searchkit.json").read_text(encoding="utf-8")
    rerun = sk.run("index", docs, "--index", ix, cwd=tmp_path, timeout=600)
    assert (rerun.code, rerun.first_err) == (0, "")
    paths, _ = lab.exported(sk, ix, tmp_path)
    assert sorted(paths or []) == sorted(lab.article_files(docs))


def _change(docs: Path) -> None:
    """An update's worth of change: one file edited, one removed, one new."""
    files = sorted(docs.rglob("*.txt"))
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nA late paragraph on harbour cranes.\n",
                        encoding="utf-8")
    files[1].unlink()
    shutil.copyfile(files[2], docs / "new-story.txt")


def _statements(sk: lab.Searchkit, ix: Path, cwd: Path) -> int:
    """How many statements the index holds: every synthetic quote says "because" (one process, where
    `lab.quote_totals` runs eight)."""
    run = sk.run("quotes", "because", "--index", ix, "--json", "--limit", "1", cwd=cwd, timeout=120)
    if run.code != 0:
        raise AssertionError(f"quotes failed: {run.describe()}")
    return int(run.json()["total"])


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["first-build", "update", "rebuild"])
def test_a_kill_after_any_rename_of_a_run_leaves_an_index_the_next_run_completes(
        tmp_path: Path, sk: lab.Searchkit, scenario: str) -> None:
    """A run killed right after each of its renames in turn (`killpoint.py --after-renames K` for K = 1, 2, ...
    until a run ends without reaching its K-th): every time, the next `index` exits 0 and the index holds
    exactly the files on disk, and the statements match a clean build's. Every table of contents, every file
    replaced atomically and a rebuild's moves are such steps; between two of them one file is new and the
    next one old (a first build killed after its empty table of contents and before its schema-version file
    left an index every later run refused)."""
    work, snapshot = tmp_path / "work", tmp_path / "snapshot"  # each kill starts from the snapshot, in `work`:
    docs, ix, note = work / "docs", work / "ix", work / "killed-after"  # the index holds absolute paths
    synth.write_corpus(docs, 24)
    if scenario != "first-build":
        built = sk.run("index", docs, "--index", ix, cwd=tmp_path, timeout=600)
        if built.code != 0:
            raise RuntimeError(f"the first build failed: {built.describe()}")
    if scenario == "update":
        _change(docs)
    shutil.copytree(work, snapshot, symlinks=True)
    clean = sk.run("index", docs, "--index", tmp_path / "clean", cwd=tmp_path, timeout=600)
    if clean.code != 0:
        raise RuntimeError(f"the clean build failed: {clean.describe()}")
    statements = _statements(sk, tmp_path / "clean", tmp_path)
    extra = ["--rebuild"] if scenario == "rebuild" else []
    for k in range(1, 60):
        shutil.rmtree(work)
        shutil.copytree(snapshot, work, symlinks=True)
        killed = sk.run("index", docs, "--index", ix, *extra, cwd=tmp_path, timeout=600,
                        wrapper=["--after-renames", str(k), "--note", str(note)])
        if not note.exists():  # the run made fewer than k renames: every step has been visited
            assert (killed.code, killed.first_err) == (0, ""), (k, killed.describe())
            assert k > 3, "too few renames for the test to mean anything"
            return
        step = (k, note.read_text(encoding="utf-8").strip())
        rerun = sk.run("index", docs, "--index", ix, "--json", cwd=tmp_path, timeout=600)
        assert (rerun.code, rerun.first_err) == (0, ""), (step, rerun.describe())
        paths, _ = lab.exported(sk, ix, tmp_path)
        assert sorted(paths or []) == sorted(lab.article_files(docs)), step
        assert _statements(sk, ix, tmp_path) == statements, step
    raise RuntimeError("a run made 60 renames or more: raise the bound")
