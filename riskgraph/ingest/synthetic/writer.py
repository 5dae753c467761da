"""Spell a built ``Province`` out as the CSV bundle plus the ground truth kept beside it.

Rows are streamed to ``csv.writer``; planted malformed rows are slipped in between valid
ones and their physical line numbers (header = line 1) recorded in ``truth/malformed.csv``.
"""

from __future__ import annotations

import csv
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from riskgraph.ingest.files import FILES
from riskgraph.ingest.synthetic import tables as T
from riskgraph.ingest.synthetic.codes import (
    DIRTY_STYLES,
    LANDLINE_STYLES,
    MOBILE_STYLES,
    USCC_ALPHABET,
    corrupt_uscc,
    dirty_phone,
    dirty_tail,
    make_uscc,
    spell_address,
    spell_phone,
)
from riskgraph.ingest.synthetic.world import (
    BAD,
    BAD_COMPANY_REASONS,
    BAD_PERSON_REASONS,
    CAUSES,
    COMPANY,
    GROUP,
    I64,
    LEGAL,
    MEMBER,
    NONE,
    PERSON,
    RING_ROLES,
    SHELL,
    SME,
    Province,
)

BUNDLE: dict[str, tuple[str, ...]] = {f.spec.name: f.generated for f in FILES}

BAD_DATES = ("2023-13-45", "2022-02-30", "2021-00-10", "2020-06-31", "2019-11-31")
_MOBILE_STYLE_P = np.array([55, 10, 8, 7, 8, 7, 5], dtype=float)
_LANDLINE_STYLE_P = np.array([55, 12, 10, 6, 7, 6, 4], dtype=float)
Forge = Callable[[], tuple[list[str], str]]
Malformed = list[tuple[str, int, str]]


@lru_cache(maxsize=65536)
def iso(day: int) -> str:
    return date.fromordinal(day).isoformat()


def share_text(bp: int, percent: bool) -> str:
    """Shares come as fractions ("0.35", "1.0") or percentages ("35%", "33.33%")."""
    if percent:
        return f"{bp / 100:.2f}".rstrip("0").rstrip(".") + "%"
    text = f"{bp / 10000:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


class Sink:
    """One bundle file; slips a forged malformed row in after a geometric gap of valid rows."""

    def __init__(
        self,
        out: Path,
        name: str,
        log: Malformed,
        rng: np.random.Generator | None = None,
        rate: float = 0.0,
        forge: Forge | None = None,
    ) -> None:
        self.name = name
        self._file = (out / name).open("w", encoding="utf-8", newline="")
        self._csv = csv.writer(self._file, lineterminator="\n")
        self._csv.writerow(BUNDLE[name])
        self.line = 1
        self.rows = 0
        self._log = log
        self._rng = rng
        self._rate = rate
        self._forge = forge
        self._planted = 0
        self._gap = self._next_gap()

    def _next_gap(self) -> int:
        if self._forge is None or self._rng is None:
            return -1
        return int(self._rng.geometric(self._rate))

    def write(self, row: Sequence[str]) -> None:
        self._csv.writerow(row)
        self.line += 1
        self.rows += 1
        if self._gap > 0:
            self._gap -= 1
            if self._gap == 0 and self._forge is not None:
                self.malformed(*self._forge())
                self._gap = self._next_gap()

    def malformed(self, row: Sequence[str], reason: str) -> None:
        self._csv.writerow(row)
        self.line += 1
        self.rows += 1
        self._planted += 1
        self._log.append((self.name, self.line, reason))

    def close(self) -> None:
        if self._forge is not None and self._planted == 0:
            self.malformed(*self._forge())  # every file gets at least one trap
        self._file.close()


