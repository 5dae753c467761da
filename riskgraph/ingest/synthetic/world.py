"""The synthetic province held in memory as integer columns, before anything is spelled out.

Everything is an index: company ``i`` is row ``i`` of companies.csv, persons are numbered in
creation order and shuffled only when written (so a ring's nominees do not get consecutive
ids). Columns are ``array('q')`` so that a 650,000-company province peaks near 1.3 GB.
"""

from __future__ import annotations

import bisect
import random
from array import array
from datetime import date
from functools import cache

import numpy as np
import numpy.typing as npt

from riskgraph.ingest.synthetic import tables as T
from riskgraph.ingest.synthetic.codes import USCC_ALPHABET, district_prefix, make_uscc
from riskgraph.ingest.synthetic.variant import Variant

I64 = npt.NDArray[np.int64]

# company kinds
SME, GROUP, MEMBER, SHELL, BAD = 0, 1, 2, 3, 4
# entity kinds in mixed columns
PERSON, COMPANY = 0, 1
# codes into tables.ROLES / LINK_TYPES / EVENT_TYPES / STATUSES
LEGAL, DIRECTOR, SUPERVISOR, MANAGER, EXECUTIVE = range(5)
GUARANTEE, LOAN, TRADE, BRANCH, RENT, CREDITOR = range(6)
EXPOSURE, CASE_FILED, LITIGATION, PENALTY, ABNORMAL_OP, COMPLAINT, NEG_NEWS, TAX = range(8)
ACTIVE, REVOKED, CANCELLED, ABNORMAL = range(4)
CAUSES = ("ring_contagion", "controller_contagion", "background", "guarantee_contagion",
          "loan_contagion", "seed")  # fmt: skip
RING_CONTAGION, CONTROLLER_CONTAGION, BACKGROUND, GUARANTEE_CONTAGION, LOAN_CONTAGION, SEED = range(
    6
)
BAD_COMPANY_REASONS = ("invalid_uscc", "missing_field", "bad_date", "bad_number")
BAD_PERSON_REASONS = ("missing_field", "bad_number")
RING_ROLES = ("member", "nominee", "controller", "shell")
HUB = -2  # placeholder address: "give this company a hub address" once hubs exist
NONE = -1

_DISTRICT_CUM = list(np.cumsum([d.weight for d in T.DISTRICTS]))


class Columns:
    """Growable int64 columns; appending to ``array('q')`` is cheap in time and memory."""

    def __init__(self, *names: str) -> None:
        self.names = names
        self.cols = tuple(array("q") for _ in names)

    def add(self, *values: int) -> None:
        for col, value in zip(self.cols, values, strict=True):
            col.append(value)

    def extend(self, *values: I64) -> None:
        for col, value in zip(self.cols, values, strict=True):
            col.frombytes(np.ascontiguousarray(value, dtype=np.int64).tobytes())

    def __len__(self) -> int:
        return len(self.cols[0])

    def arrays(self) -> dict[str, I64]:
        return {n: np.array(c, dtype=np.int64) for n, c in zip(self.names, self.cols, strict=True)}


