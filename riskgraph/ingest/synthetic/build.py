"""Populate a ``Province``: rings, conglomerates, families, ordinary firms, hubs and noise.

Order matters for reproducibility only: every draw comes from the province's two seeded
generators, so the same parameters always produce the same world.
"""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np

from riskgraph.ingest.synthetic import tables as T
from riskgraph.ingest.synthetic.codes import id_codes_for_year, make_ric
from riskgraph.ingest.synthetic.world import (
    ABNORMAL,
    ABNORMAL_OP,
    ACTIVE,
    BACKGROUND,
    BAD,
    BAD_COMPANY_REASONS,
    BAD_PERSON_REASONS,
    BRANCH,
    CANCELLED,
    CASE_FILED,
    COMPANY,
    COMPLAINT,
    CONTROLLER_CONTAGION,
    CREDITOR,
    DIRECTOR,
    EXECUTIVE,
    EXPOSURE,
    GROUP,
    GUARANTEE,
    HUB,
    I64,
    LEGAL,
    LITIGATION,
    LOAN,
    MANAGER,
    MEMBER,
    NEG_NEWS,
    NONE,
    PENALTY,
    PERSON,
    RENT,
    REVOKED,
    RING_CONTAGION,
    RING_ROLES,
    SHELL,
    SME,
    SUPERVISOR,
    TAX,
    TRADE,
    Province,
    finalize_companies,
)

_FUND = list(T.FUND_INDUSTRY_IDS)
_FUND_W = [T.INDUSTRIES[i].weight for i in _FUND]
_ORDINARY = [i for i, ind in enumerate(T.INDUSTRIES) if not ind.fund_prone]
_INVEST = next(i for i, ind in enumerate(T.INDUSTRIES) if ind.label == "投资管理")
_CONSULT = next(i for i, ind in enumerate(T.INDUSTRIES) if ind.label == "商务咨询")
_Splits = tuple[tuple[int, ...], ...]
_SPLITS: dict[int, _Splits] = {
    1: ((10000,),),
    2: ((6000, 4000), (5000, 5000), (7000, 3000), (9000, 1000)),
    3: ((4000, 3000, 3000), (5000, 3000, 2000), (6000, 2000, 2000), (3400, 3300, 3300)),
}
_HOLD_2: _Splits = ((6000, 4000), (5000, 5000), (5100, 4900), (7000, 3000), (8000, 2000),
                    (9000, 1000), (6667, 3333), (5500, 4500))  # fmt: skip
_HOLD_3: _Splits = ((4000, 3000, 3000), (5000, 3000, 2000), (3400, 3300, 3300),
                    (6000, 2000, 2000), (5100, 2500, 2400), (3333, 3333, 3334),
                    (4500, 4500, 1000))  # fmt: skip

# Background event rates per company over the three years before t0 (ordinary firms).
_RATES = {LITIGATION: 0.12, PENALTY: 0.04, ABNORMAL_OP: 0.02, COMPLAINT: 0.03, NEG_NEWS: 0.012,
          TAX: 0.025, CASE_FILED: 0.002}  # fmt: skip
_SEVERITY_RANGE = {CASE_FILED: (4, 5), LITIGATION: (1, 3), PENALTY: (2, 3), ABNORMAL_OP: (2, 3),
                   COMPLAINT: (1, 3), NEG_NEWS: (2, 4), TAX: (2, 3)}  # fmt: skip


def build(companies: int, seed: int, t0: date) -> Province:
    p = Province(companies, seed, t0)
    _malformed_companies(p)
    ring_people = _rings(p)
    _groups(p)
    _smes(p, ring_people)
    _standalone_exposures(p)
    _hubs(p)
    _agencies(p)
    _background_events(p)
    _background_links(p)
    _background_failures(p)
    _malformed_persons(p)
    finalize_companies(p)
    finalize_persons(p)
    return p


# ---------------------------------------------------------------------------- companies


