"""A delta of a synthetic province: one later delivery holding only the rows that changed.

Registries deliver changes, not whole provinces, and the loader turns each changed row into
history (closed edges, ``AttributeChange`` nodes). To exercise that path the delta is built
from a generated province's files alone (any generated bundle can get a next day), touching
about ``fraction`` of its companies with the kinds of change registries really record:
share transfers, exits, new officers and shareholders, replaced legal representatives,
status, capital and name changes, ended phones and addresses, a few new companies, and new
exposures placed near the ones already known so that risk levels move. Every change is also
written to ``truth/changes.csv`` (persons by their person id only, never an ID number), so
a test can check the graph after the load against it.

The province's conventions are kept: UTF-8, English headers in the generator's column order,
plus ``until`` on the relationship files; every file is written, an unchanged one as its
header alone. Same province, fraction, seed and date give byte-identical files.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from riskgraph.errors import ConfigError
from riskgraph.ingest import normalise as norm
from riskgraph.ingest.bundle import BundleError
from riskgraph.ingest.files import FILES
from riskgraph.ingest.synthetic import tables as T
from riskgraph.ingest.synthetic.codes import USCC_ALPHABET, district_prefix, make_uscc
from riskgraph.ingest.synthetic.writer import share_text

__all__ = ["HEADERS", "KINDS", "TRUTH_COLUMNS", "DeltaReport", "generate_delta", "read_province"]

# The kinds of change, with the share of touched companies each gets. Officer and
# shareholder changes dominate real registry change logs; status and capital changes
# come next; renames, new companies and exposures are rare.
_WEIGHTS: dict[str, float] = {
    "share_change": 15.0,  # a transfer between two holders: a row for each
    "holding_exit": 8.0,  # a holder leaves; its share often goes to the largest holder
    "office_exit": 9.0,
    "representative_change": 5.0,  # the legal representative replaced by another person
    "new_officer": 12.0,
    "new_shareholder": 7.0,  # an existing person buys in from the largest holder
    "status_change": 12.0,
    "capital_change": 10.0,
    "rename": 3.0,
    "new_exposure": 5.0,
    "new_company": 3.0,  # with its holding and legal representative
    "phone_ended": 5.0,
    "address_ended": 6.0,
}
KINDS: tuple[str, ...] = tuple(_WEIGHTS)
TRUTH_COLUMNS = ("kind", "company_id", "other_id", "field", "old", "new", "date")
# The generator's columns, plus ``until`` where a file accepts it (an ended relationship).
HEADERS: dict[str, tuple[str, ...]] = {
    f.spec.name: (*f.generated, *(("until",) if "until" in f.spec.optional else ())) for f in FILES
}
_LEGAL = "legal_representative"
_DEAD = ("revoked", "cancelled")  # a firm in these states changes no officers or owners
# Status moves as registries record them (from -> weighted targets); only values the
# province's own companies.csv uses are written.
_STATUS_MOVES: dict[str, tuple[tuple[str, float], ...]] = {
    "active": (("abnormal", 0.5), ("cancelled", 0.3), ("revoked", 0.2)),
    "abnormal": (("revoked", 0.5), ("active", 0.3), ("cancelled", 0.2)),
    "revoked": (("cancelled", 1.0),),
}
_OFFICE_ROLES = (("director", 0.4), ("supervisor", 0.25), ("manager", 0.35))
_WORDS = sorted(
    ((word, i) for i, ind in enumerate(T.INDUSTRIES) for word in ind.words),
    key=lambda wi: -len(wi[0]),  # the longest word first: 国际贸易 before 贸易
)
_STAKES = (100, 200, 300, 500, 500, 1000, 1000, 1500, 2000, 2000, 2500, 3000, 4000, 4900, 5000)
_X = TypeVar("_X")


@dataclass(frozen=True)
class Holding:
    holder_id: str
    holder_type: str
    company_id: str
    bp: int  # the share in basis points
    amount: bool  # whether the province's row states an amount
    since: str


@dataclass(frozen=True)
class Office:
    person_id: str
    company_id: str
    role: str
    since: str


@dataclass
class Province:
    """A generated province as its files say, valid rows only, indexed for picking changes."""

    path: Path
    t0: date | None
    companies: dict[str, list[str]]  # id -> its companies.csv row (generator's column order)
    persons: list[str]
    holdings: dict[str, list[Holding]]  # by company
    offices: dict[str, list[Office]]  # by company; only offices whose key is unique
    office_keys: set[tuple[str, str, str]]  # every (person, company, role), malformed ones too
    phones: dict[str, list[str]]  # company -> its phones as spelled
    addresses: dict[str, list[str]]
    exposed: list[str]  # companies with an exposure event, in file order
    ring_of: dict[str, str]  # ring company -> its ring
    ring_persons: list[str]  # the rings' nominees and controllers
    future: dict[str, str]  # company -> cause of its planted exposure after t0
    unsure: set[str]  # companies whose share sum the valid rows do not tell
    taken_ids: set[str] = field(default_factory=set)  # every id in the files, valid or not
    taken_names: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class DeltaReport:
    out: Path
    delta_of: Path
    day: date
    seed: int
    counts: dict[str, int]  # truth rows per kind, every kind listed
    touched: int  # distinct companies in the truth, new ones included
    rows: dict[str, int]  # delta rows per bundle file


# ---------------------------------------------------------------------------- reading


def _rows(path: Path, skip: set[int]) -> Iterator[dict[str, str]]:
    """Data rows of a generated CSV, without the physical lines listed in ``skip``."""
    if not path.exists():
        return
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            if line not in skip:
                yield {k: (v or "").strip() for k, v in row.items() if k is not None}


def _malformed(truth: Path) -> dict[str, set[int]]:
    """The planted bad lines per file: rejected or nulled, the delta builds on neither."""
    out: dict[str, set[int]] = {}
    for row in _rows(truth / "malformed.csv", set()):
        out.setdefault(row["file"], set()).add(int(row["line"]))
    return out


def _t0(truth: Path) -> date | None:
    path = truth / "summary.json"
    if not path.exists():
        return None
    text = json.loads(path.read_text(encoding="utf-8")).get("parameters", {}).get("t0")
    return date.fromisoformat(text) if text else None


def _holdings(
    path: Path, lines: set[int], companies: dict[str, list[str]], persons: set[str]
) -> tuple[dict[str, list[Holding]], set[str]]:
    """Holdings by company, and the companies whose share sum the valid rows do not tell
    (a planted bad holding may still load with a nulled value)."""
    every = list(_rows(path / "shareholdings.csv", set()))
    unsure = {r.get("company_id", "") for line, r in enumerate(every, start=2) if line in lines}
    valid = [r for line, r in enumerate(every, start=2) if line not in lines]
    del every
    percent = norm.percent_column([r.get("share", "") for r in valid])
    holdings: dict[str, list[Holding]] = {}
    seen: set[tuple[str, str]] = set()
    for r in valid:
        company, holder = r["company_id"], r["holder_id"]
        known = holder in persons if r["holder_type"] == "person" else holder in companies
        try:
            bp = round(norm.parse_share(r["share"], percent) * 10000)
        except ValueError:
            bp = 0
        if company not in companies or not known or (holder, company) in seen or bp <= 0:
            unsure.add(company)
            continue
        seen.add((holder, company))
        since = r.get("since", "")
        holding = Holding(holder, r["holder_type"], company, bp, bool(r.get("amount")), since)
        holdings.setdefault(company, []).append(holding)
    return holdings, unsure


def _offices(
    path: Path, lines: set[int], companies: dict[str, list[str]], persons: set[str]
) -> tuple[dict[str, list[Office]], set[tuple[str, str, str]]]:
    """Offices by company whose key is on one valid line only, and every key seen (a new
    office must not reuse one, even a planted bad one that may have loaded)."""
    every = list(_rows(path / "officers.csv", set()))
    keys: set[tuple[str, str, str]] = set()
    unclear: set[tuple[str, str, str]] = set()
    for line, r in enumerate(every, start=2):
        key = (r.get("person_id", ""), r.get("company_id", ""), r.get("role", ""))
        if key in keys or line in lines:
            unclear.add(key)
        keys.add(key)
    offices: dict[str, list[Office]] = {}
    for line, r in enumerate(every, start=2):
        person, company, role = r["person_id"], r["company_id"], r["role"]
        if line in lines or (person, company, role) in unclear:
            continue
        if company in companies and person in persons:
            offices.setdefault(company, []).append(Office(person, company, role, r["since"]))
    return offices, keys


def read_province(path: Path) -> Province:
    """Index a generated province; its planted malformed rows are left out."""
    if not (path / "companies.csv").is_file():
        raise BundleError(f"{path}: not a generated province (no companies.csv)")
    truth = path / "truth"
    bad = _malformed(truth)
    columns = HEADERS["companies.csv"]
    companies: dict[str, list[str]] = {}
    taken_ids: set[str] = set()
    taken_names: set[str] = set()
    for row in _rows(path / "companies.csv", set()):
        taken_ids.add(row.get("id", ""))
        taken_names.add(row.get("name", ""))
    for row in _rows(path / "companies.csv", bad.get("companies.csv", set())):
        if row.get("id") and row.get("name"):
            companies[row["id"]] = [row.get(c, "") for c in columns]
    persons = [
        r["id"]
        for r in _rows(path / "persons.csv", bad.get("persons.csv", set()))
        if r.get("id") and r.get("name")
    ]
    taken_ids.update(persons)
    known_persons = set(persons)

    holdings, unsure = _holdings(
        path, bad.get("shareholdings.csv", set()), companies, known_persons
    )
    offices, office_keys = _offices(path, bad.get("officers.csv", set()), companies, known_persons)

    def contacts(name: str, column: str) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for r in _rows(path / name, bad.get(name, set())):
            entity, value = r.get("entity_id", ""), r.get(column, "")
            if entity in companies and value and value not in out.get(entity, []):
                out.setdefault(entity, []).append(value)
        return out

    exposed: dict[str, None] = {}
    for r in _rows(path / "events.csv", bad.get("events.csv", set())):
        if r.get("type") == "exposure" and r.get("company_id") in companies:
            exposed[r["company_id"]] = None
    ring_of: dict[str, str] = {}
    ring_persons: dict[str, None] = {}
    for r in _rows(truth / "rings.csv", set()):
        if r.get("entity_type") == "company" and r.get("entity_id") in companies:
            ring_of[r["entity_id"]] = r["ring_id"]
        elif r.get("entity_id") in known_persons:
            ring_persons[r["entity_id"]] = None
    future = {
        r["company_id"]: r.get("cause", "")
        for r in _rows(truth / "future_exposures.csv", set())
        if r.get("company_id") in companies
    }
    return Province(
        path=path,
        t0=_t0(truth),
        companies=companies,
        persons=persons,
        holdings=holdings,
        offices=offices,
        office_keys=office_keys,
        phones=contacts("phones.csv", "phone"),
        addresses=contacts("addresses.csv", "address"),
        exposed=list(exposed),
        ring_of=ring_of,
        ring_persons=list(ring_persons),
        future=future,
        unsure=unsure,
        taken_ids=taken_ids,
        taken_names=taken_names,
    )


# ---------------------------------------------------------------------------- planning


def quotas(touched: int) -> dict[str, int]:
    """Companies per kind: proportional to the weights (largest remainders), and at least
    one of each kind once there are as many companies as kinds."""
    w = np.array([_WEIGHTS[k] for k in KINDS], dtype=float)
    raw = w / w.sum() * touched
    q = np.floor(raw).astype(np.int64)
    if touched >= len(KINDS):
        q = np.maximum(q, 1)
    rest = int(touched - q.sum())
    for i in np.argsort(-(raw - np.floor(raw)), kind="stable")[: max(rest, 0)].tolist():
        q[i] += 1
    return dict(zip(KINDS, q.tolist(), strict=True))


class _Delta:
    """The delta as it is picked: rows per file, truth rows, each relationship key once."""

    def __init__(self, p: Province, rng: np.random.Generator, day: date) -> None:
        self.p = p
        self.g = rng
        self.day = day.isoformat()
        self.rows: dict[str, list[list[str]]] = {name: [] for name in HEADERS}
        self.truth: list[list[str]] = []
        self.touched: dict[str, None] = {}
        self.keys: set[tuple[str, ...]] = set()
        self.live = [c for c, row in p.companies.items() if row[3] not in _DEAD]
        self.statuses = {row[3] for row in p.companies.values() if row[3]}  # values in use

    # -- random helpers on the one seeded generator
    def pick(self, seq: Sequence[_X]) -> _X:
        return seq[int(self.g.integers(len(seq)))]

    def chance(self, p: float) -> bool:
        return bool(self.g.random() < p)

    def weighted(self, options: Sequence[tuple[_X, float]]) -> _X:
        w = np.array([x for _, x in options], dtype=float)
        return options[int(self.g.choice(len(options), p=w / w.sum()))][0]

    def transfer(self, most: int) -> int | None:
        """Basis points changing hands: round stakes (5%, 10%, 20%...), at most ``most``."""
        fits = [bp for bp in _STAKES if bp <= most]
        return self.pick(fits) if fits else None

    def person(self, avoid: set[str]) -> str | None:
        for _ in range(50):
            who = self.pick(self.p.persons)
            if who not in avoid:
                return who
        return None

    # -- recording
    def truth_row(self, kind: str, company: str, other: str, fld: str, old: str, new: str) -> None:
        self.truth.append([kind, company, other, fld, old, new, self.day])

    def add(self, name: str, key: tuple[str, ...], row: Sequence[str]) -> None:
        if (name, *key) in self.keys:
            raise AssertionError(f"{name} {key} twice in one delta")  # a planning bug
        self.keys.add((name, *key))
        self.rows[name].append(list(row))

    def capital(self, company: str) -> int | None:
        try:
            return int(norm.parse_amount(self.p.companies[company][5]))
        except ValueError:
            return None

    def holding(self, h: Holding, bp: int, since: str, until: str = "") -> None:
        capital = self.capital(h.company_id)
        amount = str(capital * bp // 10000) if h.amount and capital and not until else ""
        row = (
            h.holder_id,
            h.holder_type,
            h.company_id,
            share_text(bp, False),
            amount,
            since,
            until,
        )
        self.add("shareholdings.csv", (h.holder_id, h.company_id), row)

    def office(self, person: str, company: str, role: str, since: str, until: str = "") -> None:
        self.add("officers.csv", (person, company, role), (person, company, role, since, until))

    def company(self, company: str, **values: str) -> None:
        row = list(self.p.companies[company])
        columns = HEADERS["companies.csv"]
        for column, value in values.items():
            row[columns.index(column)] = value
        self.add("companies.csv", (company,), row)

    # -- the kinds of change; each returns whether it could be made on this company
    def share_change(self, c: str) -> bool:
        hs = self.p.holdings[c]
        donors = [h for h in hs if h.bp > 100]
        if not donors:
            return False
        donor = self.pick(donors)
        taker = self.pick([h for h in hs if h is not donor])
        moved = self.transfer(min(donor.bp - 100, 10000 - taker.bp))
        if moved is None:
            return False
        for h, bp in ((donor, donor.bp - moved), (taker, taker.bp + moved)):
            self.holding(h, bp, self.day)
            self.truth_row("share_change", c, h.holder_id, "share", share_text(h.bp, False),
                           share_text(bp, False))  # fmt: skip
        return True

    def holding_exit(self, c: str) -> bool:
        hs = sorted(self.p.holdings[c], key=lambda h: -h.bp)  # stable: ties in file order
        top, leaver = hs[0], self.pick(hs[1:])
        self.holding(leaver, leaver.bp, leaver.since, until=self.day)
        self.truth_row("holding_exit", c, leaver.holder_id, "share", share_text(leaver.bp, False),
                       "")  # fmt: skip
        total = top.bp + leaver.bp
        if self.chance(0.6) and total <= 10000:
            self.holding(top, total, self.day)
            self.truth_row("share_change", c, top.holder_id, "share", share_text(top.bp, False),
                           share_text(total, False))  # fmt: skip
        return True

    def new_shareholder(self, c: str) -> bool:
        hs = self.p.holdings[c]
        donor = max(hs, key=lambda h: h.bp)
        holding = {h.holder_id for h in hs}
        insiders = [o.person_id for o in self.p.offices.get(c, []) if o.person_id not in holding]
        newcomer = self.pick(insiders) if insiders and self.chance(0.5) else self.person(holding)
        if newcomer is None:
            return False
        moved = self.transfer(min(donor.bp - 100, 4900))
        if moved is None:
            return False
        self.holding(donor, donor.bp - moved, self.day)
        self.truth_row("share_change", c, donor.holder_id, "share", share_text(donor.bp, False),
                       share_text(donor.bp - moved, False))  # fmt: skip
        fresh = Holding(newcomer, "person", c, moved, self.chance(0.7), self.day)
        self.holding(fresh, moved, self.day)
        self.truth_row("new_shareholder", c, newcomer, "share", "", share_text(moved, False))
        return True

    def office_exit(self, c: str) -> bool:
        leaving = [o for o in self.p.offices.get(c, []) if o.role != _LEGAL]
        if not leaving:
            return False
        o = self.pick(leaving)
        self.office(o.person_id, c, o.role, o.since, until=self.day)
        self.truth_row("office_exit", c, o.person_id, o.role, "", "")
        return True

    def representative_change(self, c: str) -> bool:
        legal = [o for o in self.p.offices.get(c, []) if o.role == _LEGAL]
        if not legal:
            return False
        old = self.pick(legal)
        near = [h.holder_id for h in self.p.holdings.get(c, []) if h.holder_type == "person"]
        near += [o.person_id for o in self.p.offices.get(c, [])]
        near = [x for x in dict.fromkeys(near) if x != old.person_id]
        new = self.pick(near) if near and self.chance(0.6) else self.person({old.person_id})
        if new is None or (new, c, _LEGAL) in self.p.office_keys:
            return False
        self.office(old.person_id, c, _LEGAL, old.since, until=self.day)
        self.office(new, c, _LEGAL, self.day)
        self.truth_row("representative_change", c, new, _LEGAL, old.person_id, new)
        return True

    def new_officer(self, c: str) -> bool:
        role = self.weighted(_OFFICE_ROLES)
        owners = [h.holder_id for h in self.p.holdings.get(c, []) if h.holder_type == "person"]
        owners = [x for x in owners if (x, c, role) not in self.p.office_keys]
        who = self.pick(owners) if owners and self.chance(0.4) else self.person(set())
        if who is None or (who, c, role) in self.p.office_keys:
            return False
        self.office(who, c, role, self.day)
        self.truth_row("new_officer", c, who, role, "", role)
        return True

    def status_change(self, c: str) -> bool:
        old = self.p.companies[c][3]
        moves = [m for m in _STATUS_MOVES.get(old, ()) if m[0] in self.statuses]
        if not moves:
            return False
        new = self.weighted(moves)
        self.company(c, status=new)
        self.truth_row("status_change", c, "", "status", old, new)
        return True

    def capital_change(self, c: str) -> bool:
        old = self.capital(c)
        if old is None or old <= 0:
            return False
        if self.chance(0.8):
            factor = self.pick((1.5, 2.0, 2.0, 3.0, 5.0, 10.0))
        else:
            factor = self.pick((0.2, 0.5, 0.5))
        new = max(10000, round(old * factor / 10000) * 10000)
        if new == old:
            return False
        self.company(c, registered_capital=str(new))
        self.truth_row("capital_change", c, "", "registered_capital", str(old), str(new))
        return True

    def rename(self, c: str) -> bool:
        old = self.p.companies[c][2]
        found = next(((w, i) for w, i in _WORDS if w in old), None)
        if found is None:
            return False
        word, industry = found
        others = [w for w in T.INDUSTRIES[industry].words if w != word and w not in old]
        if not others:
            return False
        new = old.replace(word, self.pick(others), 1)
        if new in self.p.taken_names:
            return False
        self.p.taken_names.add(new)
        self.company(c, name=new)
        self.truth_row("rename", c, "", "name", old, new)
        return True

    def new_exposure(self, c: str, near: str) -> None:
        phrases = T.EVENT_PHRASES["exposure"]
        row = (c, self.day, "exposure", "5", self.pick(phrases))
        self.add("events.csv", (c, self.day, "exposure"), row)
        self.truth_row("new_exposure", c, near, "type", "", "exposure")

    def new_company(self) -> str:
        """A new firm, founded on the delta's day by an existing person (sometimes a
        ring's nominee or controller) or as a subsidiary of a live company."""
        p = self.p
        d = self.weighted([(x, x.weight) for x in T.DISTRICTS])
        while True:
            body = "MA2" + "".join(self.pick(USCC_ALPHABET) for _ in range(5))
            code = make_uscc(d.code, body)
            if code not in p.taken_ids:
                p.taken_ids.add(code)
                break
        ring = bool(p.ring_persons) and self.chance(0.3)
        industry = (
            self.pick(T.FUND_INDUSTRY_IDS) if ring else int(self.g.integers(len(T.INDUSTRIES)))
        )
        chars = T.FUND_BRAND_CHARS if ring else T.BRAND_CHARS
        words = T.INDUSTRIES[industry].words
        name = ""
        while not name or name in p.taken_names:
            brand = self.pick(chars) + self.pick(chars)
            name = f"{district_prefix(d)}{brand}{self.pick(words)}有限公司"
        p.taken_names.add(name)
        capital = self.pick((10, 50, 100, 200, 500, 1000)) * 10000
        row = [code, code, name, "active", self.day, str(capital), T.INDUSTRIES[industry].label,
               d.code]  # fmt: skip
        p.companies[code] = row
        self.add("companies.csv", (code,), row)
        self.truth_row("new_company", code, "", "name", "", name)
        if not ring and self.chance(0.25):
            holder, holder_type = self.pick(self.live), "company"
            rep = self.person(set())
        else:
            holder = self.pick(p.ring_persons) if ring else self.pick(p.persons)
            holder_type = "person"
            rep = holder if self.chance(0.7) else self.person({holder})
        self.holding(Holding(holder, holder_type, code, 10000, True, self.day), 10000, self.day)
        self.truth_row("new_shareholder", code, holder, "share", "", share_text(10000, False))
        if rep is not None:
            self.office(rep, code, _LEGAL, self.day)
            self.truth_row("new_officer", code, rep, _LEGAL, "", _LEGAL)
        return code

    def contact_ended(self, c: str, kind: str) -> bool:
        name, column = ("phones.csv", "phone") if kind == "phone_ended" else ("addresses.csv",
                                                                            "address")  # fmt: skip
        values = (self.p.phones if kind == "phone_ended" else self.p.addresses).get(c, [])
        if not values:
            return False
        value = self.pick(values)
        self.add(name, (c, value), (c, value, self.day))
        self.truth_row(kind, c, "", column, value, "")
        return True


