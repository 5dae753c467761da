"""Entity names for reasons: the snapshot holds ids only, so the engine looks the names up
once per batch of reasons and writes them into the reasons' parameters (the stored data
then needs no second look-up to be rendered)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from riskgraph.graph.gateway import QueryGateway
from riskgraph.risk.codes import Reason, entities, entities_in

NAMED = ("Company", "Person")  # the labels that have names; phones and addresses are text


def _with_names(value: Any, names: dict[tuple[str, str], str]) -> Any:
    if isinstance(value, dict):
        out = {k: _with_names(v, names) for k, v in value.items()}
        if "label" in value and "id" in value:
            name = names.get((str(value["label"]), str(value["id"])))
            if name:
                out["name"] = name
        return out
    if isinstance(value, list):
        return [_with_names(v, names) for v in value]
    return value


def lookup_names(
    graph: QueryGateway, keys: Iterable[tuple[str, str]], batch_size: int = 10_000
) -> dict[tuple[str, str], str]:
    """(label, id) -> name for the companies and persons among ``keys``."""
    wanted = sorted({k for k in keys if k[0] in NAMED})
    names: dict[tuple[str, str], str] = {}
    for start in range(0, len(wanted), batch_size):
        batch = [{"label": label, "id": key} for label, key in wanted[start : start + batch_size]]
        for row in graph.read("entity_names", entities=batch):
            if row["name"]:
                names[(row["label"], row["id"])] = row["name"]
    return names


def named_values(graph: QueryGateway, values: list[Any]) -> list[Any]:
    """JSON-like values (reason parameters, evidence paths) with every company and person
    entity in them named."""
    names = lookup_names(graph, ((str(e["label"]), str(e["id"])) for e in entities_in(values)))
    return [_with_names(v, names) for v in values]


def named(graph: QueryGateway, reasons: dict[int, list[Reason]]) -> dict[int, list[Reason]]:
    """The same reasons with every company and person they mention named."""
    keys = {
        (str(e["label"]), str(e["id"])) for rs in reasons.values() for r in rs for e in entities(r)
    }
    names = lookup_names(graph, keys)
    return {
        row: [Reason(r.code, _with_names(dict(r.params), names)) for r in rs]
        for row, rs in reasons.items()
    }
