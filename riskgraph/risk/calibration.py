"""Back-tested calibration: the province's own history fits what is otherwise hand-set.

Events carry dates, so a province is its own training set (the Zhoushan platform's 回溯
loop, DOMAIN.md seed 004): the graph as it stood at a cut-off date, the exposures known
then as seeds, and the companies that failed in the horizon after the cut-off as the
outcomes. Nothing after the cut-off is seen but those outcomes. On that split this module
fits, on two thirds of the companies, and checks on the other third (held out):

- **propagation**: the relationship weights (``riskgraph.weights.PATH_WEIGHTS``) and how
  fast an exposure stops seeding contagion (its half-life), by coordinate search over a
  grid, for the average precision of contagion on the outcomes;
- **the combination** of the components into the 0-100 score
  (``riskgraph.risk.combination``);
- **what each level means**: the observed failure rate of its companies.

Fitted weights are a candidate only when their contagion does at least as well as the
hand-set weights' on the held-out third, and they are kept only when the whole score
with them (the noisy-OR or the fitted combination, whichever ranks the held-out third
better) does at least as well there as with the hand-set weights: weights that help
contagion alone may still lower the whole score. The fitted combination is kept when it
does at least as well on the held-out third as the noisy-OR. With too thin a history
(``MIN_OUTCOMES``) nothing is fitted. Pure: snapshots and masks in, a ``Calibration``
out; reading the graph as of the cut-off and storing the result happen in
``riskgraph.engine.calibrate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from riskgraph.graph.schema import Level
from riskgraph.graph.snapshot import FloatArray, Snapshot
from riskgraph.risk import scoring
from riskgraph.risk.analysis import AnalysisParams, analyze
from riskgraph.risk.combination import Combination, fit_combination
from riskgraph.risk.evaluation import folds_of, ranking_quality
from riskgraph.risk.propagation import Propagator, contagion_graph, seed_strength

# Below this many failures among the companies scored (or a third of it held out, or this
# few seeds), the held-out figures move more from one company to the next than between
# the weights being chosen: the hand-set values stay (docs/risk-model.md, "Back-test").
MIN_OUTCOMES = 30
MIN_HELD_OUT = 10
MIN_SEEDS = 5
HELD_OUT = 3  # one company in HELD_OUT (by a hash of its id) is held out
WEIGHT_GRID = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.7, 0.85, 1.0)
# how fast an exposure stops seeding contagion (days to half; None: never)
HALF_LIFE_GRID: tuple[float | None, ...] = (None, 730.0, 365.0, 180.0, 90.0, 30.0)
STEPS = 8  # moves of the weight search at most
GAIN = 0.01  # a weight moves only for at least this relative gain in average precision


# the rankings whose average precision a back-test reports: (companies, ranking, parameters)
AP_KEYS = (
    "fit_contagion_hand_set",  # fitting companies: contagion with the hand-set weights
    "fit_contagion_fitted",  # ... with the fitted weights
    "held_out_contagion_hand_set",  # held-out companies: the same two
    "held_out_contagion_fitted",
    "held_out_score_hand_set",  # held-out: the hand-set score (weights and combination)
    "held_out_score_hand_set_combination",  # the noisy-OR on the contagion kept
    "held_out_score_fitted",  # the fitted combination on the contagion kept
    "fit_score_fitted",
    "held_out_score_kept",  # held-out: the score kept (weights and combination)
    "held_out_score_fitted_weights",  # the best score with the fitted weights (candidates)
)


class FitStatus(StrEnum):
    FITTED = "fitted"  # fitted, and at least as good as the hand-set on the held-out third
    NOT_BETTER = "not_better"  # fitted, but worse on the held-out third: hand-set kept
    THIN = "thin"  # too few outcomes, held-out outcomes or seeds: nothing fitted


@dataclass(frozen=True)
class LevelRate:
    """Of the held-out companies at a level in the back-test, how many failed within the
    horizon."""

    level: Level
    companies: int
    failed: int

    @property
    def rate(self) -> float:
        return self.failed / self.companies if self.companies else float("nan")


@dataclass(frozen=True)
class Calibration:
    cutoff: date
    now: date
    horizon_days: int
    seeds: int  # exposures known at the cut-off
    companies: int  # companies scored in the back-test (not exposed at the cut-off)
    outcomes: int  # of them, failed within the horizon
    held_out_outcomes: int
    weights_status: FitStatus
    combination_status: FitStatus
    weights: dict[str, float] | None = None  # None: the hand-set ones
    # with fitted weights, the seeds' half-life fitted with them (None there: no fading)
    seed_half_life_days: float | None = None
    combination: Combination | None = None  # None: the hand-set noisy-OR
    # average precision on the outcomes, by ranking and companies (``AP_KEYS``)
    ap: dict[str, float] = field(default_factory=dict)
    levels: tuple[LevelRate, ...] = ()  # with what is kept
    hand_set_levels: tuple[LevelRate, ...] = ()
    fitted_at: str = ""

    @property
    def fitted(self) -> bool:
        return self.weights is not None or self.combination is not None

    def apply(self, params: AnalysisParams) -> AnalysisParams:
        """``params`` with what this calibration kept (thresholds and the rest as given)."""
        scoring_params = replace(params.scoring, combination=self.combination)
        if self.weights is None:
            return replace(params, scoring=scoring_params)
        return replace(
            params,
            weights={**params.weights, **self.weights},
            seed_half_life_days=self.seed_half_life_days,
            scoring=scoring_params,
        )

    def to_dict(self) -> dict[str, Any]:
        def rates(levels: tuple[LevelRate, ...]) -> list[dict[str, Any]]:
            return [{"level": r.level.value, "companies": r.companies, "failed": r.failed}
                    for r in levels]  # fmt: skip

        return {
            "cutoff": self.cutoff.isoformat(),
            "now": self.now.isoformat(),
            "horizon_days": self.horizon_days,
            "seeds": self.seeds,
            "companies": self.companies,
            "outcomes": self.outcomes,
            "held_out_outcomes": self.held_out_outcomes,
            "weights_status": self.weights_status.value,
            "combination_status": self.combination_status.value,
            "weights": self.weights,
            "seed_half_life_days": self.seed_half_life_days,
            "combination": None if self.combination is None else self.combination.to_dict(),
            "ap": self.ap,
            "levels": rates(self.levels),
            "hand_set_levels": rates(self.hand_set_levels),
            "fitted_at": self.fitted_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        def rates(items: list[dict[str, Any]]) -> tuple[LevelRate, ...]:
            return tuple(
                LevelRate(Level(i["level"]), int(i["companies"]), int(i["failed"])) for i in items
            )

        weights = data.get("weights")
        combination = data.get("combination")
        return cls(
            cutoff=date.fromisoformat(data["cutoff"]),
            now=date.fromisoformat(data["now"]),
            horizon_days=int(data["horizon_days"]),
            seeds=int(data["seeds"]),
            companies=int(data["companies"]),
            outcomes=int(data["outcomes"]),
            held_out_outcomes=int(data["held_out_outcomes"]),
            weights_status=FitStatus(data["weights_status"]),
            combination_status=FitStatus(data["combination_status"]),
            weights=None if weights is None else {str(k): float(v) for k, v in weights.items()},
            seed_half_life_days=(
                None
                if data.get("seed_half_life_days") is None
                else float(data["seed_half_life_days"])
            ),
            combination=None if combination is None else Combination.from_dict(combination),
            ap={str(k): float(v) for k, v in data.get("ap", {}).items()},
            levels=rates(data.get("levels", [])),
            hand_set_levels=rates(data.get("hand_set_levels", [])),
            fitted_at=str(data.get("fitted_at", "")),
        )


@dataclass(frozen=True)
class Option:
    """One way to score the back-test: hand-set or fitted weights, noisy-OR (None) or the
    fitted combination; its score and its average precision on the held-out third."""

    fitted_weights: bool
    combination: Combination | None
    score: FloatArray
    held_out_ap: float
    fit_ap: float


def choose(options: Sequence[Option], weights_eligible: bool) -> Option:
    """What the back-test keeps of ``options`` (per set of weights, the noisy-OR then the
    fitted combination): with each set of weights the fitted combination unless the
    noisy-OR ranks the held-out third better; the fitted weights when ``weights_eligible``
    (their contagion alone did as well) and the whole score with them does as well as
    with the hand-set ones."""

    def best(fitted_weights: bool) -> Option:
        noisy, learned = (o for o in options if o.fitted_weights == fitted_weights)
        return learned if learned.held_out_ap >= noisy.held_out_ap else noisy

    kept = best(False)
    if weights_eligible and best(True).held_out_ap >= kept.held_out_ap:
        kept = best(True)
    return kept


def held_out(keys: npt.NDArray[np.object_]) -> npt.NDArray[np.bool_]:
    """One company in ``HELD_OUT``, by a hash of its id: the same split on every run."""
    held: npt.NDArray[np.bool_] = folds_of(keys, HELD_OUT) == 0
    return held


def _ap(labels: npt.NDArray[np.bool_], values: FloatArray) -> float:
    return ranking_quality(labels, values)[1]


@dataclass(frozen=True)
class Propagation:
    """What the search fits: relationship weights and the seeds' half-life."""

    weights: dict[str, float]
    half_life: float | None = None


