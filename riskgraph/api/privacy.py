"""What never leaves the service, and what viewers see masked.

Resident ID numbers are not in the graph (ingest keeps a salted hash), and no query returns
the hash; as a second line of defence any ``id_hash`` or ``id_number`` field is dropped from
every answer. Phone numbers filed by a natural person are masked for viewers wherever they
appear (an identifier, a node id, a path's text), the way ``mask_phone`` writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from riskgraph.api.security import Principal, Role
from riskgraph.graph.gateway import Gateway
from riskgraph.risk.reasons import mask_phone

SECRET_FIELDS = frozenset({"id_hash", "id_number"})
PHONE = re.compile(r"\+\d{6,15}")  # E.164, as the graph stores phones


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


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


def phone_numbers(payload: Any) -> list[str]:
    """The E.164 numbers anywhere in ``payload`` (what ``redact`` may have to mask)."""
    return sorted({m.group() for s in _strings(payload) for m in PHONE.finditer(s)})


def redact(
    payload: Any,
    principal: Principal,
    graph: Gateway,
    known: Mapping[str, bool] | None = None,
) -> Any:
    """The JSON-ready ``payload`` as ``principal`` may see it. ``known`` says for numbers
    already looked up (by the route's own query) whether they are personal, so that only
    the others cost a round trip to Neo4j."""
    if principal.role is not Role.VIEWER:
        return _map(payload, lambda s: s)
    known = known or {}
    numbers = phone_numbers(payload)
    personal = {n for n in numbers if known.get(n)}
    unknown = [n for n in numbers if n not in known]
    if unknown:
        rows = graph.read("api_personal_phones", numbers=unknown)
        personal |= {str(r["number"]) for r in rows}

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        return mask_phone(number) if number in personal else number

    return _map(payload, lambda s: PHONE.sub(mask, s) if personal else s)
