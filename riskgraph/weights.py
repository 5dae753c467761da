"""How much risk each kind of relationship carries, in one named table.

Used to rank contagion paths (``cypher/contagion_paths.cypher``); the risk engine builds on
the same table. The values are judgement, ordered after the seeds (DOMAIN.md): control
through ownership and guarantees carries most, a shared registered address least (it is
evidence only when rare, which the degree cut-off of the queries handles).
"""

from __future__ import annotations

from types import MappingProxyType

PATH_WEIGHTS: MappingProxyType[str, float] = MappingProxyType(
    {
        "HOLDS": 0.8,  # ownership; multiplied by the share when known
        "GUARANTEE": 0.7,  # guarantee chains are a classic contagion channel
        "OFFICER_OF": 0.6,  # the same people run both
        "LOAN": 0.6,
        "BRANCH": 0.5,
        "HAS_PHONE": 0.5,  # a shared (rare) phone: the same operators
        "CREDITOR": 0.4,
        "REGISTERED_AT": 0.3,  # a shared (rare) address
        "TRADE": 0.2,
        "RENT": 0.1,
    }
)
