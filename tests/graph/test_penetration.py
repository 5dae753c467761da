"""The bounded equity penetration (equity_penetration and equity_penetration_page): groups
whose chains cannot all be enumerated end, and what the bounds cut is reported, never
silently lost. The answers are known by construction or from a reference in Python."""

from __future__ import annotations

import random
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from math import perm

import neo4j
import pytest

from riskgraph.graph import cypher, investigate
from riskgraph.graph.gateway import Gateway

TODAY = date.today()
MARKER = "// ---- equity_penetration and equity_penetration_page are the same query up to here"


def page(graph: Gateway, company: str, threshold: float = 0.0) -> investigate.Penetration:
    return investigate.penetrate(graph, {"id": company, "threshold": threshold})


def shells(driver: neo4j.Driver, share: float) -> None:
    """C0..C11, each holding `share` of each of the other eleven, and a person P holding
    0.3 of C1."""
    driver.execute_query(
        """
        UNWIND range(0, 11) AS i
        CREATE (:Company {id: 'C' + i, name: '壳公司' + i})
        WITH count(*) AS made
        MATCH (a:Company), (b:Company) WHERE a <> b
        CREATE (a)-[:HOLDS {share: $share}]->(b)
        WITH count(*) AS linked
        MATCH (c1:Company {id: 'C1'})
        CREATE (:Person {id: 'P', name: '外部人'})-[:HOLDS {share: 0.3}]->(c1)
        """,
        share=share,
    )


def test_the_page_and_the_rows_are_one_query() -> None:
    rows = cypher.load("equity_penetration").text
    whole = cypher.load("equity_penetration_page").text
    assert MARKER in rows and MARKER in whole
    assert rows.split(MARKER)[0] == whole.split(MARKER)[0]


