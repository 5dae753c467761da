"""Create the schema's constraints and indexes, idempotently (``riskgraph db migrate``).

DDL cannot take labels or property names as parameters, so this is the one place where
Cypher text is composed: from ``riskgraph.graph.schema`` only, whose identifiers are
checked at import, never from user input. Every statement uses ``IF NOT EXISTS``.

Constraints and indexes named the way this module names them (a schema label or type in
lower case, ``_``, then the property) that the schema no longer declares are *stale*: they
cost every write and no query needs them. ``migrate`` reports them and drops them only
with ``prune`` (``riskgraph db migrate --prune``), since a user may have named one of their
own that way.
"""

from __future__ import annotations

from dataclasses import dataclass

from riskgraph.graph.gateway import Gateway
from riskgraph.graph.schema import NODES, RELATIONSHIPS, NodeType, RelType, check_identifier
from riskgraph.search_text import search_forms


@dataclass(frozen=True)
class SchemaStatement:
    name: str
    kind: str  # "constraint" or "index"
    cypher: str


@dataclass(frozen=True)
class MigrationReport:
    created: tuple[str, ...]
    existing: tuple[str, ...]
    stale: tuple[str, ...] = ()  # ours by name, no longer declared, left in place
    dropped: tuple[str, ...] = ()  # stale ones dropped (prune)


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
        # the search form of names (riskgraph.search_text) with the CJK analyzer: Chinese
        # text in character bigrams, so part of a name finds it (the standard analyzer
        # makes one token of a whole run of Chinese characters)
        name = f"{label.lower()}_search"
        props = ", ".join(f"n.{_q(p)}" for p in node.fulltext)
        out.append(
            SchemaStatement(
                name,
                "index",
                f"CREATE FULLTEXT INDEX {_q(name)} IF NOT EXISTS "
                f"FOR (n:{_q(label)}) ON EACH [{props}] "
                "OPTIONS {indexConfig: {`fulltext.analyzer`: 'cjk'}}",
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


def _existing(graph: Gateway) -> dict[str, str]:
    """Name -> kind ("constraint" or "index") of what is in force, read once; a constraint's
    own index shares its name and counts as the constraint. Token lookup indexes are left
    out: Neo4j's own."""
    kinds = {r["name"]: "index" for r in graph.read("show_indexes") if r["type"] != "LOOKUP"}
    return kinds | {r["name"]: "constraint" for r in graph.read("show_constraints")}


_OUR_PREFIXES = tuple(
    [n.label.lower() + "_" for n in NODES] + [r.type.lower() + "_" for r in RELATIONSHIPS]
)


def _named_like_ours(name: str) -> bool:
    try:
        check_identifier(name)
    except ValueError:
        return False
    return name.startswith(_OUR_PREFIXES)


def _stale(existing: dict[str, str]) -> list[tuple[str, str]]:
    """(kind, name) of what is in force, named like ours, and not declared by the schema."""
    declared = {s.name for s in statements()}
    return sorted(
        (kind, name)
        for name, kind in existing.items()
        if name not in declared and _named_like_ours(name)
    )


def migrate(graph: Gateway, prune: bool = False, backfill: bool = True) -> MigrationReport:
    """Apply the schema; running it again changes nothing. ``prune`` also drops the stale
    constraints and indexes (module docstring), which are otherwise only reported.
    ``backfill`` fills in search forms an older graph lacks (not after a bulk import,
    whose rows carry them as the loader writes them)."""
    before = _existing(graph)
    created: list[str] = []
    for statement in statements():
        if statement.name not in before:
            graph.run_schema(statement.cypher)
            created.append(statement.name)
    leftover = _stale(before)  # what this run created is declared, so never stale
    dropped: list[str] = []
    if prune:
        for kind, name in leftover:
            graph.run_schema(f"DROP {kind.upper()} {_q(name)} IF EXISTS")
            dropped.append(name)
    graph.read("await_indexes", timeout_s=300)
    if backfill and any(name.endswith("_search") for name in created):
        fill_search_forms(graph)  # an older graph's first migration with search
    existing = tuple(s.name for s in statements() if s.name in before)
    return MigrationReport(
        created=tuple(created),
        existing=existing,
        stale=tuple(n for _, n in leftover if n not in dropped),
        dropped=tuple(dropped),
    )


def fill_search_forms(graph: Gateway, batch: int = 5000) -> int:
    """Give every company and person with a name its search forms (``search_text``), in
    batches: a graph loaded before search existed. Ingest writes them from then on. Returns
    how many nodes were filled in."""
    filled = 0
    while rows := graph.read("search_forms_missing", batch=batch):
        forms = [search_forms(str(row["name"])) for row in rows]
        graph.write(
            "search_forms_set",
            rows=[
                {
                    "label": row["label"],
                    "id": row["id"],
                    "search_name": form,
                    "name_initials": initials,
                }
                for row, (form, initials) in zip(rows, forms, strict=True)
            ],
        )
        filled += len(rows)
    return filled
