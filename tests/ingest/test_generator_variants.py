"""The generator's variation knobs (``Variant``) and its earlier wave of failures, checked
from the files alone: every named variant generates and repeats byte for byte, each knob
changes what it says, and the failures before and after t0 follow their seeds through the
channel the variant names."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import pytest
from typer.testing import CliRunner

from riskgraph.cli import app
from riskgraph.ingest.generator import VARIANTS, Channel, GenerationReport, Tie, Variant, generate
from riskgraph.ingest.normalise import normalise_phone
from tests.ingest.test_generator import FILES

T0 = date(2024, 1, 1)
N = 1500
SEED = 13


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def rings(out: Path) -> dict[str, dict[str, set[str]]]:
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in read_csv(out / "truth" / "rings.csv"):
        found[row["ring_id"]][row["role"]].add(row["entity_id"])
    return found


@pytest.fixture(scope="module")
def provinces(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, GenerationReport]]:
    made = {}
    for name, variant in VARIANTS.items():
        out = tmp_path_factory.mktemp(name)
        made[name] = (out, generate(N, SEED, out, T0, variant))
    return made


def test_every_variant_generates_and_says_which_it_is(
    provinces: dict[str, tuple[Path, GenerationReport]],
) -> None:
    for name, (out, report) in provinces.items():
        summary = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))
        assert summary["variant"] == VARIANTS[name].describe()
        assert report.rows["companies.csv"] == N
        assert len(rings(out)) == report.rings >= 3
        assert report.past_exposures > 0 and report.future_exposures > 0


@pytest.mark.parametrize("name", ["misspelled", "guarantee", "nominees-only", "big-rings"])
def test_same_variant_gives_byte_identical_files(
    name: str, provinces: dict[str, tuple[Path, GenerationReport]], tmp_path: Path
) -> None:
    out, _ = provinces[name]
    generate(N, SEED, tmp_path, T0, VARIANTS[name])
    for rel in [*FILES, "truth/rings.csv", "truth/future_exposures.csv",
                "truth/past_exposures.csv", "truth/summary.json"]:  # fmt: skip
        assert (tmp_path / rel).read_bytes() == (out / rel).read_bytes(), rel


def test_knobs_are_checked_at_construction() -> None:
    with pytest.raises(ValueError, match="ring_sizes"):
        Variant(ring_sizes=(2, 10))
    with pytest.raises(ValueError, match="misspelled"):
        Variant(misspelled=1.5)
    with pytest.raises(ValueError):
        Variant(channel="telepathy")  # type: ignore[arg-type]
    assert Variant(channel="guarantee").channel is Channel.GUARANTEE  # type: ignore[arg-type]


def _exposures(out: Path) -> dict[str, date]:
    """Company -> its (first) exposure date, from events.csv as a loader would read it."""
    found: dict[str, date] = {}
    for e in read_csv(out / "events.csv"):
        if e["type"] == "exposure":
            try:
                day = date.fromisoformat(e["date"])
            except ValueError:
                continue  # a planted bad row
            found[e["company_id"]] = min(day, found.get(e["company_id"], day))
    return found


def test_history_wave_has_seeds_long_before_t0_and_failures_following_them(
    provinces: dict[str, tuple[Path, GenerationReport]],
) -> None:
    out, report = provinces["default"]
    past = read_csv(out / "truth" / "past_exposures.csv")
    assert len(past) == report.past_exposures
    exposures = _exposures(out)
    for row in past:  # every blow-up before t0 is in the bundle, on its day
        assert exposures[row["company_id"]] == date.fromisoformat(row["date"]) <= T0
    seeds = [date.fromisoformat(r["date"]) for r in past if r["cause"] == "seed"]
    early = [d for d in seeds if d <= T0 - timedelta(days=366)]
    assert early, "no seed 1-3 years before t0"
    contagion = [date.fromisoformat(r["date"]) for r in past
                 if r["cause"] in ("ring_contagion", "controller_contagion")]  # fmt: skip
    assert len(contagion) >= 3
    assert all(d > min(early) for d in contagion)
    # a back-test cut after the earlier wave's seeds sees them, and failures after it
    cut = max(early) + timedelta(days=1)
    assert sum(d >= cut for d in contagion) >= 3
    # and the exposed rings of the earlier wave are rings like the others
    found = rings(out)
    seeded = {r["company_id"] for r in past if r["cause"] == "seed"}
    history_rings = [r for r in found.values() if r["member"] & seeded]
    assert len(history_rings) >= report.exposed_rings - 1
    assert date.fromisoformat(max(r["date"] for r in past)) <= T0


def _links(out: Path, kind: str) -> dict[str, set[str]]:
    adjacent: dict[str, set[str]] = defaultdict(set)
    for row in read_csv(out / "links.csv"):
        if row["type"] == kind:
            adjacent[row["source_id"]].add(row["target_id"])
            adjacent[row["target_id"]].add(row["source_id"])
    return adjacent


@pytest.mark.parametrize(("name", "kind"), [("guarantee", "guarantee"), ("loan", "loan")])
def test_failures_follow_the_channel_before_and_after_t0(
    name: str, kind: str, provinces: dict[str, tuple[Path, GenerationReport]]
) -> None:
    out, _ = provinces[name]
    cause = f"{kind}_contagion"
    adjacent = _links(out, kind)
    exposures = _exposures(out)
    past = read_csv(out / "truth" / "past_exposures.csv")
    future = read_csv(out / "truth" / "future_exposures.csv")
    causes = {r["cause"] for r in past + future}
    assert not causes & {"ring_contagion", "controller_contagion"}
    spread = [r for r in past + future if r["cause"] == cause]
    assert sum(r in past for r in spread) >= 5 and sum(r in future for r in spread) >= 5
    for row in spread:  # next to a company that blew up before it did
        day = date.fromisoformat(row["date"])
        assert any(exposures.get(o, day) < day for o in adjacent[row["company_id"]]), row


def test_guarantee_channel_is_learnable_at_a_few_thousand_companies(tmp_path: Path) -> None:
    """Enough failures next to earlier exposures through guarantees, before and after t0,
    for a back-test to weigh guarantees: most guarantee partners of a seed fail, few
    companies without one do."""
    generate(3000, 17, tmp_path, T0, VARIANTS["guarantee"])
    adjacent = _links(tmp_path, "guarantee")
    past = read_csv(tmp_path / "truth" / "past_exposures.csv")
    future = read_csv(tmp_path / "truth" / "future_exposures.csv")
    seeds = {r["company_id"] for r in past if r["cause"] == "seed"}
    failed = {r["company_id"] for r in past + future if r["cause"] != "seed"}
    partners = set().union(*(adjacent[s] for s in seeds)) - seeds
    assert len(partners & failed) >= 40
    assert len(partners & failed) / len(partners) > 0.5
    others = set(read_csv_ids(tmp_path)) - partners - seeds
    assert len(others & failed) / len(others) < 0.05


def read_csv_ids(out: Path) -> list[str]:
    return [r["id"] for r in read_csv(out / "companies.csv")]


def _e164(text: str) -> str | None:
    try:
        return normalise_phone(text).number
    except ValueError:
        return None


def test_ring_ties_knob_plants_only_the_named_evidence(
    provinces: dict[str, tuple[Path, GenerationReport]],
) -> None:
    for name, tie in (("phones-only", Tie.PHONE), ("addresses-only", Tie.ADDRESS),
                      ("nominees-only", Tie.PERSON)):  # fmt: skip
        out, _ = provinces[name]
        assert VARIANTS[name].ring_ties == {tie}
        legal: dict[str, set[str]] = defaultdict(set)
        officer: dict[str, set[str]] = defaultdict(set)
        for row in read_csv(out / "officers.csv"):
            officer[row["person_id"]].add(row["company_id"])
            if row["role"] == "legal_representative":
                legal[row["person_id"]].add(row["company_id"])
        holders = {r["holder_id"] for r in read_csv(out / "shareholdings.csv")
                   if r["holder_type"] == "company"}  # fmt: skip
        for ring in rings(out).values():
            companies = ring["member"] | ring["shell"]
            assert not ring["shell"] and not ring["controller"]
            assert not companies & holders  # no ownership among them
            fronts = max(len(c & companies) for c in legal.values())
            assert (fronts >= 2) == (tie is Tie.PERSON)
            if tie is not Tie.PERSON:  # nobody sits on two of its companies
                assert max(len(c & companies) for c in officer.values()) == 1


def test_misspelled_rings_write_their_identifiers_other_ways(
    provinces: dict[str, tuple[Path, GenerationReport]],
) -> None:
    out, _ = provinces["misspelled"]
    ring_companies = set().union(*(r["member"] | r["shell"] for r in rings(out).values()))
    spellings: dict[str, set[str]] = defaultdict(set)
    for row in read_csv(out / "phones.csv"):
        if row["entity_id"] in ring_companies and (number := _e164(row["phone"])):
            spellings[number].add(row["phone"])
    dirty = [s for s in set().union(*spellings.values()) if any(ch in s for ch in "：.（T")]
    assert dirty
    # a nominee under a second record: a name variant, no ID number, in the ring's truth
    persons = {r["id"]: r for r in read_csv(out / "persons.csv")}
    nominees = set().union(*(r["nominee"] for r in rings(out).values()))
    unnumbered = [p for p in nominees if p in persons and not persons[p]["id_number"]]
    assert any(" " in persons[p]["name"] or "\u3000" in persons[p]["name"] for p in unnumbered)
    e164 = {_e164(row["phone"]) for row in read_csv(out / "phones.csv")}
    assert None not in e164 - {None} and phonenumbers  # every dirty form still parses


def test_big_slow_and_hub_knobs(provinces: dict[str, tuple[Path, GenerationReport]]) -> None:
    sizes = [len(r["member"]) for r in rings(provinces["big-rings"][0]).values()]
    assert min(sizes) >= 3 and max(sizes) > 30
    out, _ = provinces["slow"]
    companies = {r["id"]: r for r in read_csv(out / "companies.csv")}
    spans = []
    for ring in rings(out).values():
        days = [date.fromisoformat(companies[c]["established"]) for c in ring["member"]]
        spans.append((max(days) - min(days)).days)
    assert max(spans) > 365

    def hubs(out: Path) -> int:
        counts: dict[str, int] = defaultdict(int)
        for row in read_csv(out / "addresses.csv"):
            counts[row["address"][-6:]] += 1
        return sum(1 for c in counts.values() if c >= 30)

    assert hubs(provinces["hubs"][0]) > hubs(provinces["default"][0])


def test_the_command_takes_a_variant_by_name(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["generate", "--companies", "300", "--seed", "7", "--out", str(tmp_path / "g")]
    result = runner.invoke(app, [*args, "--variant", "guarantee"])
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "g" / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["variant"]["channel"] == "guarantee"
    refused = runner.invoke(app, [*args, "--variant", "telepathy"])
    assert refused.exit_code == 2
