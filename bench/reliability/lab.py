"""The replay's instruments: run the `searchkit` command as a user would, never hang, and see what it left.

Every command runs in its own session (`start_new_session`), so the harness can find and kill the whole
tree (the CLI and any workers it forked) on a timeout, and can tell whether anything outlived the command:
a process whose session id is the command's pid after the command exited is an orphan.

Peak RSS is the largest `VmHWM` (the kernel's resident high-water mark) of the command and its direct
children, sampled every 10 ms while it runs. Not `ru_maxrss` from `wait4`: Linux carries the high-water
mark across `execve`, so a command forked from the harness would report at least the harness's own size.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACEBACK = "Traceback (most recent call last)"
DEFAULT_CORPUS = Path("/work/data/ReutersNews106521")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Run:
    """What one command did."""

    argv: list[str]
    code: int | None  # exit status; negative: killed by that signal; None: still running when abandoned
    stdout: str
    stderr: str
    seconds: float
    rss_mb: float
    timed_out: bool = False
    orphans: list[str] = field(default_factory=list)  # processes of its session alive after it exited
    cpu_seconds: float = 0.0  # user + system time of the command and the children it reaped (`wait4`)

    @property
    def ok(self) -> bool:
        """Exit 0, or exit 1 with nothing on stderr: "no match" for commands that exit 1 when nothing is
        found, like grep."""
        return self.code == 0 or (self.code == 1 and not self.stderr.strip())

    @property
    def traceback(self) -> bool:
        return TRACEBACK in self.stderr

    @property
    def err_lines(self) -> list[str]:
        return [line for line in _lines(self.stderr) if line.strip()]

    @property
    def first_err(self) -> str:
        lines = self.err_lines
        return lines[0] if lines else ""

    @property
    def one_line_error(self) -> bool:
        """A non-zero exit with exactly one line on stderr and no traceback."""
        return bool(self.code) and len(self.err_lines) == 1 and not self.traceback

    def json(self) -> Any:
        """stdout parsed as JSON (None when it is not)."""
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None

    def json_lines(self) -> list[Any]:
        """Each line of stdout parsed as JSON (None where it is not). Lines end at `\\n` only: JSON may
        hold U+2028, NEL and the like unescaped, which `str.splitlines` would break on."""
        out = []
        for line in _lines(self.stdout):
            try:
                out.append(json.loads(line))
            except ValueError:
                out.append(None)
        return out

    def describe(self, err: bool = True) -> str:
        """`exit 1, 0.4 s, 61 MB, "Error: ..."` (plus traceback / timeout / orphan notes)."""
        if self.timed_out:
            status = f"no exit after {self.seconds:.0f} s (killed by the harness)"
        elif self.code is not None and self.code < 0:
            status = f"killed by {signal.Signals(-self.code).name}"
        else:
            status = f"exit {self.code}"
        parts = [status, f"{self.seconds:.1f} s", f"{self.rss_mb:.0f} MB"]
        if self.traceback:
            parts.append(f"TRACEBACK ({len(self.err_lines)} lines, ends `{clip(self.err_lines[-1], 70)}`)")
        elif err and self.first_err:
            more = f" (+{len(self.err_lines) - 1} lines)" if len(self.err_lines) > 1 else ""
            parts.append(f"`{clip(self.first_err, 90)}`{more}")
        if self.orphans:
            parts.append(f"{len(self.orphans)} processes left")
        return ", ".join(parts)


def _lines(text: str) -> list[str]:
    """`text` split at `\\n` (a `\\r` before it dropped), as a terminal shows it."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def clip(text: str, width: int) -> str:
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= width else text[:width - 1] + "…"


# --------------------------------------------------------------------------- processes


