"""``riskgraph ingest DIR``: validate, quarantine and load a bundle, one file at a time.

Files are processed in schema order (companies and persons before the relationships
that refer to them). Validation of one file overlaps the writing of the previous one
(``OrderedWriter``); at most two files' records are held at once, so a province fits.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from riskgraph.graph.credentials import id_salt_for
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest import validate
from riskgraph.ingest.bundle import check_bundle, read_header, read_rows
from riskgraph.ingest.load import Progress, existing_ids
from riskgraph.ingest.quarantine import write_rejected
from riskgraph.ingest.writer import OrderedWriter, Ticket
from riskgraph.settings import Settings


@dataclass(frozen=True)
class FileSummary:
    name: str
    read: int
    loaded: int
    rejected: int
    reasons: Counter[str]
    rejected_path: Path | None
    seconds: float  # from the start of validation to the last batch written

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


@dataclass
class IngestReport:
    bundle: Path
    files: list[FileSummary] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)


class ProgressSink:
    """Receives progress; the CLI draws bars, library callers may ignore it."""

    def begin(self, file_name: str, total: int) -> Progress | None:
        """A file's ``total`` validated rows are queued; returns what counts rows written."""
        return None


def ingest_bundle(
    directory: Path, graph: Gateway, settings: Settings, progress: ProgressSink | None = None
) -> IngestReport:
    """Load a bundle; bad rows go to ``DIR/_rejected``, good rows load, re-runs are no-ops."""
    sink = progress or ProgressSink()
    specs = check_bundle(directory)
    known = validate.Known(lookup=lambda label, ids: existing_ids(graph, label, ids))
    salt = id_salt_for(settings)
    validators: dict[str, Callable[[Path], validate.FileResult]] = {
        "companies.csv": lambda p: validate.companies(read_rows(p)),
        "persons.csv": lambda p: validate.persons(read_rows(p), salt),
        "shareholdings.csv": lambda p: validate.shareholdings(read_rows(p), known),
        "officers.csv": lambda p: validate.officers(read_rows(p), known),
        "addresses.csv": lambda p: validate.addresses(read_rows(p), known),
        "phones.csv": lambda p: validate.phones(read_rows(p), known),
        "links.csv": lambda p: validate.links(read_rows(p), known),
        "events.csv": lambda p: validate.events(read_rows(p), known),
    }
    report = IngestReport(bundle=directory)
    # Only counts stay here: each file's records are dropped once written.
    pending: list[tuple[FileSummary, float, Ticket]] = []
    with OrderedWriter(graph, settings.ingest_batch_size) as writer:
        for spec in specs:
            path = directory / spec.name
            started = time.perf_counter()
            result = validators[spec.name](path)
            rejected_path = write_rejected(directory, result, read_header(path))
            if spec.name == "companies.csv":
                known.companies.update(r["id"] for r in result.records)
            elif spec.name == "persons.csv":
                known.persons.update(r["id"] for r in result.records)
            on_rows = sink.begin(spec.name, len(result.records))
            ticket = writer.submit(spec.name, result.records, on_rows)
            summary = FileSummary(
                name=result.name,
                read=result.read,
                loaded=len(result.records),
                rejected=len(result.rejected),
                reasons=result.reasons(),
                rejected_path=rejected_path,
                seconds=0.0,
            )
            pending.append((summary, started, ticket))
            del result
    for summary, started, ticket in pending:
        seconds = (ticket.finished_at or started) - started
        report.files.append(dataclasses.replace(summary, seconds=seconds))
    return report
