"""A generated province through the real loader: the planted truth is the answer key."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import neo4j
import pytest

from riskgraph.graph.credentials import id_key_file, id_key_for, password_for
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.generator import generate
from riskgraph.settings import Settings
from tests.ingest.conftest import Ingest, counts


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("province")
    generate(1500, 11, out)
    return out


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_counts_equal_valid_rows_and_rejections_equal_the_planted_ones(
    bundle: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    report = ingest(bundle)
    truth = _csv(bundle / "truth" / "malformed.csv")
    planted = {(r["file"], int(r["line"])) for r in truth if r["outcome"] == "rejected"}
    nulled = {(r["file"], int(r["line"]), r["reason"]) for r in truth if r["outcome"] == "warning"}
    rejected = {
        (path.name, int(row["_line"]))
        for path in (bundle / "_rejected").glob("*.csv")
        for row in _csv(path)
    }
    warned = {
        (path.name, int(row["line"]), row["kind"])
        for path in (bundle / "_warnings").glob("*.csv")
        for row in _csv(path)
    }
    assert planted and rejected == planted
    assert nulled and warned == nulled
    per_file = Counter(name for name, _ in planted)
    for summary in report.files:
        assert summary.rejected == per_file[summary.name]
        assert summary.loaded == summary.read - per_file[summary.name]
    shape = counts(driver)
    assert shape["Company"] == len(_csv(bundle / "companies.csv")) - per_file["companies.csv"]
    assert shape["Person"] == len(_csv(bundle / "persons.csv")) - per_file["persons.csv"]
    assert shape["HOLDS"] == len(_csv(bundle / "shareholdings.csv")) - per_file["shareholdings.csv"]
    assert shape["Event"] == len(_csv(bundle / "events.csv")) - per_file["events.csv"]
    # phones written several ways collapse: fewer Phone nodes than phone rows
    assert shape["Phone"] < len(_csv(bundle / "phones.csv")) - per_file["phones.csv"]


def test_a_killed_load_rerun_ends_with_the_uninterrupted_counts(
    bundle: Path, ingest: Ingest, driver: neo4j.Driver, neo4j_settings: Settings, graph: Gateway
) -> None:
    id_key_for(neo4j_settings)  # made on first use: the subprocess must find the same key
    env = {
        **os.environ,
        "NEO4J_URI": neo4j_settings.bolt_uri,
        "NEO4J_PASSWORD": password_for(neo4j_settings),
        "RISKGRAPH_ID_KEY_FILE": str(id_key_file(neo4j_settings)),
        "RISKGRAPH_INGEST_BATCH_SIZE": "100",
    }
    loader = subprocess.Popen(
        [sys.executable, "-m", "riskgraph.cli", "ingest", str(bundle)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    holdings = 0
    while holdings == 0 and loader.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
        holdings = driver.execute_query("MATCH ()-[r:HOLDS]->() RETURN count(r) AS c").records[0][
            "c"
        ]
    loader.send_signal(signal.SIGKILL)
    loader.wait()
    assert loader.returncode == -signal.SIGKILL, "the load finished before it could be killed"
    partial = counts(driver)

    ingest(bundle)  # the re-run
    after_rerun = counts(driver)
    assert partial != after_rerun

    graph.run_autocommit("wipe_graph", batch=1000)
    ingest(bundle)  # uninterrupted, from empty
    assert counts(driver) == after_rerun
