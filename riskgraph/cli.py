"""The ``riskgraph`` command line. Output and exit codes live here; the work lives in the
library modules it calls."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.progress import (
    Progress,
)
from rich.table import Table

from riskgraph import cli_risk as risk_commands
from riskgraph.cli_common import console, err, progress_bars
from riskgraph.cli_common import errors as _errors
from riskgraph.cli_gnn import gnn_app
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import EmbeddedServer, ServerStatus, build_launcher, describe
from riskgraph.ingest.pipeline import IngestReport, ProgressSink, ingest_bundle
from riskgraph.settings import Settings, get_settings

app = typer.Typer(help="Knowledge-graph risk propagation engine.", no_args_is_help=True)
db_app = typer.Typer(help="The Neo4j database: start, stop, status, migrate.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.command()(risk_commands.analyze)
app.command()(risk_commands.propagate)
app.command()(risk_commands.evaluate)
app.add_typer(risk_commands.export_app, name="export")
app.add_typer(gnn_app, name="gnn")

EXIT_NOT_RUNNING = 3  # like `systemctl status`


def _show(status: ServerStatus) -> None:
    table = Table(show_header=False, box=None)
    kind = "embedded (riskgraph db)" if status.embedded else "external (NEO4J_URI)"
    table.add_row("server", kind)
    table.add_row("uri", status.uri)
    table.add_row("running", "[green]yes[/]" if status.running else "[red]no[/]")
    if status.pid is not None:
        table.add_row("pid", str(status.pid))
    if status.home is not None:
        table.add_row("home", str(status.home))
    if status.running:
        table.add_row("neo4j", f"{status.version} {status.edition}")
        table.add_row("apoc", status.apoc or "not loaded")
        table.add_row("nodes", f"{status.nodes:,}")
        table.add_row("relationships", f"{status.relationships:,}")
    console.print(table)


def _status(settings: Settings) -> ServerStatus:
    """The status of whichever server the settings name (embedded or NEO4J_URI)."""
    return EmbeddedServer(settings).status() if settings.embedded else describe(settings)


def _migrate(graph: Gateway, prune: bool = False) -> None:
    report = migrate(graph, prune=prune)
    console.print(f"schema: {len(report.created)} created, {len(report.existing)} already present")
    if report.dropped:
        console.print(f"dropped {len(report.dropped)} stale: {', '.join(report.dropped)}")
    if report.stale:
        console.print(
            f"[yellow]{len(report.stale)} stale (no longer in the schema, still costing "
            f"writes): {', '.join(report.stale)}; `riskgraph db migrate --prune` drops them"
        )


def _start(settings: Settings) -> ServerStatus:
    if not settings.embedded:
        status = describe(settings)
        if not status.running:
            raise RiskgraphError(f"NEO4J_URI is set but nothing answers at {settings.bolt_uri}")
        console.print(f"NEO4J_URI is set: using the server at {settings.bolt_uri}; nothing started")
        return status
    server = EmbeddedServer(settings)
    with console.status("starting Neo4j (the first start resolves it from Maven Central)..."):
        status, started = server.start()
    verb = "started" if started else "already running"
    console.print(f"Neo4j {verb} at {status.uri} (pid {status.pid})")
    return status


@db_app.command("start")
def db_start() -> None:
    """Start the embedded Neo4j and wait until Bolt answers (no-op if already running)."""
    with _errors():
        _start(get_settings())


@db_app.command("install")
def db_install() -> None:
    """Resolve Neo4j 5.26 and APOC from Maven Central and build the launcher (once)."""
    settings = get_settings()
    with _errors(), console.status("resolving Neo4j from Maven Central..."):
        path = build_launcher(settings)
    console.print(f"Neo4j launcher ready in {path}")


@db_app.command("stop")
def db_stop() -> None:
    """Stop the embedded Neo4j cleanly."""
    settings = get_settings()
    with _errors():
        if not settings.embedded:
            console.print(f"NEO4J_URI is set ({settings.bolt_uri}): nothing of ours to stop")
            return
        if EmbeddedServer(settings).stop():
            console.print("Neo4j stopped")
        else:
            console.print("Neo4j is not running: nothing to stop")


@db_app.command("status")
def db_status() -> None:
    """Show whether Neo4j answers, its version, APOC, and the graph's size (exit 3 if down)."""
    settings = get_settings()
    with _errors():
        status = _status(settings)
    _show(status)
    if not status.running:
        raise typer.Exit(EXIT_NOT_RUNNING)


