"""``riskgraph db``: the Neo4j database (install, start, stop, status, migrate, wipe)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from riskgraph.cli.common import _, console, err, errors
from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.migrate import migrate
from riskgraph.graph.server import (
    EmbeddedServer,
    ServerStatus,
    build_launcher,
    check_config,
    describe,
)
from riskgraph.settings import Settings, get_settings

app = typer.Typer(help="The Neo4j database: start, stop, status, migrate.", no_args_is_help=True)

EXIT_NOT_RUNNING = 3  # like `systemctl status`


def _show(status: ServerStatus) -> None:
    table = Table(show_header=False, box=None)
    embedded, external = _("embedded (riskgraph db)"), _("external (NEO4J_URI)")
    yes, no = _("yes"), _("no")
    table.add_row(_("server"), embedded if status.embedded else external)
    table.add_row("uri", status.uri)
    table.add_row(_("running"), f"[green]{yes}[/]" if status.running else f"[red]{no}[/]")
    if status.pid is not None:
        table.add_row("pid", str(status.pid))
    if status.home is not None:
        table.add_row(_("home"), str(status.home))
    if status.running:
        table.add_row("neo4j", f"{status.version} {status.edition}")
        table.add_row("apoc", status.apoc or _("not loaded"))
        table.add_row(_("nodes"), f"{status.nodes:,}")
        table.add_row(_("relationships"), f"{status.relationships:,}")
    console.print(table)


def _status(settings: Settings) -> ServerStatus:
    """The status of whichever server the settings name (embedded or NEO4J_URI)."""
    return EmbeddedServer(settings).status() if settings.embedded else describe(settings)


def apply_schema(graph: Gateway, prune: bool = False) -> None:
    report = migrate(graph, prune=prune)
    console.print(f"schema: {len(report.created)} created, {len(report.existing)} already present")
    if report.dropped:
        console.print(f"dropped {len(report.dropped)} stale: {', '.join(report.dropped)}")
    if report.stale:
        console.print(
            f"[yellow]{len(report.stale)} stale (no longer in the schema, still costing "
            f"writes): {', '.join(report.stale)}; `riskgraph db migrate --prune` drops them"
        )


def start_server(settings: Settings) -> ServerStatus:
    if not settings.embedded:
        status = describe(settings)
        if not status.running:
            raise RiskgraphError(f"NEO4J_URI is set but nothing answers at {settings.bolt_uri}")
        console.print(f"NEO4J_URI is set: using the server at {settings.bolt_uri}; nothing started")
        return status
    check_config(settings)  # before anything starts: no password, or plaintext off loopback
    server = EmbeddedServer(settings)
    with console.status("starting Neo4j (the first start resolves it from Maven Central)..."):
        status, started = server.start()
    verb = "started" if started else "already running"
    console.print(f"Neo4j {verb} at {status.uri} (pid {status.pid})")
    return status


@app.command("start")
def db_start() -> None:
    """Start the embedded Neo4j and wait until Bolt answers (no-op if already running)."""
    with errors():
        start_server(get_settings())


@app.command("install")
def db_install() -> None:
    """Resolve Neo4j 5.26 and APOC from Maven Central and build the launcher (once)."""
    settings = get_settings()
    with errors(), console.status("resolving Neo4j from Maven Central..."):
        path = build_launcher(settings)
    console.print(f"Neo4j launcher ready in {path}")


@app.command("stop")
def db_stop() -> None:
    """Stop the embedded Neo4j cleanly."""
    settings = get_settings()
    with errors():
        if not settings.embedded:
            console.print(f"NEO4J_URI is set ({settings.bolt_uri}): nothing of ours to stop")
            return
        if EmbeddedServer(settings).stop():
            console.print("Neo4j stopped")
        else:
            console.print("Neo4j is not running: nothing to stop")


@app.command("status")
def db_status() -> None:
    """Show whether Neo4j answers, its version, APOC, and the graph's size (exit 3 if down)."""
    settings = get_settings()
    with errors():
        status = _status(settings)
    _show(status)
    if not status.running:
        raise typer.Exit(EXIT_NOT_RUNNING)


@app.command("migrate")
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
    with errors(), Gateway(get_settings()) as graph:
        apply_schema(graph, prune)


@app.command("wipe")
def db_wipe(
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: delete every node.")] = False,
) -> None:
    """Delete all data (the schema stays). Needs --yes."""
    if not yes:
        err.print("refusing to wipe the graph without --yes")
        raise typer.Exit(2)
    with errors(), Gateway(get_settings()) as graph:
        graph.run_autocommit("wipe_graph", batch=10_000)
    console.print("graph wiped")