def _near_exposed(p: Province) -> dict[str, str]:
    """Companies one step from a known exposure (a shared holder or officer, a holding
    between them, the same ring) -> that exposed company: where contagion lands next."""
    people: dict[str, list[str]] = {}  # person -> companies they hold or serve
    linked: dict[str, list[str]] = {}  # company -> companies it holds or is held by
    for c, hs in p.holdings.items():
        for h in hs:
            if h.holder_type == "person":
                people.setdefault(h.holder_id, []).append(c)
            else:
                linked.setdefault(h.holder_id, []).append(c)
                linked.setdefault(c, []).append(h.holder_id)
    for c, os_ in p.offices.items():
        for o in os_:
            people.setdefault(o.person_id, []).append(c)
    by_ring: dict[str, list[str]] = {}
    for c, ring in p.ring_of.items():
        by_ring.setdefault(ring, []).append(c)
    near: dict[str, str] = {}
    for e in p.exposed:
        around = [c for h in p.holdings.get(e, []) for c in people.get(h.holder_id, [])]
        around += [c for o in p.offices.get(e, []) for c in people.get(o.person_id, [])]
        around += linked.get(e, [])
        around += by_ring.get(p.ring_of.get(e, ""), [])
        for c in around:
            near.setdefault(c, e)
    return near


