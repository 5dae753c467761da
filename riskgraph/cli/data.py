"""The data commands: ``ingest``, ``generate``, ``query`` and ``export``."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.progress import Progress
from rich.table import Table

from riskgraph.cli.common import (
    DeliveredOption,
    EncodingOption,
    MappingOption,
    ReportsOption,
    _,
    console,
    err,
    errors,
    progress_bars,
    renderer,
)
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.ingest.pipeline import IngestReport, Initial, ProgressSink, ingest_bundle
from riskgraph.risk.codes import stored
from riskgraph.settings import get_settings

export_app = typer.Typer(
    help="Write analysis results to CSV (utf-8-sig) or, for FILE.xlsx, a workbook.",
    no_args_is_help=True,
)


class _Bars(ProgressSink):
    """One rich progress bar per bundle file (rich's Progress is thread-safe)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def begin(self, file_name: str, total: int) -> Callable[[int], None]:
        task = self.progress.add_task(file_name, total=total)
        return lambda rows: self.progress.advance(task, rows)


@contextmanager
def ingest_bars() -> Iterator[_Bars]:
    with progress_bars() as progress:
        yield _Bars(progress)


def show_ingest(report: IngestReport) -> None:
    table = Table(title=_("ingest of {bundle}").format(bundle=report.bundle))
    columns = (
        _("file"),
        _("read"),
        _("loaded"),
        _("rejected"),
        _("warnings"),
        _("merged"),
        _("rows/s"),
        _("reasons"),
    )
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i in (0, len(columns) - 1) else "right")
    nulled = _("(nulled)")
    for f in report.files:
        kinds = [f"{k} {v}" for k, v in f.reasons.most_common()]
        kinds += [f"{k} {v} {nulled}" for k, v in f.warnings.most_common()]
        source = f.source.name if f.source is not None else f.name
        if f.encoding not in (None, "utf-8", "utf-8-sig"):
            source += f" ({f.encoding})"
        table.add_row(
            source,
            f"{f.read:,}",
            f"{f.loaded:,}",
            f"{f.rejected:,}",
            f"{f.warnings.total():,}",
            f"{f.merged:,}",
            f"{f.rows_per_second:,.0f}",
            ", ".join(kinds),
        )
    console.print(table)
    if report.imported is not None:
        console.print(
            _(
                "bulk import: {seconds} s (server stopped in {stopped} s, started again in "
                "{started} s); {later} later versions of relationships written by queries"
            ).format(
                seconds=f"{report.imported.seconds:.1f}",
                stopped=f"{report.imported.stopped_s:.1f}",
                started=f"{report.imported.started_s:.1f}",
                later=f"{report.later_rows:,}",
            )
        )
    quarantined = [str(f.rejected_path) for f in report.files if f.rejected_path]
    if quarantined:
        console.print(_("rejected rows kept in: ") + ", ".join(quarantined))
    warned = [str(f.warnings_path) for f in report.files if f.warnings_path]
    if warned:
        console.print(_("values stored as null, listed in: ") + ", ".join(warned))
    if report.merged:
        console.print(
            _("{n} person rows merged by resident ID (one person each)").format(
                n=f"{report.merged:,}"
            )
        )


class InputFormat(StrEnum):
    CSV = "csv"
    FTM = "ftm"


def ingest(
    path: Annotated[Path, typer.Argument(help="Bundle folder, or FILE.jsonl with --format ftm.")],
    input_format: Annotated[
        InputFormat, typer.Option("--format", help="csv: a bundle folder; ftm: FtM JSONL.")
    ] = InputFormat.CSV,
    encoding: EncodingOption = None,
    mapping_file: MappingOption = None,
    reports: ReportsOption = None,
    delivered: DeliveredOption = None,
    initial: Annotated[
        bool,
        typer.Option(
            "--initial",
            help="A first load through Neo4j's bulk importer (the graph must be empty). "
            "The embedded server does this by itself for a first load; with NEO4J_URI, the "
            "import files are written and the neo4j-admin command to run is printed.",
        ),
    ] = False,
    transactional: Annotated[
        bool,
        typer.Option(
            "--transactional", help="Load through Cypher transactions even into an empty graph."
        ),
    ] = False,
) -> None:
    """Validate and load data (CSV in UTF-8 or GB18030, or xlsx; English or Chinese headers),
    a first load or a delta; bad rows go to DIR/_rejected, nulled values to DIR/_warnings,
    re-runs change nothing. A first load into the embedded server's empty graph goes
    through Neo4j's bulk importer."""
    from riskgraph.engine.lock import pipeline_lock
    from riskgraph.ingest.files import STEMS
    from riskgraph.ingest.mapping import load_mapping

    if initial and transactional:
        raise typer.BadParameter("--initial and --transactional exclude each other")
    settings = get_settings()
    with (
        errors(),
        pipeline_lock(settings.lock_file, "riskgraph ingest"),
        Gateway(settings) as graph,
    ):
        mapping = load_mapping(mapping_file, STEMS)
        # the loader MERGEs on the schema's unique keys: without their constraints every
        # batch scans the whole label (100,000 companies: unfinished after 15 min, not 2-3)
        created = migrate(graph).created
        if created:
            console.print(f"schema applied first: {len(created)} constraints and indexes")
        directory = path
        if input_format is InputFormat.FTM:
            from riskgraph.ingest.ftm import convert as convert_ftm  # a slow import; FtM only

            directory = convert_ftm(path, path.with_name(path.name + ".bundle"), settings)
            console.print(f"FtM entities converted to the bundle {directory}")
        first = _initial(graph, directory, reports, initial, transactional)
        with ingest_bars() as bars:
            report = ingest_bundle(
                directory,
                graph,
                settings,
                bars,
                mapping,
                encoding,
                reports,
                delivered=delivered.date() if delivered is not None else None,
                initial=first,
            )
        show_ingest(report)
        if report.import_files is not None and report.imported is None:
            _print_operator_steps(report, directory)
            return
    if report.loaded == 0:
        err.print("[bold red]error:[/] nothing could be loaded", highlight=False)
        raise typer.Exit(1)


