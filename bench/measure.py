"""Run one measured job in a subprocess and sample the peak RSS of its whole process tree.

The job (``python -m bench.jobs SPEC RESULT``) writes its own result JSON; this side adds
``wall_s`` (spawn to exit, interpreter start-up included) and ``peak_rss_mb``: the largest sum
of RSS over the job process and all its descendants seen while sampling every
``interval`` seconds, never below the kernel's own high-water mark for the job process that
the job reports (``ru_maxrss``), so a spike between two samples of the main process is not
missed. Sampling uses psutil when it is installed, else ``/proc``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

try:  # psutil is in the bench extra; /proc is the fallback
    import psutil
except ImportError:  # pragma: no cover - exercised only without psutil
    psutil = None

ROOT = Path(__file__).resolve().parent.parent  # so ``-m bench.jobs`` imports from any cwd
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MB = 1024 * 1024


def tree_rss(pid: int) -> int:
    """Bytes of RSS of ``pid`` and every descendant (0 once it is gone)."""
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            return 0
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                total += proc.memory_info().rss
        return total
    return _proc_tree_rss(pid)


def _proc_tree_rss(pid: int) -> int:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            resident = int(Path(f"/proc/{current}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident * PAGE
        stack += parents.get(current, [])
    return total


class Sampler:
    """Background thread keeping the peak of ``tree_rss(pid)``."""

    def __init__(self, pid: int, interval: float = 0.02) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def run_job(kind: str, spec: dict[str, Any], timeout: float = 3600.0,
            env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run ``bench.jobs`` for ``kind``; its result plus wall time and peak RSS.

    A job that crashes, times out or writes no result comes back as ``{"error": ...}``.
    """
    with tempfile.TemporaryDirectory(prefix="bench-job-") as tmp:
        spec_path, result_path = Path(tmp) / "spec.json", Path(tmp) / "result.json"
        spec_path.write_text(json.dumps({"kind": kind, **spec}))
        started = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bench.jobs", str(spec_path), str(result_path)],
            env={**os.environ, "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p), **(env or {})},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True,
        )
        with Sampler(proc.pid) as sampler:
            try:
                output, _ = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                output, _ = proc.communicate()
                output = f"timed out after {timeout:.0f}s\n{output}"
        wall = time.monotonic() - started
        result: dict[str, Any] = {}
        if result_path.exists():
            result = json.loads(result_path.read_text())
        elif proc.returncode == 0:
            result = {"error": "job wrote no result"}
        if proc.returncode != 0 and "error" not in result:
            tail = "\n".join(output.strip().splitlines()[-15:])
            result["error"] = f"exit {proc.returncode}: {tail}"
        peak = max(sampler.peak, int(result.pop("ru_maxrss_kb", 0)) * 1024)
        result.update({"wall_s": round(wall, 3), "peak_rss_mb": round(peak / MB, 1),
                       "rss_sampler": "psutil" if psutil is not None else "/proc"})
        return result
