"""Invariants of the synthetic province, checked from the files alone (as a loader would).

The rules below are written from the bundle specification, not from the generator's code,
so a planted malformed row must break exactly the rule its reason names and every other
row must pass them all.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import phonenumbers
import pytest
from stdnum.cn import ric, uscc

from riskgraph.ingest.generator import GenerationReport, generate

T0 = date(2024, 1, 1)
N = 2000
SEED = 11
FILES = (
    "companies.csv", "persons.csv", "shareholdings.csv", "officers.csv", "addresses.csv",
    "phones.csv", "links.csv", "events.csv",
)  # fmt: skip
HEADERS = {
    "companies.csv": [
        "id", "uscc", "name", "status", "established", "registered_capital", "industry", "region",
    ],
    "persons.csv": ["id", "name", "id_number", "birth_year"],
    "shareholdings.csv": ["holder_id", "holder_type", "company_id", "share", "amount", "since"],
    "officers.csv": ["person_id", "company_id", "role", "since"],
    "addresses.csv": ["entity_id", "address"],
    "phones.csv": ["entity_id", "phone"],
    "links.csv": ["source_id", "target_id", "type", "amount", "since"],
    "events.csv": ["company_id", "date", "type", "severity", "description"],
}  # fmt: skip
STATUSES = {"active", "revoked", "cancelled", "abnormal"}
ROLES = {"legal_representative", "director", "supervisor", "manager", "executive"}
LINK_TYPES = {"guarantee", "loan", "trade", "branch", "rent", "creditor"}
EVENT_TYPES = {
    "exposure", "case_filed", "litigation", "penalty", "abnormal_operation", "complaint",
    "negative_news", "tax_delinquency",
}  # fmt: skip
FUND_INDUSTRIES = {
    "投资管理",
    "资产管理",
    "互联网金融",
    "融资租赁",
    "商务咨询",
    "私募基金",
    "供应链金融",
}
WIDE = str.maketrans("０１２３４５６７８９", "0123456789")


@dataclass
class Bundle:
    out: Path
    report: GenerationReport
    rows: dict[str, list[dict[str, str]]]  # data rows, index i is physical line i + 2
    malformed: dict[tuple[str, int], str]
    companies: dict[str, dict[str, str]] = field(default_factory=dict)  # valid ones
    persons: dict[str, dict[str, str]] = field(default_factory=dict)

    def valid(self, name: str) -> list[dict[str, str]]:
        return [r for i, r in enumerate(self.rows[name]) if (name, i + 2) not in self.malformed]


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load(out: Path, report: GenerationReport) -> Bundle:
    rows = {name: read_csv(out / name) for name in FILES}
    malformed = {
        (r["file"], int(r["line"])): r["reason"] for r in read_csv(out / "truth" / "malformed.csv")
    }
    b = Bundle(out, report, rows, malformed)
    b.companies = {r["id"]: r for r in b.valid("companies.csv")}
    b.persons = {r["id"]: r for r in b.valid("persons.csv")}
    return b


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("province")
    return load(out, generate(N, SEED, out, T0))


# ---------------------------------------------------------------------------- the rules


def parse_date(text: str) -> date | None:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def share_value(text: str) -> float | None:
    body = text[:-1] if text.endswith("%") else text
    if not is_number(body):
        return None
    return float(body) / 100 if text.endswith("%") else float(body)


def normal_phone(text: str) -> phonenumbers.PhoneNumber:
    return phonenumbers.parse(text.translate(WIDE), "CN")


def violations(b: Bundle, name: str, row: dict[str, str]) -> set[str]:
    """Every rule of the bundle spec that ``row`` breaks (empty set: a valid row)."""
    bad: set[str] = set()

    def need(*cols: str) -> bool:
        missing = [c for c in cols if not row[c]]
        if missing:
            bad.add("missing_field")
        return not missing

    def when(col: str, optional: bool = True) -> None:
        if row[col] or not optional:
            day = parse_date(row[col])
            if day is None:
                bad.add("bad_date")

    def company(col: str) -> None:
        if row[col] and row[col] not in b.companies:
            bad.add("dangling_reference")

    def entity(col: str, kind: str | None = None) -> None:
        known = (
            b.companies if kind == "company" else b.persons if kind == "person" else
            {**b.companies, **b.persons}
        )  # fmt: skip
        if row[col] and row[col] not in known:
            bad.add("dangling_reference")

    if name == "companies.csv":
        need("id", "uscc", "name", "status", "established", "registered_capital", "region")
        if row["uscc"] and (row["id"] != row["uscc"] or not uscc.is_valid(row["uscc"])):
            bad.add("invalid_uscc")
        if row["status"] and row["status"] not in STATUSES:
            bad.add("unknown_type")
        when("established", optional=False)
        if row["registered_capital"] and not is_number(row["registered_capital"]):
            bad.add("bad_number")
        if not re.fullmatch(r"33\d{4}", row["region"]):
            bad.add("bad_region")
    elif name == "persons.csv":
        need("id", "name")
        if row["id_number"] and not ric.is_valid(row["id_number"]):
            bad.add("invalid_id_number")
        year = row["birth_year"]
        if year and not (year.isascii() and year.isdigit()):
            bad.add("bad_number")
        elif year and row["id_number"] and row["id_number"][6:10] != year:
            bad.add("inconsistent_birth_year")
    elif name == "shareholdings.csv":
        if need("holder_id", "holder_type", "company_id", "share"):
            if row["holder_type"] not in ("person", "company"):
                bad.add("unknown_holder_type")
            else:
                entity("holder_id", row["holder_type"])
        company("company_id")
        value = share_value(row["share"]) if row["share"] else 1.0
        if value is None:
            bad.add("bad_number")
        elif not 0 < value <= 1:
            bad.add("share_out_of_range")
        if row["amount"] and not is_number(row["amount"]):
            bad.add("bad_number")
        when("since")
    elif name == "officers.csv":
        need("person_id", "company_id", "role")
        if row["role"] and row["role"] not in ROLES:
            bad.add("unknown_role")
        entity("person_id", "person")
        company("company_id")
        when("since")
    elif name in ("addresses.csv", "phones.csv"):
        col = "address" if name == "addresses.csv" else "phone"
        need("entity_id", col)
        entity("entity_id")
        phone = row.get("phone", "")
        if phone and not phonenumbers.is_valid_number(normal_phone(phone)):
            bad.add("bad_phone")
    elif name == "links.csv":
        need("source_id", "target_id", "type")
        if row["type"] and row["type"] not in LINK_TYPES:
            bad.add("unknown_type")
        company("source_id")
        company("target_id")
        if row["amount"] and not is_number(row["amount"]):
            bad.add("bad_number")
        when("since")
    elif name == "events.csv":
        need("company_id", "date", "type")
        if row["type"] and row["type"] not in EVENT_TYPES:
            bad.add("unknown_type")
        company("company_id")
        if row["date"]:
            day = parse_date(row["date"])
            if day is None:
                bad.add("bad_date")
            elif day > T0:
                bad.add("after_t0")
        if row["severity"] and row["severity"] not in {"1", "2", "3", "4", "5"}:
            bad.add("bad_number")
    return bad


# ---------------------------------------------------------------------------- tests


def test_same_parameters_give_byte_identical_files(bundle: Bundle, tmp_path: Path) -> None:
    again = generate(N, SEED, tmp_path / "again", T0)
    assert again == GenerationReport(tmp_path / "again", **{
        k: v for k, v in vars(bundle.report).items() if k != "out"
    })  # fmt: skip
    for rel in [*FILES, "truth/rings.csv", "truth/future_exposures.csv", "truth/malformed.csv",
                "truth/summary.json"]:  # fmt: skip
        assert (bundle.out / rel).read_bytes() == (tmp_path / "again" / rel).read_bytes(), rel
    other = generate(N, SEED + 1, tmp_path / "other", T0)
    assert other.rows != bundle.report.rows or (
        (tmp_path / "other" / "companies.csv").read_bytes()
        != (bundle.out / "companies.csv").read_bytes()
    )


def test_files_have_the_spec_columns_and_one_line_per_row(bundle: Bundle) -> None:
    for name in FILES:
        lines = (bundle.out / name).read_text(encoding="utf-8").split("\n")
        assert lines[0].split(",") == HEADERS[name]
        assert lines[-1] == ""  # trailing newline, no blank rows, no embedded newlines
        assert len(lines) - 2 == len(bundle.rows[name]) == bundle.report.rows[name]
        assert not (bundle.out / name).read_bytes().startswith(b"\xef\xbb\xbf")
    assert bundle.report.rows["companies.csv"] == N


def test_every_valid_row_passes_and_every_planted_row_breaks_its_rule(bundle: Bundle) -> None:
    seen: Counter[str] = Counter()
    for name in FILES:
        for i, row in enumerate(bundle.rows[name]):
            reason = bundle.malformed.get((name, i + 2))
            broken = violations(bundle, name, row)
            if reason is None:
                assert not broken, (name, i + 2, row, broken)
            else:
                assert broken == {reason}, (name, i + 2, row, broken, reason)
                seen[name] += 1
    assert set(seen) == set(FILES), "every file carries at least one trap"
    total = sum(bundle.report.rows.values())
    assert bundle.report.malformed == len(bundle.malformed) == sum(seen.values())
    assert 0.001 * total < len(bundle.malformed) < 0.006 * total
    reasons = set(bundle.malformed.values())
    assert {"invalid_uscc", "share_out_of_range", "unknown_role", "bad_date",
            "dangling_reference", "missing_field", "unknown_type"} <= reasons  # fmt: skip


def test_uscc_checks_match_stdnum(bundle: Bundle) -> None:
    invalid = [
        r["uscc"]
        for i, r in enumerate(bundle.rows["companies.csv"])
        if bundle.malformed.get(("companies.csv", i + 2)) == "invalid_uscc"
    ]
    assert len(invalid) >= max(1, int(0.002 * N))
    for code in invalid:
        assert len(code) == 18 and not uscc.is_valid(code)
        assert code[:-1] + uscc.calc_check_digit(code) != code  # only the check char is wrong
    assert all(uscc.is_valid(code) for code in bundle.companies)
    assert len(bundle.companies) == len({r["id"] for r in bundle.rows["companies.csv"]}) - len(
        [k for k in bundle.malformed if k[0] == "companies.csv"]
    )


def test_planted_bad_entities_are_isolated(bundle: Bundle) -> None:
    bad_ids = {
        r["id"]
        for name in ("companies.csv", "persons.csv")
        for i, r in enumerate(bundle.rows[name])
        if (name, i + 2) in bundle.malformed
    }
    assert bad_ids
    for name in FILES[2:]:
        for row in bundle.rows[name]:
            assert not bad_ids & set(row.values()), (name, row)
    for rel in ("truth/rings.csv", "truth/future_exposures.csv"):
        for row in read_csv(bundle.out / rel):
            assert not bad_ids & set(row.values())


def test_companies_have_one_legal_representative_and_one_address(bundle: Bundle) -> None:
    legal = Counter(r["company_id"] for r in bundle.valid("officers.csv")
                    if r["role"] == "legal_representative")  # fmt: skip
    assert set(legal) == set(bundle.companies)
    assert set(legal.values()) == {1}
    addresses = Counter(r["entity_id"] for r in bundle.valid("addresses.csv"))
    assert all(addresses[c] == 1 for c in bundle.companies)
    statuses = Counter(r["status"] for r in bundle.companies.values())
    assert statuses["active"] > 0.8 * len(bundle.companies) and set(statuses) == STATUSES
    assert all(parse_date(r["established"]) <= T0 for r in bundle.companies.values())  # type: ignore[operator]


def test_persons_have_valid_ids_and_shared_names(bundle: Bundle) -> None:
    persons = list(bundle.persons.values())
    with_id = [p for p in persons if p["id_number"]]
    assert 0.7 < len(with_id) / len(persons) < 0.9
    for p in with_id:
        assert ric.is_valid(p["id_number"])
        assert ric.get_birth_date(p["id_number"]).year == int(p["birth_year"])
    assert len({p["id_number"] for p in with_id}) == len(with_id)
    names = Counter(p["name"] for p in persons)
    assert names.most_common(1)[0][1] >= 4
    shared = sum(c for c in names.values() if c > 1)
    assert shared > 0.04 * len(persons)
    surnames = Counter(p["name"][0] for p in persons)
    top = [s for s, _ in surnames.most_common(5)]
    assert {"王", "李", "张", "陈"} & set(top)


def test_phones_are_valid_and_spelled_many_ways(bundle: Bundle) -> None:
    spellings: dict[str, set[str]] = defaultdict(set)
    companies_per_number: dict[str, set[str]] = defaultdict(set)
    for row in bundle.valid("phones.csv"):
        number = normal_phone(row["phone"])
        assert phonenumbers.is_valid_number(number), row
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        spellings[e164].add(row["phone"])
        if row["entity_id"] in bundle.companies:
            companies_per_number[e164].add(row["entity_id"])
    assert max(len(s) for s in spellings.values()) >= 3
    raw = [r["phone"] for r in bundle.valid("phones.csv")]
    assert any(p.startswith("+86 ") for p in raw) and any("(" in p for p in raw)
    assert any(p != p.translate(WIDE) for p in raw)  # full-width digits
    assert any(p.startswith("86-") for p in raw)
    assert max(len(c) for c in companies_per_number.values()) >= 100  # a bookkeeping agency


def normal_address(text: str) -> str:
    text = text.translate(WIDE)
    return text.removeprefix("浙江省")


def test_hub_addresses_host_a_hundred_companies(bundle: Bundle) -> None:
    tenants: dict[str, set[str]] = defaultdict(set)
    raw = [r["address"] for r in bundle.valid("addresses.csv")]
    for row in bundle.valid("addresses.csv"):
        if row["entity_id"] in bundle.companies:
            tenants[normal_address(row["address"])].add(row["entity_id"])
    assert max(len(t) for t in tenants.values()) >= 100
    assert any(not a.startswith("浙江省") for a in raw)
    assert any(a != a.translate(WIDE) for a in raw)


def test_shares_mix_spellings_and_never_exceed_the_whole(bundle: Bundle) -> None:
    total: dict[str, float] = defaultdict(float)
    rows = bundle.valid("shareholdings.csv")
    for row in rows:
        value = share_value(row["share"])
        assert value is not None
        total[row["company_id"]] += value
    assert max(total.values()) <= 1 + 1e-9
    percent = sum(r["share"].endswith("%") for r in rows) / len(rows)
    assert 0.2 < percent < 0.4
    assert {r["holder_type"] for r in rows} == {"person", "company"}


def test_conglomerates_are_deep(bundle: Bundle) -> None:
    owned: dict[str, set[str]] = defaultdict(set)
    for row in bundle.valid("shareholdings.csv"):
        if row["holder_type"] == "company":
            owned[row["holder_id"]].add(row["company_id"])
    ring_companies = {r["entity_id"] for r in read_csv(bundle.out / "truth" / "rings.csv")}

    def depth(company: str, seen: frozenset[str]) -> int:
        below = [c for c in owned.get(company, ()) if c not in seen]
        return 1 + max((depth(c, seen | {c}) for c in below), default=0)

    roots = [c for c in owned if c not in ring_companies]
    assert max(depth(c, frozenset({c})) for c in roots) >= 4
    assert max(len(v) for k, v in owned.items() if k not in ring_companies) >= 5


def rings(bundle: Bundle) -> dict[str, dict[str, set[str]]]:
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in read_csv(bundle.out / "truth" / "rings.csv"):
        assert row["entity_type"] == ("person" if row["role"] in ("nominee", "controller")
                                      else "company")  # fmt: skip
        out[row["ring_id"]][row["role"]].add(row["entity_id"])
    return out


def test_rings_are_bursts_fronted_by_nominees(bundle: Bundle) -> None:
    found = rings(bundle)
    assert len(found) == bundle.report.rings >= 3
    legal = {
        (r["person_id"], r["company_id"])
        for r in bundle.valid("officers.csv")
        if r["role"] == "legal_representative"
    }
    phones: dict[str, set[str]] = defaultdict(set)
    for row in bundle.valid("phones.csv"):
        e164 = phonenumbers.format_number(normal_phone(row["phone"]),
                                          phonenumbers.PhoneNumberFormat.E164)  # fmt: skip
        phones[e164].add(row["entity_id"])
    for ring in found.values():
        members = ring["member"]
        assert 5 <= len(members) <= 30
        days = [date.fromisoformat(bundle.companies[c]["established"]) for c in members]
        assert max(days) - min(days) <= timedelta(days=90)
        ring_companies = members | ring["shell"]
        for nominee in ring["nominee"]:
            fronted = {c for p, c in legal if p == nominee}
            assert len(fronted & ring_companies) >= 2
        assert {bundle.companies[c]["industry"] for c in members} <= FUND_INDUSTRIES
        shared = [p for p, who in phones.items() if len(who & ring_companies) >= 2]
        insiders = ring_companies | ring["nominee"] | ring["controller"]
        # rare: (almost) nobody outside the ring uses it, unlike a bookkeeper's number
        assert any(len(phones[p] - insiders) <= 1 for p in shared), "no rare shared phone"


def has_cycle(edges: dict[str, set[str]], nodes: set[str]) -> bool:
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in edges.get(node, ()):
            if nxt in nodes and (state.get(nxt) == 1 or (nxt not in state and visit(nxt))):
                return True
        state[node] = 2
        return False

    return any(node not in state and visit(node) for node in nodes)


def test_some_ring_owns_itself_in_a_circle_and_nothing_else_does(bundle: Bundle) -> None:
    edges: dict[str, set[str]] = defaultdict(set)
    for row in bundle.valid("shareholdings.csv"):
        if row["holder_type"] == "company":
            edges[row["holder_id"]].add(row["company_id"])
    found = rings(bundle)
    cyclic = [r for r in found.values() if has_cycle(edges, r["member"] | r["shell"])]
    assert cyclic
    ring_companies = set().union(*(r["member"] | r["shell"] for r in found.values()))
    assert not has_cycle(edges, set(bundle.companies) - ring_companies)


def test_exposures_and_future_failures(bundle: Bundle) -> None:
    events = bundle.valid("events.csv")
    assert all(date.fromisoformat(e["date"]) <= T0 for e in events)
    exposed = {e["company_id"] for e in events if e["type"] == "exposure"}
    found = rings(bundle)
    exposed_rings = [r for r in found.values() if r["member"] & exposed]
    assert len(exposed_rings) == bundle.report.exposed_rings >= 1
    future = read_csv(bundle.out / "truth" / "future_exposures.csv")
    assert len(future) == bundle.report.future_exposures
    ids = [f["company_id"] for f in future]
    assert len(ids) == len(set(ids))
    assert not set(ids) & exposed
    assert all(f["company_id"] in bundle.companies for f in future)
    assert all(date.fromisoformat(f["date"]) > T0 for f in future)
    causes = Counter(f["cause"] for f in future)
    assert set(causes) == {"ring_contagion", "controller_contagion", "background"}
    assert 0.002 * N <= causes["background"] <= 0.01 * N
    ring_of = {c: rid for rid, r in found.items() for c in r["member"] | r["shell"]}
    for f in future:
        if f["cause"] == "ring_contagion":
            assert found[ring_of[f["company_id"]]]["member"] & exposed
        if f["cause"] == "background":
            assert f["company_id"] not in ring_of
    # ring members are noisier than ordinary firms
    negative = Counter(e["company_id"] for e in events
                       if e["type"] in ("complaint", "negative_news", "case_filed"))  # fmt: skip
    members = set(ring_of)
    ring_rate = sum(negative[c] for c in members) / len(members)
    others = set(bundle.companies) - members
    assert ring_rate > 5 * sum(negative[c] for c in others) / len(others)


def test_families_share_surnames_and_firms(bundle: Bundle) -> None:
    holders: dict[str, list[str]] = defaultdict(list)
    for row in bundle.valid("shareholdings.csv"):
        if row["holder_type"] == "person":
            holders[row["company_id"]].append(row["holder_id"])
    family_firms = [
        c for c, people in holders.items()
        if len(people) >= 2 and len({bundle.persons[p]["name"][0] for p in people}) == 1
    ]  # fmt: skip
    assert len(family_firms) > 0.02 * N


def test_summary_matches_the_report(bundle: Bundle) -> None:
    summary = json.loads((bundle.out / "truth" / "summary.json").read_text(encoding="utf-8"))
    assert summary["parameters"] == {"companies": N, "seed": SEED, "t0": "2024-01-01"}
    counts = summary["counts"]
    assert counts["rings"] == bundle.report.rings
    assert counts["exposed_rings"] == bundle.report.exposed_rings
    assert counts["future_exposures"]["total"] == bundle.report.future_exposures
    assert counts["malformed_total"] == bundle.report.malformed
    assert summary["rows"] == bundle.report.rows
    assert counts["persons"] == len(bundle.rows["persons.csv"])


def test_small_provinces_still_have_three_rings(tmp_path: Path) -> None:
    report = generate(150, 3, tmp_path, T0)
    assert report.rings >= 3 and report.rows["companies.csv"] == 150
    with pytest.raises(ValueError):
        generate(99, 3, tmp_path / "tiny", T0)


def test_dates_respect_founding_and_adulthood(bundle: Bundle) -> None:
    founded = {c: date.fromisoformat(r["established"]) for c, r in bundle.companies.items()}
    born = {p: int(r["birth_year"]) for p, r in bundle.persons.items()}
    for name, person_col in (("shareholdings.csv", "holder_id"), ("officers.csv", "person_id")):
        for row in bundle.valid(name):
            if not row["since"]:
                continue
            since = date.fromisoformat(row["since"])
            assert founded[row["company_id"]] <= since <= T0, row
            if row[person_col] in born:
                assert since.year - born[row[person_col]] >= 18, row
    for row in bundle.valid("events.csv"):
        assert founded[row["company_id"]] <= date.fromisoformat(row["date"]) <= T0, row
    for row in bundle.valid("links.csv"):
        if row["since"]:
            since = date.fromisoformat(row["since"])
            assert max(founded[row["source_id"]], founded[row["target_id"]]) <= since <= T0