def test_twelve_shells_holding_each_other_end_and_find_the_person(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    # 0.06 rather than 1/11: C1's holders (eleven shells and P) then hold 96% of it, so no
    # company is held more than 100% and pruned_share bounds what a holder lacks. A full
    # enumeration would walk 11 × 10! simple chains into C0 (about 4 × 10^7).
    shells(driver, 0.06)
    # At the default threshold the floor is 0.25 / 100: fewer chains, nobody reaches 25%,
    # and the answer still says what was cut. (This first call also plans the query.)
    default = page(graph, "C0", threshold=0.25)
    assert default.holders == [] and default.floor == pytest.approx(0.0025)
    assert default.examined == 11 + 110 + 990 + (1 + 10) and default.pruned_chains == 990

    started = time.perf_counter()
    found = page(graph, "C0", threshold=0.0)
    assert time.perf_counter() - started < 10  # generous: it must end, speed is for bench
    assert found.floor == pytest.approx(1e-4) and not found.capped
    # Chains from C0 of 1..3 hops have products 0.06, 0.0036, 0.000216 >= the floor and are
    # followed; the 11·10·9·8 four-hop ones (0.06⁴ ≈ 1.3e-5) are counted but not followed,
    # and each of their tops is held by a shell not in the chain: all pruned. P sits on
    # top of the 1 + 10 + 90 followed chains that end at C1.
    assert found.examined == 11 + 110 + 990 + 7920 + (1 + 10 + 90)
    assert found.pruned_chains == 7920
    assert found.pruned_share == pytest.approx(7920 * 0.06**4)

    holders = {h.holder_id: h for h in found.holders}
    assert set(holders) == {f"C{i}" for i in range(1, 12)} | {"P"}
    person = holders["P"]
    assert (person.holder_label, person.holder_name, person.ultimate) == ("Person", "外部人", True)
    assert person.chains == 101
    assert [link.id for link in person.paths[0]] == ["P", "C1", "C0"]
    # Every simple chain P → C1 → (k of the other ten shells) → C0 within 10 hops:
    exact = 0.3 * sum(perm(10, k) * 0.06 ** (k + 1) for k in range(9))
    followed = 0.3 * (0.06 + 10 * 0.06**2 + 90 * 0.06**3)
    assert person.effective_share == pytest.approx(followed)
    assert 0 <= exact - person.effective_share <= found.pruned_share
    assert exact - person.effective_share < 0.005  # 0.0347 of 0.0390
    assert not any(holders[f"C{i}"].ultimate for i in range(1, 12))

    # The rows of equity_penetration are the page's holders.
    rows = graph.read("equity_penetration", id="C0", threshold=0.0, max_chains=5, as_of=TODAY)
    assert [investigate.Holder.model_validate(r) for r in rows] == found.holders
    assert {(r["examined"], r["pruned_chains"], r["capped"]) for r in rows} == {
        (found.examined, found.pruned_chains, False)
    }


def test_the_cap_stops_what_the_floor_cannot(graph: Gateway, driver: neo4j.Driver) -> None:
    # Shells holding half of each other (more than 100% of each company: data no registry
    # should hold) keep every chain within 10 hops above the floor (0.5¹⁰ ≈ 0.001): only
    # the cap ends the search.
    shells(driver, 0.5)
    started = time.perf_counter()
    found = page(graph, "C0", threshold=0.0)
    assert time.perf_counter() - started < 10
    assert (found.capped, found.examined) == (True, 20_000)
    assert {h.holder_id for h in found.holders} == {f"C{i}" for i in range(1, 12)} | {"P"}
    direct = next(h for h in found.holders if h.holder_id == "C5")
    assert [link.id for link in direct.paths[0]] == ["C5", "C0"]


def test_chains_under_the_floor_are_reported_not_lost(graph: Gateway, driver: neo4j.Driver) -> None:
    # P owns all of A0..A199, each of which holds 0.2% of T: P owns 40% of T, through 200
    # chains of 0.002 each, under the floor of the default threshold (0.25 / 100 = 0.0025).
    driver.execute_query(
        """
        CREATE (t:Company {id: 'T'}), (p:Person {id: 'P'})
        WITH t, p UNWIND range(0, 199) AS i
        CREATE (p)-[:HOLDS {share: 1.0}]->(:Company {id: 'A' + i})-[:HOLDS {share: 0.002}]->(t)
        """
    )
    cut = page(graph, "T", threshold=0.25)
    assert cut.holders == [] and not cut.capped
    assert (cut.examined, cut.pruned_chains) == (200, 200)
    # The 40% P was not credited with is in the bound, above the threshold: the caller can
    # say that a holder may reach it unseen.
    assert cut.pruned_share == pytest.approx(0.4)
    assert graph.read("equity_penetration", id="T", threshold=0.25, max_chains=5, as_of=TODAY) == []

    every = page(graph, "T", threshold=0.0)  # floor 0.0001: the chains are followed
    assert (every.pruned_chains, every.pruned_share, every.examined) == (0, 0.0, 400)
    person = every.holders[0]
    assert (person.holder_id, person.chains, person.ultimate) == ("P", 200, True)
    assert person.effective_share == pytest.approx(0.4)


def test_a_chain_without_share_is_not_followed_but_counted(
    graph: Gateway, driver: neo4j.Driver
) -> None:
    # Q owns P, P holds A with no share recorded, A holds T 0.5: the chain P → A → T is
    # worth 0 and is listed for P; Q above it is not reached, and the cut says so.
    driver.execute_query(
        """
        CREATE (q:Company {id: 'Q'}), (p:Company {id: 'P'}), (a:Company {id: 'A'}),
               (t:Company {id: 'T'}),
               (q)-[:HOLDS {share: 1.0}]->(p), (p)-[:HOLDS]->(a),
               (a)-[:HOLDS {share: 0.5}]->(t)
        """
    )
    found = page(graph, "T")
    assert {h.holder_id: h.effective_share for h in found.holders} == {"A": 0.5, "P": 0.0}
    assert (found.pruned_chains, found.pruned_share, found.capped) == (1, 0.0, False)


def test_chains_end_at_ten_hops_and_say_so(graph: Gateway, driver: neo4j.Driver) -> None:
    # X12 → X11 → ... → X1 → X0, each owning all of the next: X1..X10 are within 10 hops of
    # X0; the chain from X10 is cut and counted, X11 and X12 are not reached.
    driver.execute_query(
        """
        UNWIND range(0, 12) AS i CREATE (:Company {id: 'X' + i})
        WITH count(*) AS made
        UNWIND range(1, 12) AS i
        MATCH (up:Company {id: 'X' + i}), (down:Company {id: 'X' + (i - 1)})
        CREATE (up)-[:HOLDS {share: 1.0}]->(down)
        """
    )
    found = page(graph, "X0", threshold=0.5)
    assert [h.holder_id for h in found.holders] == sorted(f"X{i}" for i in range(1, 11))
    assert all(h.effective_share == 1.0 for h in found.holders)
    assert (found.examined, found.pruned_chains, found.pruned_share) == (10, 1, 1.0)


def test_an_unknown_id_and_a_person(graph: Gateway, driver: neo4j.Driver) -> None:
    driver.execute_query("CREATE (:Person {id: 'P'})-[:HOLDS {share: 0.5}]->(:Company {id: 'T'})")
    with pytest.raises(investigate.EntityNotFound):
        page(graph, "nobody")
    of_person = page(graph, "P")  # a person is held by nobody: an empty page, not an error
    assert (of_person.holders, of_person.examined, of_person.capped) == ([], 0, False)


# --- a reference in Python on random groups with cycles ----------------------------------
@dataclass(frozen=True)
class Edge:
    holder: str
    company: str
    share: float | None
    since: date | None
    until: date | None


@dataclass(frozen=True)
class Expected:
    holders: dict[str, tuple[float, int, bool, list[str]]]  # share, chains, ultimate, path
    examined: int
    pruned_chains: int
    pruned_share: float


def random_group(seed: int) -> list[Edge]:
    """Seven companies and two persons, holdings in and out of force, cycles and self-holdings."""
    rng = random.Random(seed)
    companies, persons = [f"C{i}" for i in range(7)], ["P0", "P1"]
    edges = []
    for holder in companies + persons:
        for company in companies:
            if rng.random() > (0.1 if holder == company else 0.6):
                continue
            share = None if rng.random() < 0.05 else rng.uniform(0.001, 0.6)
            since = rng.choice([None, None, date(2019, 5, 1), date(2999, 1, 1)])
            until = rng.choice([None, None, None, None, None, date(2021, 1, 1)])
            edges.append(Edge(holder, company, share, since, until))
    return edges


def reference(edges: list[Edge], target: str, threshold: float) -> Expected:
    """The documented search without the cap: breadth first up the edges in force today,
    simple chains only, a chain followed while its product is at least the floor and it
    is under 10 hops."""
    held_by: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for e in edges:
        if (e.since is None or e.since <= TODAY) and (e.until is None or e.until > TODAY):
            held_by[e.company].append((e.holder, 0.0 if e.share is None else e.share))
    floor = max(threshold / 100, 1e-4)
    found: list[tuple[list[str], float]] = []
    frontier = [([target], 1.0)]
    for _ in range(10):
        frontier = [
            ([*nodes, holder], p * share)
            for nodes, p in frontier
            if p >= floor
            for holder, share in held_by[nodes[-1]]
            if holder not in nodes
        ]
        found += frontier
    cut = [
        p
        for nodes, p in found
        if (p < floor or len(nodes) == 11) and any(h not in nodes for h, _ in held_by[nodes[-1]])
    ]
    by_holder: dict[str, list[tuple[list[str], float]]] = defaultdict(list)
    for nodes, p in found:
        by_holder[nodes[-1]].append((nodes, p))
    holders = {}
    for holder, chains in by_holder.items():
        share = sum(p for _, p in chains)
        if share >= threshold:
            strongest = min(chains, key=lambda c: (-c[1], len(c[0]), c[0][::-1]))
            holders[holder] = (share, len(chains), not held_by[holder], strongest[0][::-1])
    return Expected(holders, len(found), len(cut), sum(cut))


@pytest.mark.parametrize("seed", range(6))
def test_matches_the_reference_on_random_groups(
    graph: Gateway, driver: neo4j.Driver, seed: int
) -> None:
    edges = random_group(seed)
    driver.execute_query(
        """
        UNWIND range(0, 6) AS i CREATE (:Company {id: 'C' + i})
        WITH count(*) AS made
        UNWIND ['P0', 'P1'] AS id CREATE (:Person {id: id})
        WITH count(*) AS made
        UNWIND $edges AS e
        MATCH (h {id: e.holder}), (c:Company {id: e.company})
        CREATE (h)-[:HOLDS {share: e.share, since: e.since, until: e.until}]->(c)
        """,
        edges=[vars(e) for e in edges],
    )
    for target in ("C0", "C3"):
        for threshold in (0.0, 0.05, 0.25):
            want = reference(edges, target, threshold)
            got = page(graph, target, threshold)
            assert not got.capped
            assert (got.examined, got.pruned_chains) == (want.examined, want.pruned_chains)
            assert got.pruned_share == pytest.approx(want.pruned_share)
            holders = {h.holder_id: h for h in got.holders}
            assert set(holders) == set(want.holders)
            for holder, (share, chains, ultimate, path) in want.holders.items():
                h = holders[holder]
                assert h.effective_share == pytest.approx(share)
                assert (h.chains, h.ultimate, [x.id for x in h.paths[0]]) == (
                    chains,
                    ultimate,
                    path,
                )
            order = [h.holder_id for h in got.holders]
            assert order == sorted(order, key=lambda h: (-want.holders[h][0], h))
