"""``riskgraph daily DELTA_DIR``: the one command a day (load the delta, analyse, raise
alerts, report what changed). Output and exit codes live here; the job lives in
``riskgraph.engine.daily``."""

from __future__ import annotations

import json
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from riskgraph.cli.common import (
    AsOfOption,
    DeliveredOption,
    EncodingOption,
    MappingOption,
    ReportsOption,
    _,
    console,
    engine_bars,
    errors,
    renderer,
)
from riskgraph.cli.risk import ModelFileOption, model_choice, show_model
from riskgraph.graph.gateway import Gateway
from riskgraph.settings import get_settings

if TYPE_CHECKING:
    from riskgraph.engine.daily import DailyReport


def write_xlsx(report: DailyReport, path: Path) -> None:
    """The report as a workbook: the run, then one sheet per list (level changes, new
    alerts, rings), cells neutralised as every export's."""
    from riskgraph.export import write_sheets

    data = report.to_json()
    changes = ["company_id", "name", "from", "to", "score_from", "score_to"]
    alerts = ["id", "company_id", "name", "level", "score", "raised_at"]
    rings = ["change", "id", "score", "companies", "persons", "added", "removed"]
    ring_rows = [
        [kind, r["id"], r["score"], r["companies"], r["persons"],
         ", ".join(r["added"]), ", ".join(r["removed"])]
        for kind in ("new", "changed")
        for r in data["rings"][kind]
    ] + [["gone", g, None, None, None, "", ""] for g in data["rings"]["gone"]]  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    write_sheets(
        path,
        {
            "run": (["run_id", "previous_run_id"], [[data["run_id"], data["previous_run_id"]]]),
            "level_changes": (changes, [[c[k] for k in changes] for c in data["level_changes"]]),
            "new_alerts": (alerts, [[a.get(k) for k in alerts] for a in data["new_alerts"]]),
            "rings": (rings, ring_rows),
        },
    )


def show(report: DailyReport) -> None:
    words = renderer()
    if report.model is not None:
        show_model(report.model)
    console.print(
        _("run {run} is current (previous: {previous})").format(
            run=report.run_id, previous=report.previous_run_id or "-"
        ),
        highlight=False,
    )
    table = Table(title=_("{n} companies changed level").format(n=f"{len(report.level_changes):,}"))
    for column in (_("company"), _("from"), _("to"), _("score")):
        table.add_column(column)
    for c in report.level_changes[:30]:
        table.add_row(
            words.entity({"label": "Company", "id": c.company_id, "name": c.name}, kind=False),
            words.level_or_none(c.from_level) or "-",
            words.level_or_none(c.to_level) or c.to_level,
            f"{c.score_from if c.score_from is not None else '-'} → {c.score_to}",
        )
    console.print(table)
    rings = report.rings
    console.print(
        _("alerts: {alerts} new; rings: {new} new, {changed} changed, {gone} gone").format(
            alerts=len(report.new_alerts),
            new=len(rings.new),
            changed=len(rings.changed),
            gone=len(rings.gone),
        ),
        highlight=False,
    )


def daily(
    delta: Annotated[
        Path | None,
        typer.Argument(help="The day's delta bundle (only changed rows); omit to re-analyse."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (only JSON on stdout).")
    ] = False,
    xlsx: Annotated[
        Path | None, typer.Option(help="Also write the report as an xlsx workbook here.")
    ] = None,
    delivered: DeliveredOption = None,
    gnn: Annotated[
        bool,
        typer.Option(
            help="Add the GNN's component when the model file exists and was trained on this graph."
        ),
    ] = True,
    model: ModelFileOption = None,
    as_of: AsOfOption = None,
    encoding: EncodingOption = None,
    mapping_file: MappingOption = None,
    reports: ReportsOption = None,
) -> None:
    """Load the delta, analyse, raise alerts, then report what changed since the previous
    run: level changes, new alerts, new/changed/gone rings (docs/daily.md: cron, systemd)."""
    from riskgraph.cli.data import show_ingest
    from riskgraph.engine.daily import run_daily
    from riskgraph.engine.models import ModelStatus
    from riskgraph.ingest.files import STEMS
    from riskgraph.ingest.mapping import load_mapping

    settings = get_settings()
    choice = model_choice(model, gnn)
    with errors(), Gateway(settings) as graph:
        job = partial(
            run_daily,
            delta,
            graph,
            settings,
            delivered=delivered.date() if delivered is not None else None,
            as_of=as_of.date() if as_of is not None else None,
            gnn=choice,
            mapping=load_mapping(mapping_file, STEMS),
            encoding=encoding,
            reports=reports,
        )
        if as_json:
            report = job()
        else:
            with engine_bars() as bars:
                report = job(progress=bars, on_ingested=show_ingest)
    if xlsx is not None:
        write_xlsx(report, xlsx)
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
        if report.model is not None and report.model.status is ModelStatus.FOREIGN:
            show_model(report.model)  # the warning, on stderr (stdout holds the JSON only)
    else:
        show(report)
        if xlsx is not None:
            console.print(_("written to {path}").format(path=xlsx), highlight=False)
