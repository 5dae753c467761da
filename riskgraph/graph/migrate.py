"""Create the schema's constraints and indexes, idempotently (``riskgraph db migrate``).

DDL cannot take labels or property names as parameters, so this is the one place where
Cypher text is composed: from ``riskgraph.graph.schema`` only, whose identifiers are
checked at import, never from user input. Every statement uses ``IF NOT EXISTS``.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import NODES, RELATIONSHIPS, NodeType, RelType, check_identifier


@dataclass(frozen=True)
class SchemaStatement:
    name: str
    kind: str  # "constraint" or "index"
    cypher: str


@dataclass(frozen=True)
class MigrationReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]


def _q(identifier: str) -> str:
    return f"`{check_identifier(identifier)}`"


def _node_statements(node: NodeType) -> list[SchemaStatement]:
    label = node.label
    out: list[SchemaStatement] = []
    for prop in node.properties:
        if prop.name == node.key or prop.unique:
            name = f"{label.lower()}_{prop.name}_unique"
            out.append(
                SchemaStatement(
                    name,
                    "constraint",
                    f"CREATE CONSTRAINT {_q(name)} IF NOT EXISTS "
                    f"FOR (n:{_q(label)}) REQUIRE n.{_q(prop.name)} IS UNIQUE",
                )
            )
        elif prop.indexed:
            name = f"{label.lower()}_{prop.name}"
            out.append(
                SchemaStatement(
                    name,
                    "index",
                    f"CREATE INDEX {_q(name)} IF NOT EXISTS "
                    f"FOR (n:{_q(label)}) ON (n.{_q(prop.name)})",
                )
            )
    if node.fulltext:
        name = f"{label.lower()}_fulltext"
        props = ", ".join(f"n.{_q(p)}" for p in node.fulltext)
        out.append(
            SchemaStatement(
                name,
                "index",
                f"CREATE FULLTEXT INDEX {_q(name)} IF NOT EXISTS "
                f"FOR (n:{_q(label)}) ON EACH [{props}]",
            )
        )
    return out


def _relationship_statements(rel: RelType) -> list[SchemaStatement]:
    out: list[SchemaStatement] = []
    for prop in rel.properties:
        if prop.indexed:
            name = f"{rel.type.lower()}_{prop.name}"
            out.append(
                SchemaStatement(
                    name,
                    "index",
                    f"CREATE INDEX {_q(name)} IF NOT EXISTS "
                    f"FOR ()-[r:{_q(rel.type)}]-() ON (r.{_q(prop.name)})",
                )
            )
    return out


def statements() -> list[SchemaStatement]:
    """Every constraint and index the schema asks for, constraints first."""
    out = [s for node in NODES for s in _node_statements(node)]
    out += [s for rel in RELATIONSHIPS for s in _relationship_statements(rel)]
    return sorted(out, key=lambda s: (s.kind != "constraint", s.name))


def _existing_names(graph: Gateway) -> set[str]:
    names = {row["name"] for row in graph.read("show_constraints")}
    return names | {row["name"] for row in graph.read("show_indexes")}


def migrate(graph: Gateway) -> MigrationReport:
    """Apply the schema; running it again changes nothing."""
    before = _existing_names(graph)
    created: list[str] = []
    for statement in statements():
        if statement.name not in before:
            graph.run_schema(statement.cypher)
            created.append(statement.name)
    graph.read("await_indexes", timeout_s=300)
    existing = tuple(s.name for s in statements() if s.name in before)
    return MigrationReport(created=tuple(created), existing=existing)
