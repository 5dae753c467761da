"""Writing benchmark figures into docs/benchmarks.md, one marked section per benchmark,
so running one benchmark leaves the others' figures in place."""

from __future__ import annotations

import os
import platform
import statistics
from pathlib import Path

from riskgraph import markdown

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

Written by `make bench` (`python -m bench`). Each section names the machine and the
command that produced it; speed is measured here, never in timed tests.
"""


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 2**20:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}, Python {platform.python_version()}"


def write_section(name: str, body: str) -> Path:
    return markdown.write_section(DOC, f"bench:{name}", body, HEADER)


def latency_stats(samples: list[float]) -> tuple[float, float, float]:
    """(p50, p95, max) of latency samples, p95 the nearest rank."""
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return statistics.median(ordered), p95, ordered[-1]
