"""Ring detection on small provinces whose gangs are planted by hand."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, timedelta

import pytest

from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.codes import Reason, RingReasonCode
from riskgraph.risk.rings import (
    RingParams,
    address_form,
    detect_rings,
    linkage,
    ring_reasons,
    ring_score,
)
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


@pytest.mark.parametrize(
    "spelling",
    [
        "浙江省杭州市西湖区文三路88号A座1203室",
        "浙江省杭州市西湖区文三路88号A栋1203室",
        "浙江省杭州市西湖区文三路88号A幢1203",
        "浙江省杭州市西湖区文三路88#A座1203",
        "浙江省杭州市西湖区文三路八十八号a座1203室",
    ],
)
def test_one_place_spelled_many_ways_has_one_form(spelling: str) -> None:
    assert address_form(spelling) == "浙江省杭州市西湖区文三路88号A幢1203"


def test_other_places_keep_their_own_forms() -> None:
    forms = {
        address_form(a)
        for a in (
            "浙江省杭州市西湖区文三路88号A座1203室",
            "浙江省杭州市西湖区文三路88号B座1203室",
            "浙江省杭州市西湖区文三路8号A座1203室",
            "浙江省杭州市西湖区文三路88号国际大厦12楼1203室",
            "浙江省杭州市西湖区三里屯路88号",
            "浙江省杭州市西湖区十里河88号",
        )
    }
    assert len(forms) == 6
    assert "浙江省杭州市西湖区三里屯路88号" in forms and "浙江省杭州市西湖区十里河88号" in forms


def test_a_ring_sharing_an_address_spelled_two_ways_is_linked() -> None:
    """Half the ring writes its room one way, half another: still one shared address."""
    g = TinyGraph()
    firms = [g.company(f"m{i}", established=_on("2022-03-01", i)) for i in range(6)]
    for i, firm in enumerate(firms):
        g.address(
            firm,
            "浙江省杭州市西湖区文三路88号A座1203室"
            if i % 2
            else "浙江省杭州市西湖区文三路88号A栋1203",
        )
    links = linkage(g.build(), RingParams().max_identifier_degree)
    assert links.nnz == 6 * 5


def plant_big_ring(g: TinyGraph, members: int = 48) -> set[str]:
    """A gang of ``members`` firms under two shells, fronted in turn by five nominees, on
    three phones and two addresses: each firm shares only a few things with the rest."""
    shells = [g.company(f"shell{i}", established="2021-11-01", industry="投资管理") for i in (0, 1)]
    g.holds(shells[0], shells[1], 1.0, by="Company")
    nominees = [g.person(f"nominee{i}") for i in range(5)]
    firms = []
    for i in range(members):
        firm = g.company(f"m{i:02d}", established=_on("2022-03-01", i), industry="资产管理")
        g.holds(shells[i % 2], firm, 0.9, by="Company")
        g.officer(nominees[i % 5], firm)
        g.phone(firm, f"+861390000000{i % 3}")
        g.address(firm, f"room 170{i % 2}")
        if i % 3 == 0:
            g.event(firm, "complaint", "2023-06-01")
        firms.append(firm)
    return {*shells, *firms}


def test_a_big_ring_is_found_whole() -> None:
    """CPM asks each member for link weight growing with the group's size; what a firm
    shares does not grow, so a big ring comes out of Leiden in parts and frayed:
    ``consolidate`` mends it."""
    g = TinyGraph()
    ring = plant_big_ring(g)
    group = plant_group(g, lambda k: k)
    add_hub(g, [k for k in (*ring, *group) if k in g.nodes["Company"]])
    found = _found(g.build())
    assert len(found) == 1
    assert ring <= found[0][1]


def test_a_small_group_bridged_to_a_ring_by_one_company_stays_apart() -> None:
    g = TinyGraph()
    ring = plant_big_ring(g, members=12)
    others = [g.company(f"shop{i}", established=_on("2010-01-01", 300 * i)) for i in range(6)]
    for i, shop in enumerate(others):  # a family's shops, one sharing the ring's phone
        g.phone(shop, "+8657188880000")
        g.address(shop, f"home {i % 2}")
    g.phone(others[0], "+8613900000000")
    found = _found(g.build())
    assert len(found) == 1 and not set(others) & found[0][1]
    assert ring <= found[0][1]


def plant_phone_ring(g: TinyGraph, members: int) -> list[str]:
    """``members`` firms registered a day apart, each fronted by its own nominee, all on one
    phone and sharing nothing else."""
    firms = []
    for i in range(members):
        firm = g.company(f"m{i:02d}", established=_on("2022-03-01", i), industry="资产管理")
        g.officer(g.person(f"front{i}"), firm)
        g.phone(firm, "+8613900000000")
        firms.append(firm)
    return firms


def test_a_ring_on_one_phone_and_nothing_else_is_found_without_its_neighbours() -> None:
    """Twenty firms on one phone are linked 1/19 a pair, too sparse for the first pass;
    the second finds them, and a family's shops tied to one of them by a chance shared
    address stay out."""
    g = TinyGraph()
    firms = plant_phone_ring(g, 20)
    for firm in firms[1::2]:
        g.event(firm, "complaint", "2023-06-01")
    owner = g.person("owner")
    shops = [g.company(f"shop{i}", established=_on("2010-01-01", 300 * i)) for i in range(3)]
    for shop in shops:
        g.officer(owner, shop)
    g.address(shops[0], "chance address")
    g.address(firms[0], "chance address")
    found = _found(g.build())
    assert len(found) == 1
    assert set(firms) <= found[0][1] and not set(shops) & found[0][1]


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


def test_a_member_with_a_tie_of_its_own_outside_still_joins_its_ring() -> None:
    """Ten firms fronted by a nominee each share one phone; one of them also shares an
    office with a firm of its own. Its tie to the ring (1, from nine companies) is as strong
    as its tie to that one firm, and the ring, the bigger group, takes it."""
    g = TinyGraph()
    firms = plant_phone_ring(g, 10)
    own = g.company("sister", established="2012-05-01")
    g.address(firms[0], "room 1701")
    g.address(own, "room 1701")
    found = _found(g.build())
    assert len(found) == 1
    assert set(firms) <= found[0][1]
    assert own not in found[0][1]
