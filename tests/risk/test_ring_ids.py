"""Stable ring ids: small membership changes keep an id, new rings get new ids, no id is
ever given twice."""

from __future__ import annotations

from riskgraph.risk.ring_ids import PreviousRings, assign_ids, jaccard, ring_number


def _set(*ids: str) -> frozenset[str]:
    return frozenset(ids)


def test_unchanged_rings_keep_their_ids_whatever_their_rank() -> None:
    previous = PreviousRings({"R0001": _set("a", "b", "c"), "R0002": _set("x", "y", "z")}, 2)
    given = assign_ids([_set("x", "y", "z"), _set("a", "b", "c")], previous)
    assert given.ids == ("R0002", "R0001") and given.issued == 2


def test_a_ring_that_gains_one_member_keeps_its_id() -> None:
    previous = PreviousRings({"R0007": _set("a", "b", "c", "d", "e")}, 7)
    given = assign_ids([_set("a", "b", "c", "d", "e", "f")], previous)
    assert given.ids == ("R0007",)
    assert given.kept == {"R0007": 5 / 6}


def test_a_new_ring_gets_a_number_never_given_before() -> None:
    # R0009 is gone from the current rings, but 9 was issued: the next is R0010
    previous = PreviousRings({"R0003": _set("a", "b")}, 9)
    given = assign_ids([_set("a", "b"), _set("p", "q")], previous)
    assert given.ids == ("R0003", "R0010") and given.issued == 10


def test_a_mostly_different_ring_is_a_new_ring() -> None:
    previous = PreviousRings({"R0001": _set("a", "b", "c", "d")}, 1)
    given = assign_ids([_set("a", "p", "q", "r")], previous)  # overlap 1/7
    assert given.ids == ("R0002",) and given.kept == {}


def test_a_split_ring_keeps_its_id_on_the_larger_part_only() -> None:
    previous = PreviousRings({"R0001": _set("a", "b", "c", "d", "e", "f")}, 1)
    given = assign_ids([_set("a", "b"), _set("c", "d", "e", "f")], previous)
    assert given.ids == ("R0002", "R0001")


def test_each_previous_id_is_taken_once_by_the_closest_ring() -> None:
    previous = PreviousRings({"R0001": _set("a", "b", "c", "d")}, 1)
    given = assign_ids([_set("a", "b", "c"), _set("a", "b", "c", "d")], previous)
    assert given.ids == ("R0002", "R0001")


def test_first_run_numbers_from_one_and_legacy_ids_count_as_issued() -> None:
    assert assign_ids([_set("a"), _set("b")], PreviousRings()).ids == ("R0001", "R0002")
    legacy = PreviousRings({"R0004": _set("z")}, 0)  # rings written before RingRun existed
    assert assign_ids([_set("a")], legacy).ids == ("R0005",)
    assert ring_number("R0042") == 42 and ring_number("ring-7") is None
    assert jaccard(_set(), _set()) == 0.0
