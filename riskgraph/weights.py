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
        "TRADE": 0.05,  # ordinary commerce: near-zero evidence (docs/risk-model.md measures it)
        "RENT": 0.05,
    }
)

# The industry index (行业指数) of the monitoring systems in the seeds: sectors where illegal
# fund-raising concentrates (investment, asset and wealth management, P2P lending, leasing and
# factoring, private funds, supply-chain finance, the consultancies that front them).
HIGH_RISK_INDUSTRIES: frozenset[str] = frozenset(
    {"投资管理", "资产管理", "互联网金融", "融资租赁", "私募基金", "供应链金融", "商务咨询"}
)

# How much each feature of a group counts towards its ring score (riskgraph.risk.rings).
# Registration bursts and nominee fronts are the gang signature of DOMAIN.md; industry,
# alarms and exposure say the group raises money from the public; a dense, legitimate
# conglomerate scores low on all but ``tied_share``.
RING_FEATURE_WEIGHTS: MappingProxyType[str, float] = MappingProxyType(
    {
        "burst": 2.0,
        "nominee_fronts": 1.5,
        "high_risk_industry": 2.0,
        "tied_share": 1.0,
        "alarm_events": 1.5,
        "exposed": 1.0,
        "circular_holdings": 1.0,
    }
)

# How the score components combine (riskgraph.risk.scoring, noisy-OR): contagion from an
# exposed company and ring membership are each enough for red on their own; events and
# structure raise a score but alone reach orange at most; the GNN's (riskgraph.gnn.combine,
# only when a model ran) alone reaches red only at full strength (probability >= 0.5).
COMPONENT_WEIGHTS: MappingProxyType[str, float] = MappingProxyType(
    {"contagion": 0.95, "ring": 0.9, "events": 0.6, "structure": 0.5, "gnn": 0.8}
)

# Evidence per event at severity 3, before fading with age (exposures are seeds, not events
# here). A filed case is the strongest warning short of exposure; litigation is common
# business life and counts little.
EVENT_WEIGHTS: MappingProxyType[str, float] = MappingProxyType(
    {
        "exposure": 0.0,
        "case_filed": 1.0,
        "negative_news": 0.5,
        "complaint": 0.5,
        "penalty": 0.4,
        "abnormal_operation": 0.4,
        "tax_delinquency": 0.3,
        "litigation": 0.15,
    }
)

# The parts of the structure component, combined by noisy-OR.
STRUCTURE_WEIGHTS: MappingProxyType[str, float] = MappingProxyType(
    {"burst": 0.6, "nominee_fronts": 0.4, "high_risk_industry": 0.3}
)
