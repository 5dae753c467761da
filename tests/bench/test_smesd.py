"""The SMEsD evaluation's pieces on a hand-built case: the split file, the description
parser, the lawsuit features (never from exposures, blind to a shift of a company's
dates), the worlds (a company's own bankruptcy never reaches its features), and the
threshold (chosen on valid, applied as is to test). No training on the real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from bench import smesd_study as smesd
from riskgraph.graph.snapshot import Snapshot
from riskgraph.risk.analysis import analyze
from tests.risk.tiny import TinyGraph

LOAN = "借款合同纠纷类; 基层人民法院; 被告败诉"
LABOUR = "劳动人事争议类; 中级人民法院; 原告胜诉"


def _graph(*, exposure: bool = True, shift_days: int = 0) -> tuple[Snapshot, dict[str, str]]:
    """A (train, bankrupt) holds B (test) and C (valid); A and B share an officer. A has
    two loan lawsuits and its exposure; B one labour lawsuit. ``shift_days`` moves all of
    A's dates (founding and events) by that many days, as the source's observation point
    does."""
    g = TinyGraph()

    def when(text: str, shift: int = 0) -> str:
        return str(np.datetime64(text) + np.timedelta64(shift, "D"))

    a = g.company("A", established=when("2010-01-01", shift_days), registered_capital=1e6)
    b = g.company("B", established="2012-01-01", registered_capital=5e6)
    c = g.company("C", established="2014-01-01", registered_capital=2e6)
    g.holds(a, b, 0.5, by="Company")
    g.holds(a, c, 0.3, by="Company")
    g.officer("P1", a, "executive")
    g.officer("P1", b, "supervisor")
    g.event(a, "litigation", when("2015-01-01", shift_days))
    g.event(a, "litigation", when("2016-03-01", shift_days))
    if exposure:
        g.event(a, "exposure", when("2016-07-01", shift_days), severity=5)
    g.event(b, "litigation", "2019-05-01")
    snapshot = g.build()
    descriptions: dict[str, str] = {}
    for key in snapshot.nodes["Event"].keys:
        company, kind = str(key).split("/")[:2]
        if kind == "exposure":
            descriptions[str(key)] = "破产 (bankruptcy)"
        else:
            descriptions[str(key)] = LOAN if company == "A" else LABOUR
    return snapshot, descriptions


def _task(snapshot: Snapshot) -> smesd.Task:
    splits = {"A": ("train", True), "B": ("test", True), "C": ("valid", False)}
    return smesd.build_task(snapshot.nodes["Company"].keys, splits)


def test_read_splits_and_task(tmp_path: Path) -> None:
    path = tmp_path / "splits.csv"
    path.write_text("company_id,split,bankrupt\nA,train,1\nB,test,0\nZ,valid,1\n")
    splits = smesd.read_splits(path)
    assert splits == {"A": ("train", True), "B": ("test", False), "Z": ("valid", True)}
    task = smesd.build_task(np.array(["A", "B", "C"], dtype=object), splits)
    assert task.split.tolist() == [0, 2, -1]  # C is in no split
    assert task.label.tolist() == [True, False, False]
    assert task.mask("train", "test").tolist() == [True, True, False]
    path.write_text("company_id,split,bankrupt\nA,later,1\n")
    with pytest.raises(ValueError, match="unknown split"):
        smesd.read_splits(path)


def test_parse_description() -> None:
    assert smesd.parse_description(LOAN) == (0, 0, 0)
    cause, court, outcome = smesd.parse_description("something new; 中级人民法院")
    assert cause == len(smesd.CAUSES) and court == 1 and outcome == len(smesd.OUTCOMES)


def test_lawsuit_features_skip_exposures_and_ignore_a_shift_of_dates() -> None:
    snapshot, descriptions = _graph()
    own = smesd.own_features(snapshot, smesd.lawsuits(snapshot, descriptions))
    a, b, c = (snapshot.nodes["Company"].index[k] for k in "ABC")
    assert own["lawsuits"][a] == pytest.approx(np.log1p(2))  # the exposure is not a lawsuit
    assert own["lawsuits_cause_loan"][a] == pytest.approx(np.log1p(2))
    assert own["lawsuits_cause_labour"][b] == pytest.approx(np.log1p(1))
    assert own["lawsuits_court_intermediate"][b] == pytest.approx(np.log1p(1))
    assert own["lawsuit_span_years"][a] == pytest.approx(425 / 365.25)
    assert own["lawsuit_share_own_last_12m"][a] == pytest.approx(0.5)
    assert own["no_lawsuit"][c] == 1.0 and np.isnan(own["age_at_first_lawsuit"][c])
    # moving every date of A (its observation point) changes none of its features
    shifted, shifted_descriptions = _graph(shift_days=-1500)
    moved = smesd.own_features(shifted, smesd.lawsuits(shifted, shifted_descriptions))
    for name, values in own.items():
        np.testing.assert_allclose(moved[name], values, err_msg=name)


def test_a_hidden_company_looks_as_if_it_never_failed() -> None:
    """The target's own exposure (flag, event, contagion seeded at it) never reaches its
    features in the world that predicts it; its neighbours' known ones do."""
    snapshot, descriptions = _graph()
    clean, clean_descriptions = _graph(exposure=False)
    features = smesd.SMEsDFeatures(snapshot, analyze(snapshot), descriptions)
    never = smesd.SMEsDFeatures(clean, analyze(clean), clean_descriptions)
    task = _task(snapshot)
    keys = snapshot.nodes["Company"].keys
    a, b = (snapshot.nodes["Company"].index[k] for k in "AB")
    plan = smesd.stage(task, keys, ("train",), "valid", folds=2)
    (world,) = [w for w in plan.fit if w.targets[a]]
    assert world.hidden[a]
    nothing = np.zeros(len(keys), dtype=bool)
    schema = never.schema()
    for node_type, (names, values) in features.raw(world.hidden).items():
        clean_names, clean_values = never.raw(nothing)[node_type]
        assert names == clean_names
        np.testing.assert_allclose(values, clean_values, err_msg=node_type)
    names, row = features.table(world.hidden)
    clean_row = never.table(nothing)[1]
    np.testing.assert_allclose(row[a], clean_row[a])
    x = features.matrices(schema, world.hidden)["company"]
    assert np.allclose(x.numpy(), never.matrices(schema, nothing)["company"].numpy())
    # test is scored knowing A's (earlier) bankruptcy: B sees its bankrupt shareholder
    test_world = smesd.scoring_world(task, "test")
    assert not test_world.hidden[a] and test_world.targets.tolist() == [False, True, False]
    names, values = features.table(test_world.hidden)
    column = names.index("neighbours_direct_exposed")
    assert values[b, column] == pytest.approx(np.log1p(1))
    contagion = values[:, names.index("contagion")]
    assert contagion[b] > never.table(nothing)[1][b, names.index("contagion")]


