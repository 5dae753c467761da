"""``riskgraph demo``, the main job end to end: Neo4j, a generated province, ingest, the
engine's run (with the GNN trained in between), then demo API keys, the API running in the
background, one explanation page fetched from it, and where to look."""

from __future__ import annotations

import secrets
import signal
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import numpy as np
import typer
from pydantic import SecretStr

from riskgraph.api.security import HEADER, Role
from riskgraph.cli.common import _, console, errors
from riskgraph.cli.data import ingest_bars, show_ingest
from riskgraph.cli.db import apply_schema, start_server
from riskgraph.cli.risk import run_engine, show_summary
from riskgraph.engine.lock import pipeline_lock
from riskgraph.errors import RiskgraphError
from riskgraph.graph.credentials import write_secret
from riskgraph.graph.gateway import Gateway
from riskgraph.graph.server import port_in_use
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings, get_settings

if TYPE_CHECKING:
    from riskgraph.risk.analysis import Analysis

HOST = "127.0.0.1"  # the demo API listens on loopback only


@dataclass(frozen=True)
class DemoKeys:
    """The API keys the demo hands out: generated for this run unless configured."""

    settings: Settings  # with the keys in api_keys
    keys: dict[str, str]  # role -> key; empty when RISKGRAPH_API_KEYS was configured
    path: Path | None  # where generated keys were kept (mode 0600)


def demo_keys(settings: Settings) -> DemoKeys:
    """The configured keys, or a fresh random viewer/analyst/admin set for this demo only,
    kept 0600 beside the embedded server's data so that the printed curl keeps working."""
    if settings.api_keys is not None:
        return DemoKeys(settings, {}, None)
    keys = {role.value: secrets.token_urlsafe(24) for role in Role}
    line = ",".join(f"{role}:{key}" for role, key in keys.items())
    path = settings.neo4j_dir.parent / "demo-api-keys"
    # a fresh 0600 file renamed over any older one (whatever its bits): never empty or partial
    write_secret(path, f"RISKGRAPH_API_KEYS={line}\n")
    updated = settings.model_copy(update={"api_keys": SecretStr(line)})
    return DemoKeys(updated, keys, path)


def riskiest_unexposed(analysis: Analysis) -> str:
    """The highest-scored company that has not blown up itself (its score has evidence)."""
    scores = np.where(analysis.exposed, -np.inf, analysis.score)
    return str(analysis.snapshot.nodes["Company"].keys[int(np.argmax(scores))])