def _exposures(d: _Delta, wanted: int) -> None:
    """New exposures, drawn mostly where risk already is: near a known exposure, in a ring,
    among the province's planted future failures (contagion causes), else mostly in the
    fund-raising trades."""
    p = d.p
    if wanted <= 0:
        return
    near = _near_exposed(p)
    exposed = set(p.exposed)
    pool = [c for c, row in p.companies.items() if row[3] != "cancelled" and c not in exposed]
    if not pool:
        return
    fund = {T.INDUSTRIES[i].label for i in T.FUND_INDUSTRY_IDS}
    weight = np.full(len(pool), 0.005)
    for i, c in enumerate(pool):
        if p.companies[c][6] in fund:  # fund-raising trades are where platforms blow up
            weight[i] += 0.3
        if c in near:
            weight[i] += 3.0
        if c in p.ring_of:
            weight[i] += 1.5
        if p.future.get(c, "").endswith("contagion"):
            weight[i] += 3.0
    chosen = d.g.choice(
        len(pool), size=min(wanted, len(pool)), replace=False, p=weight / weight.sum()
    )
    for i in sorted(chosen.tolist()):
        c = pool[i]
        d.new_exposure(c, near.get(c, ""))
        d.touched[c] = None


def plan(p: Province, fraction: float, seed: int, day: date) -> _Delta:
    """Pick the changes: one kind per touched company, kinds in their proportions."""
    rng = np.random.default_rng([seed, len(p.companies), day.toordinal(), 0xDE17A])
    d = _Delta(p, rng, day)
    quota = quotas(max(1, round(fraction * len(p.companies))))
    _exposures(d, quota["new_exposure"])
    for _ in range(quota["new_company"]):
        d.touched[d.new_company()] = None
    live = d.live
    shares = [c for c in live if c not in p.unsure]
    pools: dict[str, list[str]] = {
        "share_change": [c for c in shares if len(p.holdings.get(c, [])) >= 2],
        "holding_exit": [c for c in shares if len(p.holdings.get(c, [])) >= 2],
        "new_shareholder": [c for c in shares if p.holdings.get(c)],
        "office_exit": [c for c in live if p.offices.get(c)],
        "representative_change": [c for c in live if p.offices.get(c)],
        "new_officer": live,
        "status_change": list(p.companies),
        "capital_change": live,
        "rename": live,
        "phone_ended": [c for c in live if p.phones.get(c)],
        "address_ended": [c for c in live if p.addresses.get(c)],
    }
    changes: dict[str, Callable[[str], bool]] = {
        "share_change": d.share_change,
        "holding_exit": d.holding_exit,
        "new_shareholder": d.new_shareholder,
        "office_exit": d.office_exit,
        "representative_change": d.representative_change,
        "new_officer": d.new_officer,
        "status_change": d.status_change,
        "capital_change": d.capital_change,
        "rename": d.rename,
        "phone_ended": lambda c: d.contact_ended(c, "phone_ended"),
        "address_ended": lambda c: d.contact_ended(c, "address_ended"),
    }
    for kind, pool in pools.items():
        left = quota[kind]
        if left <= 0:
            continue
        change = changes[kind]
        for i in rng.permutation(len(pool)).tolist():
            if left == 0:
                break
            c = pool[i]
            if c not in d.touched and change(c):
                d.touched[c] = None
                left -= 1
    return d


