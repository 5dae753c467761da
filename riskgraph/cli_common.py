"""What every ``riskgraph`` command shares: the consoles, and turning riskgraph's errors
into one red line with exit status 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from riskgraph.errors import RiskgraphError

console = Console()
err = Console(stderr=True)


@contextmanager
def errors() -> Iterator[None]:
    """Turn riskgraph's own errors into one red line and exit status 1."""
    try:
        yield
    except RiskgraphError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from exc


def progress_bars(label_width: int = 18) -> Progress:
    """Named bars with counts and elapsed time, on the shared console."""
    return Progress(
        TextColumn(f"{{task.description:<{label_width}}}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )
