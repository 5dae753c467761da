"""The product-path SMEsD bench's pieces on hand-made files: hiding a split's
bankruptcies from the bundle, the ROC-AUC of an exported column over one split, the tie
count. The CLI run itself is the bench's (`python -m bench smesd-product`)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench import smesd_product as product

SPLITS = {
    "A": ("train", True),
    "B": ("valid", True),
    "C": ("valid", False),
    "D": ("valid", False),
    "E": ("test", True),
}


def _events(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_without_exposures_removes_only_the_exposures_of_those_companies(tmp_path: Path) -> None:
    rows = [
        ("A", "2016-07-01", "exposure"),
        ("B", "2019-07-01", "exposure"),
        ("B", "2018-01-01", "litigation"),
        ("C", "2019-01-01", "litigation"),
    ]
    with (tmp_path / "events.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["company_id", "date", "type", "severity", "description"])
        writer.writerows([(c, d, t, "1", "") for c, d, t in rows])
    assert product.without_exposures(tmp_path, {"B", "C"}) == 1
    kept = [(r["company_id"], r["type"]) for r in _events(tmp_path / "events.csv")]
    assert kept == [("A", "exposure"), ("B", "litigation"), ("C", "litigation")]


def test_auc_reads_one_split_and_counts_a_missing_value_as_zero() -> None:
    rows = {
        "A": {"score": "0"},  # train: never read for valid
        "B": {"score": "90"},
        "C": {"score": "10"},
        # D was not exported: 0
        "E": {"score": "0"},
    }
    assert product.auc(rows, SPLITS, "valid", "score") == pytest.approx(1.0)
    rows["C"]["score"] = "95"
    assert product.auc(rows, SPLITS, "valid", "score") == pytest.approx(0.5)


def test_tied_counts_the_companies_that_share_their_score() -> None:
    rows = {"B": {"score": "40.5"}, "C": {"score": "40.5"}, "D": {"score": "12"}}
    assert product.tied(rows, ["B", "C", "D"]) == 2
    assert product.tied(rows, ["C", "D"]) == 0