def _malformed_companies(p: Province) -> None:
    """Bad company rows are isolated: nothing else refers to them, so rejecting them is clean."""
    r = p.r
    k_uscc = max(1, round(0.003 * p.n))
    k_other = max(3, round(0.0006 * p.n))
    for i, c in enumerate(p.take(k_uscc + k_other)):
        p.kind[c] = BAD
        p.bad[c] = 0 if i < k_uscc else 1 + (i - k_uscc) % (len(BAD_COMPANY_REASONS) - 1)
        p.est[c] = p.t0 - r.randint(30, 6000)
        p.capital[c] = r.choice((10, 50, 100, 200, 500)) * 10000
        p.industry[c] = r.choice(_ORDINARY)


def _ring_size(p: Province, count: int) -> int:
    cap = max(5, min(30, p.n // (count * 8)))
    return min(cap, 5 + int(p.r.gammavariate(1.5, 5.0)))


def _rings(p: Province) -> list[tuple[bool, list[int]]]:
    """Fraud rings; returns (exposed, controllers) per ring for the controllers' other firms."""
    r = p.r
    count = max(3, round(p.n / 1000))
    exposed = set(r.sample(range(count), max(1, round(count / 3))))
    cyclic = {0} | {i for i in range(count) if r.random() < 0.4}
    year = date.fromordinal(p.t0).year
    out: list[tuple[bool, list[int]]] = []
    for ring in range(count):
        members = p.take(_ring_size(p, count))
        shells = p.take(r.randint(1, 4))
        every = shells + members
        home = p.district()
        start = p.t0 - r.randint(200, 1500)
        industries = r.choices(_FUND, weights=_FUND_W, k=2)
        motif = r.choice(T.FUND_BRAND_CHARS)
        for c in members:
            p.kind[c] = MEMBER
            p.est[c] = start + r.randint(0, 60)
            p.industry[c] = r.choice(industries)
        for c in shells:
            p.kind[c] = SHELL
            p.est[c] = start - r.randint(0, 180)
            p.industry[c] = r.choice((_INVEST, _CONSULT))
        for c in every:
            p.capital[c] = r.choice((1000, 2000, 3000, 5000, 10000)) * 10000
            p.status[c] = ABNORMAL if r.random() < 0.05 else ACTIVE
            p.name_style[c] = 1 if r.random() < 0.4 else 0
            if r.random() < 0.5:
                p.brand[c] = motif + r.choice(T.FUND_BRAND_CHARS)
            else:
                p.brand[c] = p.brand_name(T.FUND_BRAND_CHARS)

        family = p.surname() if r.random() < 0.4 else -1
        controllers = [p.person(family, year - r.randint(35, 58)) for _ in range(r.randint(1, 3))]
        k = max(2, min(5, len(every) // 3))
        nominees = [
            p.person(birth=year - int(r.triangular(22, 66, 30)), outside=r.random() < 0.6)
            for _ in range(k)
        ]
        phones = [
            p.mobile() if r.random() < 0.75 else p.landline(home) for _ in range(r.randint(1, 3))
        ]
        addrs = [
            p.address(home if r.random() < 0.7 else p.district(), style=r.choice((2, 4)))
            for _ in range(r.randint(1, 3))
        ]
        for c in every:
            x = r.random()
            p.addr[c] = r.choice(addrs) if x < 0.75 else HUB if x < 0.87 else p.address(home)
            p.phone1[c] = r.choice(phones) if r.random() < 0.85 else p.mobile()
            if r.random() < 0.2:
                second = r.choice(phones) if r.random() < 0.5 else p.mobile()
                if second != p.phone1[c]:
                    p.phone2[c] = second

        # Ownership: controllers -> shell chain -> members, optionally a cycle among members.
        for person, bp in zip(controllers, r.choice(_SPLITS[len(controllers)]), strict=True):
            p.hold(PERSON, person, shells[0], bp, p.since(int(p.est[shells[0]]), 0.8, 0.1))
        for upper, lower in itertools.pairwise(shells):
            main = r.choice((10000, 9000, 8000, 7000))
            since = p.since(int(p.est[lower]), 0.8, 0.1)
            p.hold(COMPANY, upper, lower, main, since)
            if main < 10000:
                p.hold(PERSON, r.choice(nominees), lower, 10000 - main, since)
        cycle: dict[int, tuple[int, int]] = {}
        if ring in cyclic and len(members) >= 3:
            loop = r.sample(members, 4 if len(members) >= 8 and r.random() < 0.4 else 3)
            for a, b in zip(loop, loop[1:] + loop[:1], strict=True):
                cycle[b] = (a, r.choice((1000, 1500, 2000)))
        deep = shells[len(shells) // 2 :]
        for c in members:
            since = p.since(int(p.est[c]), 0.85, 0.05)
            extra = cycle.get(c)
            room = 10000 - (extra[1] if extra else 0)
            main = min(room, r.choice((10000, 9000, 8000, 7000, 6000, 5100)))
            p.hold(COMPANY, r.choice(deep), c, main, since)
            if extra:
                p.hold(COMPANY, extra[0], c, extra[1], since)
            if room > main and r.random() < 0.85:
                p.hold(PERSON, r.choice(nominees), c, room - main, since)

        # Nominees front everything: each is legal representative of at least two companies.
        order = every[:]
        r.shuffle(order)
        for j, c in enumerate(order):
            rep = nominees[j % k]
            p.office(rep, c, LEGAL)
            if r.random() < 0.7:
                p.office(rep, c, EXECUTIVE)
            p.office(nominees[(j + 1) % k], c, SUPERVISOR)
            if r.random() < 0.3:
                p.office(r.choice(nominees), c, MANAGER)
        if r.random() < 0.4:
            p.office(controllers[0], shells[0], DIRECTOR)
        for person in nominees:
            if r.random() < 0.3:
                p.p_phones.add(person, r.choice(phones))
        if r.random() < 0.4:
            dorm = p.address(home, style=0)
            for person in nominees:
                p.p_addresses.add(person, dorm)

        for c in members:
            others = [x for x in every if x != c]
            if r.random() < 0.5:
                p.link(r.choice(others), c, LOAN)
            if r.random() < 0.4:
                p.link(c, r.choice(others), GUARANTEE)
            if r.random() < 0.2:
                p.link(c, r.choice(others), CREDITOR)
            for kind, chance, most in ((COMPLAINT, 0.45, 3), (NEG_NEWS, 0.35, 2),
                                       (LITIGATION, 0.3, 2), (CASE_FILED, 0.12, 1),
                                       (ABNORMAL_OP, 0.1, 1)):  # fmt: skip
                if r.random() < chance:
                    for _ in range(r.randint(1, most)):
                        p.event(c, p.when(c, after=30, back=900), kind, ring=True)
        for c in shells:
            if r.random() < 0.15:
                p.event(c, p.when(c), LITIGATION, ring=True)

        if ring in exposed:
            for c in r.sample(members, r.randint(1, min(3, len(members)))):
                when = min(p.t0, max(p.t0 - r.randint(1, 240), int(p.est[c]) + 60))
                p.event(c, when, EXPOSURE, ring=True)
                p.exposed.add(c)
                if r.random() < 0.7:
                    p.event(c, min(p.t0, when + r.randint(0, 30)), CASE_FILED, ring=True)
                x = r.random()
                if x < 0.6:
                    p.status[c] = ABNORMAL if x < 0.5 else REVOKED
            for j, c in enumerate([c for c in members if c not in p.exposed]):
                if j == 0 or r.random() < 0.75:
                    p.fail(c, RING_CONTAGION, 7, 365)
            for c in shells:
                if r.random() < 0.5:
                    p.fail(c, RING_CONTAGION, 14, 450)

        ring_id = ring + 1
        for c in members:
            p.ring_truth.add(ring_id, COMPANY, c, RING_ROLES.index("member"))
        for c in shells:
            p.ring_truth.add(ring_id, COMPANY, c, RING_ROLES.index("shell"))
        for person in nominees:
            p.ring_truth.add(ring_id, PERSON, person, RING_ROLES.index("nominee"))
        for person in controllers:
            p.ring_truth.add(ring_id, PERSON, person, RING_ROLES.index("controller"))
        out.append((ring in exposed, controllers))
    p.rings = count
    p.exposed_rings = len(exposed)
    return out


def _groups(p: Province) -> None:
    """Legitimate conglomerates: deep, wide ownership trees with shared HQ, phones, directors."""
    r = p.r
    target = int(0.06 * p.n)
    year = date.fromordinal(p.t0).year
    done = 0
    while done < target and p.remaining() > 0.5 * p.n:
        size = min(400, int(r.paretovariate(1.1) * 6) + 2, target - done)
        if size < 3:
            break
        cs = p.take(size)
        done += size
        p.groups += 1
        surname = p.surname()
        founder = p.person(surname, year - r.randint(50, 72))
        spouse = p.person(
            surname if r.random() < 0.2 else -1, int(p.p_birth[founder]) + r.randint(-2, 5)
        )
        heir = p.person(surname, min(year - 20, int(p.p_birth[founder]) + r.randint(24, 32)))
        execs = [founder, heir] + [p.person() for _ in range(r.randint(2, 6))]
        hq = p.district()
        hq_addr = p.address(hq, style=4)
        hq_phones = [p.landline(hq) for _ in range(r.randint(1, 3))]
        brand = p.brand_name()
        lines = r.sample(_ORDINARY, r.randint(2, 4))
        depth_cap = r.randint(3, 6)
        parent = [-1]
        depth = [0]
        root = cs[0]
        p.kind[root] = GROUP
        p.est[root] = p.t0 - r.randint(8 * 365, 28 * 365)
        p.capital[root] = r.choice((5000, 10000, 20000, 50000)) * 10000
        p.industry[root] = _INVEST if r.random() < 0.5 else lines[0]
        p.status[root] = ACTIVE
        p.name_style[root] = 2
        p.brand[root] = brand
        p.addr[root] = hq_addr
        p.phone1[root] = hq_phones[0]
        if len(hq_phones) > 1:
            p.phone2[root] = hq_phones[1]
        founders = [founder, spouse, heir]
        for person, bp in zip(founders, r.choice(_SPLITS[3]), strict=True):
            p.hold(PERSON, person, root, bp, p.since(int(p.est[root]), 0.9, 0.3))
        p.office(founder, root, LEGAL)
        for person in execs[: r.randint(3, len(execs))]:
            p.office(person, root, DIRECTOR)
        p.office(spouse, root, SUPERVISOR)
        p.office(execs[-1], root, MANAGER)

        for i in range(1, size):
            c = cs[i]
            j = r.randrange(i)
            while depth[j] >= depth_cap:
                j = parent[j]
            if parent[j] >= 0 and r.random() < 0.3:
                j = parent[j]
            parent.append(j)
            depth.append(depth[j] + 1)
            pc = cs[j]
            pest = int(p.est[pc])
            p.kind[c] = GROUP
            p.est[c] = min(p.t0 - 1, pest + r.randint(1, max(1, min(2500, p.t0 - pest - 1))))
            p.capital[c] = r.choice((100, 500, 1000, 2000, 5000)) * 10000
            p.industry[c] = r.choice(lines)
            x = r.random()
            p.status[c] = (
                ACTIVE if x < 0.94 else CANCELLED if x < 0.97 else REVOKED if x < 0.98 else ABNORMAL
            )
            p.brand[c] = brand
            est = int(p.est[c])

            main = 10000 if r.random() < 0.45 else r.randint(51, 95) * 100
            since = p.since(est, 0.85, 0.1)
            p.hold(COMPANY, pc, c, main, since)
            rest = 10000 - main
            if rest > 0 and i >= 2 and r.random() < 0.35:
                other = cs[r.randrange(i)]
                if other != pc and int(p.est[other]) <= est:
                    cross = rest if r.random() < 0.5 else rest // 200 * 100 or rest
                    p.hold(COMPANY, other, c, cross, since)
                    rest -= cross
            if rest > 0 and r.random() < 0.8:
                holder = r.choice(execs) if r.random() < 0.5 else p.person()
                p.hold(PERSON, holder, c, rest, since)

            legal = r.choice(execs) if r.random() < 0.7 else p.person()
            p.office(legal, c, LEGAL)
            for person in r.sample(execs, min(len(execs), r.randint(1, 3))):
                p.office(person, c, DIRECTOR)
            supervisor = r.choice(execs) if r.random() < 0.6 else p.person()
            p.office(supervisor if supervisor != legal else p.person(), c, SUPERVISOR)
            if r.random() < 0.5:
                p.office(p.person(), c, MANAGER)

            district = hq if r.random() < 0.5 else p.district()
            p.addr[c] = hq_addr if r.random() < 0.35 else p.address(district)
            p.phone1[c] = r.choice(hq_phones) if r.random() < 0.55 else p.landline(district)
            if r.random() < 0.1:
                p.phone2[c] = p.mobile()
            if r.random() < 0.08:
                p.link(pc, c, BRANCH, amount_p=0.0)
            if r.random() < 0.15:
                p.link(pc, c, GUARANTEE, amount_p=0.9)
            if r.random() < 0.2:
                other = cs[r.randrange(i)]  # founded already, so the link dates work
                if other != c:
                    p.link(c, other, TRADE, amount_p=0.5)


def _smes(p: Province, ring_people: list[tuple[bool, list[int]]]) -> None:
    """Ordinary firms: 1-3 people, families, serial entrepreneurs, the controllers' side firms."""
    r = p.r
    rest = p.take(p.remaining())
    idx = np.array(rest, dtype=np.int64)
    k = len(rest)
    g = p.np
    p.est[idx] = p.t0 - np.clip(g.exponential(2600.0, k) + 30, 30, 11000).astype(np.int64)
    capital = np.maximum(1, np.round(g.lognormal(np.log(100.0), 1.2, k))).astype(np.int64)
    p.capital[idx] = capital * 10000
    p.status[idx] = g.choice(4, size=k, p=[0.86, 0.045, 0.05, 0.045])
    p.industry[idx] = g.choice(len(T.INDUSTRIES), size=k, p=_INDUSTRY_P)
    p.name_style[idx] = (g.random(k) < 0.1).astype(np.int64)
    year = date.fromordinal(p.t0).year
    pos = 0
    investors = np.flatnonzero(p.kind == GROUP).tolist() + rest[: max(1, k // 3)]

    # Side businesses of ring controllers: these fail with their controller.
    for exposed, controllers in ring_people:
        first = True
        for n_ctrl, person in enumerate(controllers):
            for _ in range(r.randint(1 if n_ctrl == 0 else 0, 3)):
                if pos >= k:
                    break
                c = rest[pos]
                pos += 1
                p.status[c] = ACTIVE
                main = r.choice((10000, 8000, 6000))
                p.hold(PERSON, person, c, main, p.since(int(p.est[c])))
                partner = p.person() if main < 10000 else person
                if main < 10000:
                    p.hold(PERSON, partner, c, 10000 - main, p.since(int(p.est[c])))
                legal = person if r.random() < 0.5 else partner if partner != person else p.person()
                _officers(p, c, legal, partner if partner != legal else p.person())
                _contact(p, c, legal)
                if exposed and (first or r.random() < 0.6):
                    p.fail(c, CONTROLLER_CONTAGION, 30, 540)
                    first = False

    # Families co-owning a few firms.
    family_end = pos + int(0.12 * (k - pos))
    while pos < family_end:
        surname = p.surname()
        father = p.person(surname, year - int(r.triangular(35, 72, 52)))
        fb = int(p.p_birth[father])
        mother = p.person(surname if r.random() < 0.2 else -1, fb + r.randint(-3, 5))
        kids = [
            p.person(surname, min(year - 20, fb + r.randint(22, 32)))
            for _ in range(r.randint(0, 2) if year - fb >= 50 else 0)
        ]
        family = [father, mother, *kids]
        if r.random() < 0.5:
            home = p.address(p.district(), style=r.choice((0, 1)))
            for person in family:
                p.p_addresses.add(person, home)
        for _ in range(min(family_end - pos, r.choice((1, 1, 2, 2, 3)))):
            c = rest[pos]
            pos += 1
            owners = r.sample(family, min(len(family), r.choice((2, 2, 3))))
            shares = r.choice(_HOLD_2) if len(owners) == 2 else r.choice(_HOLD_3)
            for person, bp in zip(owners, shares, strict=True):
                p.hold(PERSON, person, c, bp, p.since(int(p.est[c])))
            legal = father if r.random() < 0.6 else r.choice(family)
            _officers(p, c, legal, mother if legal != mother else father)
            _contact(p, c, legal)

    # Everyone else, with a pool of serial entrepreneurs who recur across firms.
    serial: list[int] = []
    for c in rest[pos:]:
        est = int(p.est[c])
        x = r.random()
        split: tuple[int, ...] = (
            (10000,) if x < 0.45 else r.choice(_HOLD_2) if x < 0.87 else r.choice(_HOLD_3)
        )
        company_holder = NONE
        if len(split) > 1 and r.random() < 0.08:
            candidate = investors[r.randrange(len(investors))]
            if int(p.est[candidate]) < est and p.kind[candidate] != BAD:
                company_holder = candidate
        people: list[int] = []
        for j in range(len(split)):
            if company_holder != NONE and j == len(split) - 1:
                break
            person = NONE
            if serial and r.random() < 0.18:
                person = serial[r.randrange(len(serial))]
            if person == NONE or person in people:
                person = p.person()
                if r.random() < 0.3:
                    serial.append(person)
            people.append(person)
        drop_last = len(split) > 1 and r.random() < 0.03
        for j, bp in enumerate(split):
            if drop_last and j == len(split) - 1:
                break
            if j < len(people):
                p.hold(PERSON, people[j], c, bp, p.since(est))
            else:
                p.hold(COMPANY, company_holder, c, bp, p.since(est))
        legal = people[0] if r.random() < 0.75 else p.person()
        supervisor = people[1] if len(people) > 1 and people[1] != legal else p.person()
        _officers(p, c, legal, supervisor)
        _contact(p, c, legal)


_INDUSTRY_P = np.array([i.weight for i in T.INDUSTRIES]) / sum(i.weight for i in T.INDUSTRIES)


def _officers(p: Province, c: int, legal: int, supervisor: int) -> None:
    r = p.r
    p.office(legal, c, LEGAL)
    if r.random() < 0.8:
        p.office(legal, c, EXECUTIVE)
    if r.random() < 0.35:
        p.office(legal if r.random() < 0.6 else p.person(), c, MANAGER)
    p.office(supervisor, c, SUPERVISOR)


def _contact(p: Province, c: int, legal: int) -> None:
    """A small firm's phone is often the boss's own mobile; the same mobile follows the boss."""
    r = p.r
    district = p.district()
    p.addr[c] = p.address(district)
    if r.random() < 0.25:
        phone = p.mobile_of.get(legal, NONE)
        if phone == NONE:
            phone = p.mobile()
            p.mobile_of[legal] = phone
            p.p_phones.add(legal, phone)
        p.phone1[c] = phone if r.random() < 0.6 else p.mobile()
    else:
        p.phone1[c] = p.mobile() if r.random() < 0.6 else p.landline(district)
    if r.random() < 0.15:
        p.phone2[c] = p.mobile()


def _standalone_exposures(p: Province) -> None:
    """Blow-ups outside any ring; the owners' other firms are contagion candidates."""
    r = p.r
    k = max(1, round(0.0005 * p.n))
    sme = p.kind == SME
    fund = np.isin(p.industry, _FUND) & sme & (p.status == ACTIVE)
    candidates = [c for c in np.flatnonzero(fund).tolist() if c not in p.future]
    if len(candidates) < k:
        candidates += [c for c in np.flatnonzero(sme).tolist() if c not in p.future]
    chosen = r.sample(candidates, min(k, len(candidates)))
    if not chosen:
        return
    for c in chosen:
        p.event(c, p.when(c, after=180, back=700), EXPOSURE)
        p.exposed.add(c)
        if r.random() < 0.5:
            p.status[c] = ABNORMAL
        if r.random() < 0.6:
            p.event(c, p.when(c, after=90), COMPLAINT, ring=True)
    h = p.holdings.arrays()
    o = p.officers.arrays()
    people_of: dict[int, set[int]] = {}
    chosen_arr = np.array(chosen, dtype=np.int64)
    mask = (h["holder_kind"] == PERSON) & np.isin(h["company"], chosen_arr)
    for person in h["holder"][mask].tolist():
        people_of.setdefault(person, set())
    mask = (o["role"] == LEGAL) & np.isin(o["company"], chosen_arr)
    for person in o["person"][mask].tolist():
        people_of.setdefault(person, set())
    people = np.array(sorted(people_of), dtype=np.int64)
    related: list[int] = []
    mask = (h["holder_kind"] == PERSON) & np.isin(h["holder"], people)
    related += h["company"][mask].tolist()
    mask = (o["role"] == LEGAL) & np.isin(o["person"], people)
    related += o["company"][mask].tolist()
    for c in sorted(set(related) - set(chosen)):
        if r.random() < 0.4:
            p.fail(c, CONTROLLER_CONTAGION, 30, 540)


def _chunks(p: Province, count: int, pool: I64) -> list[I64]:
    """Disjoint groups of 100-500 firms (fewer when the province is small)."""
    r = p.r
    sizes = [r.randint(100, 500) for _ in range(count)]
    cap = max(5, int(0.1 * p.n) // count)
    sizes = [min(s, cap) for s in sizes]
    chosen = p.np.permutation(pool)
    out: list[I64] = []
    start = 0
    for s in sizes:
        out.append(chosen[start : start + s])
        start += s
    return out


def _hubs(p: Province) -> None:
    """Registered-address agencies: one address, hundreds of legitimate tenants."""
    r = p.r
    count = max(2, round(0.06 * p.n / 250))
    pool = np.flatnonzero(p.kind == SME)
    for members in _chunks(p, count, pool):
        hub = p.address(p.district(), style=5)
        p.hub_addresses.append(hub)
        p.addr[members] = hub
    waiting = np.flatnonzero(p.addr == HUB)
    for c in waiting.tolist():
        p.addr[c] = r.choice(p.hub_addresses)


def _agencies(p: Province) -> None:
    """Bookkeeping agencies put their own phone on hundreds of their clients' filings."""
    r = p.r
    count = max(2, round(0.05 * p.n / 250))
    pool = np.flatnonzero(p.kind == SME)
    for members in _chunks(p, count, pool):
        phone = p.landline(p.district())
        p.agency_phones.append(phone)
        for c in members.tolist():
            if r.random() < 0.7:
                p.phone1[c] = phone
            elif p.phone1[c] != phone:
                p.phone2[c] = phone
    for c in np.flatnonzero((p.kind == MEMBER) | (p.kind == SHELL)).tolist():
        if r.random() < 0.05 and p.phone2[c] == NONE:
            p.phone2[c] = r.choice(p.agency_phones)


def _background_events(p: Province) -> None:
    g = p.np
    firms = np.flatnonzero((p.kind == SME) | (p.kind == GROUP))
    status = p.status[firms]
    est = p.est[firms]
    for kind, rate in _RATES.items():
        rates = np.full(len(firms), rate)
        if kind == ABNORMAL_OP:
            rates[status == ABNORMAL] = 0.9
            rates[status == REVOKED] = 0.3
        if kind == TAX:
            rates[status == REVOKED] += 0.1
        counts = g.poisson(rates)
        who = np.repeat(firms, counts)
        lo = np.minimum(np.maximum(np.repeat(est, counts), p.t0 - 1095), p.t0)
        when = lo + (g.random(len(who)) * (p.t0 - lo + 1)).astype(np.int64)
        low, high = _SEVERITY_RANGE[kind]
        severity = g.integers(low, high + 1, len(who))
        severity[g.random(len(who)) < 0.1] = NONE
        phrase = g.integers(0, len(T.EVENT_PHRASES[T.EVENT_TYPES[kind]]), len(who))
        p.events.extend(who, when, np.full(len(who), kind), severity, phrase)


def _background_links(p: Province) -> None:
    g = p.np
    valid = np.flatnonzero(p.kind != BAD)
    for kind, per_firm in ((TRADE, 0.45), (GUARANTEE, 0.04), (LOAN, 0.02), (RENT, 0.02),
                           (CREDITOR, 0.015)):  # fmt: skip
        m = int(per_firm * p.n)
        src = g.choice(valid, m)
        dst = g.choice(valid, m)
        if kind == GUARANTEE:  # Zhejiang's mutual-guarantee pairs (互保)
            mutual = g.random(m) < 0.5
            src, dst = np.concatenate([src, dst[mutual]]), np.concatenate([dst, src[mutual]])
        keep = src != dst
        src, dst = src[keep], dst[keep]
        m = len(src)
        amount = (np.exp(g.normal(13.0, 1.3, m)) // 1000 * 1000 + 1000).astype(np.int64)
        amount[g.random(m) < (0.5 if kind == TRADE else 0.2)] = NONE
        start = np.maximum(p.est[src], p.est[dst])
        since = start + (g.random(m) * (p.t0 - start + 1)).astype(np.int64)
        since[g.random(m) < 0.3] = NONE
        p.links.extend(src, dst, np.full(m, kind), amount, since)


def _background_failures(p: Province) -> None:
    """Unrelated failures: the base rate a contagion model must beat."""
    r = p.r
    ok = ((p.kind == SME) | (p.kind == GROUP)) & (p.status == ACTIVE)
    candidates = [
        c for c in np.flatnonzero(ok).tolist() if c not in p.exposed and c not in p.future
    ]
    for c in r.sample(candidates, min(len(candidates), max(1, round(0.005 * p.n)))):
        p.fail(c, BACKGROUND, 1, 365)


# ---------------------------------------------------------------------------- persons


def _malformed_persons(p: Province) -> None:
    count = max(2, round(0.001 * len(p.p_birth)))
    for i in range(count):
        p.p_bad[p.person()] = i % len(BAD_PERSON_REASONS)


def finalize_persons(p: Province) -> None:
    """Names, ID numbers and the shuffled public ids of every person."""
    g = p.np
    m = len(p.p_birth)
    surname = np.array(p.p_surname, dtype=np.int64)
    drawn = surname < 0
    weights = np.array([w for _, w in T.SURNAMES])
    surname[drawn] = g.choice(len(T.SURNAMES), size=int(drawn.sum()), p=weights / weights.sum())
    rank = np.arange(len(T.GIVEN_CHARS))
    zipf = 1.0 / (rank + 8.0)
    zipf /= zipf.sum()
    first = g.choice(len(T.GIVEN_CHARS), size=m, p=zipf)
    second = g.choice(len(T.GIVEN_CHARS), size=m, p=zipf)
    single = g.random(m) < 0.18
    sn = [s for s, _ in T.SURNAMES]
    chars = T.GIVEN_CHARS
    p.person_names = [
        sn[s] + chars[a] + ("" if one else chars[b])
        for s, a, b, one in zip(
            surname.tolist(), first.tolist(), second.tolist(), single.tolist(), strict=True
        )
    ]
    has_id = (g.random(m) < 0.8).tolist()
    month = g.integers(1, 13, m).tolist()
    day = g.integers(1, 29, m).tolist()
    seq = g.integers(0, 1000, m).tolist()
    pick = g.integers(0, 1 << 30, m).tolist()
    seen: set[str] = set()
    numbers: list[str] = []
    for i in range(m):
        if not has_id[i]:
            numbers.append("")
            continue
        year = p.p_birth[i]
        codes = id_codes_for_year(year, bool(p.p_outside[i]))
        code = codes[pick[i] % len(codes)]
        s = seq[i]
        number = make_ric(f"{code}{year:04d}{month[i]:02d}{day[i]:02d}{s:03d}")
        while number in seen:
            s = (s + 1) % 1000
            number = make_ric(f"{code}{year:04d}{month[i]:02d}{day[i]:02d}{s:03d}")
        seen.add(number)
        numbers.append(number)
    p.person_numbers = numbers
    order = g.permutation(m)  # order[pos] = person written at position pos
    p.person_order = order
    position = np.empty(m, dtype=np.int64)
    position[order] = np.arange(m)
    p.person_ids = [f"P{x + 1:07d}" for x in position.tolist()]
