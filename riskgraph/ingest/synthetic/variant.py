"""Variation knobs of the synthetic province: how rings are planted and how failures spread.

The defaults are the generator as it always was (plus the earlier wave of failures before
t0, ``history``); ``VARIANTS`` names the grid that ring detection is evaluated over
(``bench/ring_variants.py``), so that its quality is not a property of one way of planting.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum
from typing import Any


class Channel(StrEnum):
    """What failures spread through after a company blows up."""

    HOLDINGS = "holdings"  # ring membership, ownership and the controllers' other firms
    GUARANTEE = "guarantee"  # only the companies guaranteeing or guaranteed by a failed one
    LOAN = "loan"  # only the lenders and borrowers of a failed company
    MIXED = "mixed"  # all three


class Tie(StrEnum):
    """What a ring's companies share, the evidence that ties them together."""

    PHONE = "phone"
    ADDRESS = "address"
    PERSON = "person"  # nominee legal representatives and holders fronting several firms
    OWNERSHIP = "ownership"  # shell companies holding the members, circular holdings


ALL_TIES = frozenset(Tie)


@dataclass(frozen=True)
class Variant:
    """Knobs of ``generate``; the same (companies, seed, t0, variant) gives the same files."""

    # members per ring, drawn log-uniformly in [lo, hi]; None: 5-30, most near 10
    ring_sizes: tuple[int, int] | None = None
    ring_ties: frozenset[Tie] = ALL_TIES
    # share of a ring's companies and nominees whose phone, address or name is written
    # another way (dirty phone formats, address spellings, a second record with a name variant)
    misspelled: float = 0.0
    hubs: float = 1.0  # address hubs and bookkeeping agencies: this many times more and bigger
    ring_span_days: int = 60  # a ring's members are registered within this many days
    channel: Channel = Channel.HOLDINGS
    # an earlier wave of the same process: seeds 1-3 years before t0 whose failures
    # already happened (dated exposure events), so the history is a training set
    history: bool = True

    def __post_init__(self) -> None:
        errors = []
        object.__setattr__(self, "channel", Channel(self.channel))
        object.__setattr__(self, "ring_ties", frozenset(Tie(t) for t in self.ring_ties))
        if not self.ring_ties:
            errors.append("ring_ties: a ring must share something")
        if self.ring_sizes is not None:
            lo, hi = self.ring_sizes
            if not 3 <= lo <= hi:
                errors.append(f"ring_sizes: need 3 <= lo <= hi, got {self.ring_sizes}")
        if not 0.0 <= self.misspelled <= 1.0:
            errors.append(f"misspelled: a share in [0, 1], got {self.misspelled}")
        if not 0.25 <= self.hubs <= 10.0:
            errors.append(f"hubs: a scale in [0.25, 10], got {self.hubs}")
        if not 1 <= self.ring_span_days <= 2000:
            errors.append(f"ring_span_days: 1-2000, got {self.ring_span_days}")
        if errors:
            raise ValueError("; ".join(errors))

    def describe(self) -> dict[str, Any]:
        """The knobs as plain JSON values (truth/summary.json)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, frozenset):
                value = sorted(str(v) for v in value)
            elif isinstance(value, tuple):
                value = list(value)
            elif isinstance(value, StrEnum):
                value = str(value)
            out[f.name] = value
        return out

    @property
    def holdings_spread(self) -> bool:
        return self.channel in (Channel.HOLDINGS, Channel.MIXED)


VARIANTS: dict[str, Variant] = {
    "default": Variant(),
    "big-rings": Variant(ring_sizes=(3, 60)),
    "phones-only": Variant(ring_ties=frozenset({Tie.PHONE})),
    "addresses-only": Variant(ring_ties=frozenset({Tie.ADDRESS})),
    "nominees-only": Variant(ring_ties=frozenset({Tie.PERSON})),
    "misspelled": Variant(misspelled=0.5),
    "hubs": Variant(hubs=3.0),
    "slow": Variant(ring_span_days=3 * 365),
    "guarantee": Variant(channel=Channel.GUARANTEE),
    "loan": Variant(channel=Channel.LOAN),
    "mixed": Variant(channel=Channel.MIXED),
}
