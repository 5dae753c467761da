"""Per-caller rate limits (``RISKGRAPH_RATE_LIMIT``, e.g. ``600/minute``), counted per
worker in memory with the ``limits`` library's sliding window counter. The caller is known by the
time it is counted (``deps.principal``): an API key or a web app session spends its own
user's budget, so one runaway script cannot starve the others."""

from __future__ import annotations

import math
import time
from functools import cache

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import SlidingWindowCounterRateLimiter

from riskgraph.api.problems import ProblemError
from riskgraph.errors import ConfigError


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
    """One per app (per worker)."""

    def __init__(self) -> None:
        # a sliding window of two counters: O(1) per request (a moving window keeps every
        # request's time, and cost a quarter of the throughput at 600/minute and up)
        self._limiter = SlidingWindowCounterRateLimiter(MemoryStorage())

    def spend(self, rate: str, who: str) -> None:
        """Count a request of ``who``; past any of the limits, a 429 problem saying when
        to come back."""
        for item in _limits(rate):
            if not self._limiter.hit(item, who):
                reset = self._limiter.get_window_stats(item, who).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise ProblemError(
                    429,
                    f"too many requests from {who}: at most {item} (RISKGRAPH_RATE_LIMIT); "
                    f"try again in {wait} s",
                    "rate-limited",
                    {"Retry-After": str(wait)},
                )
