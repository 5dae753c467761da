"""Per-caller rate limits (``RISKGRAPH_RATE_LIMIT``, e.g. ``600/minute``), counted per
worker in memory. The caller is known by the time it is counted (``deps.principal``): an
API key or a web app session spends its own user's budget, so one runaway script cannot
starve the others.

The rates are parsed by the ``limits`` library and counted the way its sliding window
counter counts (the previous window's count, weighted by how much of it the sliding window
still covers, plus the current one's), in two integers per caller and window size. Its own
in-memory storage is not used: it starts a timer thread to expire keys whenever none is
running, so under load a thread every few requests, which cost the API a sixth of its
throughput at one worker (docs/benchmarks.md, "API load under wrk").
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from functools import cache

from limits import RateLimitItem, parse_many

from riskgraph.api.problems import ProblemError
from riskgraph.errors import ConfigError

PRUNE_EVERY = 4096  # counts between two sweeps of callers idle for two windows


@cache
def _limits(text: str) -> tuple[RateLimitItem, ...]:
    try:
        return tuple(parse_many(text))
    except ValueError as exc:
        raise ConfigError(
            f"RISKGRAPH_RATE_LIMIT={text!r} is not a rate such as '600/minute' or "
            "'20/second;600/minute'"
        ) from exc


class RateLimiter:
    """One per app (per worker); safe from the event loop and the thread pool alike."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        # (window seconds, caller) -> (window number, count in it, count in the one before)
        self._counts: dict[tuple[int, str], tuple[int, int, int]] = {}
        self._since_prune = 0

    def spend(self, rate: str, who: str) -> None:
        """Count a request of ``who``; past any of the limits, a 429 problem saying when
        to come back (nothing is counted for a refused request)."""
        now = self._clock()
        with self._lock:
            self._prune(now)
            refused: tuple[RateLimitItem, float] | None = None
            planned = []
            for item in _limits(rate):
                size = item.get_expiry()
                window = int(now // size)
                number, current, previous = self._counts.get((size, who), (window, 0, 0))
                if number != window:  # the stored window is over: it becomes the previous
                    current, previous = 0, current if number == window - 1 else 0
                elapsed = (now % size) / size
                weighted = previous * (1 - elapsed) + current
                if weighted + 1 > item.amount:
                    refused = (item, _wait(item.amount, size, elapsed, current, previous))
                    break
                planned.append(((size, who), (window, current + 1, previous)))
            if refused is None:
                self._counts.update(planned)
                return
        item, wait = refused
        seconds = max(1, math.ceil(wait))
        raise ProblemError(
            429,
            f"too many requests from {who}: at most {item} (RISKGRAPH_RATE_LIMIT); "
            f"try again in {seconds} s",
            "rate-limited",
            {"Retry-After": str(seconds)},
        )

    def _prune(self, now: float) -> None:
        """Forget callers whose last count is two windows old (bounded memory)."""
        self._since_prune += 1
        if self._since_prune < PRUNE_EVERY:
            return
        self._since_prune = 0
        stale = [k for k, (number, _, _) in self._counts.items() if number < now // k[0] - 1]
        for key in stale:
            del self._counts[key]


def _wait(amount: int, size: int, elapsed: float, current: int, previous: int) -> float:
    """Seconds until one more request fits: until the previous window's weight has fallen
    enough, or when the current window is full on its own, until its own weight in the
    next window has."""
    if current + 1 > amount:  # into the next window, where this one's count weighs
        return size * (1 - elapsed) + size * max(1 - (amount - 1) / current, 0.0)
    if previous == 0:
        return size * (1 - elapsed)
    needed = 1 - (amount - 1 - current) / previous  # the elapsed share at which it fits
    return max(needed - elapsed, 0.0) * size