@db_app.command("migrate")
def db_migrate(
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help="Also drop constraints and indexes named like riskgraph's that the schema "
            "no longer declares (listed without it).",
        ),
    ] = False,
) -> None:
    """Create the schema's uniqueness constraints and indexes (idempotent)."""
    with _errors(), Gateway(get_settings()) as graph:
        _migrate(graph, prune)


@db_app.command("wipe")
def db_wipe(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: delete every node.")] = False,
) -> None:
    """Delete all data (the schema stays). Needs --yes."""
    if not yes:
        err.print("refusing to wipe the graph without --yes")
        raise typer.Exit(2)
    with _errors(), Gateway(get_settings()) as graph:
        graph.run_autocommit("wipe_graph", batch=10_000)
    console.print("graph wiped")


@app.command()
def demo(
    companies: Annotated[int, typer.Option(min=100, help="Size of the demo province.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Seed of the demo province.")] = 1,
    out: Annotated[Path, typer.Option(help="Where the demo bundle goes.")] = Path(
        "data/demo-province"
    ),
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port of the demo API.")] = 8000,
    serve: Annotated[
        bool, typer.Option(help="Keep the API running until Ctrl-C (--no-serve: stop at the end).")
    ] = True,
    gnn: Annotated[
        bool, typer.Option(help="Train the GNN and re-analyze with it (--no-gnn: faster).")
    ] = True,
) -> None:
    """The main job end to end: start Neo4j, generate a province, ingest, analyze, train
    the GNN and re-analyze with it, then serve the API and write one explanation page."""
    from riskgraph import demo as steps
    from riskgraph.cli_gnn import load_model
    from riskgraph.cli_gnn import train as gnn_train
    from riskgraph.graph.alerts import raise_alerts

    settings = get_settings()
    with _errors():
        _start(settings)
        with Gateway(settings) as graph:
            _migrate(graph)
            _load_province(graph, settings, companies, seed, out)
            analysis, timings = risk_commands.run_analysis(graph, settings)
        if gnn:
            risk_commands.show_summary(analysis, timings)
            gnn_train()  # `riskgraph gnn train` with its defaults: saved at settings.gnn_model
            risk_commands.torch_threads(settings)
        with Gateway(settings) as graph:
            if gnn:
                model = load_model(settings.gnn_model)
                analysis, timings = risk_commands.run_analysis(graph, settings, model)
            console.print(raise_alerts(graph).summary, highlight=False)
        risk_commands.show_summary(analysis, timings)
        keys = steps.demo_keys(settings)
        company = steps.riskiest_unexposed(analysis)
        with steps.running_api(keys.settings, port) as base:
            key = keys.keys.get("viewer") or _configured_viewer(keys.settings)
            page = settings.neo4j_dir.parent / "demo" / f"subgraph-{company}.html"
            steps.write_explanation(base, key, company, page)
            steps.show_where_to_look(base, keys, company, page, analysis, serve)
            if serve:
                steps.serve_until_interrupted()


def _load_province(
    graph: Gateway, settings: Settings, companies: int, seed: int, out: Path
) -> None:
    """Generate the demo bundle (once) and ingest it (re-runs change nothing)."""
    from riskgraph.ingest.generator import generate as generate_province

    if not (out / "companies.csv").is_file():
        with console.status(f"generating a {companies:,}-company province in {out}..."):
            generate_province(companies, seed, out)
    with _bars() as bars:
        ingested = ingest_bundle(out, graph, settings, bars)
    _show_ingest(ingested)


def _configured_viewer(settings: Settings) -> str:
    """A key from RISKGRAPH_API_KEYS able to read (the demo fetches a page with it)."""
    secret = settings.api_keys
    for item in ("" if secret is None else secret.get_secret_value()).split(","):
        role, _, key = item.strip().partition(":")
        if role.strip().lower() in {"viewer", "analyst", "admin"} and key.strip():
            return key.strip()
    raise RiskgraphError("RISKGRAPH_API_KEYS holds no usable key")


