"""What never leaves the service, and what viewers see masked.

Resident ID numbers are not in the graph (ingest keeps a salted hash), and no query returns
the hash; as a second line of defence any ``id_hash`` or ``id_number`` field is dropped from
every answer, and an ID number typed into free text (an event's description, a handler's
note) is masked for everyone. Phone numbers filed by a natural person are masked for viewers
wherever they appear (an identifier, a node id, a path's text), the way ``mask_phone``
writes them; in free text, where the owner cannot be known, every phone number is masked
for viewers.

A lookup by phone number gives viewers no oracle: a natural person's number answers
exactly as an unknown one does (``hide_personal``), so a viewer cannot test guesses
against the masked digits.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Any

import orjson

from riskgraph.api.security import Principal, Role
from riskgraph.graph.gateway import Gateway
from riskgraph.risk.reasons import mask_phone

SECRET_FIELDS = frozenset({"id_hash", "id_number"})
FREE_TEXT = frozenset({"description", "note", "history"})  # typed by people, not the registry
FREE_TEXT_KEYS = tuple(f'"{field}"'.encode() for field in FREE_TEXT)
RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])([1-9]\d{5})(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}([0-9Xx])(?![0-9A-Za-z])"
)
MOBILE = re.compile(r"(?<![\d+])(?:\+?86[- ]?)?(1[3-9]\d)[- ]?\d{4}[- ]?(\d{4})(?!\d)")
LANDLINE = re.compile(r"(?<![\d+])(0\d{2,3})[- ]?\d{3,4}(\d{4})(?!\d)")
PHONE = re.compile(r"\+\d{6,15}")  # E.164, as the graph stores phones
PHONE_BYTES = re.compile(PHONE.pattern.encode())
SECRET_KEYS = tuple(f'"{field}"'.encode() for field in SECRET_FIELDS)  # as JSON keys


def _map(value: Any, text: Callable[[str], str]) -> Any:
    """``value`` with secret fields dropped and every string passed through ``text``."""
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {
            text(str(key)): _map(item, text)
            for key, item in value.items()
            if key not in SECRET_FIELDS
        }
    if isinstance(value, list | tuple):
        return [_map(item, text) for item in value]
    return value


def _json(payload: Any) -> bytes:
    """``payload`` as JSON text (keys included): one C pass that the regexes below scan,
    instead of a Python walk over every string (a third of a request's time under load)."""
    return orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS)


@dataclass(frozen=True)
class Scan:
    """What masking needs to know of a payload, read from one JSON dump of it."""

    numbers: list[str]  # the E.164 numbers anywhere in it
    secrets: bool  # whether a secret field may be in it (then it is walked to drop them)
    free_text: bool = False  # whether a free-text field may be in it (then it is walked)


def scan(payload: Any) -> Scan:
    blob = _json(payload)
    numbers = sorted({m.decode() for m in PHONE_BYTES.findall(blob)})
    return Scan(
        numbers,
        any(field in blob for field in SECRET_KEYS),
        any(field in blob for field in FREE_TEXT_KEYS),
    )


def mask_numbers(text: str) -> str:
    """Every phone number in ``text`` masked, whoever files it (an echo of a viewer's own
    input must not differ between a person's number and an unknown one)."""
    return mask_free_text(PHONE.sub(lambda m: mask_phone(m.group()), text), viewer=True)


def mask_free_text(text: str, viewer: bool) -> str:
    """ID numbers masked for everyone; for viewers, every phone number too."""
    text = RESIDENT_ID.sub(lambda m: m.group(1) + "*" * 11 + m.group(2), text)
    if viewer:
        text = MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
        text = LANDLINE.sub(lambda m: m.group(1) + "-****" + m.group(2), text)
    return text


def _free_text(value: Any, viewer: bool, inside: bool = False) -> Any:
    """``value`` with the strings of free-text fields masked (``mask_free_text``)."""
    if isinstance(value, str):
        return mask_free_text(value, viewer) if inside else value
    if isinstance(value, dict):
        return {k: _free_text(v, viewer, inside or k in FREE_TEXT) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_free_text(item, viewer, inside) for item in value]
    return value


def hide_personal(number: str, principal: Principal, graph: Gateway) -> bool:
    """Whether a lookup by ``number`` must answer as if it were unknown: for a viewer, a
    natural person's number (or its masked form, which is no number at all)."""
    if principal.role is not Role.VIEWER:
        return False
    return bool(graph.read("api_personal_phones", numbers=[number]))


def to_look_up(found: Scan, principal: Principal, known: Mapping[str, bool]) -> list[str]:
    """The numbers whose owner must be looked up before masking: a viewer's answer's, less
    those ``known`` already (others see every number, so none)."""
    if principal.role is not Role.VIEWER:
        return []
    return [n for n in found.numbers if n not in known]


def personal_numbers(known: Mapping[str, bool], rows: list[dict[str, Any]]) -> set[str]:
    """The personal numbers: those ``known`` to be, and those the lookup (the
    ``api_personal_phones`` rows) found."""
    return {n for n, mine in known.items() if mine} | {str(r["number"]) for r in rows}


def masked(payload: Any, found: Scan, principal: Principal, personal: AbstractSet[str]) -> Any:
    """``payload`` with secret fields dropped and, for viewers, ``personal`` numbers masked;
    ``payload`` itself when there is nothing to drop or mask (no walk)."""
    viewer = principal.role is Role.VIEWER
    hidden = personal if viewer else set()
    if found.free_text:
        payload = _free_text(payload, viewer)
    if not hidden and not found.secrets:
        return payload

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        return mask_phone(number) if number in hidden else number

    return _map(payload, lambda s: PHONE.sub(mask, s) if hidden else s)


def redact(
    payload: Any,
    principal: Principal,
    graph: Gateway,
    known: Mapping[str, bool] | None = None,
) -> Any:
    """The JSON-ready ``payload`` as ``principal`` may see it. ``known`` says for numbers
    already looked up (by the route's own query) whether they are personal, so that only
    the others cost a round trip to Neo4j."""
    known = known or {}
    found = scan(payload)
    unknown = to_look_up(found, principal, known)
    rows = graph.read("api_personal_phones", numbers=unknown) if unknown else []
    return masked(payload, found, principal, personal_numbers(known, rows))
