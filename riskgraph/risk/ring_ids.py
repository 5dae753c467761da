"""Stable ring ids across runs: a ring keeps its id while its membership stays mostly the
same. Pure: this run's rings (member company ids) and the previous run's in, ids out.

The rule (``docs/risk-model.md``, "Ring ids"): pair each ring of this run with a ring of
the previous run when their member companies' Jaccard overlap is at least ``threshold``,
greedily from the largest overlap (ties: the previous id, then this run's rank), each
previous ring at most once; a paired ring takes the previous id. The others get new ids
``R0001``, ``R0002``, … from a counter that only grows (``issued``: the highest number ever
given), so an id is never reused for another ring.

Leiden is not warm-started from the previous membership: with a fixed seed it already
gives the same rings on the same graph, and a warm start would make a run's rings depend
on the history of earlier runs rather than on the graph alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

JACCARD_THRESHOLD = 0.5
_ID = re.compile(r"^R(\d+)$")


def ring_id(number: int) -> str:
    return f"R{number:04d}"


def ring_number(ident: str) -> int | None:
    """The number in ``R0042``; None for an id of another form."""
    found = _ID.match(ident)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class PreviousRings:
    """The rings of the current run, by id, with their member companies' ids, and the
    highest ring number ever issued (rings that are gone included)."""

    members: Mapping[str, frozenset[str]] = field(default_factory=dict)
    issued: int = 0


@dataclass(frozen=True)
class RingIds:
    ids: tuple[str, ...]  # one per ring of this run, in its order
    issued: int  # the highest number issued once these are
    kept: dict[str, float]  # previous id -> Jaccard overlap, for the rings that kept theirs


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def assign_ids(
    rings: Sequence[frozenset[str]],
    previous: PreviousRings,
    threshold: float = JACCARD_THRESHOLD,
) -> RingIds:
    """Ids for ``rings`` (member company ids, in rank order) given the previous run's."""
    by_company: dict[str, list[str]] = {}
    for ident, members in previous.members.items():
        for company in members:
            by_company.setdefault(company, []).append(ident)
    pairs: list[tuple[float, str, int]] = []
    for position, members in enumerate(rings):
        candidates = {i for c in members for i in by_company.get(c, ())}
        for ident in candidates:
            overlap = jaccard(members, previous.members[ident])
            if overlap >= threshold:
                pairs.append((overlap, ident, position))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    ids: list[str | None] = [None] * len(rings)
    kept: dict[str, float] = {}
    for overlap, ident, position in pairs:
        if ids[position] is None and ident not in kept:
            ids[position] = ident
            kept[ident] = overlap
    issued = max(
        [previous.issued, *(n for i in previous.members if (n := ring_number(i)) is not None)]
    )
    out: list[str] = []
    for given in ids:
        if given is None:
            issued += 1
            given = ring_id(issued)
        out.append(given)
    return RingIds(tuple(out), issued, kept)