class Province:
    """Builds the province; the writer turns it into the CSV bundle."""

    def __init__(self, companies: int, seed: int, t0: date, variant: Variant | None = None) -> None:
        if companies < 100:
            raise ValueError("a province needs at least 100 companies")
        self.variant = variant or Variant()
        self.n = companies
        self.t0 = t0.toordinal()
        self.np = np.random.default_rng([seed, companies, self.t0])
        self.r = random.Random(int(self.np.integers(2**62)))
        n = companies
        self.kind = np.full(n, SME, dtype=np.int64)
        self.est = np.zeros(n, dtype=np.int64)
        self.capital = np.zeros(n, dtype=np.int64)
        self.status = np.zeros(n, dtype=np.int64)
        self.industry = np.zeros(n, dtype=np.int64)
        self.addr = np.full(n, NONE, dtype=np.int64)
        self.phone1 = np.full(n, NONE, dtype=np.int64)
        self.phone2 = np.full(n, NONE, dtype=np.int64)
        self.bad = np.full(n, NONE, dtype=np.int64)  # index into BAD_COMPANY_REASONS
        self.name_style = np.zeros(n, dtype=np.int64)  # 0 city, 1 province, 2 group root
        self.brand: list[str] = [""] * n
        self.word: list[str] = [""] * n
        # persons
        self.p_surname = array("q")  # index into SURNAMES, -1 = draw at random
        self.p_birth = array("q")
        self.p_outside = array("q")
        self.p_bad: dict[int, int] = {}  # person -> index into BAD_PERSON_REASONS
        self.mobile_of: dict[int, int] = {}  # person -> their own mobile, reused across firms
        # address and phone books
        self.a_district = array("q")
        self.a_tail: list[str] = []
        self.ph_digits: list[str] = []
        self._ph_seen: set[str] = set()
        # relation tables
        self.holdings = Columns("holder_kind", "holder", "company", "bp", "since", "amount")
        self.officers = Columns("person", "company", "role", "since")
        self.p_addresses = Columns("person", "addr")
        self.p_phones = Columns("person", "phone")
        self.links = Columns("src", "dst", "type", "amount", "since")
        self.events = Columns("company", "date", "type", "severity", "phrase")
        self.ring_truth = Columns("ring", "kind", "entity", "role")
        self.future: dict[int, tuple[int, int]] = {}
        self.exposed: set[int] = set()
        # the failures before t0 (seeds included): company -> (day, cause), each also an
        # exposure event in the bundle; the seeds as (company, day, of the earlier wave)
        self.past: dict[int, tuple[int, int]] = {}
        self.seeds: list[tuple[int, int, bool]] = []
        self.dirty = np.zeros(n, dtype=np.bool_)  # companies whose identifiers are misspelled
        self.alias_of: dict[int, int] = {}  # person -> the person they are a second record of
        self.rings = 0
        self.exposed_rings = 0
        self.hub_addresses: list[int] = []
        self.agency_phones: list[int] = []
        self.groups = 0
        self._pool = self.np.permutation(n).tolist()
        self._cursor = 0
        # filled by finalize()
        self.uscc: list[str] = []
        self.names: list[str] = []
        self.region: list[str] = []
        self.person_names: list[str] = []
        self.person_numbers: list[str] = []
        self.person_ids: list[str] = []
        self.person_order: I64 = np.zeros(0, dtype=np.int64)

    # ------------------------------------------------------------------ small helpers

    def take(self, k: int) -> list[int]:
        out: list[int] = self._pool[self._cursor : self._cursor + k]
        self._cursor += len(out)
        return out

    def remaining(self) -> int:
        return self.n - self._cursor

    def district(self) -> int:
        return bisect.bisect_right(_DISTRICT_CUM, self.r.random() * _DISTRICT_CUM[-1])

    def person(self, surname: int = -1, birth: int = 0, outside: bool = False) -> int:
        if birth == 0:
            birth = date.fromordinal(self.t0).year - int(self.r.triangular(23, 72, 42))
        self.p_surname.append(surname)
        self.p_birth.append(birth)
        self.p_outside.append(1 if outside else 0)
        return len(self.p_birth) - 1

    def surname(self) -> int:
        return self.r.choices(range(len(T.SURNAMES)), cum_weights=_SURNAME_CUM)[0]

    def address(self, district: int, style: int = -1) -> int:
        """A new address; styles 0-4 are ordinary, 4 an office tower, 5 a hub."""
        r = self.r
        city = T.DISTRICTS[district].city
        street = r.choice(T.STREETS[city])
        num = int(r.paretovariate(1.1) * 8) % 2000 + 1
        if style < 0:
            style = r.choices(range(5), cum_weights=(30, 50, 60, 85, 100))[0]
        floor = r.randint(1, 28)
        room = floor * 100 + r.randint(1, 20)
        if style == 0:
            tail = f"{street}{num}号{floor}楼{room}室"
        elif style == 1:
            tail = f"{street}{num}号{r.randint(1, 12)}幢{room}室"
        elif style == 2:
            tail = f"{street}{num}号{'ABCD'[r.randrange(4)]}座{room}室"
        elif style == 3:
            tail = f"{street}{num}号"
        elif style == 4:
            tail = f"{street}{num}号{r.choice(T.BUILDINGS)}{floor}层{room}室"
        else:
            tail = f"{street}{num}号{r.randint(1, 9)}幢{r.choice(T.HUB_NAMES)}"
        self.a_district.append(district)
        self.a_tail.append(tail)
        return len(self.a_tail) - 1

    def _phone(self, digits: str) -> int:
        self._ph_seen.add(digits)
        self.ph_digits.append(digits)
        return len(self.ph_digits) - 1

    def mobile(self) -> int:
        r = self.r
        while True:
            prefix = r.choices(_MOBILE_PREFIXES, cum_weights=_MOBILE_CUM)[0]
            digits = f"{prefix}{r.randrange(10**8):08d}"
            if digits not in self._ph_seen:
                return self._phone(digits)

    def landline(self, district: int) -> int:
        d = T.DISTRICTS[district]
        r = self.r
        while True:
            local = (
                str(r.randint(2, 8))
                + f"{r.randrange(10 ** (d.local_digits - 1)):0{d.local_digits - 1}d}"
            )
            digits = d.area_code + local
            if digits not in self._ph_seen:
                return self._phone(digits)

    def since(self, est: int, keep: float = 0.8, moved: float = 0.15) -> int:
        """A relation's start date: usually the founding date, sometimes later, often unknown."""
        r = self.r
        if r.random() > keep:
            return NONE
        if r.random() < moved and self.t0 - est > 30:
            return est + r.randint(30, self.t0 - est)
        return est

    def adult(self, person: int, since: int) -> int:
        """Nobody holds shares or office before turning 18: such a start must be a transfer."""
        if since == NONE:
            return since
        return min(self.t0, max(since, _eighteenth(self.p_birth[person])))

    def hold(self, holder_kind: int, holder: int, company: int, bp: int, since: int) -> None:
        if holder_kind == PERSON:
            since = self.adult(holder, since)
        amount = 1 if self.r.random() < 0.7 else 0
        self.holdings.add(holder_kind, holder, company, bp, since, amount)

    def office(self, person: int, company: int, role: int, keep: float = 0.75) -> None:
        since = self.adult(person, self.since(int(self.est[company]), keep, 0.2))
        self.officers.add(person, company, role, since)

    def event(self, company: int, when: int, kind: int, ring: bool = False) -> None:
        r = self.r
        phrases = T.EVENT_PHRASES[T.EVENT_TYPES[kind]]
        special = T.RING_PHRASE_INDEX.get(T.EVENT_TYPES[kind])
        phrase = r.choice(special) if ring and special else r.randrange(len(phrases))
        if kind == EXPOSURE:
            severity = 5
        elif r.random() < 0.1:
            severity = NONE
        else:
            low, high = _SEVERITY[kind]
            severity = r.randint(low, high)
        self.events.add(company, when, kind, severity, phrase)

    def when(self, company: int, after: int = 0, back: int = 1095) -> int:
        """A day in the known past of the company: after it was founded, at most t0."""
        lo = max(int(self.est[company]) + after, self.t0 - back)
        lo = min(lo, self.t0)
        return self.r.randint(lo, self.t0)

    def link(self, src: int, dst: int, kind: int, amount_p: float = 0.6) -> None:
        r = self.r
        amount = (
            int(r.lognormvariate(13.0, 1.3)) // 1000 * 1000 + 1000
            if r.random() < amount_p
            else NONE
        )
        start = max(int(self.est[src]), int(self.est[dst]))
        since = r.randint(start, self.t0) if r.random() < 0.7 else NONE
        self.links.add(src, dst, kind, amount, since)

    def fail(self, company: int, cause: int, lo: int, hi: int, base: int | None = None) -> None:
        """``company`` fails ``lo``-``hi`` days after ``base`` (default t0): after t0 into
        the truth's future, before it as a dated exposure event (``past``)."""
        if company in self.future or company in self.exposed or self.bad[company] >= 0:
            return
        if self.status[company] == CANCELLED:  # a dissolved firm cannot blow up any more
            return
        day = (self.t0 if base is None else base) + self.r.randint(lo, hi)
        if day > self.t0:
            self.future[company] = (day, cause)
        elif day > int(self.est[company]) + 30:
            self.expose(company, day, cause)
            x = self.r.random()
            if x < 0.6:
                self.status[company] = ABNORMAL if x < 0.45 else REVOKED

    def expose(
        self, company: int, day: int, cause: int, ring: bool = False, earlier: bool = False
    ) -> None:
        """A blow-up on ``day`` (at most t0): the exposure event, the truth of the past.
        A seed of the ``earlier`` wave has its failures before t0, the others after it."""
        self.event(company, day, EXPOSURE, ring=ring)
        self.exposed.add(company)
        self.past[company] = (day, cause)
        if cause == SEED:
            self.seeds.append((company, day, earlier))

    def brand_name(self, chars: str = T.BRAND_CHARS) -> str:
        return self.r.choice(chars) + self.r.choice(chars)