def session_members(sid: int) -> list[str]:
    """Live (non-zombie) processes in session `sid`, as `pid:name` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = stat[stat.find("(") + 1:stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2:].split()
        state, session = fields[0], int(fields[3])
        if session == sid and state != "Z":
            out.append(f"{entry}:{name}")
    return out


def kill_session(sid: int) -> None:
    """SIGKILL every process of session `sid` (the harness's own clean-up; it started them)."""
    for member in session_members(sid):
        pid = int(member.split(":")[0])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


LIVE: set[int] = set()  # sessions of started commands not yet reaped (killed if the harness is stopped)


def kill_live() -> None:
    """SIGKILL every command the harness started and has not reaped (on SIGTERM / Ctrl-C of the harness)."""
    for sid in list(LIVE):
        kill_session(sid)


_OWN_CMDLINE = Path("/proc/self/cmdline").read_bytes() if Path("/proc/self/cmdline").exists() else b""


def high_water_kb(pid: int) -> int:
    """`VmHWM` of `pid` in KB, once it runs its own program (before `exec` it is a copy of the harness: 0)."""
    try:
        if Path(f"/proc/{pid}/cmdline").read_bytes() == _OWN_CMDLINE:
            return 0
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def children_of(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


class Proc:
    """A started command (its own session); `wait` reaps it and returns a `Run`."""

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str], stdin: Any = None) -> None:
        self.argv = argv
        self.out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by `_read` once the command is reaped)
        self.err = tempfile.TemporaryFile()  # noqa: SIM115
        self.started = time.monotonic()
        self.popen = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self.out, stderr=self.err,
                                      stdin=stdin if stdin is not None else subprocess.DEVNULL,
                                      start_new_session=True)
        self.pid = self.popen.pid
        LIVE.add(self.pid)
        self.code: int | None = None
        self.rss_mb = 0.0
        self.seconds = 0.0
        self.cpu_seconds = 0.0

    def poll(self) -> int | None:
        """Reap the process if it has ended (then its exit status), else None."""
        if self.code is not None:
            return self.code
        peak = max([high_water_kb(self.pid), *(high_water_kb(c) for c in children_of(self.pid))])
        self.rss_mb = max(self.rss_mb, peak / 1024)
        pid, status, usage = os.wait4(self.pid, os.WNOHANG)
        if pid == 0:
            return None
        self.seconds = time.monotonic() - self.started
        self.cpu_seconds = usage.ru_utime + usage.ru_stime
        self.code = os.waitstatus_to_exitcode(status)
        self.popen.returncode = self.code  # reaped here: keep Popen from waiting on it again
        LIVE.discard(self.pid)
        return self.code

    def signal(self, sig: int, group: bool = False) -> None:
        """Send `sig` to the command (or to its whole process group)."""
        try:
            if group:
                os.killpg(self.pid, sig)
            else:
                os.kill(self.pid, sig)
        except ProcessLookupError:
            pass

    def wait(self, timeout: float, orphan_grace: float = 0.0) -> Run:
        """Wait up to `timeout` s (then SIGKILL the session); note processes still alive `orphan_grace` s
        after the exit, then kill them too (the harness never leaves anything running)."""
        deadline = self.started + timeout
        timed_out = False
        while self.poll() is None:
            if time.monotonic() > deadline:
                timed_out = True
                kill_session(self.pid)
                self.signal(signal.SIGKILL)
                while self.poll() is None:
                    time.sleep(0.01)
                self.seconds = time.monotonic() - self.started
                break
            time.sleep(0.01)
        orphans = session_members(self.pid)
        if orphans and orphan_grace:
            end = time.monotonic() + orphan_grace
            while orphans and time.monotonic() < end:
                time.sleep(0.1)
                orphans = session_members(self.pid)
        if orphans:
            kill_session(self.pid)
        return Run(self.argv, None if timed_out else self.code, _read(self.out), _read(self.err), self.seconds,
                   self.rss_mb, timed_out, [] if timed_out else orphans, self.cpu_seconds)


def _read(f: Any) -> str:
    f.seek(0)
    data = f.read()
    f.close()
    return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------- the command under test