# ---------------------------------------------------------------------------- writing


def _write_csv(path: Path, header: Sequence[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def generate_delta(
    delta_of: Path,
    out: Path,
    fraction: float = 0.01,
    seed: int = 1,
    day: date | None = None,
) -> DeltaReport:
    """Write a delta of the province in ``delta_of`` to ``out`` (every bundle file, truth in
    ``out/truth/``); ``day`` defaults to the province's t0 + 1 day, else today."""
    if not 0.0 < fraction <= 1.0:
        raise ConfigError(f"the fraction of companies changed must be in (0, 1], not {fraction}")
    delta_of, out = Path(delta_of), Path(out)
    if out.resolve() == delta_of.resolve():
        raise ConfigError(f"{out}: the delta cannot overwrite the province it changes")
    p = read_province(delta_of)
    if not p.companies or not p.persons:
        raise BundleError(f"{delta_of}: no valid companies or persons to change")
    day = day or (p.t0 + timedelta(days=1) if p.t0 else date.today())
    d = plan(p, fraction, seed, day)

    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    for name, header in HEADERS.items():
        _write_csv(out / name, header, d.rows[name])
    order = {k: i for i, k in enumerate(KINDS)}
    truth = sorted(d.truth, key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    _write_csv(out / "truth" / "changes.csv", TRUTH_COLUMNS, truth)
    kinds = Counter(r[0] for r in truth)
    counts = {k: kinds[k] for k in KINDS}
    touched = len({r[1] for r in truth})
    rows = {name: len(d.rows[name]) for name in HEADERS}
    summary: dict[str, Any] = {
        "parameters": {
            "delta_of": str(delta_of),
            "seed": seed,
            "date": day.isoformat(),
            "changes": fraction,
        },
        "province_companies": len(p.companies),
        "touched_companies": touched,
        "counts": counts,
        "rows": rows,
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2)
    (out / "truth" / "summary.json").write_text(text + "\n", encoding="utf-8")
    return DeltaReport(out, delta_of, day, seed, counts, touched, rows)
