"""The languages riskgraph speaks, and choosing one from a request's ``Accept-Language``."""

from __future__ import annotations

from enum import StrEnum


class Locale(StrEnum):
    ZH_CN = "zh-CN"  # the default: the users are Chinese regulators and bank teams
    EN = "en"


def parse_locale(tag: str) -> Locale | None:
    """``zh``, ``zh-CN``, ``zh_Hans_CN`` -> zh-CN; ``en-GB`` -> en; anything else None."""
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return {"zh": Locale.ZH_CN, "en": Locale.EN}.get(primary)


def negotiate(accept_language: str | None, default: Locale) -> Locale:
    """The best of our locales for an ``Accept-Language`` header (RFC 9110 weights);
    ``default`` when the header is absent or names none of them."""
    if not accept_language:
        return default
    ranked: list[tuple[float, int, Locale]] = []
    for position, item in enumerate(accept_language.split(",")[:20]):
        tag, _, rest = item.partition(";")
        weight = 1.0
        for param in rest.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        locale = parse_locale(tag)
        if locale is not None and weight > 0:
            ranked.append((-weight, position, locale))
    return min(ranked)[2] if ranked else default