class WeightSearch:
    """Contagion for any relationship weights and seed half-life, fast: the contagion graph
    is linear in the weights, so it is the per-type graphs summed with them, made once."""

    def __init__(
        self, snapshot: Snapshot, seeds: npt.NDArray[np.int64], alpha: float, today: float
    ) -> None:
        self.alpha = alpha
        exposed = np.zeros(snapshot.size("Company"), dtype=bool)
        exposed[seeds] = True  # seeds in order: their strengths follow them
        self._strength = {h: seed_strength(snapshot, exposed, h, today) for h in HALF_LIFE_GRID}
        self.parts: dict[str, sp.csr_array] = {}
        present = {key[1] for key, table in snapshot.edges.items() if len(table)}
        for rel_type in sorted(present):
            graph = contagion_graph(snapshot, {rel_type: 1.0})
            if graph.adjacency.nnz:
                self.parts[rel_type] = graph.adjacency
        graph = contagion_graph(snapshot, {})
        self.companies = graph.indices("Company")
        self.seeds = np.sort(seeds) + graph.offsets.get("Company", 0)
        self.size = graph.adjacency.shape[0]

    def contagion(self, weights: Mapping[str, float], half_life: float | None = None) -> FloatArray:
        adjacency = sp.csr_array((self.size, self.size))
        for rel_type, part in self.parts.items():
            if weights.get(rel_type, 0.0) > 0.0:
                adjacency = adjacency + weights[rel_type] * part
        if half_life not in self._strength:
            raise ValueError(f"half-life {half_life} is not one of {HALF_LIFE_GRID}")
        propagator = Propagator(sp.csr_array(adjacency), self.alpha)
        scores = propagator.scores(self.seeds, strength=self._strength[half_life])
        out: FloatArray = scores[self.companies]
        return out


