"""The investigation notebook, executed end to end (nbclient, the venv's own Python as its
kernel) against a small analysed province in the session's Neo4j, then its outputs read."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from riskgraph.engine.engine import Engine
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.generator import generate
from riskgraph.ingest.pipeline import ingest_bundle
from riskgraph.settings import Settings

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "01_investigation.ipynb"
KERNEL = "riskgraph-test"
FETCHING = re.compile(r"""\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture(scope="module")
def analysed(neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """1,500 companies generated, ingested and analysed (what `riskgraph demo` leaves)."""
    path = tmp_path_factory.mktemp("notebook-province")
    generate(1500, 5, path)
    with Gateway(neo4j_settings) as graph:
        graph.run_autocommit("wipe_graph", batch=10_000)
        ingest_bundle(path, graph, neo4j_settings)
        Engine(graph, neo4j_settings, gnn=False).run(raise_alerts=False)
    return neo4j_settings


def _kernel(home: Path) -> Path:
    """A kernelspec running this very interpreter (the venv), found through JUPYTER_PATH."""
    spec = home / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "riskgraph (tests)", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return home


def _text(cell: Any) -> str:
    """Everything a cell showed: streams, and the plain/HTML forms of results."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            data = output["data"]
            parts.append(data.get("text/html") or data.get("text/plain", ""))
    return "".join(parts)


def _cell(nb: Any, marker: str) -> str:
    found = [c for c in nb.cells if c.cell_type == "code" and marker in c.source]
    assert len(found) == 1, f"no single code cell with {marker!r}"
    return _text(found[0])


@pytest.mark.usefixtures("server_env")
def test_investigation_notebook_runs_and_explains(
    analysed: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTER_PATH", str(_kernel(tmp_path / "jupyter")))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # jupyter_core's own future default
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()

    errors = [o for c in nb.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert errors == []

    platform = re.search(r"exposed platform: (\S+)", _cell(nb, "exposed platform:"))
    assert platform is not None
    platform_id = platform.group(1)

    hit = _cell(nb, "companies hit by")
    assert re.search(r"\d+ companies hit by " + re.escape(platform_id), hit)
    assert "<table" in hit and hit.count("<tr>") >= 2  # a header and at least one company
    assert f"企业 {platform_id}" in hit  # paths start at the platform (zh-CN by default)

    why = _cell(nb, "evidence paths")
    assert "why " in why and "evidence paths from the platform:" in why

    assert re.search(r"ring R\d{4}: score", _cell(nb, "api_ring"))

    pages = list((tmp_path / "investigation").glob("subgraph-*.html"))
    assert len(pages) == 1
    html = pages[0].read_text(encoding="utf-8")
    assert "<html" in html and "drawGraph" in html
    assert FETCHING.findall(html) == []
    assert "explanation page written to" in _cell(nb, "write_subgraph_html(")