class _Bars(ProgressSink):
    """One rich progress bar per bundle file (rich's Progress is thread-safe)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress

    def begin(self, file_name: str, total: int) -> Callable[[int], None]:
        task = self.progress.add_task(file_name, total=total)
        return lambda rows: self.progress.advance(task, rows)


@contextmanager
def _bars() -> Iterator[_Bars]:
    with progress_bars() as progress:
        yield _Bars(progress)


def _show_ingest(report: IngestReport) -> None:
    table = Table(title=f"ingest of {report.bundle}")
    columns = ("file", "read", "loaded", "rejected", "warnings", "merged", "rows/s", "reasons")
    for column in columns:
        table.add_column(column, justify="left" if column in ("file", "reasons") else "right")
    for f in report.files:
        kinds = [f"{k} {v}" for k, v in f.reasons.most_common()]
        kinds += [f"{k} {v} (nulled)" for k, v in f.warnings.most_common()]
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
    quarantined = [str(f.rejected_path) for f in report.files if f.rejected_path]
    if quarantined:
        console.print("rejected rows kept in: " + ", ".join(quarantined))
    warned = [str(f.warnings_path) for f in report.files if f.warnings_path]
    if warned:
        console.print("values stored as null, listed in: " + ", ".join(warned))
    if report.merged:
        console.print(f"{report.merged:,} person rows merged by resident ID (one person each)")


class InputFormat(StrEnum):
    CSV = "csv"
    FTM = "ftm"


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="Bundle folder, or FILE.jsonl with --format ftm.")],
    input_format: Annotated[
        InputFormat, typer.Option("--format", help="csv: a bundle folder; ftm: FtM JSONL.")
    ] = InputFormat.CSV,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of every CSV file (default: detected per file)."),
    ] = None,
    mapping_file: Annotated[
        Path | None,
        typer.Option(
            "--mapping",
            help="YAML with file names, headers and value maps of another layout "
            "(added over the built-in Chinese table; docs/bundle-format.md).",
        ),
    ] = None,
    reports: Annotated[
        Path | None,
        typer.Option(help="Folder for _rejected/ and _warnings/ (default: the bundle folder)."),
    ] = None,
) -> None:
    """Validate and load data (CSV in UTF-8 or GB18030, or xlsx; English or Chinese headers);
    bad rows go to DIR/_rejected, nulled values to DIR/_warnings, re-runs change nothing."""
    from riskgraph.ingest.bundle import STEMS
    from riskgraph.ingest.mapping import load_mapping

    settings = get_settings()
    with _errors(), Gateway(settings) as graph:
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
        with _bars() as bars:
            report = ingest_bundle(directory, graph, settings, bars, mapping, encoding, reports)
        _show_ingest(report)
    if report.loaded == 0:
        err.print("[bold red]error:[/] nothing could be loaded", highlight=False)
        raise typer.Exit(1)


@app.command()
def generate(
    companies: Annotated[int, typer.Option(min=10, help="Number of companies.")] = 20_000,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same bundle).")] = 1,
    out: Annotated[Path, typer.Option(help="Output folder.")] = Path("data/province"),
) -> None:
    """Write a realistic synthetic province bundle, with its truth in OUT/truth/."""
    from riskgraph.ingest.generator import generate as generate_province

    with _errors(), console.status(f"generating {companies:,} companies..."):
        report = generate_province(companies, seed, out)
    table = Table(title=f"synthetic province in {report.out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in report.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    console.print(
        f"{report.rings} rings planted ({report.exposed_rings} exposed), "
        f"{report.future_exposures} future exposures, {report.malformed} malformed rows"
    )


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


@app.command()
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
    with _errors():
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


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes (one per core: each holds its own engine state)."
    ),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs); keys and roles from RISKGRAPH_API_KEYS."""
    import uvicorn

    from riskgraph.api.app import create_app
    from riskgraph.api.security import HOW_TO_CONFIGURE, parse_keys

    settings = get_settings()
    with _errors():
        secret = settings.api_keys
        keys = parse_keys(None if secret is None else secret.get_secret_value())
    if keys.empty:
        err.print(
            f"[bold yellow]warning:[/] no API keys: every request will be refused; "
            f"{HOW_TO_CONFIGURE}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"audit log: {settings.audit_log}", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port)
    else:  # workers are separate processes: they build the app from the environment
        uvicorn.run(
            "riskgraph.api.app:create_app", factory=True, host=host, port=port, workers=workers
        )


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)


if __name__ == "__main__":
    app()