class Searchkit:
    """How to run the `searchkit` under test (`command`: its console script, or `python -m searchkit`), and
    the Python interpreter it runs on (`python`, for `killpoint.py`, which wraps the same CLI).

    Without a `command`: `searchkit` on PATH, else the one beside this interpreter, else `python -m searchkit`;
    `module=True`: this interpreter's `python -m searchkit` (the tests: the checkout they run in).
    """

    def __init__(self, command: str | None = None, *, module: bool = False) -> None:
        exe = None if module else shutil.which(command) if command else shutil.which("searchkit")
        if command and exe is None:
            raise SystemExit(f"cannot find `{command}`")
        beside = Path(sys.executable).parent / "searchkit"
        exe = exe or (str(beside) if beside.exists() and not module else None)
        self.python = sys.executable
        self.command = [exe] if exe else [sys.executable, "-m", "searchkit"]
        if exe:
            first = Path(exe).read_bytes()[:256].split(b"\n", 1)[0]
            self.python = first[2:].decode().strip() if first.startswith(b"#!") else sys.executable
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("SEARCHKIT_", "XDG_")) and k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}
        self.env.update(NO_COLOR="1", COLUMNS="200", PYTHONUNBUFFERED="1")

    def isolate(self, home: Path) -> None:
        """Run every command with `home` as HOME: no user configuration, history or caches."""
        home.mkdir(parents=True, exist_ok=True)
        self.env["HOME"] = str(home)

    def start(self, *args: str | Path, cwd: Path, stdin: Any = None, wrapper: Sequence[str] = ()) -> Proc:
        """Start `searchkit ARGS` (or `python killpoint.py WRAPPER -- ARGS`) in `cwd`."""
        argv = [str(a) for a in args]
        argv = [self.python, str(HERE / "killpoint.py"), *wrapper, "--", *argv] if wrapper else [*self.command, *argv]
        return Proc(argv, cwd, self.env, stdin)

    def run(self, *args: str | Path, cwd: Path, timeout: float = 120, orphan_grace: float = 0.0,
            wrapper: Sequence[str] = ()) -> Run:
        return self.start(*args, cwd=cwd, wrapper=wrapper).wait(timeout, orphan_grace)


# --------------------------------------------------------------------------- verdicts


@dataclass
class Case:
    """One line of the table: what was done, what happened, and whether that is clean."""

    row: str
    case: str
    happened: str
    clean: bool | None  # None: could not be measured here (the reason says why)
    reason: str = ""

    @property
    def verdict(self) -> str:
        if self.clean is None:
            return f"not measured: {self.reason}"
        return "clean" if self.clean else f"**NOT clean**: {self.reason}"


def judge(row: str, case: str, happened: str, problems: Iterable[str]) -> Case:
    """A case is clean when no problem was found; the problems are the reason."""
    problems = [p for p in problems if p]
    return Case(row, case, happened, not problems, "; ".join(problems))


def run_problems(run: Run, *, budget: float | None = None, ok_codes: Iterable[int] = (0,)) -> list[str]:
    """What is wrong with any command, whatever the row: a traceback, a hang, orphans, an exit by signal."""
    problems = []
    if run.timed_out:
        problems.append(f"no exit within {run.seconds:.0f} s")
    elif run.code not in ok_codes:
        problems.append(f"died of {signal.Signals(-run.code).name}" if run.code is not None and run.code < 0
                        else f"exit {run.code}")
    if run.traceback:
        problems.append("traceback")
    if budget is not None and not run.timed_out and run.seconds > budget:
        problems.append(f"took {run.seconds:.1f} s (> {budget:g} s)")
    if run.orphans:
        problems.append(f"left processes: {', '.join(run.orphans[:3])}")
    return problems


def error_problems(run: Run, *, must_mention: str | None = None) -> list[str]:
    """For a command that should refuse: non-zero exit, one line, no traceback (optionally naming something)."""
    problems = run_problems(run, ok_codes=(1, 2))
    if run.code == 0:
        problems = ["succeeded (exit 0) instead of refusing"]
    elif not run.traceback and len(run.err_lines) != 1:
        problems.append(f"{len(run.err_lines)} lines on stderr, not one")
    if must_mention and must_mention not in run.stderr and not run.traceback:
        problems.append(f"does not name `{must_mention}`")
    return problems


# --------------------------------------------------------------------------- files and folders


