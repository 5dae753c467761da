"""The engine state holder: loads once however many ask, and leaves the loaded state out
of the garbage collector's full passes (which walked it again and again under load)."""

from __future__ import annotations

import gc
import threading
import weakref
from collections.abc import Iterator
from typing import Any, cast

import pytest

from riskgraph.api.state import StateHolder
from riskgraph.engine.state import EngineState


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_loads_once_for_concurrent_callers_and_freezes_what_it_loaded(unfrozen: None) -> None:
    calls: list[int] = []
    gate = threading.Event()

    def load() -> EngineState:
        gate.wait(5)
        calls.append(1)
        return cast(EngineState, {"state": len(calls)})  # the holder never looks inside

    holder = StateHolder(load)
    assert holder.loaded is None
    got: list[Any] = []
    threads = [threading.Thread(target=lambda: got.append(holder.get())) for _ in range(4)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and all(g is got[0] for g in got) and holder.loaded is got[0]
    assert gc.get_freeze_count() > 0


class _Cyclic:
    """A state stand-in in a reference cycle, as real states are: only the collector frees
    it, so only an unfrozen one can go."""

    def __init__(self) -> None:
        self.me = self


def test_refresh_swaps_the_state_and_lets_the_old_one_go(unfrozen: None) -> None:
    holder = StateHolder(lambda: cast(EngineState, _Cyclic()))
    old = weakref.ref(holder.get())
    fresh = holder.refresh()
    assert holder.get() is fresh and old() is not fresh
    gc.collect()
    assert old() is None  # frozen with the first load, freed after the refresh
    assert gc.get_freeze_count() > 0
