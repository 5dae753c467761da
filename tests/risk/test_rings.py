"""Ring detection on small provinces whose gangs are planted by hand."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.codes import Reason, RingReasonCode
from riskgraph.risk.rings import RingParams, detect_rings, linkage, ring_reasons, ring_score
from tests.risk.tiny import TinyGraph


def _on(start: str, days: int) -> str:
    return (date.fromisoformat(start) + timedelta(days=days)).isoformat()


def plant_ring(g: TinyGraph, name: Callable[[str], str], members: int = 8) -> set[str]:
    """A fund-raising gang: a shell over ``members`` firms registered within a month,
    fronted by two nominees, sharing a phone and an address; complaints on half."""
    shell = g.company(name("shell"), established="2021-11-01", industry="投资管理")
    boss = g.person(name("boss"))
    g.holds(boss, shell, 1.0)
    nominees = [g.person(name("nominee1")), g.person(name("nominee2"))]
    firms = []
    for i in range(members):
        firm = g.company(name(f"m{i}"), established=_on("2022-03-01", 3 * i), industry="资产管理")
        g.holds(shell, firm, 0.9, by="Company")
        g.officer(nominees[i % 2], firm)
        g.officer(nominees[(i + 1) % 2], firm, "supervisor")
        g.phone(firm, name("+8613900000001"))
        if i % 2:
            g.address(firm, name("room 1701"))
            g.event(firm, "complaint", "2023-06-01")
        firms.append(firm)
    g.phone(shell, name("+8613900000001"))
    return {shell, *firms, boss, *nominees}


def plant_group(g: TinyGraph, name: Callable[[str], str], size: int = 8) -> set[str]:
    """A legitimate conglomerate: a holding tree grown over years, one HQ phone, a
    different legal representative at each firm, one director everywhere."""
    director = g.person(name("director"))
    firms = []
    for i in range(size):
        firm = g.company(name(f"g{i}"), established=_on("2008-01-01", 400 * i), industry="批发零售")
        if firms:
            g.holds(firms[(i - 1) // 2], firm, 1.0, by="Company")
        g.officer(g.person(name(f"legal{i}")), firm)
        g.officer(director, firm, "director")
        g.phone(firm, name("+8657100000000"))
        firms.append(firm)
    return {*firms, director}


def add_hub(g: TinyGraph, companies: list[str], extra: int = 80) -> None:
    """An incubator address on everyone's filing, plus ``extra`` tenants of its own."""
    for i in range(extra):
        companies.append(g.company(f"tenant{i:03d}", established=_on("2015-01-01", 30 * i)))
    for company in companies:
        g.address(company, "incubator")


def _found(snapshot: Snapshot, params: RingParams | None = None) -> list[tuple[float, set[str]]]:
    """Each reported ring as (score, member keys)."""
    companies, persons = snapshot.nodes["Company"].keys, snapshot.nodes["Person"].keys
    return [
        (r.score, {str(companies[c]) for c in r.companies} | {str(persons[p]) for p in r.persons})
        for r in detect_rings(snapshot, params).rings
    ]


def _province(name: Callable[[str], str]) -> tuple[Snapshot, set[str], set[str]]:
    g = TinyGraph()
    ring = plant_ring(g, name)
    group = plant_group(g, name)
    add_hub(g, [k for k in (*ring, *group) if k in g.nodes["Company"]])
    return g.build(), ring, group


def test_the_planted_ring_is_found_whole_and_the_conglomerate_is_not_a_ring() -> None:
    snapshot, ring, _ = _province(lambda k: k)
    found = _found(snapshot)
    assert [members for _, members in found] == [ring]
    assert found[0][0] >= RingParams().threshold


def test_the_conglomerate_scores_far_below_the_ring() -> None:
    snapshot, ring, group = _province(lambda k: k)
    found = _found(snapshot, RingParams(threshold=0.0))
    ring_scores = [score for score, members in found if members & ring]
    group_scores = [score for score, members in found if members & group]
    assert len(ring_scores) == len(group_scores) == 1
    assert ring_scores[0] > 0.6 > 0.3 > group_scores[0]


def test_a_hub_address_links_nobody() -> None:
    snapshot, _, _ = _province(lambda k: k)
    tenants = [snapshot.nodes["Company"].index[f"tenant{i:03d}"] for i in range(80)]
    links = linkage(snapshot, RingParams().max_identifier_degree)
    assert links[tenants][:, tenants].nnz == 0


def test_rings_do_not_depend_on_node_order() -> None:
    """The same province under keys that sort in another order gives the same rings."""

    def scramble(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:6] + "-" + key

    plain, _, _ = _province(lambda k: k)
    scrambled, _, _ = _province(scramble)
    params = RingParams(threshold=0.0)
    a = [(round(score, 9), sorted(members)) for score, members in _found(plain, params)]
    b = [
        (round(score, 9), sorted(k.split("-", 1)[1] for k in members))
        for score, members in _found(scrambled, params)
    ]
    assert a and sorted(a) == sorted(b)


def test_an_exposure_inside_raises_the_ring_score_and_is_a_reason() -> None:
    g = TinyGraph()
    plant_ring(g, lambda k: k)
    before = detect_rings(g.build()).rings[0]
    g.event("m3", "exposure", "2023-09-01")
    after = detect_rings(g.build()).rings[0]
    assert after.score > before.score
    assert after.features["exposed"] == 1
    assert Reason(RingReasonCode.MEMBERS_EXPOSED, {"exposed": 1}) in ring_reasons(after)


def test_ring_score_is_a_weighted_mean_in_0_1() -> None:
    nothing = dict.fromkeys(
        ["burst", "nominee_fronts", "high_risk_industry", "tied_share",
         "alarm_events_per_company", "exposed", "circular_holdings"], 0.0
    )  # fmt: skip
    everything = {**dict.fromkeys(nothing, 1.0), "alarm_events_per_company": 5.0, "exposed": 3.0}
    assert ring_score(nothing) == 0.0
    assert ring_score(everything) == pytest.approx(1.0)
