"""One torch thread for the GNN tests: their graphs are tiny, and on a shared machine the
thread pool's synchronisation costs a hundred times the arithmetic."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_thread() -> Iterator[None]:
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
