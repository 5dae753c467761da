"""What never leaves the service, and what viewers see masked.

Resident ID numbers are not in the graph (ingest keeps a salted hash), and no query returns
the hash; as a second line of defence any ``id_hash`` or ``id_number`` field is dropped from
every answer. Phone numbers filed by a natural person are masked for viewers wherever they
appear (an identifier, a node id, a path's text), the way ``mask_phone`` writes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
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


def redact(payload: Any, principal: Principal, graph: Gateway) -> Any:
    """The JSON-ready ``payload`` as ``principal`` may see it."""
    if principal.role is not Role.VIEWER:
        return _map(payload, lambda s: s)
    numbers = {m.group() for s in _strings(payload) for m in PHONE.finditer(s)}
    personal: set[str] = set()
    if numbers:
        rows = graph.read("api_personal_phones", numbers=sorted(numbers))
        personal = {str(r["number"]) for r in rows}

    def mask(match: re.Match[str]) -> str:
        number = match.group()
        return mask_phone(number) if number in personal else number

    return _map(payload, lambda s: PHONE.sub(mask, s) if personal else s)
