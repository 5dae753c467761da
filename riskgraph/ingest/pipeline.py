"""``riskgraph ingest DIR``: validate, quarantine and load a bundle, one file at a time.

Every file is found and decoded in full first (``check_bundle``), so an unreadable file
stops the load before anything is written. Files are then processed in schema order
(companies and persons before the relationships that refer to them). Validation of one
file overlaps the writing of the previous one (``OrderedWriter``); at most two files'
records are held at once, so a province fits.

A first load may go through Neo4j's bulk importer instead (``initial``, ``bulk``): the
same validation, quarantine and records, written as the importer's files; the later
versions of relationships within the bundle are then written by the same queries.

A bundle may be a delta (only changed rows): the loader's queries update attributes,
record what they overwrite (``AttributeChange``) and keep relationships' history as
closed edges, dated by ``delivered`` where a row has no date of its own.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from riskgraph.errors import RiskgraphError
from riskgraph.graph.admin_import import ImportFiles, ImportRun
from riskgraph.graph.credentials import id_key_for, key_fingerprint
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.ingest import validate
from riskgraph.ingest.bulk import BulkFiles
from riskgraph.ingest.bundle import BundleFile, check_bundle, read_column, read_rows
from riskgraph.ingest.files import FILES, MERGE_PERSONS, SPECS, Checks
from riskgraph.ingest.load import (
    Progress,
    check_id_key,
    existing_ids,
    person_aliases,
    persons_by_hash,
)
from riskgraph.ingest.mapping import Mapping, default_mapping
from riskgraph.ingest.quarantine import write_rejected, write_warnings
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
    warnings: Counter[str] = field(default_factory=Counter)  # values stored as null, by kind
    warnings_path: Path | None = None
    merged: int = 0  # rows merged into another person with the same resident ID
    source: Path | None = None  # the file as found (CSV or xlsx)
    encoding: str | None = None

    @property
    def rows_per_second(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Initial:
    """A first load through the bulk importer: its files go to ``directory``; ``load``
    imports them (the embedded server: ``admin_import.run_import``), or returns None when
    an operator is to run the import (an external server): then nothing is loaded here."""

    directory: Path
    load: Callable[[ImportFiles], ImportRun | None]


@dataclass
class IngestReport:
    bundle: Path
    files: list[FileSummary] = field(default_factory=list)
    import_files: ImportFiles | None = None  # a bulk first load's importer files
    imported: ImportRun | None = None  # None: transactional, or left to an operator
    later_rows: int = 0  # a bulk load's rows written by the queries (later versions)
    # seconds spent writing, apart from validation: the writer thread's busy time, or for a
    # bulk load the import files, the import, the restart, the schema and the later versions
    write_s: float = 0.0

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def warned(self) -> int:
        return sum(f.warnings.total() for f in self.files)

    @property
    def merged(self) -> int:
        return sum(f.merged for f in self.files)


class ProgressSink:
    """Receives progress; the CLI draws bars, library callers may ignore it."""

    def begin(self, file_name: str, total: int) -> Progress | None:
        """A file's ``total`` validated rows are queued; returns what counts rows written."""
        return None


def _populated(graph: Gateway) -> dict[str, bool]:
    """Whether the graph holds any company or person yet (a first load looks nothing up)."""
    rows = graph.read("label_counts", labels=["Company", "Person"])
    return {row["label"]: row["count"] > 0 for row in rows}


def _ambiguous(
    files: dict[str, BundleFile], graph: Gateway, populated: dict[str, bool]
) -> set[str]:
    """Ids defined as a company and as a person: in the bundle's two files, or in one of
    them and under the other label in the graph. Such rows are rejected in both files."""
    ids = {name: set(read_column(f, "id")) for name, f in files.items()}
    companies, persons = ids.get("companies.csv", set()), ids.get("persons.csv", set())
    both = companies & persons
    if populated["Person"]:
        both |= existing_ids(graph, "Person", sorted(companies - both))
    if populated["Company"]:
        both |= existing_ids(graph, "Company", sorted(persons - both))
    return both


def _loaded_aliases(result: validate.FileResult, graph: Gateway) -> list[dict[str, str]]:
    """Aliases of this load that an earlier load created as persons of their own: they
    are merged into their person once this file's persons are written."""
    aliases = {a: r["id"] for r in result.records for a in r.get("aliases", [])}
    found = existing_ids(graph, "Person", sorted(aliases)) if aliases else set()
    return [{"alias": a, "id": aliases[a]} for a in sorted(found)]


