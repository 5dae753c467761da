"""The printable company file (一企一档) and its PDF: one self-contained page (no script,
no outside resource) from the same answers the API gives, masked for the caller, that a
browser prints or headless Chromium turns into a PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from riskgraph.i18n.render import N_, Renderer

ROLES = {
    "legal_representative": N_("legal representative"),
    "chairman": N_("chairman"),
    "director": N_("director"),
    "manager": N_("manager"),
    "executive": N_("executive"),
    "supervisor": N_("supervisor"),
    "shareholder": N_("shareholder"),
}
EVENTS = {
    "exposure": N_("exposure"),
    "case_filed": N_("case filed"),
    "litigation": N_("lawsuit"),
    "penalty": N_("administrative penalty"),
    "abnormal_operation": N_("abnormal operation listing"),
    "complaint": N_("complaint"),
    "negative_news": N_("negative news"),
    "tax_delinquency": N_("tax arrears"),
}
STATUSES = {
    "active": N_("active"),
    "revoked": N_("licence revoked"),
    "cancelled": N_("deregistered"),
    "abnormal": N_("abnormal operation"),
    "liquidating": N_("in liquidation"),
    "bankrupt": N_("bankrupt"),
}
HEADINGS = {
    "title": N_("Company file"),
    "attributes": N_("Registry attributes"),
    "id": N_("Company id"),
    "uscc": N_("USCC"),
    "status": N_("Status"),
    "established": N_("Established"),
    "capital": N_("Registered capital (CNY)"),
    "industry": N_("Industry"),
    "region": N_("Region"),
    "risk": N_("Risk"),
    "score": N_("Score"),
    "level": N_("Level"),
    "tier": N_("Tier"),
    "components": N_("Components"),
    "reasons": N_("Reasons"),
    "evidence": N_("Evidence paths"),
    "ring": N_("Ring"),
    "controllers": N_("Controllers (equity penetration)"),
    "effective": N_("Effective share"),
    "ultimate": N_("ultimate controller"),
    "people": N_("People and roles"),
    "identifiers": N_("Phones and addresses"),
    "shared_by": N_("Filed by"),
    "timeline": N_("Timeline"),
    "none": N_("none"),
    "not_scored": N_("not scored yet: run riskgraph analyze"),
    "printed": N_("Printed {at} by {who}"),
}
COMPONENTS = {
    "contagion": N_("contagion"),
    "ring": N_("ring"),
    "events": N_("events"),
    "structure": N_("structure"),
    "gnn": N_("GNN"),
}


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("riskgraph.api", "ui/templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_company_file(
    file: dict[str, Any],
    risk: dict[str, Any] | None,
    controllers: dict[str, Any],
    words: Renderer,
    who: str,
) -> str:
    """The printable page; every value comes from the (masked) API answers given."""
    t = {key: words.text(text) for key, text in HEADINGS.items()}
    t["printed"] = t["printed"].format(at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), who=who)
    events = sorted(file["events"], key=lambda e: e.get("date") or "", reverse=True)
    return (
        _environment()
        .get_template("company_file.html")
        .render(
            lang="zh-CN" if words.locale.value == "zh-CN" else "en",
            t=t,
            company=file["company"],
            status=words.text(STATUSES.get(file["company"].get("status") or "", ""))
            if file["company"].get("status") in STATUSES
            else file["company"].get("status"),
            score=file["score"],
            risk=risk,
            level=words.level_or_none((risk or {}).get("level")),
            components=[
                (words.text(name), (risk or {}).get("components", {}).get(key))
                for key, name in COMPONENTS.items()
            ],
            people=[
                {**p, "roles": [words.text(ROLES.get(r, r)) for r in p["roles"]]}
                for p in file["people"]
            ],
            identifiers=file["identifiers"],
            holders=controllers["holders"],
            events=[{**e, "type": words.text(EVENTS.get(e["type"], e["type"]))} for e in events],
            label=words.label,
        )
    )
