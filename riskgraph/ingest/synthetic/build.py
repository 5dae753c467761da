"""Populate a ``Province``: rings, conglomerates, families, ordinary firms, hubs and noise.

Order matters for reproducibility only: every draw comes from the province's two seeded
generators, so the same parameters always produce the same world.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from datetime import date

import numpy as np

from riskgraph.ingest.synthetic import tables as T
from riskgraph.ingest.synthetic.codes import id_codes_for_year, make_ric
from riskgraph.ingest.synthetic.variant import Channel, Tie, Variant
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
    GROUP,
    GUARANTEE,
    GUARANTEE_CONTAGION,
    HUB,
    I64,
    LEGAL,
    LITIGATION,
    LOAN,
    LOAN_CONTAGION,
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
    SEED,
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


def build(companies: int, seed: int, t0: date, variant: Variant | None = None) -> Province:
    p = Province(companies, seed, t0, variant)
    _malformed_companies(p)
    ring_people = _rings(p)
    _groups(p)
    _smes(p, ring_people)
    _standalone_exposures(p)
    if p.variant.history:
        _standalone_exposures(p, p.t0 - p.r.randint(366, 1095))
    _hubs(p)
    _agencies(p)
    _background_events(p)
    _background_links(p)
    _link_contagion(p)
    _background_failures(p)
    if p.variant.history:
        _background_failures(p, past=True)
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
    sizes = p.variant.ring_sizes
    if sizes is not None:
        lo, hi = sizes
        cap = max(lo, min(hi, p.n // (count * 4)))
        drawn = int(math.exp(p.r.uniform(math.log(lo), math.log(hi + 1))))
        return max(lo, min(cap, drawn))
    cap = max(5, min(30, p.n // (count * 8)))
    return min(cap, 5 + int(p.r.gammavariate(1.5, 5.0)))


@dataclass(frozen=True)
class _Fronts:
    """A ring's nominees: the shared ones (``own`` empty) or one per company, each written
    now and then as its second record (``aliases``)."""

    r: random.Random
    nominees: list[int]
    own: dict[int, int]
    aliases: dict[int, int]

    def pick(self, company: int) -> int:
        person = self.own[company] if self.own else self.r.choice(self.nominees)
        alias = self.aliases.get(person)
        return alias if alias is not None and self.r.random() < 0.5 else person


# (the day its first members blew up, or None when none did; its controllers) per ring
RingPeople = list[tuple[int | None, list[int]]]


def _rings(p: Province) -> RingPeople:
    """Fraud rings, planted with the variant's ties; returns each ring's seed day (None
    when not exposed) and controllers, for the controllers' other firms. A third of the
    rings blow up shortly before t0 (their failures come after it); with ``history`` as
    many more blew up 1-3 years before t0 and their failures already happened."""
    r = p.r
    v = p.variant
    ties = v.ring_ties
    count = max(3, round(p.n / 1000))
    exposed = set(r.sample(range(count), max(1, round(count / 3))))
    cyclic = {0} | {i for i in range(count) if r.random() < 0.4}
    earlier = max(1, round(count / 3)) if v.history else 0
    cyclic |= {i for i in range(count, count + earlier) if r.random() < 0.4}
    year = date.fromordinal(p.t0).year
    out: RingPeople = []
    for ring in range(count + earlier):
        seed_day = p.t0 - r.randint(366, 1095) if ring >= count else None
        members = p.take(_ring_size(p, count + earlier))
        shells = p.take(r.randint(1, 4)) if Tie.OWNERSHIP in ties else []
        every = shells + members
        home = p.district()
        start = (seed_day or p.t0) - r.randint(200, 1500 if seed_day is None else 1200)
        start -= max(0, v.ring_span_days - 60)
        industries = r.choices(_FUND, weights=_FUND_W, k=2)
        motif = r.choice(T.FUND_BRAND_CHARS)
        for c in every:
            p.dirty[c] = r.random() < v.misspelled
        for c in members:
            p.kind[c] = MEMBER
            p.est[c] = start + r.randint(0, v.ring_span_days)
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
        shared = Tie.PERSON in ties  # else every company has a front of its own
        k = max(2, min(5, len(every) // 3)) if shared else len(every)
        nominees = [
            p.person(birth=year - int(r.triangular(22, 66, 30)), outside=r.random() < 0.6)
            for _ in range(k)
        ]
        own = dict(zip(every, nominees, strict=False)) if not shared else {}
        # a nominee written on some filings as a second record: a name variant, no ID number
        aliases: dict[int, int] = {}
        for person in nominees:
            if r.random() < v.misspelled:
                alias = p.person(birth=p.p_birth[person], outside=bool(p.p_outside[person]))
                p.alias_of[alias] = person
                aliases[person] = alias
        # with neither people nor ownership to tie the ring, its identifiers must: every
        # filing carries one of them (two of its phones on most, chained; one or two
        # registered addresses, hardly ever a hub's)
        alone = not ties & {Tie.PERSON, Tie.OWNERSHIP}
        phones = [
            p.mobile() if r.random() < 0.75 else p.landline(home) for _ in range(r.randint(1, 3))
        ]
        addrs = [
            p.address(home if r.random() < 0.7 else p.district(), style=r.choice((2, 4)))
            for _ in range(r.randint(1, 2 if alone else 3))
        ]
        for c in every:
            x = r.random()
            if Tie.ADDRESS in ties:
                near, hub = (0.95, 1.0) if alone else (0.75, 0.87)
                p.addr[c] = r.choice(addrs) if x < near else HUB if x < hub else p.address(home)
            else:
                p.addr[c] = HUB if x < 0.12 else p.address(home)
            if Tie.PHONE not in ties:
                p.phone1[c] = p.mobile()
                continue
            p.phone1[c] = r.choice(phones) if alone or r.random() < 0.85 else p.mobile()
            if r.random() < (0.7 if alone else 0.2):
                second = r.choice(phones) if alone or r.random() < 0.5 else p.mobile()
                if second != p.phone1[c]:
                    p.phone2[c] = second
        fronts = _Fronts(r, nominees, own, aliases)
        if Tie.OWNERSHIP in ties:
            # Ownership: controllers -> shell chain -> members, optionally a cycle of members.
            for person, bp in zip(controllers, r.choice(_SPLITS[len(controllers)]), strict=True):
                p.hold(PERSON, person, shells[0], bp, p.since(int(p.est[shells[0]]), 0.8, 0.1))
            for upper, lower in itertools.pairwise(shells):
                main = r.choice((10000, 9000, 8000, 7000))
                since = p.since(int(p.est[lower]), 0.8, 0.1)
                p.hold(COMPANY, upper, lower, main, since)
                if main < 10000:
                    p.hold(PERSON, fronts.pick(lower), lower, 10000 - main, since)
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
                    p.hold(PERSON, fronts.pick(c), c, room - main, since)
        else:  # the fronts hold the members themselves (代持)
            for c in members:
                since = p.since(int(p.est[c]), 0.85, 0.05)
                main = r.choice((10000, 7000, 6000, 5100)) if shared else 10000
                first, second = fronts.pick(c), fronts.pick(c)
                if second == first:
                    main = 10000
                p.hold(PERSON, first, c, main, since)
                if main < 10000:
                    p.hold(PERSON, second, c, 10000 - main, since)

        # Nominees front everything: each is legal representative of at least two companies
        # (or, when people are not what the ring shares, each company has its own front).
        order = every[:]
        r.shuffle(order)
        for j, c in enumerate(order):
            if shared:
                rep = nominees[j % k]
                rep = aliases[rep] if rep in aliases and r.random() < 0.5 else rep
                supervisor = nominees[(j + 1) % k]
            else:
                rep, supervisor = own[c], p.person()
            p.office(rep, c, LEGAL)
            if r.random() < 0.7:
                p.office(rep, c, EXECUTIVE)
            p.office(supervisor, c, SUPERVISOR)
            if shared and r.random() < 0.3:
                p.office(fronts.pick(c), c, MANAGER)
        if Tie.OWNERSHIP in ties and r.random() < 0.4:
            p.office(controllers[0], shells[0], DIRECTOR)
        if shared:
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

        base: int | None = None  # when the ring's failures start (t0: they are all to come)
        if ring in exposed or seed_day is not None:
            for c in r.sample(members, r.randint(1, min(3, len(members)))):
                soon = p.t0 - r.randint(1, 240) if seed_day is None else seed_day + r.randint(0, 60)
                when = min(p.t0, max(soon, int(p.est[c]) + 60))
                p.expose(c, when, SEED, ring=True, earlier=seed_day is not None)
                base = p.t0 if seed_day is None else max(base or 0, when)
                if r.random() < 0.7:
                    p.event(c, min(p.t0, when + r.randint(0, 30)), CASE_FILED, ring=True)
                x = r.random()
                if x < 0.6:
                    p.status[c] = ABNORMAL if x < 0.5 else REVOKED
            if v.holdings_spread:
                for j, c in enumerate([c for c in members if c not in p.exposed]):
                    if j == 0 or r.random() < 0.75:
                        p.fail(c, RING_CONTAGION, 7, 365, base)
                for c in shells:
                    if r.random() < 0.5:
                        p.fail(c, RING_CONTAGION, 14, 450, base)

        ring_id = ring + 1
        for c in members:
            p.ring_truth.add(ring_id, COMPANY, c, RING_ROLES.index("member"))
        for c in shells:
            p.ring_truth.add(ring_id, COMPANY, c, RING_ROLES.index("shell"))
        for person in nominees + list(aliases.values()):
            p.ring_truth.add(ring_id, PERSON, person, RING_ROLES.index("nominee"))
        if Tie.OWNERSHIP in ties:  # else they stay hidden behind the fronts
            for person in controllers:
                p.ring_truth.add(ring_id, PERSON, person, RING_ROLES.index("controller"))
        out.append((base, controllers))
    p.rings = count + earlier
    p.exposed_rings = len(exposed) + earlier
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


def _smes(p: Province, ring_people: RingPeople) -> None:
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
    for base, controllers in ring_people:
        first = True
        for n_ctrl, person in enumerate(controllers):
            for _ in range(r.randint(1 if n_ctrl == 0 else 0, 3)):
                if pos >= k:
                    break
                c = rest[pos]
                pos += 1
                p.status[c] = ACTIVE
                if base is not None and base < p.t0:  # in business before the ring blew up
                    p.est[c] = min(int(p.est[c]), base - r.randint(90, 3000))
                main = r.choice((10000, 8000, 6000))
                p.hold(PERSON, person, c, main, p.since(int(p.est[c])))
                partner = p.person() if main < 10000 else person
                if main < 10000:
                    p.hold(PERSON, partner, c, 10000 - main, p.since(int(p.est[c])))
                legal = person if r.random() < 0.5 else partner if partner != person else p.person()
                _officers(p, c, legal, partner if partner != legal else p.person())
                _contact(p, c, legal)
                if base is not None and p.variant.holdings_spread and (first or r.random() < 0.6):
                    p.fail(c, CONTROLLER_CONTAGION, 30, 540 if base == p.t0 else 450, base)
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


def _standalone_exposures(p: Province, seed_day: int | None = None) -> None:
    """Blow-ups outside any ring; the owners' other firms are contagion candidates. Within
    700 days before t0 with the failures to come, or from ``seed_day`` on (the history
    wave) with the failures before t0."""
    r = p.r
    # where failures spread only through links, more seeds: as many failures to learn from
    k = max(1, round(0.0005 * p.n)) if p.variant.holdings_spread else max(3, round(0.0015 * p.n))
    sme = p.kind == SME
    if seed_day is not None:
        sme &= p.est < seed_day - 180
    fund = np.isin(p.industry, _FUND) & sme & (p.status == ACTIVE)
    done = p.future.keys() | p.exposed
    candidates = [c for c in np.flatnonzero(fund).tolist() if c not in done]
    if len(candidates) < k:
        candidates += [c for c in np.flatnonzero(sme).tolist() if c not in done]
    chosen = r.sample(candidates, min(k, len(candidates)))
    if not chosen:
        return
    base = p.t0
    for c in chosen:
        if seed_day is None:
            day = p.when(c, after=180, back=700)
            complaint = p.when(c, after=90)
        else:
            day = seed_day + r.randint(0, 120)
            complaint = max(int(p.est[c]) + 90, day - r.randint(0, 300))
            base = max(base if base < p.t0 else 0, day)
        p.expose(c, day, SEED, earlier=seed_day is not None)
        if r.random() < 0.5:
            p.status[c] = ABNORMAL
        if r.random() < 0.6:
            p.event(c, complaint, COMPLAINT, ring=True)
    if not p.variant.holdings_spread:
        return
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
            p.fail(c, CONTROLLER_CONTAGION, 30, 540 if base == p.t0 else 450, base)


# per channel: the links failures spread through, with the cause they are recorded under
_SPREAD = {
    Channel.HOLDINGS: (),
    Channel.GUARANTEE: ((GUARANTEE, GUARANTEE_CONTAGION),),
    Channel.LOAN: ((LOAN, LOAN_CONTAGION),),
    Channel.MIXED: ((GUARANTEE, GUARANTEE_CONTAGION), (LOAN, LOAN_CONTAGION)),
}


def _link_contagion(p: Province) -> None:
    """Failures through guarantees or loans (the variant's channel): every seed has
    counterparties of its own, linked before it blew up, and the companies guaranteeing or
    guaranteed by it (lending to or borrowing from it) mostly fail after it: after t0 for
    the seeds shortly before t0, before t0 for those of the earlier wave."""
    spread = _SPREAD[p.variant.channel]
    if not spread:
        return
    r = p.r
    alone = len(spread) == 1
    pool = np.flatnonzero(((p.kind == SME) | (p.kind == GROUP)) & (p.status == ACTIVE)).tolist()
    seeds = sorted(p.seeds, key=lambda s: (s[1], s[0]))
    for c, day, _ in seeds:
        for kind, _ in spread:
            for _ in range(r.randint(4, 8) if alone else r.randint(1, 3)):
                other = pool[r.randrange(len(pool))]
                start = max(int(p.est[c]), int(p.est[other]))
                if other == c or start >= day - 60:
                    continue
                since = r.randint(start, day - 30) if r.random() < 0.8 else NONE
                amount = int(r.lognormvariate(13.0, 1.3)) // 1000 * 1000 + 1000
                src, dst = (c, other) if r.random() < 0.5 else (other, c)
                p.links.add(src, dst, kind, amount if r.random() < 0.8 else NONE, since)
    lk = p.links.arrays()
    chance = 0.8 if alone else 0.5
    for kind, cause in spread:
        m = lk["type"] == kind
        src, dst = lk["src"][m], lk["dst"][m]
        pairs = np.concatenate([np.stack([src, dst], 1), np.stack([dst, src], 1)])
        pairs = np.unique(pairs, axis=0)
        starts = np.searchsorted(pairs[:, 0], np.arange(p.n + 1))
        for c, day, earlier in seeds:
            for other in pairs[starts[c] : starts[c + 1], 1].tolist():
                if r.random() < chance:
                    if earlier:
                        p.fail(other, cause, 14, 400, day)
                    else:
                        p.fail(other, cause, 7, 365)


def _chunks(p: Province, count: int, pool: I64) -> list[I64]:
    """Disjoint groups of 100-500 firms (fewer when the province is small; with the
    variant's ``hubs`` scale s, of 100/s-500s firms)."""
    r = p.r
    scale = p.variant.hubs
    sizes = [r.randint(int(100 / scale), int(500 * scale)) for _ in range(count)]
    cap = max(5, int(min(0.5, 0.1 * scale) * p.n) // count)
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
    count = round(max(2, 0.06 * p.n / 250) * p.variant.hubs)
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
    count = round(max(2, 0.05 * p.n / 250) * p.variant.hubs)
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


def _background_failures(p: Province, past: bool = False) -> None:
    """Unrelated failures: the base rate a contagion model must beat; in the year after
    t0, or (``past``) over the three years before it, at the same rate per year."""
    r = p.r
    ok = ((p.kind == SME) | (p.kind == GROUP)) & (p.status == ACTIVE)
    candidates = [
        c for c in np.flatnonzero(ok).tolist() if c not in p.exposed and c not in p.future
    ]
    rate, base = (0.015, p.t0 - 1096) if past else (0.005, p.t0)
    for c in r.sample(candidates, min(len(candidates), max(1, round(rate * p.n)))):
        p.fail(c, BACKGROUND, 1, 1095 if past else 365, base)


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
    for alias, person in p.alias_of.items():  # a second record: a name variant, no ID number
        p.person_names[alias] = _name_variant(p.person_names[person], alias)
    has_id = (g.random(m) < 0.8).tolist()
    for alias in p.alias_of:
        has_id[alias] = False
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


_TRADITIONAL = str.maketrans(
    "伟华国军刚丽红兰东龙凤杰强辉荣贵宝庆涛韩刘陈张",
    "偉華國軍剛麗紅蘭東龍鳳傑強輝榮貴寶慶濤韓劉陳張",
)


def _name_variant(name: str, k: int) -> str:
    """The same name written another way: traditional characters, or a space (half- or
    full-width) after the surname."""
    traditional = name.translate(_TRADITIONAL)
    if traditional != name and k % 2 == 0:
        return traditional
    return name[0] + (" " if k % 3 else "\u3000") + name[1:]
