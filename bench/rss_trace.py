"""Where a command's memory peak is: each process's RSS in its tree, sampled every 50 ms (as `measure` samples
the total), printed as a timeline with each process's share at the tree's peak.

    nice -n 10 python bench/rss_trace.py --json /tmp/trace.json -- searchkit index DOCS --index IDX --json

Processes are numbered in the order they were first seen (0: the command itself; a build's segment workers
next). The JSON holds every sample (seconds, {process: KB}) for a closer look.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import threading
import time
from typing import Any

import psutil

MB = 2**20


def trace(cmd: list[str], interval: float = 0.05) -> dict[str, Any]:
    """Run `cmd`; its CPU (user+sys of the tree, from `wait4`), the tree's peak, each process's RSS at that
    peak and its own maximum, and every sample."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)  # its errors show
    samples: list[tuple[float, dict[int, int]]] = []
    stop = threading.Event()

    def sample() -> None:
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(proc.pid)
            while not stop.is_set():
                rss: dict[int, int] = {}
                with contextlib.suppress(psutil.Error):
                    for p in (root, *root.children(recursive=True)):
                        with contextlib.suppress(psutil.Error):
                            rss[p.pid] = p.memory_info().rss
                samples.append((time.perf_counter() - start, rss))
                stop.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    order: dict[int, int] = {}
    for _t, rss in samples:
        for pid in rss:
            order.setdefault(pid, len(order))
    peak_t, peak = max(samples, key=lambda s: sum(s[1].values()), default=(0.0, {}))
    return {
        "returncode": proc.returncode, "wall_s": wall, "user_s": usage.ru_utime,
        "sys_s": usage.ru_stime, "maxrss_mb": usage.ru_maxrss / 1024, "tree_peak_mb": sum(peak.values()) / MB,
        "peak_s": peak_t, "at_peak_mb": {order[pid]: rss / MB for pid, rss in peak.items()},
        "max_mb": {n: max(s.get(pid, 0) for _t, s in samples) / MB for pid, n in order.items()},
        "samples": [(t, {order[pid]: rss // 1024 for pid, rss in s.items()}) for t, s in samples],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the result, with every sample, here")
    parser.add_argument("--every", type=float, default=2.0, help="seconds between timeline rows")
    parser.add_argument("cmd", nargs="+")
    args = parser.parse_args()
    result = trace(args.cmd)
    last = -args.every
    for t, rss in result["samples"]:
        if t - last >= args.every:
            last = t
            shares = " ".join(f"{n}:{kb / 1024:6.1f}" for n, kb in rss.items())
            print(f"{t:7.1f} s  total {sum(rss.values()) / 1024:6.1f} MB  {shares}")
    summary = {k: v for k, v in result.items() if k != "samples"}
    print(json.dumps(summary, indent=1))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main()
