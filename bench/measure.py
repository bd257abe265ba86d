"""Run a command as a child process and measure it: wall time, CPU time (user+sys, including its waited-for
descendants, from `wait4`), peak RSS of the largest process (`ru_maxrss`) and, sampled every 50 ms with psutil,
peak RSS summed over the process tree (catches worker pools). Also system load for noise reports.

Before each measured command the page cache's dirty pages are written out (`os.sync`, not timed). A build
leaves its index (up to ~1 GB) in memory unwritten, and whatever is measured next pays for it: here a
one-shot search took 260 ms with 1.2 GB of dirty pages pending and 165 ms after a sync. Flushing first puts
every engine's every phase on the same footing.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(slots=True)
class ProcStats:
    """What one child process cost."""

    wall_s: float
    cpu_s: float
    user_s: float
    sys_s: float
    maxrss_mb: float
    tree_peak_mb: float
    returncode: int
    stdout: str
    stderr: str

    @property
    def peak_mb(self) -> float:
        """Peak RSS: the larger of the biggest single process and the sampled tree total."""
        return max(self.maxrss_mb, self.tree_peak_mb)

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("stdout")
        d["stderr"] = self.stderr[-2000:]
        d["peak_mb"] = self.peak_mb
        return d


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


class _Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            import psutil  # noqa: F401
        except ImportError:
            return
        while not self.stop.is_set():
            self.peak = max(self.peak, _tree_rss(self.pid))
            self.stop.wait(self.interval)


def run(cmd: list[str], *, cwd: str | None = None, env: dict[str, str] | None = None, sample: bool = True) -> ProcStats:
    """Run `cmd` to completion and return its costs (stdout/stderr captured through temp files)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        os.sync()  # settle: no earlier phase's writes pending while this one is measured
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env)
        sampler = _Sampler(proc.pid)
        if sample:
            sampler.start()
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.stop.set()
        if sample:
            sampler.join()
        out.seek(0)
        err.seek(0)
        return ProcStats(
            wall_s=wall,
            cpu_s=ru.ru_utime + ru.ru_stime,
            user_s=ru.ru_utime,
            sys_s=ru.ru_stime,
            maxrss_mb=ru.ru_maxrss / 1024,
            tree_peak_mb=sampler.peak / 2**20,
            returncode=proc.returncode,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def interleaved_runs(cmds: dict[str, list[str]], n: int, *, warm: int = 1,
                     env: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Median wall and CPU (and max peak RSS) of `n` runs of each named command, the commands taking turns
    (`n` rounds of one run each, after `warm` unmeasured runs each): a slow stretch of the machine then
    falls on all of them alike."""
    for _ in range(warm):
        for cmd in cmds.values():
            run(cmd, env=env, sample=False)
    runs: dict[str, list[ProcStats]] = {name: [] for name in cmds}
    for number in range(n):
        for name in turns(list(cmds), number):
            runs[name].append(run(cmds[name], env=env))
    return {name: _median_summary(done) for name, done in runs.items()}


def turns(names: list[str], number: int) -> list[str]:
    """`names` in the order of round `number`: rotated each round, so that whatever the previous process
    leaves behind (evicted caches, a warm CPU) does not always fall on the same one."""
    shift = number % len(names) if names else 0
    return names[shift:] + names[:shift]


def _median_summary(runs: list[ProcStats]) -> dict[str, Any]:
    return {
        "wall_ms": statistics.median(r.wall_s for r in runs) * 1000,
        "walls_ms": [r.wall_s * 1000 for r in runs],
        "cpu_ms": statistics.median(r.cpu_s for r in runs) * 1000,
        "peak_mb": max(r.peak_mb for r in runs),
        "returncode": max(r.returncode for r in runs),
        "stdout_head": runs[-1].stdout[:400],
        "stderr_tail": runs[-1].stderr[-800:],
    }


def du_mb(path: str) -> float:
    """Disk usage of a folder, in MB (allocated blocks, like `du`)."""
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_blocks * 512
    return total / 2**20


def load() -> dict[str, float]:
    """Load averages (1, 5, 15 min) and the number of CPUs."""
    one, five, fifteen = os.getloadavg()
    return {"load1": one, "load5": five, "load15": fifteen, "cpus": float(os.cpu_count() or 1)}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank-interpolated percentile (`p` in 0..100) of `values`."""
    if not values:
        return float("nan")
    xs = sorted(values)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
