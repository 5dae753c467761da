"""The package's import rules, read from its source: the layers point one way and nothing
imports in a circle (lazy imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskgraph"
# what each layer must never import (a lower layer never imports a higher one)
FORBIDDEN = {
    "riskgraph.graph": ("riskgraph.risk", "riskgraph.gnn", "riskgraph.engine", "riskgraph.api",
                        "riskgraph.cli", "riskgraph.i18n"),
    "riskgraph.ingest": ("riskgraph.risk", "riskgraph.gnn", "riskgraph.engine", "riskgraph.api",
                         "riskgraph.cli"),
    "riskgraph.risk": ("riskgraph.gnn", "riskgraph.engine", "riskgraph.api", "riskgraph.cli",
                       "riskgraph.i18n"),
    "riskgraph.gnn": ("riskgraph.engine", "riskgraph.api", "riskgraph.cli"),
    "riskgraph.engine": ("riskgraph.api", "riskgraph.cli"),
    "riskgraph.api": ("riskgraph.cli",),
}  # fmt: skip

pytestmark = pytest.mark.unit


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path) -> set[str]:
    """riskgraph modules imported anywhere in the file, except under ``if TYPE_CHECKING``."""
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("riskgraph"))
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("riskgraph"):
            module = str(node.module)
            for alias in node.names:  # `from riskgraph.cli import data` imports a module
                candidate = f"{module}.{alias.name}"
                found.add(candidate if _exists(candidate) else module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative).is_dir()


def _graph() -> nx.DiGraph:
    graph = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        source = _module(path)
        graph.add_node(source)
        for target in _imports(path):
            if target != source and not source.startswith(target + "."):
                graph.add_edge(source, target)
    return graph


def test_the_import_graph_is_read() -> None:
    """The reader itself works: known edges are found (so an empty graph cannot pass)."""
    graph = _graph()
    assert graph.has_edge("riskgraph.engine.engine", "riskgraph.risk.analysis")
    assert graph.has_edge("riskgraph.cli", "riskgraph.cli.data")
    assert graph.number_of_edges() > 100


def test_lower_layers_never_import_higher_ones() -> None:
    graph = _graph()
    wrong = [
        f"{source} -> {target}"
        for source, target in graph.edges
        for layer, banned in FORBIDDEN.items()
        if (source == layer or source.startswith(layer + "."))
        and any(target == b or target.startswith(b + ".") for b in banned)
    ]
    assert wrong == []


def test_nothing_imports_in_a_circle() -> None:
    cycles = list(nx.simple_cycles(_graph()))
    assert cycles == []


def test_private_names_stay_in_their_package() -> None:
    """``from riskgraph.x.y import _name`` only from inside ``riskgraph.x``."""
    wrong = []
    for path in PACKAGE.rglob("*.py"):
        package = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("riskgraph."):
                home = str(node.module).rsplit(".", 1)[0]
                for alias in node.names:
                    if alias.name.startswith("_") and not package.startswith(home):
                        wrong.append(f"{_module(path)}: {node.module}.{alias.name}")
    assert wrong == []
