"""Stored reason data in an answer, worded in the request's language (``Words``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from riskgraph.api.models import ReasonOut, RingSummary
from riskgraph.i18n.render import Renderer
from riskgraph.risk.codes import stored


def reasons_fields(texts: list[str] | None, words: Renderer) -> dict[str, Any]:
    """``reasons`` (words) and ``reason_codes`` (data) from stored reasons."""
    readable = words.readable(stored(list(texts or [])))
    return {
        "reasons": [text for _, text in readable],
        "reason_codes": [ReasonOut.model_validate(r.to_dict()) for r, _ in readable],
    }


def worded(row: Mapping[str, Any], words: Renderer) -> dict[str, Any]:
    """A row (a ring, an alert) with its stored ``reasons`` worded."""
    return {**row, **reasons_fields(row.get("reasons"), words)}


def ring_summary(row: Mapping[str, Any], words: Renderer) -> RingSummary:
    return RingSummary.model_validate(worded(row, words))
