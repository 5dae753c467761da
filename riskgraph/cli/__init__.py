"""The ``riskgraph`` command line: one module per group of commands (``db``; ``data``:
ingest, generate, query, export; ``risk``: analyze, propagate, evaluate, calibrate;
``daily``; ``gnn``; ``demo``; ``serve``). Output and exit codes live here; the work lives in
``riskgraph.engine`` and the layers below it."""

from __future__ import annotations

import logging

import typer

from riskgraph.cli import daily, data, db, demo, gnn, risk, serve

app = typer.Typer(help="Knowledge-graph risk propagation engine.", no_args_is_help=True)
app.add_typer(db.app, name="db")
app.command()(demo.demo)
app.command()(data.ingest)
app.command()(data.generate)
app.command()(data.query)
app.add_typer(data.export_app, name="export")
app.command()(risk.analyze)
app.command()(risk.propagate)
app.command()(risk.evaluate)
app.command()(risk.calibrate)
app.command()(daily.daily)
app.add_typer(gnn.gnn_app, name="gnn")
app.command()(serve.serve)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log debug output.")) -> None:
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING)
