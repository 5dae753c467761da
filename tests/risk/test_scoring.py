"""Score components, their combination, levels and reasons on hand-built cases."""

from __future__ import annotations

import numpy as np
import pytest

from riskgraph.i18n.locale import Locale
from riskgraph.i18n.render import Renderer
from riskgraph.risk import scoring
from riskgraph.risk.analysis import analyze
from riskgraph.risk.codes import Reason, ReasonCode
from riskgraph.risk.reasons import Explainer, mask_phone
from riskgraph.risk.rings import company_legal_fronts, linkage
from riskgraph.risk.scoring import ScoringParams
from tests.risk.tiny import TinyGraph, day

PARAMS = ScoringParams()


def _zeros(n: int) -> dict[str, np.ndarray]:
    return {name: np.zeros(n) for name in scoring.COMPONENTS}


def test_exposed_is_100_nothing_is_0_and_one_component_scales_by_its_weight() -> None:
    components = _zeros(3)
    components["events"][2] = 0.5
    score = scoring.combine(components, np.array([True, False, False]), PARAMS)
    assert score[0] == 100.0
    assert score[1] == 0.0
    assert score[2] == pytest.approx(100 * PARAMS.weights["events"] * 0.5)


def test_components_combine_by_noisy_or_and_never_pass_100() -> None:
    components = {name: np.ones(1) for name in scoring.COMPONENTS}
    alone = {name: scoring.combine({**_zeros(1), name: np.ones(1)}, np.zeros(1, bool), PARAMS)[0]
             for name in scoring.COMPONENTS}  # fmt: skip
    together = scoring.combine(components, np.zeros(1, bool), PARAMS)[0]
    assert max(alone.values()) < together <= 100.0
    expected = 100 * (1 - np.prod([1 - PARAMS.weights[n] for n in scoring.COMPONENTS]))
    assert together == pytest.approx(expected)


def test_levels_and_tiers_at_the_boundaries() -> None:
    score = np.array([100, 80, 79.99, 60, 40, 39.99, 0])
    level = scoring.levels(score, PARAMS)
    assert level.tolist() == ["red", "red", "orange", "orange", "yellow", "none", "none"]
    assert scoring.tiers(level).tolist() == [
        "key_concern", "key_concern", "key_concern", "key_concern", "general_concern",
        "no_anomaly", "no_anomaly",
    ]  # fmt: skip
    custom = ScoringParams(red=90, orange=70, yellow=50)
    assert scoring.levels(np.array([85.0]), custom).tolist() == ["orange"]


def test_levels_must_be_ordered() -> None:
    with pytest.raises(ValueError, match="yellow <= orange <= red"):
        ScoringParams(red=50, orange=60, yellow=40)


def test_events_fade_with_age_and_exposures_are_not_events() -> None:
    g = TinyGraph()
    for name in ("fresh", "old", "exposed", "quiet"):
        g.company(name)
    g.event("fresh", "case_filed", "2024-01-01")
    g.event("old", "case_filed", "2023-01-01")  # one half-life earlier
    g.event("exposed", "exposure", "2024-01-01")
    snapshot = g.build()
    params = ScoringParams(as_of=day("2024-01-01"))
    events = dict(
        zip(snapshot.nodes["Company"].keys, scoring.event_component(snapshot, params), strict=True)
    )
    assert events["fresh"] == pytest.approx(1 - np.exp(-1.0))
    assert events["old"] == pytest.approx(1 - np.exp(-0.5), rel=1e-2)
    assert events["exposed"] == events["quiet"] == 0.0


def test_a_burst_counts_linked_companies_registered_close_together() -> None:
    g = TinyGraph()
    for name, when in (("a", "2023-01-01"), ("b", "2023-01-20"), ("c", "2023-02-05"),
                       ("late", "2023-06-01"), ("alone", "2023-01-02")):  # fmt: skip
        g.company(name, established=when)
    for name in ("a", "b", "c", "late"):
        g.phone(name, "+8613900000009")
    snapshot = g.build()
    facts = scoring.structure_facts(
        snapshot, linkage(snapshot, 60), company_legal_fronts(snapshot), PARAMS
    )
    burst = dict(zip(snapshot.nodes["Company"].keys, facts.burst.tolist(), strict=True))
    # a-b 19 days, b-c 16 days, a-c 35 days: all within 40; "late" and "alone" are not
    assert burst == {"a": 2, "b": 2, "c": 2, "late": 0, "alone": 0}


def test_contagion_component_is_logarithmic_between_floor_and_full() -> None:
    values = scoring.contagion_component(np.array([0.0, 1e-4, 1e-3, 1e-2, 0.1, 1.0]), PARAMS)
    assert values.tolist() == pytest.approx([0.0, 0.0, 1 / 3, 2 / 3, 1.0, 1.0])


def test_an_intact_ring_counts_less_than_a_blown_up_one() -> None:
    ring = scoring.ring_component(np.array([0.8, 0.8]), np.array([True, False]), PARAMS)
    assert ring.tolist() == pytest.approx([0.8, 0.8 * PARAMS.unexposed_ring])


def test_phones_are_masked() -> None:
    assert mask_phone("+8613812345678") == "+86138****5678"
    assert "12345" not in mask_phone("+8613812345678")


def test_a_shared_legal_representative_is_the_reason_and_scores_are_order_free() -> None:
    """X blew up; its legal representative also fronts Y. Z is unrelated."""

    def province(name: dict[str, str]) -> TinyGraph:
        g = TinyGraph()
        for company in ("X", "Y", "Z"):
            g.company(name[company], established="2020-01-01")
        g.person(name["front"])
        g.officer(name["front"], name["X"])
        g.officer(name["front"], name["Y"])
        g.phone(name["Z"], "+8613812345678")
        g.event(name["X"], "exposure", "2023-12-01")
        return g

    same = {k: k for k in ("X", "Y", "Z", "front")}
    analysis = analyze(province(same).build())
    keys = analysis.snapshot.nodes["Company"].keys.tolist()
    score = dict(zip(keys, analysis.score.tolist(), strict=True))
    assert score["X"] == 100.0
    assert score["Y"] > score["Z"]
    explainer = Explainer.build(analysis, analysis.evidence_tree())
    reasons = explainer.reasons(keys.index("Y"))
    front = {"label": "Person", "id": "front"}
    assert Reason(ReasonCode.FRONT_OF_EXPOSED, {"person": front, "exposed": 1}) in reasons
    (contagion,) = [r for r in reasons if r.code is ReasonCode.CONTAGION]
    hops = [(h["type"], h["entity"]["id"]) for h in contagion.params["path"]["hops"]]
    assert contagion.params["path"]["seed"]["id"] == "X"
    assert hops == [("OFFICER_OF", "front"), ("OFFICER_OF", "Y")]
    english = Renderer(Locale.EN).reason(contagion)
    assert "company X -[office]- person front -[office]- company Y" in english
    # the same province under keys that sort the other way round scores the same
    reverse = {"X": "c3", "Y": "b2", "Z": "a1", "front": "p"}
    flipped = analyze(province(reverse).build())
    back = {v: k for k, v in reverse.items()}
    again = zip(
        flipped.snapshot.nodes["Company"].keys.tolist(), flipped.score.tolist(), strict=True
    )
    assert {back[k]: v for k, v in again} == pytest.approx(score)