@cache
def _eighteenth(birth_year: int) -> int:
    return date(birth_year + 18, 7, 1).toordinal()


_SURNAME_CUM = list(np.cumsum([w for _, w in T.SURNAMES]))
_MOBILE_PREFIXES = [p for p, _ in T.MOBILE_PREFIXES]
_MOBILE_CUM = list(np.cumsum([w for _, w in T.MOBILE_PREFIXES]))
_SEVERITY = {
    CASE_FILED: (4, 5), LITIGATION: (1, 3), PENALTY: (2, 3), ABNORMAL_OP: (2, 3),
    COMPLAINT: (1, 3), NEG_NEWS: (2, 4), TAX: (2, 3),
}  # fmt: skip


def org_body(rng: np.random.Generator, established: I64, cutoff: int) -> list[str]:
    """Organisation-code bodies: 8 digits before the 2015 reform, ``MA2`` + 5 chars after."""
    n = len(established)
    digits = rng.integers(0, 10, size=(n, 8))
    letters = rng.integers(0, len(USCC_ALPHABET), size=(n, 5))
    alphabet = np.array(list(USCC_ALPHABET))
    old = ["".join(row) for row in np.array(list("0123456789"))[digits]]
    new = ["MA2" + "".join(row) for row in alphabet[letters]]
    return [new[i] if established[i] >= cutoff else old[i] for i in range(n)]


