"""Measure a step in a fresh subprocess: wall time, rows/s, peak RSS, and an in-run baseline.

Each measurement runs in its own Python process so that peak RSS (``ru_maxrss``) belongs to that
step alone, and the baseline is timed on the same machine in the same run, so the ratio means
something even when the machine is busy.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    name: str
    rows: int
    seconds: float
    peak_rss_mb: float
    stolen_seconds: float | None = None  # CPU time the hypervisor gave other guests (``stolen_cpu_seconds``)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def measure_here(name: str, rows: int, work: Callable[[], object]) -> Measurement:
    """Time ``work`` in this process (call it from a child process started by ``measure``)."""
    stolen_before = stolen_cpu_seconds()
    start = time.perf_counter()
    work()
    seconds = time.perf_counter() - start
    stolen_after = stolen_cpu_seconds()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stolen = None if stolen_before is None or stolen_after is None else stolen_after - stolen_before
    return Measurement(name, rows, seconds, peak_kb / 1024, stolen)


def stolen_cpu_seconds() -> float | None:
    """CPU time, summed over this machine's cores, that the hypervisor has given to other virtual
    machines since boot (``steal`` in ``/proc/stat``); None where there is no such file.

    Why: on a shared virtual machine the same step took 10-20 % longer when neighbours were busy
    (decision 0026). A step's stolen time, printed beside its timing, tells a slow run on a busy
    host from a slower program.
    """
    try:
        with Path("/proc/stat").open(encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if len(fields) < 9 or fields[0] != "cpu":
        return None
    return int(fields[8]) / os.sysconf("SC_CLK_TCK")


def measure(module: str, step: str, *args: str) -> Measurement:
    """Run ``python -m <module> <step> <args>`` whose last stdout line is a Measurement as JSON."""
    completed = subprocess.run([sys.executable, "-m", module, step, *args], capture_output=True, text=True)
    if completed.returncode != 0:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"benchmark step {step} failed: {last}")
    data = json.loads(completed.stdout.strip().splitlines()[-1])
    return Measurement(**data)


def make_declarations_file(lines: int, path: Path) -> None:
    """The benchmark's declarations file (``benchmarks.pipeline make-file``), made in its own process,
    and flushed to disk: else the new file's write-back (4.5 GB at 10M lines) runs during the first
    step timed."""
    subprocess.run(
        [sys.executable, "-m", "benchmarks.pipeline", "make-file", str(lines), str(path)], check=True
    )
    os.sync()


def emit(measurement: Measurement) -> None:
    print(json.dumps(measurement.__dict__))


def stolen_note(measurements: Sequence[Measurement]) -> str:
    """One line naming the CPU time stolen during each step, or '' where it was not measured."""
    known = [m for m in measurements if m.stolen_seconds is not None]
    if not known:
        return ""
    parts = ", ".join(f"{m.name} {m.stolen_seconds:.1f} s" for m in known)
    return f"CPU time stolen from this virtual machine during each step (`/proc/stat`, all cores): {parts}.\n"


def machine() -> str:
    cores = os.cpu_count()
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / 1024**3
    return f"{platform.machine()}, {cores} cores, {pages:.0f} GB RAM, Python {platform.python_version()}"


def table(rows: Sequence[tuple[Measurement, Measurement | None]]) -> str:
    lines = [
        "| step | rows | seconds | rows/s | peak RSS (MB) | baseline | baseline s | ratio to baseline |",
        "|---|---:|---:|---:|---:|---|---:|---:|",
    ]
    for m, base in rows:
        ratio = f"{m.seconds / base.seconds:.2f}×" if base and base.seconds > 0 else ""
        lines.append(
            f"| {m.name} | {m.rows:,} | {m.seconds:.2f} | {m.rows_per_second:,.0f} | {m.peak_rss_mb:,.0f} | "
            f"{base.name if base else ''} | {f'{base.seconds:.2f}' if base else ''} | {ratio} |"
        )
    return "\n".join(lines)


def write_results(path: Path, title: str, body: str) -> None:
    """Replace the section ``## title`` in RESULTS.md (append it when new)."""
    text = path.read_text("utf-8") if path.exists() else "# Benchmark results\n"
    marker = f"## {title}"
    before, _, rest = text.partition(marker)
    after = ""
    if rest:
        next_section = rest.find("\n## ")
        after = rest[next_section:] if next_section >= 0 else ""
    path.write_text(f"{before.rstrip()}\n\n{marker}\n\n{body.strip()}\n{after}", "utf-8")
