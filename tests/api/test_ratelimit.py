"""The per-caller rate limit, on a clock the test moves: a sliding window counter (the
previous window's count weighted by what the window still covers), per caller, with a
Retry-After that is enough, and bounded memory."""

from __future__ import annotations

import pytest

from riskgraph.api import ratelimit
from riskgraph.api.problems import ProblemError
from riskgraph.api.ratelimit import RateLimiter

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _refused(limiter: RateLimiter, rate: str, who: str) -> ProblemError | None:
    try:
        limiter.spend(rate, who)
    except ProblemError as exc:
        return exc
    return None


def test_a_caller_gets_its_rate_then_429_with_a_retry_after_that_suffices() -> None:
    clock = Clock(6000.0)  # the start of a minute
    limiter = RateLimiter(clock)
    for _ in range(5):
        assert _refused(limiter, "5/minute", "viewer:a") is None
    refused = _refused(limiter, "5/minute", "viewer:a")
    assert refused is not None and refused.status == 429
    assert _refused(limiter, "5/minute", "viewer:b") is None  # another caller: its own budget
    wait = int(refused.headers["Retry-After"])
    assert 60 <= wait <= 120  # five in this minute weigh on the next
    clock.now += wait - 1
    assert _refused(limiter, "5/minute", "viewer:a") is not None  # not before it says
    clock.now += 1.5
    assert _refused(limiter, "5/minute", "viewer:a") is None


def test_the_window_slides_rather_than_resetting() -> None:
    clock = Clock(6000.0 + 50)  # 50 s into a minute
    limiter = RateLimiter(clock)
    for _ in range(10):
        limiter.spend("10/minute", "k")
    clock.now += 20  # 10 s into the next minute: the previous one still weighs 5/6
    assert _refused(limiter, "10/minute", "k") is None  # 10 × 5/6 + 1 ≈ 9.3
    assert _refused(limiter, "10/minute", "k") is not None  # ≈ 10.3
    clock.now += 10  # 20 s in: 10 × 2/3 + 1 ≈ 7.7: two more fit
    for _ in range(2):
        assert _refused(limiter, "10/minute", "k") is None
    assert _refused(limiter, "10/minute", "k") is not None


def test_several_rates_all_count_and_a_refusal_counts_nothing() -> None:
    clock = Clock(6000.0)
    limiter = RateLimiter(clock)
    for _ in range(2):
        limiter.spend("2/second;3/minute", "k")
    assert _refused(limiter, "2/second;3/minute", "k") is not None  # the second's rate
    clock.now += 1.5
    limiter.spend("2/second;3/minute", "k")  # the third of the minute
    clock.now += 1.5
    refused = _refused(limiter, "2/second;3/minute", "k")
    assert refused is not None and "3 per 1 minute" in refused.detail


def test_idle_callers_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "PRUNE_EVERY", 10)
    clock = Clock(6000.0)
    limiter = RateLimiter(clock)
    for i in range(50):
        limiter.spend("100/minute", f"anonymous:10.0.0.{i}")
    clock.now += 180  # three minutes later
    for _ in range(10):
        limiter.spend("100/minute", "viewer:a")
    assert len(limiter._counts) <= 10
