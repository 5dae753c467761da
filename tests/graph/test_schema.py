from __future__ import annotations

import pytest

from riskgraph.graph import schema
from riskgraph.graph.migrate import statements


def test_every_label_has_a_uniqueness_constraint_on_its_key() -> None:
    ddl = {s.name: s.cypher for s in statements() if s.kind == "constraint"}
    for node in schema.NODES:
        name = f"{node.label.lower()}_{node.key}_unique"
        assert f"(n:`{node.label}`) REQUIRE n.`{node.key}` IS UNIQUE" in ddl[name]
    assert "company_uscc_unique" in ddl


def test_statement_names_are_unique_and_idempotent() -> None:
    names = [s.name for s in statements()]
    assert len(names) == len(set(names))
    assert all("IF NOT EXISTS" in s.cypher for s in statements())


def test_relationships_reference_declared_labels() -> None:
    labels = {n.label for n in schema.NODES}
    for rel in schema.RELATIONSHIPS:
        assert set(rel.sources) <= labels and rel.target in labels
    assert {"HOLDS", "OFFICER_OF", "REGISTERED_AT", "HAS_PHONE", "HAS_EVENT"} <= (
        schema.relationship_types()
    )
    assert schema.link_relationship(schema.LinkType.GUARANTEE) in schema.relationship_types()


def test_shareholding_and_office_carry_their_properties() -> None:
    holds = {p.name for p in schema.relationship("HOLDS").properties}
    office = {p.name for p in schema.relationship("OFFICER_OF").properties}
    assert {"share", "since"} <= holds
    assert {"role", "since"} <= office
    assert schema.OfficerRole.LEGAL_REPRESENTATIVE == "legal_representative"


@pytest.mark.parametrize("bad", ["Company`) DETACH DELETE n //", "a b", "1abc", ""])
def test_unsafe_identifiers_never_reach_ddl(bad: str) -> None:
    with pytest.raises(ValueError):
        schema.check_identifier(bad)
