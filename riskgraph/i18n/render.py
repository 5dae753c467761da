"""Words for the engine's data, in the reader's language: reasons, ring reasons, levels,
tiers, relationships, entities. The only place reasons become text; every string here is a
msgid of the catalogue (``zh_CN.po``), and tests hold each one translated.

Entities are named by name with their id alongside (``浙江某某有限公司（91330…）``); a phone
arrives already masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskgraph.graph.schema import Level, Tier
from riskgraph.i18n.catalog import translations
from riskgraph.i18n.locale import Locale
from riskgraph.risk.codes import Reason, ReasonCode, RingReasonCode


def N_(message: str) -> str:
    """Marks a message for the catalogue; translated where it is shown."""
    return message


LEVELS = {
    Level.RED: N_("red"),
    Level.ORANGE: N_("orange"),
    Level.YELLOW: N_("yellow"),
    Level.NONE: N_("none"),
}
TIERS = {
    Tier.KEY_CONCERN: N_("key concern"),
    Tier.GENERAL_CONCERN: N_("general concern"),
    Tier.NO_ANOMALY: N_("no anomaly"),
}
LABELS = {
    "Company": N_("company"),
    "Person": N_("person"),
    "Address": N_("address"),
    "Phone": N_("phone"),
    "Event": N_("event"),
    "Ring": N_("ring"),
}
RELATIONS = {
    "HOLDS": N_("shareholding"),
    "OFFICER_OF": N_("office"),
    "REGISTERED_AT": N_("shared address"),
    "HAS_PHONE": N_("shared phone"),
    "HAS_EVENT": N_("event"),
    "GUARANTEE": N_("guarantee"),
    "LOAN": N_("loan"),
    "TRADE": N_("trade"),
    "BRANCH": N_("branch"),
    "RENT": N_("lease"),
    "CREDITOR": N_("debt"),
}


class Renderer:
    """Renders for one locale; cheap to make (the catalogue is compiled once per process)."""

    def __init__(self, locale: Locale) -> None:
        self.locale = locale
        self._t = translations(locale)

    def text(self, message: str) -> str:
        """A marked message (``N_``) in this locale."""
        return self._t.gettext(message)

    def ntext(self, singular: str, plural: str, n: int) -> str:
        """A marked message with a plural, ``{n}`` filled in."""
        return self._t.ngettext(singular, plural, n).format(n=n)

    def level(self, level: Level | str) -> str:
        return self.text(LEVELS[Level(level)])

    def tier(self, tier: Tier | str) -> str:
        return self.text(TIERS[Tier(tier)])

    def label(self, label: str) -> str:
        return self.text(LABELS[label]) if label in LABELS else label

    def level_rate(self, level: Level | str, failed: int, companies: int, days: int) -> str:
        """What a level meant in the back-test: how many of its companies failed."""
        if companies == 0:
            return self.text(N_("no company was marked {level} in the back-test")).format(
                level=self.level(level)
            )
        return self.text(
            N_(
                "of the {companies} companies marked {level}, {percent}% ({failed}) failed "
                "within {days} days"
            )
        ).format(
            companies=companies,
            level=self.level(level),
            percent=f"{100 * failed / companies:.1f}",
            failed=failed,
            days=days,
        )

    def relation(self, rel_type: str) -> str:
        return self.text(RELATIONS[rel_type]) if rel_type in RELATIONS else rel_type

    def entity(self, entity: Mapping[str, Any], kind: bool = True) -> str:
        """``企业 某某有限公司（9133…）``: the kind, the name, the id alongside; without the
        kind where the sentence says it (``法定代表人张三（P01）``)."""
        _ = self._t.gettext
        key, name = str(entity.get("id", "")), entity.get("name")
        if not kind:
            if not name or name == key:
                return key
            return _("{name} ({id})").format(name=name, id=key)
        kind_text = self.label(str(entity.get("label", "")))
        if not name or name == key:
            return _("{kind} {id}").format(kind=kind_text, id=key)
        return _("{kind} {name} ({id})").format(kind=kind_text, name=name, id=key)

    def path(self, path: Mapping[str, Any]) -> str:
        """seed -[relation]- entity -[relation]- ... as one line."""
        steps = [self.entity(path["seed"])]
        for hop in path.get("hops", []):
            steps.append(f"-[{self.relation(str(hop['type']))}]- {self.entity(hop['entity'])}")
        return " ".join(steps)

    def event_count(self, event_type: str, count: int) -> str:
        ngettext = self._t.ngettext
        words = {
            "case_filed": ngettext("{n} filed case", "{n} filed cases", count),
            "litigation": ngettext("{n} lawsuit", "{n} lawsuits", count),
            "penalty": ngettext(
                "{n} administrative penalty", "{n} administrative penalties", count
            ),
            "abnormal_operation": ngettext(
                "{n} abnormal-operation listing", "{n} abnormal-operation listings", count
            ),
            "complaint": ngettext("{n} complaint", "{n} complaints", count),
            "negative_news": ngettext("{n} negative news item", "{n} negative news items", count),
            "tax_delinquency": ngettext("{n} tax arrears notice", "{n} tax arrears notices", count),
            "exposure": ngettext("{n} exposure", "{n} exposures", count),
        }
        return words.get(event_type, f"{event_type} {{n}}").format(n=count)

    def reason(self, reason: Reason) -> str:
        """One reason as a sentence."""
        _, ngettext = self._t.gettext, self._t.ngettext
        p = reason.params
        code = reason.code
        if code is ReasonCode.EXPOSED:
            return _("exposed (暴雷): an exposure event is on record")
        if code is ReasonCode.CONTAGION:
            hops = len(p["path"].get("hops", []))
            return ngettext(
                "contagion {contagion} from an exposed company, strongest path ({hops} hop): "
                "{path}",
                "contagion {contagion} from an exposed company, strongest path ({hops} hops): "
                "{path}",
                hops,
            ).format(contagion=f"{p['contagion']:.3f}", hops=hops, path=self.path(p["path"]))
        if code is ReasonCode.FRONT_OF_EXPOSED:
            return ngettext(
                "legal representative {person} also represents {n} exposed company",
                "legal representative {person} also represents {n} exposed companies",
                p["exposed"],
            ).format(person=self.entity(p["person"], kind=False), n=p["exposed"])
        if code is ReasonCode.NOMINEE_FRONT:
            return _(
                "legal representative {person} fronts {n} companies, a nominee pattern"
            ).format(person=self.entity(p["person"], kind=False), n=p["companies"])
        if code is ReasonCode.RING_MEMBER:
            values = {
                "ring": p["ring"],
                "score": f"{p['score']:.2f}",
                "companies": p["companies"],
                "persons": p["persons"],
                "exposed": p["exposed"],
            }
            if p["exposed"]:
                return _(
                    "member of ring {ring} (ring score {score}: {companies} companies, "
                    "{persons} people, {exposed} exposed)"
                ).format(**values)
            return _(
                "member of ring {ring} (ring score {score}: {companies} companies, "
                "{persons} people, none exposed yet)"
            ).format(**values)
        if code is ReasonCode.REGISTRATION_BURST:
            return _(
                "shares {identifier} with {n} companies registered within {days} days of it "
                "(a registration burst)"
            ).format(identifier=self.entity(p["identifier"]), n=p["companies"], days=p["days"])
        if code is ReasonCode.RECENT_EVENTS:
            items = _(", ").join(self.event_count(k, int(n)) for k, n in p["counts"].items())
            return ngettext(
                "{items} in the last {years} year", "{items} in the last {years} years", p["years"]
            ).format(items=items, years=p["years"])
        if code is ReasonCode.HIGH_RISK_INDUSTRY:
            return _("fund-raising-prone industry: {industry}").format(industry=p["industry"])
        if code is ReasonCode.GNN:
            probability = f"{p['probability']:.0%}"
            if p.get("target") == "outcome":
                return _(
                    "graph model (GNN): {probability} probability of failing, learned from the "
                    "failures of a past period"
                ).format(probability=probability)
            return _(
                "graph model (GNN): {probability} probability of exposure, its neighbourhood "
                "resembles those of exposed companies"
            ).format(probability=probability)
        return self.ring_reason(reason)

    def ring_reason(self, reason: Reason) -> str:
        _, ngettext = self._t.gettext, self._t.ngettext
        p = reason.params
        code = reason.code
        if code is RingReasonCode.MEMBERS_EXPOSED:
            return ngettext(
                "{n} member company exposed", "{n} member companies exposed", p["exposed"]
            ).format(n=p["exposed"])
        if code is RingReasonCode.REGISTRATION_BURST:
            return _("{burst} of {n} companies registered within one burst").format(
                burst=p["burst"], n=p["companies"]
            )
        if code is RingReasonCode.NOMINEE_FRONTS:
            return _(
                "{fronted} of {n} companies fronted by legal representatives who front "
                "several of them"
            ).format(fronted=p["fronted"], n=p["companies"])
        if code is RingReasonCode.HIGH_RISK_INDUSTRY:
            return _("{percent}% in fund-raising-prone industries").format(percent=p["percent"])
        if code is RingReasonCode.ALARM_EVENTS:
            return _("{n} complaints, negative news items or filed cases per company").format(
                n=f"{p['per_company']:.1f}"
            )
        if code is RingReasonCode.CIRCULAR_HOLDINGS:
            return _("circular shareholdings among members")
        if code is RingReasonCode.TIED:
            return _("{percent}% of companies tied to two or more others").format(
                percent=p["percent"]
            )
        raise ValueError(f"no wording for reason code {code!r}")

    def readable(self, reasons: list[Reason]) -> list[tuple[Reason, str]]:
        """Each reason with its words; one whose parameters this version cannot word (a
        stored reason missing a parameter) is left out rather than failing the answer."""
        out = []
        for reason in reasons:
            try:
                out.append((reason, self.reason(reason)))
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        return out

    def reasons(self, reasons: list[Reason]) -> list[str]:
        return [text for _, text in self.readable(reasons)]

    def level_or_none(self, level: object) -> str | None:
        """A stored level's name; None for a missing or unknown one."""
        return self.level(str(level)) if str(level) in {v.value for v in Level} else None

    def tier_or_none(self, tier: object) -> str | None:
        return self.tier(str(tier)) if str(tier) in {v.value for v in Tier} else None
