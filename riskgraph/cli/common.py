"""What every ``riskgraph`` command shares: the consoles, and turning riskgraph's errors
into one red line with exit status 1."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from riskgraph.errors import RiskgraphError
from riskgraph.i18n.render import Renderer
from riskgraph.settings import get_settings

console = Console()
err = Console(stderr=True)

# Options shared by the commands that load a bundle (ingest, daily) or analyse (analyze,
# daily): one definition, one help text.
EncodingOption = Annotated[
    str | None,
    typer.Option(help="Text encoding of every CSV file (default: detected per file)."),
]
MappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="YAML with file names, headers and value maps of another layout "
        "(added over the built-in Chinese table; docs/bundle-format.md).",
    ),
]
ReportsOption = Annotated[
    Path | None,
    typer.Option(help="Folder for _rejected/ and _warnings/ (default: the bundle folder)."),
]
DeliveredOption = Annotated[
    datetime | None,
    typer.Option(
        "--date",
        formats=["%Y-%m-%d"],
        help="The delivery's date: when changed attributes changed, and when a changed "
        "relationship without `since` took effect (default today).",
    ),
]
AsOfOption = Annotated[
    datetime | None,
    typer.Option(
        "--as-of",
        formats=["%Y-%m-%d"],
        help="Analyse the graph as it stood on this date (relationships in force, events up "
        "to it); default today.",
    ),
]


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


def renderer() -> Renderer:
    """Words in the configured language (RISKGRAPH_LOCALE, default zh-CN)."""
    return Renderer(get_settings().locale)


def _(message: str) -> str:
    """A CLI message (a msgid of the catalogue) in the configured language."""
    return renderer().text(message)


class EngineBars:
    """The engine's progress callback drawn as rich bars: one bar per step."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, step: str, done: int, total: int | None) -> None:
        task = self.tasks.get(step)
        if task is None:
            task = self.tasks[step] = self.progress.add_task(step, total=total)
        self.progress.update(task, completed=done, total=total)


@contextmanager
def engine_bars() -> Iterator[EngineBars]:
    with progress_bars(22) as progress:
        yield EngineBars(progress)