def _initial(
    graph: Gateway, bundle: Path, reports: Path | None, initial: bool, transactional: bool
) -> Initial | None:
    """How a load goes in: through the bulk importer when asked to (``--initial``), or by
    itself for a first load into the embedded server's empty graph; else transactional."""
    from riskgraph.graph.admin_import import run_import
    from riskgraph.graph.server import EmbeddedServer

    settings = get_settings()
    if transactional or not (initial or settings.embedded):
        return None
    if not initial and not graph.read("graph_empty")[0]["empty"]:
        return None
    directory = (reports or bundle) / "_import"
    if not settings.embedded:
        return Initial(directory, lambda files: None)  # the operator runs the import
    server = EmbeddedServer(settings)
    console.print(_("a first load: through Neo4j's bulk importer (the server restarts)"))
    return Initial(directory, lambda files: run_import(server, files, settings.neo4j_database))


def _print_operator_steps(report: IngestReport, bundle: Path) -> None:
    from riskgraph.graph.admin_import import operator_command

    assert report.import_files is not None
    settings = get_settings()
    console.print(
        _(
            "The import files are written. On the Neo4j server's machine: stop the database, "
            "then run:"
        )
    )
    console.print(operator_command(report.import_files, settings.neo4j_database), soft_wrap=True)
    console.print(
        _(
            "then start it and run `riskgraph ingest {bundle}` once more: it creates the "
            "schema and adds what the importer cannot (later versions of relationships)."
        ).format(bundle=bundle)
    )


def generate(
    companies: Annotated[int, typer.Option(min=10, help="Number of companies.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bundle).")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default data/province; with --delta-of, PATH-delta)."),
    ] = None,
    delta_of: Annotated[
        Path | None,
        typer.Option(
            help="A generated province: write a delta of it (only changed rows, truth in "
            "OUT/truth/) instead of a new province."
        ),
    ] = None,
    changes: Annotated[
        float,
        typer.Option(help="With --delta-of: the fraction of companies changed (0 < f <= 1)."),
    ] = 0.01,
    day: Annotated[
        datetime | None,
        typer.Option(
            "--date",
            formats=["%Y-%m-%d"],
            help="With --delta-of: the delta's date (default the province's t0 + 1 day).",
        ),
    ] = None,
    variant: Annotated[
        str,
        typer.Option(
            help="How rings are planted and failures spread: default, big-rings, "
            "phones-only, addresses-only, nominees-only, misspelled, hubs, slow, guarantee, "
            "loan, mixed."
        ),
    ] = "default",
) -> None:
    """Write a realistic synthetic province bundle, with its truth in OUT/truth/, or with
    --delta-of a delta of one (changed shares, exits, officers, statuses, exposures...)."""
    from riskgraph.ingest.generator import VARIANTS
    from riskgraph.ingest.generator import generate as generate_province
    from riskgraph.ingest.synthetic.delta import generate_delta

    if delta_of is not None:
        if not 0.0 < changes <= 1.0:
            raise typer.BadParameter("must be in (0, 1]", param_hint="--changes")
        out = out or Path(f"{delta_of}-delta")
        with errors(), console.status(f"changing {changes:.2%} of the companies..."):
            delta = generate_delta(delta_of, out, changes, seed, day.date() if day else None)
        console.print(_counts(f"delta of {delta.delta_of} in {delta.out}", "change", delta.counts))
        console.print(
            f"{delta.touched:,} companies touched on {delta.day}, "
            f"{sum(delta.rows.values()):,} bundle rows written "
            f"(load with: riskgraph ingest {delta.out} --date {delta.day})"
        )
        return

    if variant not in VARIANTS:
        raise typer.BadParameter(f"one of {', '.join(VARIANTS)}", param_hint="--variant")
    out = out or Path("data/province")
    with errors(), console.status(f"generating {companies:,} companies..."):
        report = generate_province(companies, seed, out, variant=VARIANTS[variant])
    console.print(_counts(f"synthetic province in {report.out}", "file", report.rows))
    console.print(
        f"{report.rings} rings planted ({report.exposed_rings} exposed), "
        f"{report.future_exposures} future exposures, {report.past_exposures} past ones, "
        f"{report.malformed} malformed rows"
    )


def _counts(title: str, what: str, rows: dict[str, int]) -> Table:
    """Rows per file or per kind of change, as `generate` prints them."""
    table = Table(title=title)
    table.add_column(what)
    table.add_column("rows", justify="right")
    for name, count in rows.items():
        table.add_row(name, f"{count:,}")
    return table


def _parse_param(text: str, model: type[BaseModel]) -> tuple[str, Any]:
    """``key=value``; lists as a,b,c or JSON, maps as JSON; pydantic coerces the rest."""
    key, sep, value = text.partition("=")
    if not sep:
        raise typer.BadParameter(f"expected key=value, got {text!r}")
    field = model.model_fields.get(key) or next(
        (f for f in model.model_fields.values() if f.alias == key), None
    )
    if value[:1] in "[{":
        return key, json.loads(value)
    if field is not None and "list" in str(field.annotation):
        return key, [v for v in value.split(",") if v]
    return key, value


def _cell(value: Any) -> str:
    if isinstance(value, list | dict):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 120 else text[:117] + "..."
    return "" if value is None else str(value)


def query(
    name: Annotated[str | None, typer.Argument(help="Investigation name (see --list).")] = None,
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON records.")] = False,
    list_queries: Annotated[bool, typer.Option("--list", help="List investigations.")] = False,
) -> None:
    """Run a named investigation query (neighbourhood, connection_paths, equity_penetration...)."""
    from riskgraph.graph import cypher
    from riskgraph.graph.investigate import INVESTIGATIONS, run

    if list_queries or name is None:
        for known in INVESTIGATIONS.values():
            header = cypher.load(known.name)
            console.print(f"[bold]{known.name}[/]: {header.purpose}", highlight=False)
            console.print(f"  parameters: {header.parameters}", highlight=False)
            console.print(f"  returns: {header.returns}\n", highlight=False)
        return
    with errors():
        if name not in INVESTIGATIONS:
            raise RiskgraphError(f"no investigation named {name!r}; see `riskgraph query --list`")
        model = INVESTIGATIONS[name].params
        try:
            values = dict(_parse_param(p, model) for p in param or [])
            params = model.model_validate(values)
        except (ValidationError, json.JSONDecodeError) as exc:
            err.print(f"[bold red]bad parameters:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from exc
        with Gateway(get_settings()) as graph:
            records = run(graph, name, params)
    rows = [r.model_dump(mode="json") for r in records]
    if as_json:
        console.print_json(json.dumps(rows, ensure_ascii=False))
        return
    title = f"{name}: {len(rows)} row(s)"
    if len(rows) == 1 and "total" in rows[0] and "nodes" in rows[0]:  # one page of nodes
        page = rows[0]
        title = (
            f"{name} of {page['start']['name']}: {len(page['nodes'])} of {page['total']} nodes; "
            f"left out per hop {page['left_out']}, unexpanded {page['unexpanded']}"
        )
        rows = page["nodes"]
    table = Table(title=title)
    columns = list(rows[0]) if rows else []
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(_cell(row[c]) for c in columns))
    console.print(table)


def _export(query: str, out: Path, what: str) -> None:
    """Run an export query and write its rows to OUT: xlsx or utf-8-sig CSV by suffix, text
    cells neutralised against formula injection (riskgraph.export)."""
    from riskgraph.export import write_table

    with errors():
        with Gateway(get_settings()) as graph:
            rows = graph.read_raw(query)
            if not rows and query == "export_scores":
                raise RiskgraphError("no scores in the graph: run `riskgraph analyze` first")
        if query == "export_scores":
            rows = [_worded(r) for r in rows]
        columns = list(rows[0]) if rows else []
        write_table(
            out, columns, [list(r.values()) for r in rows], sheet=query.removeprefix("export_")
        )
    console.print(f"{len(rows):,} {what} written to {out}")


def _worded(row: dict[str, Any]) -> dict[str, Any]:
    """A score row with its stored reasons worded (RISKGRAPH_LOCALE), level and tier named
    beside their codes."""
    words = renderer()
    out = dict(row)
    out["level_name"] = words.level_or_none(row["level"])
    out["tier_name"] = words.tier_or_none(row["tier"])
    out["reasons"] = "; ".join(words.reasons(stored(list(row["reasons"] or []))))
    return out


_OUT_HELP = "File to write: FILE.xlsx for a workbook, anything else CSV (utf-8-sig)."


@export_app.command("scores")
def export_scores(
    out: Annotated[Path, typer.Option(help=_OUT_HELP)] = Path("scores.csv"),
) -> None:
    """Every company's score: company_id, name, score, level, tier, contagion, ring_id,
    components, reasons (worded in RISKGRAPH_LOCALE), level_name, tier_name."""
    _export("export_scores", out, "companies")


@export_app.command("rings")
def export_rings(
    out: Annotated[Path, typer.Option(help=_OUT_HELP)] = Path("rings.csv"),
) -> None:
    """Every ring member: ring_id, entity_id, entity_type, ring_score."""
    _export("export_rings", out, "ring members")