class Forger:
    """Malformed rows, each invalid for exactly one stated reason and otherwise plausible."""

    def __init__(self, p: Province, companies: list[str], persons: list[str]) -> None:
        self.r = random.Random(int(p.np.integers(2**62)))
        self.companies = companies
        self.persons = persons
        self.t0 = p.t0
        self._taken = set(p.uscc)
        self._next_person = len(p.person_ids) + 1
        self._turns: Counter[tuple[str, ...]] = Counter()

    def company(self) -> str:
        return self.companies[self.r.randrange(len(self.companies))]

    def person(self) -> str:
        return self.persons[self.r.randrange(len(self.persons))]

    def day(self) -> str:
        return iso(self.t0 - self.r.randint(30, 4000))

    def ghost_company(self) -> str:
        """A well-formed USCC that belongs to no company in the bundle."""
        r = self.r
        while True:
            body = "MA2" + "".join(r.choice(USCC_ALPHABET) for _ in range(5))
            code = make_uscc(r.choice(T.DISTRICTS).code, body)
            if code not in self._taken:
                self._taken.add(code)
                return code

    def ghost_person(self) -> str:
        self._next_person += self.r.randint(1, 50)
        return f"P{self._next_person:07d}"

    def pick(self, reasons: tuple[str, ...]) -> str:
        """Round-robin over a file's reasons, so even a small province shows every kind."""
        turn = self._turns[reasons]
        self._turns[reasons] += 1
        return reasons[turn % len(reasons)]

    def shareholding(self) -> tuple[list[str], str]:
        r = self.r
        reason = self.pick(("share_out_of_range", "dangling_reference", "unknown_holder_type",
                            "bad_date", "share_out_of_range", "missing_field",
                            "bad_number"))  # fmt: skip
        row = [self.person(), "person", self.company(), share_text(r.randint(5, 50) * 100,
               r.random() < 0.3), "", self.day()]  # fmt: skip
        if reason == "share_out_of_range":
            row[3] = r.choice(("135%", "0", "0%", "1.5", "-0.2", "250%"))
        elif reason == "bad_number":
            row[4] = r.choice(("abc", "1.2.3", "12万元x"))
        elif reason == "unknown_holder_type":
            row[1] = r.choice(("trust", "fund", "other", "government"))
        elif reason == "dangling_reference":
            if r.random() < 0.5:
                row[2] = self.ghost_company()
            else:
                row[0] = self.ghost_person()
        elif reason == "bad_date":
            row[5] = r.choice(BAD_DATES)
        else:
            row[r.choice((0, 2))] = ""
        return row, reason

    def officer(self) -> tuple[list[str], str]:
        r = self.r
        reason = self.pick(("unknown_role", "dangling_reference", "missing_field", "bad_date",
                            "unknown_role"))  # fmt: skip
        row = [self.person(), self.company(), r.choice(("director", "supervisor", "manager")),
               self.day()]  # fmt: skip
        if reason == "unknown_role":
            row[2] = r.choice(("secretary", "treasurer", "founder", "accountant"))
        elif reason == "dangling_reference":
            if r.random() < 0.5:
                row[1] = self.ghost_company()
            else:
                row[0] = self.ghost_person()
        elif reason == "bad_date":
            row[3] = r.choice(BAD_DATES)
        else:
            row[r.choice((0, 1, 2))] = ""
        return row, reason

    def address(self) -> tuple[list[str], str]:
        if self.pick(("missing_field", "dangling_reference")) == "missing_field":
            return [self.company(), ""], "missing_field"
        d = self.r.choice(T.DISTRICTS)
        street = self.r.choice(T.STREETS[d.city])
        text = f"{T.PROVINCE}{d.city}{d.name}{street}{self.r.randint(1, 999)}号"
        return [self.ghost_company(), text], "dangling_reference"

    def phone(self) -> tuple[list[str], str]:
        if self.pick(("dangling_reference", "missing_field")) == "missing_field":
            return [self.company(), ""], "missing_field"
        number = f"139{self.r.randrange(10**8):08d}"
        return [self.ghost_company(), number], "dangling_reference"

    def link(self) -> tuple[list[str], str]:
        r = self.r
        reason = self.pick(("unknown_type", "dangling_reference", "bad_number", "missing_field",
                            "bad_date"))  # fmt: skip
        source, target = self.company(), self.company()
        while target == source:
            target = self.company()
        row = [source, target, r.choice(("trade", "loan", "guarantee")), "", self.day()]
        if reason == "unknown_type":
            row[2] = r.choice(("friendship", "partner", "sibling"))
        elif reason == "bad_number":
            row[3] = r.choice(("abc", "1.2.3", "12万元x"))
        elif reason == "dangling_reference":
            row[r.choice((0, 1))] = self.ghost_company()
        elif reason == "bad_date":
            row[4] = r.choice(BAD_DATES)
        else:
            row[r.choice((0, 1))] = ""
        return row, reason

    def event(self) -> tuple[list[str], str]:
        r = self.r
        reason = self.pick(("unknown_type", "bad_date", "dangling_reference", "bad_number",
                            "missing_field"))  # fmt: skip
        kind = r.choice(("litigation", "penalty", "complaint"))
        row = [self.company(), self.day(), kind, str(r.randint(1, 3)),
               r.choice(T.EVENT_PHRASES[kind])]  # fmt: skip
        if reason == "unknown_type":
            row[2] = r.choice(("rumour", "audit", "merger"))
        elif reason == "bad_date":
            row[1] = r.choice(BAD_DATES)
        elif reason == "bad_number":
            row[3] = r.choice(("x", "high", "二"))
        elif reason == "dangling_reference":
            row[0] = self.ghost_company()
        else:
            row[r.choice((0, 1))] = ""
        return row, reason