def test_stages_hide_what_is_not_known_yet() -> None:
    snapshot, _ = _graph()
    task = _task(snapshot)
    keys = snapshot.nodes["Company"].keys
    later = smesd.stage(task, keys, ("train",), "valid", folds=3)
    # valid is scored knowing train only; each train company is a target exactly once
    assert later.score.hidden.tolist() == [False, True, True]
    assert np.stack([w.targets for w in later.fit]).sum(axis=0).tolist() == [1, 0, 0]
    assert all((w.hidden | ~w.targets).all() for w in later.fit)
    assert all(w.hidden[task.mask("valid", "test")].all() for w in later.fit)
    final = smesd.stage(task, keys, ("train", "valid"), "test", same_period=False)
    assert final.score.hidden.tolist() == [False, True, False]
    train, valid = final.fit
    assert train.hidden.all()  # nothing before train is known
    assert valid.hidden.tolist() == [False, True, True]  # valid knows train's bankruptcies


def test_threshold_chosen_on_valid_is_applied_to_test() -> None:
    valid_labels = np.array([True, True, False, True, False, False])
    valid_scores = np.array([0.9, 0.8, 0.7, 0.6, 0.2, 0.1])
    threshold = smesd.choose_threshold(valid_labels, valid_scores)
    assert threshold == pytest.approx(0.6)  # F1 6/7 there, better than at 0.8 (0.8)
    test_labels = np.array([True, False, True, False])
    test_scores = np.array([0.65, 0.61, 0.59, 0.1])  # the best cut on test would be 0.59
    got = smesd.metrics(test_labels, test_scores, threshold)
    assert got["accuracy"] == pytest.approx(0.5)  # predicted: 1, 1, 0, 0
    assert got["f1"] == pytest.approx(0.5)
    assert got["roc_auc"] == pytest.approx(0.75)
    assert smesd.summary([1.0, 3.0]) == (2.0, 1.0)


def test_columns_never_seen_varying_are_held_when_scoring() -> None:
    """With no known bankruptcy while fitting, the exposure columns are constant there;
    when scoring they are held at that value instead of meeting untrained weights."""
    fitted = [{"company": torch.tensor([[0.0, 1.0], [0.0, 2.0]])}]
    hold = smesd.hold_unseen(fitted)
    scored = hold({"company": torch.tensor([[5.0, 7.0], [0.0, 3.0]])})
    assert scored["company"].tolist() == [[0.0, 7.0], [0.0, 3.0]]