def ingest_bundle(
    directory: Path,
    graph: Gateway,
    settings: Settings,
    progress: ProgressSink | None = None,
    mapping: Mapping | None = None,
    encoding: str | None = None,
    reports: Path | None = None,
    delivered: date | None = None,
    initial: Initial | None = None,
) -> IngestReport:
    """Load a bundle; bad rows go to ``_rejected/``, nulled values to ``_warnings/`` (in
    ``reports``, default the bundle folder), good rows load, re-runs are no-ops.

    ``delivered`` (default today) dates the attribute changes and closes a relationship
    whose new version has no ``since``. ``initial``: a first load, into an empty graph,
    through the bulk importer (``BulkRefused`` when the graph holds anything)."""
    delivered = delivered or date.today()
    sink = progress or ProgressSink()
    reports = reports or directory
    mapping = mapping or default_mapping()
    files = check_bundle(directory, SPECS, mapping, encoding)
    # before the key's fingerprint is recorded (a node)
    if initial is not None and not graph.read("graph_empty")[0]["empty"]:
        raise BulkRefused(
            "the bulk importer writes a new database, and this one is not empty: load into "
            "it without --initial, or empty it first (`riskgraph db wipe --yes`)"
        )
    key = id_key_for(settings)
    check_id_key(graph, key_fingerprint(key), record=initial is None)
    by_name = {f.spec.name: f for f in files}
    populated = _populated(graph)
    known = validate.Known(
        lookup=lambda label, ids: existing_ids(graph, label, ids),
        by_hash=lambda hashes: persons_by_hash(graph, hashes) if populated["Person"] else {},
        aliases=person_aliases(graph) if populated["Person"] else {},
        ambiguous=_ambiguous(
            {n: f for n, f in by_name.items() if n in ("companies.csv", "persons.csv")},
            graph,
            populated,
        ),
    )
    checks = Checks(known, mapping, key)
    validators = {f.spec.name: f.validator for f in FILES}
    report = IngestReport(bundle=directory)
    # Only counts stay here: each file's records are dropped once written.
    pending: list[tuple[FileSummary, float, Ticket]] = []
    params = {"delivered": delivered}
    to_files = _BulkTarget(initial) if initial is not None else None
    if to_files is not None:
        to_files.bulk.meta("id_key", fingerprint=key_fingerprint(key), recorded_at=_now())
    with OrderedWriter(graph, settings.ingest_batch_size, params=params) as writer:
        target: _Target = writer if to_files is None else to_files
        for bundle_file in files:
            name = bundle_file.spec.name
            started = time.perf_counter()
            result = validators[name](read_rows(bundle_file), checks)
            rejected_path = write_rejected(reports, result, bundle_file.columns)
            warnings_path = write_warnings(reports, result)
            if name == "companies.csv":
                known.companies.update(r["id"] for r in result.records)
            elif name == "persons.csv":
                known.persons.update(r["id"] for r in result.records)
            on_rows = sink.begin(name, len(result.records))
            ticket = target.submit(name, result.records, on_rows)
            if name == "persons.csv" and populated["Person"]:
                writer.submit(MERGE_PERSONS, _loaded_aliases(result, graph))
            summary = FileSummary(
                name=result.name,
                read=result.read,
                loaded=result.read - len(result.rejected),
                rejected=len(result.rejected),
                reasons=result.reasons(),
                rejected_path=rejected_path,
                seconds=0.0,
                warnings=result.warning_kinds(),
                warnings_path=warnings_path,
                merged=result.merged,
                source=bundle_file.path,
                encoding=bundle_file.encoding,
            )
            pending.append((summary, started, ticket))
            del result
    for summary, started, ticket in pending:
        seconds = (ticket.finished_at or started) - started
        report.files.append(dataclasses.replace(summary, seconds=seconds))
    report.write_s = writer.busy_s if to_files is None else to_files.busy_s
    if to_files is not None:
        _import(to_files, graph, settings, params, report)
    return report


class BulkRefused(RiskgraphError):
    """A bulk first load asked for on a graph that holds data (the import would erase it)."""


def _now() -> datetime:
    return datetime.now(UTC)


class _Target(Protocol):
    def submit(
        self, file_name: str, records: Sequence[validate.Record], progress: Progress | None = None
    ) -> Ticket: ...


class _BulkTarget:
    """The pipeline's writer for a bulk load: a file's records go to the import files."""

    def __init__(self, initial: Initial) -> None:
        self.initial = initial
        self.bulk = BulkFiles(initial.directory)
        self.busy_s = 0.0

    def submit(
        self, file_name: str, records: Sequence[validate.Record], progress: Progress | None = None
    ) -> Ticket:
        started = time.perf_counter()
        self.bulk.submit(file_name, records)
        self.busy_s += time.perf_counter() - started
        if progress is not None:
            progress(len(records))
        ticket = Ticket(file_name, (), None)
        ticket.finished_at = time.perf_counter()
        ticket.done.set()
        return ticket


def _import(
    to_files: _BulkTarget,
    graph: Gateway,
    settings: Settings,
    params: dict[str, Any],
    report: IngestReport,
) -> None:
    """Import the files, then the schema, then the later versions through the queries."""
    started = time.perf_counter()
    bulk, initial = to_files.bulk, to_files.initial
    report.import_files = bulk.close()
    report.imported = initial.load(report.import_files)
    if report.imported is None:
        return  # an operator imports; `riskgraph ingest` again then adds the rest
    graph.reconnect()  # a new store: the causal chain of the old one means nothing to it
    migrate(graph, backfill=False)
    with OrderedWriter(graph, settings.ingest_batch_size, params=params) as writer:
        for file_name, records in bulk.later:
            writer.submit(file_name, records)
            report.later_rows += len(records)
    shutil.rmtree(initial.directory, ignore_errors=True)  # imported: a copy of the graph
    report.write_s += time.perf_counter() - started