class Lab:
    """A temporary working folder plus cached fixtures: article samples and indexes built from them."""

    def __init__(self, root: Path, sk: Searchkit, corpus: Path | None, scale: int, *, rounds: int = 36,
                 quick: bool = False) -> None:
        self.root = root
        self.sk = sk
        self.corpus = corpus
        self.scale = scale  # the "few thousand" of the issue (3,000 by default)
        self.rounds = rounds  # kill -9 loop rounds
        self.quick = quick  # smaller cases where the size is not the point
        sk.isolate(root / "home")
        self._samples: dict[int, Path] = {}
        self._indexes: dict[int, Path] = {}
        self._counter = 0

    def fresh(self, name: str) -> Path:
        """A new empty folder for one case."""
        self._counter += 1
        path = self.root / f"{self._counter:03d}-{name}"
        path.mkdir(parents=True)
        return path

    def sample(self, n: int) -> Path:
        """A folder of the first `n` archive files (day folders kept), shared: copy it before changing it."""
        if n not in self._samples:
            dest = self.root / "samples" / f"{n}"
            copy_articles(self.corpus, dest, n)
            self._samples[n] = dest
        return self._samples[n]

    def articles(self, n: int, dest: Path) -> Path:
        """A private copy of `n` archive files at `dest` (to change freely)."""
        copy_articles(self.corpus, dest, n, source=self._samples.get(n))
        return dest

    def built(self, n: int) -> Path:
        """An index of `sample(n)`, built once (copy it with `copy_index` before damaging it)."""
        if n not in self._indexes:
            ix = self.root / "indexes" / f"{n}"
            run = self.sk.run("index", self.sample(n), "--index", ix, "--json", cwd=self.root, timeout=1800)
            if run.code != 0:
                raise RuntimeError(f"building the {n}-file index failed: {run.describe()}")
            self._indexes[n] = ix
        return self._indexes[n]

    def copy_index(self, n: int, dest: Path) -> Path:
        shutil.copytree(self.built(n), dest, symlinks=True)
        return dest


def archive_files(corpus: Path, n: int) -> Iterator[Path]:
    """The first `n` files of an archive folder, in sorted order (deterministic)."""
    count = 0
    for day in sorted(p for p in corpus.iterdir() if p.is_dir()):
        for f in sorted(day.iterdir()):
            if count == n:
                return
            if f.is_file():
                yield f
                count += 1


def copy_articles(corpus: Path | None, dest: Path, n: int, source: Path | None = None) -> None:
    """Copy `n` articles into `dest`: from an earlier copy, the archive, or (no archive) synthetic ones."""
    if source is not None:
        shutil.copytree(source, dest)
        return
    dest.mkdir(parents=True, exist_ok=True)
    if corpus is None:
        import synth

        synth.write_corpus(dest, n)
        return
    for f in archive_files(corpus, n):
        (dest / f.parent.name).mkdir(exist_ok=True)
        shutil.copyfile(f, dest / f.parent.name / f.name)


def article_files(folder: Path) -> set[str]:
    """Absolute paths of the regular files under `folder` that are not hidden (what `index` should hold)."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out.update(os.path.join(dirpath, f) for f in filenames if not f.startswith("."))
    return out


def listing(folder: Path) -> dict[str, int]:
    """Every file under `folder` with its size (to spot leftovers)."""
    out = {}
    for dirpath, _dirs, filenames in os.walk(folder):
        for f in filenames:
            p = os.path.join(dirpath, f)
            with contextlib.suppress(OSError):
                out[os.path.relpath(p, folder)] = os.lstat(p).st_size
    return out


def loose_modes(folder: Path) -> list[str]:
    """Index files or folders readable or writable by group/others (the issue asks for 0600/0700)."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames, ""]:
            p = os.path.join(dirpath, name) if name else dirpath
            mode = os.lstat(p).st_mode & 0o777
            if mode & 0o077:
                out.append(f"{os.path.relpath(p, folder)} {mode:04o}")
    return out


def documents(sk: Searchkit, ix: Path, cwd: Path) -> tuple[int | None, Run]:
    """The document count `stats --json` reports (None when it cannot say)."""
    run = sk.run("stats", "--index", ix, "--json", cwd=cwd, timeout=120)
    data = run.json() if run.ok else None
    return (data.get("documents") if isinstance(data, dict) else None), run


def exported(sk: Searchkit, ix: Path, cwd: Path) -> tuple[list[str] | None, Run]:
    """Every document's source path from `export` (None when export fails)."""
    run = sk.run("export", "--index", ix, cwd=cwd, timeout=600)
    if not run.ok:
        return None, run
    rows = run.json_lines()
    if any(r is None for r in rows):
        return None, run
    return [r["path"] for r in rows], run


QUOTE_PROBES = ("government", "market", "percent", "president", "company", "people", "year", "bank")


def quote_totals(sk: Searchkit, ix: Path, cwd: Path) -> tuple[int, ...] | None:
    """Totals of `quotes` for a few common words: the quotes index seen from outside (a duplicated quote
    doubles them). None when a `quotes` command fails."""
    out = []
    for word in QUOTE_PROBES:
        run = sk.run("quotes", word, "--index", ix, "--json", "--limit", "1", cwd=cwd, timeout=120)
        data = run.json()
        if not run.ok or not isinstance(data, dict):
            return None
        out.append(int(data["total"]))
    return tuple(out)
