"""An ordered background writer, so Python-side validation of the next file overlaps
Neo4j's work on the previous one (two cores: one validates, one writes).

Batches are written strictly in submission order by one thread, so companies and persons
are in the graph before the relationships that need them.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.files import LOADERS
from riskgraph.ingest.load import Progress, load_records
from riskgraph.ingest.validate import Record


@dataclass
class Ticket:
    """One submitted file: set when its last batch is written (or the writer failed)."""

    file_name: str
    records: Sequence[Record]
    progress: Progress | None
    done: threading.Event = field(default_factory=threading.Event)
    finished_at: float | None = None  # time.perf_counter() when written


class OrderedWriter:
    """Use as a context manager; leaving it waits for every submitted file to be written."""

    def __init__(
        self,
        graph: Gateway,
        batch_size: int,
        depth: int = 2,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """``params`` go to every query beside ``$rows`` (the delivery date)."""
        self._graph = graph
        self._batch_size = batch_size
        self._params = dict(params or {})
        self._jobs: queue.Queue[Ticket | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self.busy_s = 0.0  # seconds spent writing (the rest of the time it waits for files)
        self._thread = threading.Thread(target=self._run, name="riskgraph-writer", daemon=True)

    def __enter__(self) -> OrderedWriter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._jobs.put(None)
        self._thread.join()
        if self._error is not None and exc[0] is None:
            raise self._error

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            started = time.perf_counter()
            try:
                if self._error is None:
                    query, shape = LOADERS[job.file_name]
                    load_records(
                        self._graph,
                        query,
                        shape,
                        job.records,
                        self._batch_size,
                        job.progress,
                        self._params,
                    )
            except BaseException as exc:  # handed to the submitting thread
                self._error = exc
            finally:
                job.records = ()  # written: let the memory go
                job.finished_at = time.perf_counter()
                self.busy_s += job.finished_at - started
                job.done.set()

    def submit(
        self, file_name: str, records: Sequence[Record], progress: Progress | None = None
    ) -> Ticket:
        if self._error is not None:
            raise self._error
        ticket = Ticket(file_name, records, progress)
        self._jobs.put(ticket)
        return ticket