def search_weights(
    search: WeightSearch,
    start: Propagation,
    labels: npt.NDArray[np.bool_],
    fit: npt.NDArray[np.bool_],
    halves: npt.NDArray[np.bool_],
) -> tuple[Propagation, float]:
    """Greedy search over ``WEIGHT_GRID`` and ``HALF_LIFE_GRID`` from ``start`` at its best
    half-life: at each step every relationship type is tried at every value of the grid,
    and the half-life at every value of its own, the rest held, and the one move that
    raises the average precision of contagion on ``fit`` most is made, if it gains at
    least ``GAIN`` there and loses on neither half of ``fit`` (``halves``: a fixed split of
    it); at most ``STEPS`` moves. The halves guard the wider search against a move that
    only fits a few companies' noise. (what was found, its AP on ``fit``)."""
    parts = (fit, fit & halves, fit & ~halves)

    def ap_of(candidate: Propagation) -> tuple[float, ...]:
        values = search.contagion(candidate.weights, candidate.half_life)
        return tuple(_ap(labels[part], values[part]) for part in parts)

    def better(new: tuple[float, ...], old: tuple[float, ...]) -> bool:
        return new[0] > old[0] * (1.0 + GAIN) and new[1] >= old[1] and new[2] >= old[2]

    # the climb starts from the given weights at the best half-life
    current, best = start, ap_of(start)
    for candidate in (Propagation(start.weights, h) for h in HALF_LIFE_GRID):
        figures = ap_of(candidate)
        if better(figures, best):
            current, best = candidate, figures
    for _ in range(STEPS):
        candidates = [
            Propagation({**current.weights, rel_type: value}, current.half_life)
            for rel_type in sorted(search.parts)
            if rel_type in current.weights
            for value in WEIGHT_GRID
            if value != current.weights[rel_type]
        ] + [Propagation(current.weights, h) for h in HALF_LIFE_GRID if h != current.half_life]
        move: Propagation | None = None
        move_figures = best
        for candidate in candidates:
            figures = ap_of(candidate)
            if better(figures, best) and figures[0] > move_figures[0]:
                move, move_figures = candidate, figures
        if move is None:
            break
        current, best = move, move_figures
    return current, best[0]