@contextmanager
def running_api(settings: Settings, port: int) -> Iterator[str]:
    """The API (uvicorn) serving in a background thread on loopback; yields its base URL
    and stops it on the way out (Ctrl-C included)."""
    import uvicorn

    from riskgraph.api.app import create_app

    if port_in_use(HOST, port):
        raise RiskgraphError(f"port {port} on {HOST} is in use: pass --port")
    config = uvicorn.Config(create_app(settings), host=HOST, port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="riskgraph-api", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RiskgraphError(f"the API did not start on {HOST}:{port}")
        time.sleep(0.05)
    try:
        yield f"http://{HOST}:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def write_explanation(base: str, key: str, company: str, out: Path) -> Path:
    """GET /companies/{id}/subgraph.html from the running API (which also loads its engine
    state, so the first visitor does not wait) and write it to ``out``."""
    url = f"{base}/companies/{urllib.parse.quote(company)}/subgraph.html"
    request = urllib.request.Request(url, headers={HEADER: key})
    with urllib.request.urlopen(request, timeout=300) as answer:
        page: bytes = answer.read()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(page)
    return out


def show_where_to_look(
    base: str, keys: DemoKeys, company: str, page: Path, analysis: Analysis, serving: bool
) -> None:
    """The URLs, the keys, a curl to copy and the top rings, in RISKGRAPH_LOCALE."""

    viewer = keys.keys.get("viewer", _("<a viewer key from RISKGRAPH_API_KEYS>"))

    def say(text: str) -> None:
        console.print(text, highlight=False, soft_wrap=True)

    heading = _("where to look")
    console.rule(f"[bold]{heading}")
    say(
        _("web app for investigators: {url} (sign in with the viewer key below)").format(
            url=f"{base}/ui/"
        )
    )
    say(
        _("  the riskiest company not exposed itself, {id}: {url}").format(
            id=company, url=f"{base}/ui/companies/{company}"
        )
    )
    say(_("API docs (OpenAPI): {url}").format(url=f"{base}/docs"))
    say(_("offline explanation page: {url}").format(url=page.resolve().as_uri()))
    if keys.keys:
        say(_("viewer key: {key}").format(key=keys.keys["viewer"]))
        say(_("analyst key: {key}").format(key=keys.keys["analyst"]))
        say(
            _("  (generated for this demo; all three roles kept 0600 in {path})").format(
                path=keys.path
            )
        )
    say(_("try:"))
    say(f"  curl -s -H '{HEADER}: {viewer}' {base}/companies/{company}/risk")
    for i, ring in enumerate(analysis.rings.rings[:3]):
        say(
            _("ring {ring}: score {score}, {companies} companies, {persons} people: {url}").format(
                ring=analysis.rings.id_at(i),
                score=f"{ring.score:.2f}",
                companies=len(ring.companies),
                persons=len(ring.persons),
                url=f"{base}/ui/rings/{analysis.rings.id_at(i)}",
            )
        )
    if serving:
        say(_("the API keeps running: Ctrl-C stops it (Neo4j keeps running)"))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve_until_interrupted() -> None:
    """Block the foreground until Ctrl-C or SIGTERM (the API serves from its thread
    meanwhile); Ctrl-C works even where the shell started us with SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        console.print("stopping the API")


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
    from riskgraph.cli.gnn import train as gnn_train

    settings = get_settings()
    with errors():
        start_server(settings)
        with Gateway(settings) as graph:
            apply_schema(graph)
            with pipeline_lock(settings.lock_file, "riskgraph demo (ingest)"):
                _load_province(graph, settings, companies, seed, out)
            if gnn:  # the rules first: the GNN learns from their analysis
                show_summary(run_engine(graph, settings, gnn=False, alerts=False))
        if gnn:
            gnn_train()  # `riskgraph gnn train` with its defaults: saved at settings.gnn_model
        with Gateway(settings) as graph:
            run = run_engine(graph, settings, gnn=bool(gnn))
        show_summary(run)
        keys = demo_keys(settings)
        company = riskiest_unexposed(run.analysis)
        with running_api(keys.settings, port) as base:
            key = keys.keys.get("viewer") or _configured_viewer(keys.settings)
            page = settings.neo4j_dir.parent / "demo" / f"subgraph-{company}.html"
            write_explanation(base, key, company, page)
            show_where_to_look(base, keys, company, page, run.analysis, serve)
            if serve:
                serve_until_interrupted()


def _load_province(
    graph: Gateway, settings: Settings, companies: int, seed: int, out: Path
) -> None:
    """Generate the demo bundle (once) and ingest it (re-runs change nothing)."""
    from riskgraph.ingest.generator import generate as generate_province

    if not (out / "companies.csv").is_file():
        with console.status(f"generating a {companies:,}-company province in {out}..."):
            generate_province(companies, seed, out)
    with ingest_bars() as bars:
        ingested = ingest_bundle(out, graph, settings, bars)
    show_ingest(ingested)


def _configured_viewer(settings: Settings) -> str:
    """A key from RISKGRAPH_API_KEYS able to read (the demo fetches a page with it)."""
    secret = settings.api_keys
    for item in ("" if secret is None else secret.get_secret_value()).split(","):
        parts = [p.strip() for p in item.split(":")]  # role:key or role:name:key
        if len(parts) > 1 and parts[0].lower() in {r.value for r in Role} and parts[-1]:
            return parts[-1]
    raise RiskgraphError("RISKGRAPH_API_KEYS holds no usable key")
