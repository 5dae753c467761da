"""A benchmark step in a fresh process, so that its peak memory is its own."""

from __future__ import annotations

import multiprocessing
import queue
import resource
from collections.abc import Callable
from typing import Any


def peak_gib() -> float:
    """This process's peak resident memory so far, in GiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def in_child(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run ``target(*args, out)`` in a spawned process; what it puts on ``out``. A child
    that dies without a word (its traceback is on stderr) raises instead of hanging."""
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    process = context.Process(target=target, args=(*args, out))
    process.start()
    while True:
        try:
            result: dict[str, Any] = out.get(timeout=5)
            break
        except queue.Empty:
            if not process.is_alive():
                raise RuntimeError(
                    f"{target.__name__} failed with exit code {process.exitcode}"
                ) from None
    process.join()
    if process.exitcode != 0:
        raise RuntimeError(f"{target.__name__} failed with exit code {process.exitcode}")
    return result