def on_hand_set_scale(found: Mapping[str, float], start: Mapping[str, float]) -> dict[str, float]:
    """``found`` scaled so that its strongest relationship weighs what the hand-set
    strongest does. A back-test tells how relationship types compare (lowering all but
    guarantees ranks like raising guarantees); the overall scale, with ``alpha``, sets how
    fast risk fades per hop, which the hand-set values define and the search does not fit."""
    top, fitted_top = max(start.values(), default=0.0), max(found.values(), default=0.0)
    if fitted_top <= 0.0 or top <= 0.0:
        return dict(found)
    return {k: round(min(1.0, v * top / fitted_top), 4) for k, v in found.items()}


def level_rates(
    level: npt.NDArray[np.str_], failed: npt.NDArray[np.bool_], among: npt.NDArray[np.bool_]
) -> tuple[LevelRate, ...]:
    return tuple(
        LevelRate(lv, int((among & (level == lv.value)).sum()),
                  int((among & failed & (level == lv.value)).sum()))
        for lv in (Level.RED, Level.ORANGE, Level.YELLOW, Level.NONE)
    )  # fmt: skip


def backtest(
    past: Snapshot,
    failed: npt.NDArray[np.bool_],
    *,
    cutoff: date,
    now: date,
    horizon_days: int,
    base: AnalysisParams | None = None,
    fitted_at: str = "",
) -> Calibration:
    """Fit on the graph as of the cut-off (``past``) and the companies of it that failed
    within the horizon after (``failed``, aligned with its companies)."""
    base = base or AnalysisParams()
    base = replace(base, scoring=replace(base.scoring, combination=None))
    exposed = past.exposed()
    established = past.nodes["Company"].columns.get("established")
    cutoff_day = float(np.datetime64(cutoff, "D").astype(np.int64))
    existed = np.ones(len(exposed), bool) if established is None else ~(established > cutoff_day)
    scored = ~exposed & existed
    labels = failed & scored
    held = held_out(past.nodes["Company"].keys) & scored
    fit = scored & ~held
    hand = analyze(past, base)
    hand_levels = level_rates(hand.level, labels, held)
    nothing = Calibration(
        cutoff=cutoff,
        now=now,
        horizon_days=horizon_days,
        seeds=int(exposed.sum()),
        companies=int(scored.sum()),
        outcomes=int(labels.sum()),
        held_out_outcomes=int(labels[held].sum()),
        weights_status=FitStatus.THIN,
        combination_status=FitStatus.THIN,
        levels=hand_levels,
        hand_set_levels=hand_levels,
        fitted_at=fitted_at,
    )
    if (
        nothing.outcomes < MIN_OUTCOMES
        or nothing.held_out_outcomes < MIN_HELD_OUT
        or nothing.seeds < MIN_SEEDS
    ):
        return nothing
    ap: dict[str, float] = {}
    # 1. the relationship weights
    search = WeightSearch(past, np.flatnonzero(exposed), base.alpha, hand.as_of)
    start = Propagation({k: float(v) for k, v in base.weights.items()}, base.seed_half_life_days)
    # the fitting companies in two halves (the held-out third is fold6 0 or 3; each half
    # holds two of the other four)
    halves = folds_of(past.nodes["Company"].keys, 2 * HELD_OUT) % 2 == 1
    searched = search_weights(search, start, labels, fit, halves)[0]
    found = replace(searched, weights=on_hand_set_scale(searched.weights, start.weights))
    hand_contagion = hand.contagion  # the hand-set analysis' own
    fitted_contagion = search.contagion(found.weights, found.half_life)
    ap["fit_contagion_fitted"] = _ap(labels[fit], fitted_contagion[fit])
    ap["fit_contagion_hand_set"] = _ap(labels[fit], hand_contagion[fit])
    ap["held_out_contagion_hand_set"] = _ap(labels[held], hand_contagion[held])
    ap["held_out_contagion_fitted"] = _ap(labels[held], fitted_contagion[held])
    weights_eligible = (
        found != start and ap["held_out_contagion_fitted"] >= ap["held_out_contagion_hand_set"]
    )
    # 2. the combination, for each set of weights still in the running; the fitted weights
    # stay only if the whole score with them does as well on the held-out third: a part
    # that helps on its own (better contagion) may still lower the whole score
    ap["held_out_score_hand_set"] = _ap(labels[held], hand.score[held])
    options: list[Option] = []
    for fitted_weights in (False, True) if weights_eligible else (False,):
        contagion = fitted_contagion if fitted_weights else hand_contagion
        components = {
            **hand.components,
            "contagion": scoring.contagion_component(contagion, base.scoring),
        }
        noisy_or = scoring.combine(components, exposed, base.scoring)
        learned = fit_combination(
            components, labels, fit, hand.score, scored, (base.scoring.red, base.scoring.yellow)
        )
        fitted_score = scoring.combine(
            components, exposed, replace(base.scoring, combination=learned)
        )
        logit = learned.logit(components)
        for combination, score, ranking in (
            (None, noisy_or, noisy_or),
            (learned, fitted_score, logit),
        ):
            options.append(
                Option(
                    fitted_weights,
                    combination,
                    score,
                    _ap(labels[held], ranking[held]),
                    _ap(labels[fit], ranking[fit]),
                )
            )

    kept = choose(options, weights_eligible)
    # with the weights kept: the noisy-OR, the fitted combination
    pair = [o for o in options if o.fitted_weights == kept.fitted_weights]
    ap["held_out_score_hand_set_combination"] = pair[0].held_out_ap
    ap["held_out_score_fitted"] = pair[1].held_out_ap
    ap["fit_score_fitted"] = pair[1].fit_ap
    ap["held_out_score_kept"] = kept.held_out_ap
    if weights_eligible:  # what decided on the fitted weights, kept or not
        with_fitted = [o.held_out_ap for o in options if o.fitted_weights]
        ap["held_out_score_fitted_weights"] = max(with_fitted)
    weights_status = FitStatus.FITTED if kept.fitted_weights else FitStatus.NOT_BETTER
    combination_ok, final = kept.combination is not None, kept.score
    level = scoring.levels(final, base.scoring)
    return replace(
        nothing,
        weights_status=weights_status,
        combination_status=FitStatus.FITTED if combination_ok else FitStatus.NOT_BETTER,
        weights=found.weights if kept.fitted_weights else None,
        seed_half_life_days=found.half_life if kept.fitted_weights else None,
        combination=kept.combination,
        ap=ap,
        levels=level_rates(level, labels, held),
    )
