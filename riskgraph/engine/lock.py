"""One pipeline job at a time: ``ingest``, ``analyze`` and ``daily`` hold an exclusive lock
on ``RISKGRAPH_LOCK_FILE``, so a load cannot change the graph under an analysis reading it
(the snapshot's reads rely on that) and two write-backs cannot interleave.

An OS file lock (``filelock``, ``flock`` on Linux) is released by the kernel when its process
dies, so a crashed job never leaves the pipeline locked. It guards jobs on one machine (or on
a shared filesystem that honours ``flock``): jobs started on two machines against one Neo4j
need the same lock file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from filelock import FileLock, Timeout

from riskgraph.errors import RiskgraphError


class PipelineBusy(RiskgraphError):
    """Another ingest or analysis holds the pipeline lock."""


def _holder(path: Path) -> str:
    try:
        held = json.loads(path.read_text(encoding="utf-8"))
        return f"`{held['job']}` (pid {held['pid']}, since {held['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another job"


@contextmanager
def pipeline_lock(path: Path, job: str) -> Iterator[None]:
    """Hold the lock for ``job`` (its name, told to whoever is refused), or raise
    ``PipelineBusy`` at once: a daily job that finds the previous one still running should
    fail loudly, not queue behind it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0)
    who = path.with_name(path.name + ".holder")
    try:
        lock.acquire()
    except Timeout:
        raise PipelineBusy(
            f"{_holder(who)} is running on this graph; `{job}` waits for nothing: "
            "run it again when that one has ended"
        ) from None
    try:
        since = datetime.now(UTC).isoformat(timespec="seconds")
        who.write_text(json.dumps({"job": job, "pid": os.getpid(), "since": since}))
        yield
    finally:
        who.unlink(missing_ok=True)
        lock.release()