# Planted problems in an optional value: ingest stores null and warns, and the row loads
# (docs/bundle-format.md, "Warnings and rejections"). Every other planted row is rejected.
_NULLED = frozenset({"invalid_uscc", "bad_number", "share_out_of_range"})


def outcome(file: str, reason: str) -> str:
    """What ingest should do with a planted row: 'warning' or 'rejected'."""
    optional_date = reason == "bad_date" and file != "events.csv"  # an event's date is required
    return "warning" if reason in _NULLED or optional_date else "rejected"


def write(p: Province, out: Path, seed: int) -> tuple[dict[str, int], Malformed]:
    out.mkdir(parents=True, exist_ok=True)
    (out / "truth").mkdir(exist_ok=True)
    g = np.random.default_rng([seed, p.n, p.t0, 1])
    log: Malformed = []
    uscc = p.uscc
    pid = p.person_ids
    valid_companies = [uscc[c] for c in np.flatnonzero(p.kind != BAD).tolist()]
    valid_persons = [pid[i] for i in range(len(pid)) if i not in p.p_bad]
    forger = Forger(p, valid_companies, valid_persons)
    rows: dict[str, int] = {}

    rows["companies.csv"] = _companies(p, out, log, forger)
    rows["persons.csv"] = _persons(p, out, log, forger)

    sink = Sink(out, "shareholdings.csv", log, g, 0.002, forger.shareholding)
    h = p.holdings.arrays()
    percent = (g.random(len(h["bp"])) < 0.3).tolist()
    order = np.lexsort((-h["bp"], h["company"]))
    types = T.HOLDER_TYPES
    for i in order.tolist():
        kind, holder, company = int(h["holder_kind"][i]), int(h["holder"][i]), int(h["company"][i])
        bp, since = int(h["bp"][i]), int(h["since"][i])
        amount = str(int(p.capital[company]) * bp // 10000) if h["amount"][i] else ""
        sink.write((
            pid[holder] if kind == PERSON else uscc[holder], types[kind], uscc[company],
            share_text(bp, percent[i]), amount, iso(since) if since != NONE else "",
        ))  # fmt: skip
    sink.close()
    rows[sink.name] = sink.rows

    sink = Sink(out, "officers.csv", log, g, 0.002, forger.officer)
    o = p.officers.arrays()
    for i in np.lexsort((o["role"], o["company"])).tolist():
        since = int(o["since"][i])
        sink.write((
            pid[int(o["person"][i])], uscc[int(o["company"][i])], T.ROLES[int(o["role"][i])],
            iso(since) if since != NONE else "",
        ))  # fmt: skip
    sink.close()
    rows[sink.name] = sink.rows

    rows["addresses.csv"] = _addresses(p, out, log, g, forger)
    rows["phones.csv"] = _phones(p, out, log, g, forger)

    sink = Sink(out, "links.csv", log, g, 0.0025, forger.link)
    lk = p.links.arrays()
    for i in np.lexsort((lk["dst"], lk["src"])).tolist():
        value, since = int(lk["amount"][i]), int(lk["since"][i])
        sink.write((
            uscc[int(lk["src"][i])], uscc[int(lk["dst"][i])], T.LINK_TYPES[int(lk["type"][i])],
            str(value) if value != NONE else "", iso(since) if since != NONE else "",
        ))  # fmt: skip
    sink.close()
    rows[sink.name] = sink.rows

    sink = Sink(out, "events.csv", log, g, 0.0025, forger.event)
    ev = p.events.arrays()
    for i in np.lexsort((ev["date"], ev["company"])).tolist():
        label, severity = T.EVENT_TYPES[int(ev["type"][i])], int(ev["severity"][i])
        sink.write((
            uscc[int(ev["company"][i])], iso(int(ev["date"][i])), label,
            str(severity) if severity != NONE else "", T.EVENT_PHRASES[label][int(ev["phrase"][i])],
        ))  # fmt: skip
    sink.close()
    rows[sink.name] = sink.rows

    _truth(p, out, log)
    _summary(p, out, seed, rows, log)
    return rows, log


def _companies(p: Province, out: Path, log: Malformed, forger: Forger) -> int:
    sink = Sink(out, "companies.csv", log)
    r = forger.r
    decimals = (p.np.random(p.n) < 0.1).tolist()
    for i in range(p.n):
        code = p.uscc[i]
        cap = int(p.capital[i])
        row = [code, code, p.names[i], T.STATUSES[int(p.status[i])], iso(int(p.est[i])),
               f"{cap}.00" if decimals[i] else str(cap), T.INDUSTRIES[int(p.industry[i])].label,
               p.region[i]]  # fmt: skip
        bad = int(p.bad[i])
        if bad == NONE:
            sink.write(row)
            continue
        reason = BAD_COMPANY_REASONS[bad]
        if reason == "invalid_uscc":
            row[0] = row[1] = corrupt_uscc(code, r.randint(1, len(USCC_ALPHABET) - 1))
        elif reason == "missing_field":
            row[2] = ""
        elif reason == "bad_date":
            row[4] = r.choice(BAD_DATES)
        else:
            row[5] = r.choice(("abc", "12.3.4", "壹佰万"))
        sink.malformed(row, reason)
    sink.close()
    return sink.rows


def _persons(p: Province, out: Path, log: Malformed, forger: Forger) -> int:
    sink = Sink(out, "persons.csv", log)
    r = forger.r
    for person in p.person_order.tolist():
        row = [p.person_ids[person], p.person_names[person], p.person_numbers[person],
               str(p.p_birth[person])]  # fmt: skip
        bad = p.p_bad.get(person)
        if bad is None:
            sink.write(row)
            continue
        reason = BAD_PERSON_REASONS[bad]
        if reason == "missing_field":
            row[1] = ""
        else:
            row[3] = r.choice(("abc", "19八五", "198O"))
        sink.malformed(row, reason)
    sink.close()
    return sink.rows


def _positions(p: Province, persons: I64) -> I64:
    position = np.empty(len(p.person_order), dtype=np.int64)
    position[p.person_order] = np.arange(len(p.person_order))
    return position[persons]


def _addresses(p: Province, out: Path, log: Malformed, g: np.random.Generator,
               forger: Forger) -> int:  # fmt: skip
    sink = Sink(out, "addresses.csv", log, g, 0.001, forger.address)
    heads = [d.city + d.name for d in T.DISTRICTS]
    district, tail = p.a_district, p.a_tail
    pa = p.p_addresses.arrays()
    total = p.n + len(pa["person"])
    omit = (g.random(total) < 0.2).tolist()
    wide = (g.random(total) < 0.07).tolist()
    dirty = _dirty_styles(p, g)
    k = 0
    for c in range(p.n):
        a = int(p.addr[c])
        if p.kind[c] == BAD:
            continue
        street = dirty_tail(tail[a], dirty[c]) if dirty[c] >= 0 else tail[a]
        sink.write((p.uscc[c], spell_address(heads[district[a]], street, omit[k], wide[k])))
        k += 1
    for i in np.argsort(_positions(p, pa["person"]), kind="stable").tolist():
        a = int(pa["addr"][i])
        text = spell_address(heads[district[a]], tail[a], omit[k], wide[k])
        sink.write((p.person_ids[int(pa["person"][i])], text))
        k += 1
    sink.close()
    return sink.rows


def _dirty_styles(p: Province, g: np.random.Generator) -> list[int]:
    """Per company, how its identifiers are misspelled (-1: as usual); no draw at all when
    the variant misspells nothing, so that the other spellings stay as they were."""
    if not p.dirty.any():
        return [-1] * p.n
    styles = g.integers(0, DIRTY_STYLES, p.n)
    out: list[int] = np.where(p.dirty, styles, -1).tolist()
    return out


def _phones(p: Province, out: Path, log: Malformed, g: np.random.Generator, forger: Forger) -> int:
    sink = Sink(out, "phones.csv", log, g, 0.001, forger.phone)
    digits = p.ph_digits
    pp = p.p_phones.arrays()
    total = 2 * p.n + len(pp["person"])
    mobile = g.choice(MOBILE_STYLES, total, p=_MOBILE_STYLE_P / _MOBILE_STYLE_P.sum()).tolist()
    fixed = g.choice(LANDLINE_STYLES, total, p=_LANDLINE_STYLE_P / _LANDLINE_STYLE_P.sum()).tolist()
    dirty = _dirty_styles(p, g)
    k = 0

    def spell(phone: int, k: int) -> str:
        text = digits[phone]
        return spell_phone(text, fixed[k] if text[0] == "0" else mobile[k])

    for c in range(p.n):
        if p.kind[c] == BAD:
            continue
        for phone in (int(p.phone1[c]), int(p.phone2[c])):
            if phone != NONE:
                text = spell(phone, k) if dirty[c] < 0 else dirty_phone(digits[phone], dirty[c] + k)
                sink.write((p.uscc[c], text))
                k += 1
    for i in np.argsort(_positions(p, pp["person"]), kind="stable").tolist():
        sink.write((p.person_ids[int(pp["person"][i])], spell(int(pp["phone"][i]), k)))
        k += 1
    sink.close()
    return sink.rows


def _truth(p: Province, out: Path, log: Malformed) -> None:
    t = p.ring_truth.arrays()
    order = np.lexsort((t["role"], t["ring"]))
    with (out / "truth" / "rings.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("ring_id", "entity_id", "entity_type", "role"))
        for i in order.tolist():
            entity = int(t["entity"][i])
            company = t["kind"][i] == COMPANY
            w.writerow((
                f"R{int(t['ring'][i]):04d}", p.uscc[entity] if company else p.person_ids[entity],
                "company" if company else "person", RING_ROLES[int(t["role"][i])],
            ))  # fmt: skip
    with (out / "truth" / "future_exposures.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("company_id", "date", "cause"))
        for c, (day, cause) in sorted(p.future.items(), key=lambda kv: (kv[1][0], p.uscc[kv[0]])):
            w.writerow((p.uscc[c], iso(day), CAUSES[cause]))
    with (out / "truth" / "past_exposures.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")  # every blow-up before t0, the seeds' too
        w.writerow(("company_id", "date", "cause"))
        for c, (day, cause) in sorted(p.past.items(), key=lambda kv: (kv[1][0], p.uscc[kv[0]])):
            w.writerow((p.uscc[c], iso(day), CAUSES[cause]))
    with (out / "truth" / "malformed.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("file", "line", "reason", "outcome"))
        files = list(BUNDLE)
        for name, line, reason in sorted(log, key=lambda x: (files.index(x[0]), x[1])):
            w.writerow((name, line, reason, outcome(name, reason)))


def _summary(p: Province, out: Path, seed: int, rows: dict[str, int], log: Malformed) -> None:
    causes = Counter(CAUSES[cause] for _, cause in p.future.values())
    before = Counter(CAUSES[cause] for _, cause in p.past.values())
    kinds = Counter(p.kind.tolist())
    summary: dict[str, Any] = {
        "parameters": {"companies": p.n, "seed": seed, "t0": iso(p.t0)},
        "counts": {
            "companies": p.n,
            "valid_companies": p.n - kinds[BAD],
            "persons": len(p.person_ids),
            "valid_persons": len(p.person_ids) - len(p.p_bad),
            "ordinary_companies": kinds[SME],
            "group_companies": kinds[GROUP],
            "groups": p.groups,
            "ring_member_companies": kinds[MEMBER],
            "ring_shell_companies": kinds[SHELL],
            "rings": p.rings,
            "exposed_rings": p.exposed_rings,
            "exposed_companies": len(p.exposed),
            "hub_addresses": len(p.hub_addresses),
            "bookkeeping_phones": len(p.agency_phones),
            "legal_representatives": int((p.officers.arrays()["role"] == LEGAL).sum()),
            "future_exposures": {
                "total": len(p.future),
                **{cause: causes[cause] for cause in CAUSES if cause != "seed"},
            },
            "past_exposures": {
                "total": len(p.past),
                **{cause: before[cause] for cause in CAUSES if before[cause]},
            },
            "malformed": {name: sum(1 for f, _, _ in log if f == name) for name in BUNDLE},
            "malformed_total": len(log),
        },
        "rows": rows,
        "variant": p.variant.describe(),
    }
    text = json.dumps(summary, ensure_ascii=False, indent=2, sort_keys=False)
    (out / "truth" / "summary.json").write_text(text + "\n", encoding="utf-8")
