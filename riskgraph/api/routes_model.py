"""/model: the model card. How the current run's scores are made (relationship weights,
the combination of the components, the GNN), and what each level meant when the province's
own history was back-tested (``riskgraph calibrate``): "of the companies marked red, 38%
failed within a year"."""

from __future__ import annotations

from fastapi import APIRouter

from riskgraph.api.deps import Context, State, Viewer, Words
from riskgraph.api.models import (
    BacktestCard,
    CombinationTerm,
    GnnCard,
    LevelMeaning,
    ModelCard,
    RelationshipWeight,
)
from riskgraph.api.routes_companies import ERRORS
from riskgraph.engine import calibrate
from riskgraph.i18n.render import Renderer
from riskgraph.risk.calibration import Calibration, LevelRate
from riskgraph.weights import PATH_WEIGHTS

router = APIRouter(tags=["model"])


def _meanings(rates: tuple[LevelRate, ...], days: int, words: Renderer) -> list[LevelMeaning]:
    return [
        LevelMeaning(
            level=r.level.value,
            label=words.level(r.level),
            companies=r.companies,
            failed=r.failed,
            rate=None if r.companies == 0 else round(r.rate, 4),
            text=words.level_rate(r.level, r.failed, r.companies, days),
        )
        for r in rates
    ]


def _backtest(result: Calibration, words: Renderer) -> BacktestCard:
    days = result.horizon_days
    return BacktestCard(
        cutoff=result.cutoff,
        now=result.now,
        horizon_days=days,
        seeds=result.seeds,
        companies=result.companies,
        outcomes=result.outcomes,
        held_out_outcomes=result.held_out_outcomes,
        weights_status=result.weights_status.value,
        seed_half_life_days=result.seed_half_life_days,
        combination_status=result.combination_status.value,
        average_precision={k: round(v, 4) for k, v in result.ap.items() if v == v},
        fitted_at=result.fitted_at,
        levels=_meanings(result.levels, days, words),
        hand_set_levels=_meanings(result.hand_set_levels, days, words),
    )


@router.get("/model", response_model=ModelCard, responses=ERRORS)
def model_card(caller: Viewer, ctx: Context, state: State, words: Words) -> ModelCard:
    """How the scores of the current run are made, and each level's observed failure rate
    in the back-test of the province's own history. Viewers."""
    params = state.analysis.params
    combination = params.scoring.combination
    stored = calibrate.load(ctx.settings().calibration)
    applied = (
        stored is not None
        and stored.fitted
        and (
            stored.combination == combination
            and all(params.weights.get(k) == v for k, v in (stored.weights or {}).items())
            and (stored.weights is None or stored.seed_half_life_days == params.seed_half_life_days)
        )
    )
    model = state.model
    return ModelCard(
        run_id=state.run_id,
        scored_at=state.scored_at,
        combination="hand_set" if combination is None else "fitted",
        combination_fitted_by=None
        if combination is None
        else "gnn_train"
        if model is not None and model.combination == combination
        else "calibrate",
        combination_terms=[]
        if combination is None
        else [
            CombinationTerm(components=list(term), coefficient=round(value, 6))
            for term, value in zip(combination.terms, combination.coefficients, strict=True)
        ],
        combination_intercept=None if combination is None else round(combination.intercept, 6),
        component_weights=dict(params.scoring.weights),
        relationship_weights=[
            RelationshipWeight(
                relationship=rel_type,
                label=words.relation(rel_type),
                hand_set=PATH_WEIGHTS.get(rel_type, 0.0),
                used=float(params.weights.get(rel_type, 0.0)),
            )
            for rel_type in sorted(set(PATH_WEIGHTS) | set(params.weights))
        ],
        seed_half_life_days=params.seed_half_life_days,
        levels={
            "red": params.scoring.red,
            "orange": params.scoring.orange,
            "yellow": params.scoring.yellow,
        },
        backtest=None if stored is None else _backtest(stored, words),
        calibration_applied=bool(applied),
        gnn=None
        if model is None or state.analysis.gnn_probability is None
        else GnnCard(
            architecture=model.config.model.architecture,
            target=model.target,
            fingerprint=model.fingerprint,
            metrics={k: round(v, 6) for k, v in model.metrics.items() if v == v},
        ),
    )
