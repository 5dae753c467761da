"""A planted province for the GNN: a few marked hubs (many complaints) that some companies
guarantee; those companies follow the risky pattern, and half of them are already exposed.
Every other company guarantees an ordinary one, and all companies are alike otherwise, so
only the graph tells the pattern apart."""

from __future__ import annotations

from collections.abc import Callable

from riskgraph.graph.snapshot import Snapshot
from tests.risk.tiny import TinyGraph

ORDINARY, PATTERN, EXPOSED, HUBS = 160, 60, 30, 3
Rename = Callable[[str], str]


def _same(key: str) -> str:
    return key


def planted(rename: Rename = _same) -> tuple[TinyGraph, Snapshot]:
    """``rename`` maps every key (companies, people, phones, addresses) to another, to test
    that nothing depends on how keys sort."""
    g = TinyGraph()

    def company(key: str) -> str:
        name = g.company(rename(key), established="2018-05-01", registered_capital=1e6)
        g.officer(rename(f"person-{key}"), name)
        g.phone(name, rename(f"phone-{key}"))
        g.address(name, rename(f"address-{key}"))
        return name

    hubs = [company(f"hub{i}") for i in range(HUBS)]
    for hub in hubs:
        for month in range(1, 7):
            g.event(hub, "complaint", f"2023-0{month}-15")
    for i in range(PATTERN):
        name = company(f"pattern{i}")
        g.link("GUARANTEE", name, hubs[i % HUBS])
        if i < EXPOSED:
            g.event(name, "exposure", "2023-06-01")
    ordinary = [company(f"ordinary{i}") for i in range(ORDINARY)]
    for i, name in enumerate(ordinary):
        g.link("GUARANTEE", name, ordinary[(i + 1) % ORDINARY])
    return g, g.build()


def planted_truth(rename: Rename = _same) -> dict[str, bool]:
    """Company key -> whether it follows the pattern, over the companies not exposed and
    not hubs: what a model trained on the exposures should rank."""
    truth = {rename(f"pattern{i}"): True for i in range(EXPOSED, PATTERN)}
    truth.update({rename(f"ordinary{i}"): False for i in range(ORDINARY)})
    return truth