def finalize_companies(p: Province) -> None:
    """Spell USCCs, names and regions once every company has its final address."""
    n = p.n
    district = np.array(p.a_district, dtype=np.int64)[np.maximum(p.addr, 0)]
    missing = p.addr < 0
    district[missing] = p.np.integers(0, len(T.DISTRICTS), int(missing.sum()))
    p.region = [T.DISTRICTS[d].code for d in district.tolist()]
    bodies = org_body(p.np, p.est, date(2016, 1, 1).toordinal())
    seen: set[str] = set()
    codes: list[str] = []
    for i in range(n):
        code = make_uscc(p.region[i], bodies[i])
        while code in seen:
            body = "MA2" + "".join(p.r.choice(USCC_ALPHABET) for _ in range(5))
            code = make_uscc(p.region[i], body)
        seen.add(code)
        codes.append(code)
    p.uscc = codes
    names: list[str] = []
    taken: set[str] = set()
    suffixes = ("有限公司", "有限公司", "有限公司", "有限责任公司")
    for i in range(n):
        d = T.DISTRICTS[int(district[i])]
        style = int(p.name_style[i])
        brand = p.brand[i] or p.brand_name()
        word = p.word[i] or p.r.choice(T.INDUSTRIES[int(p.industry[i])].words)
        if style == 2:
            name = p.r.choice((f"浙江{brand}控股集团有限公司", f"{brand}集团有限公司",
                               f"浙江{brand}集团股份有限公司"))  # fmt: skip
        else:
            head = "浙江" if style == 1 else district_prefix(d)
            name = f"{head}{brand}{word}{p.r.choice(suffixes)}"
        while name in taken:
            extra = p.r.choice(T.BRAND_CHARS)
            name = name.replace(brand, brand + extra, 1)
            brand += extra
        taken.add(name)
        names.append(name)
    p.names = names
