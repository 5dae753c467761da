"""The graph schema, declared once.

Constraints and indexes (``riskgraph db migrate``), the loaders, the snapshot and the GNN's
edge types are all derived from the tables below; ``docs/data-model.md`` explains the choices.
Adding a label or relationship type starts here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


class PropertyType(StrEnum):
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    DATE = "date"
    BOOLEAN = "boolean"
    STRING_LIST = "string list"
    ANY = "any"  # the value's own type (an attribute change's old and new values)


class OfficerRole(StrEnum):
    """Roles on an OFFICER_OF edge, strongest control first (the registry's 法定代表人 first)."""

    LEGAL_REPRESENTATIVE = "legal_representative"
    CHAIRMAN = "chairman"
    DIRECTOR = "director"
    MANAGER = "manager"
    EXECUTIVE = "executive"
    SUPERVISOR = "supervisor"


class HolderType(StrEnum):
    PERSON = "person"
    COMPANY = "company"


class CompanyStatus(StrEnum):
    ACTIVE = "active"
    REVOKED = "revoked"  # 吊销
    CANCELLED = "cancelled"  # 注销
    ABNORMAL = "abnormal"  # 经营异常
    LIQUIDATING = "liquidating"
    BANKRUPT = "bankrupt"


class EventType(StrEnum):
    EXPOSURE = "exposure"  # 暴雷: confirmed failed/illegal; the seeds of contagion
    CASE_FILED = "case_filed"
    LITIGATION = "litigation"
    PENALTY = "penalty"
    ABNORMAL_OPERATION = "abnormal_operation"
    COMPLAINT = "complaint"
    NEGATIVE_NEWS = "negative_news"
    TAX_DELINQUENCY = "tax_delinquency"


class LinkType(StrEnum):
    """Business ties between companies (links.csv); each is its own relationship type."""

    GUARANTEE = "guarantee"
    LOAN = "loan"
    TRADE = "trade"
    BRANCH = "branch"
    RENT = "rent"
    CREDITOR = "creditor"


class Level(StrEnum):
    """A company's risk level (红色 / 橙色 / 黄色 预警, or none), written by ``analyze``."""

    RED = "red"
    ORANGE = "orange"
    YELLOW = "yellow"
    NONE = "none"


class Tier(StrEnum):
    """The supervision tier of a level (重点关注 / 一般关注 / 暂无异常)."""

    KEY_CONCERN = "key_concern"
    GENERAL_CONCERN = "general_concern"
    NO_ANOMALY = "no_anomaly"


@dataclass(frozen=True)
class Property:
    name: str
    type: PropertyType
    description: str
    indexed: bool = False
    unique: bool = False
    derived: bool = False  # written by ``riskgraph analyze``, never loaded from sources


@dataclass(frozen=True)
class NodeType:
    label: str
    key: str
    description: str
    properties: tuple[Property, ...]
    fulltext: tuple[str, ...] = ()
    derived: bool = False  # made by the analysis; the snapshot leaves it out
    history: bool = False  # a record of past values, connected to nothing; the snapshot too

    def property(self, name: str) -> Property:
        for prop in self.properties:
            if prop.name == name:
                return prop
        raise KeyError(f"{self.label} has no property {name!r}")


@dataclass(frozen=True)
class RelType:
    type: str
    sources: tuple[str, ...]
    target: str
    description: str
    properties: tuple[Property, ...] = field(default_factory=tuple)
    derived: bool = False


STR, INT, FLOAT, DATE, STRS = (
    PropertyType.STRING,
    PropertyType.INTEGER,
    PropertyType.FLOAT,
    PropertyType.DATE,
    PropertyType.STRING_LIST,
)


def _analysis(name: str, type_: PropertyType, description: str, indexed: bool = False) -> Property:
    return Property(name, type_, description, indexed=indexed, derived=True)


# What ``riskgraph analyze`` writes back on every company (docs/risk-model.md).
RISK_PROPERTIES: tuple[Property, ...] = (
    _analysis("risk_score", FLOAT, "0-100 risk score", indexed=True),
    _analysis("risk_level", STR, "red, orange, yellow or none", indexed=True),
    _analysis("risk_tier", STR, "key_concern, general_concern or no_anomaly"),
    _analysis("risk_contagion", FLOAT, "contagion component, 0-1"),
    _analysis("risk_ring", FLOAT, "ring component, 0-1"),
    _analysis("risk_events", FLOAT, "events component, 0-1"),
    _analysis("risk_structure", FLOAT, "structure component, 0-1"),
    _analysis("risk_gnn", FLOAT, "GNN component, 0-1 (absent when no model ran)"),
    _analysis(
        "gnn_probability",
        FLOAT,
        "the GNN's calibrated probability of exposure (of failure, for a model "
        "trained on a past period's outcomes)",
    ),
    _analysis("contagion", FLOAT, "propagated contagion from the exposed companies, 0-1"),
    _analysis("risk_reasons", STRS, "plain-language reasons, strongest first (flagged only)"),
    _analysis("ring_id", STR, "id of the company's ring, absent when none (MEMBER_OF too)"),
    _analysis("scored_at", STR, "when the analysis ran (ISO 8601)"),
)

# derived from the name at ingest (riskgraph.search_text), for GET /search
_SEARCH_PROPERTIES = (
    Property(
        "search_name",
        STR,
        "the name as search matches it: simplified, lower case, no legal form",
        indexed=True,
    ),
    Property("name_initials", STR, "pinyin initials of search_name (hzjxkj)", indexed=True),
)

NODES: tuple[NodeType, ...] = (
    NodeType(
        label="Company",
        key="id",
        description="An enterprise; id is the USCC where known, else the source's stable key.",
        properties=(
            Property("id", STR, "stable key: the Unified Social Credit Code where known"),
            Property("uscc", STR, "统一社会信用代码, checked (GB 32100-2015)", unique=True),
            Property("name", STR, "registered name", indexed=True),
            *_SEARCH_PROPERTIES,
            Property("status", STR, "active, revoked, cancelled, abnormal...", indexed=True),
            Property("established", DATE, "date of establishment", indexed=True),
            Property("registered_capital", FLOAT, "registered capital in CNY"),
            Property("paid_in_capital", FLOAT, "paid-in capital in CNY"),
            Property("industry", STR, "industry label", indexed=True),
            Property("region", STR, "6-digit administrative division code", indexed=True),
            Property("region_name", STR, "name of the region"),
            *RISK_PROPERTIES,
        ),
        fulltext=("search_name",),
    ),
    NodeType(
        label="Person",
        key="id",
        description="A natural person, one per resident ID; the ID is kept only as a keyed hash.",
        properties=(
            Property("id", STR, "opaque stable key from the source"),
            Property("name", STR, "name as registered (names are not identities)", indexed=True),
            *_SEARCH_PROPERTIES,
            Property(
                "id_hash",
                STR,
                "HMAC-SHA256 of the resident ID number (key outside Neo4j)",
                indexed=True,
            ),
            Property("birth_year", INT, "year of birth"),
            Property("aliases", STRS, "other source ids of this person (same resident ID)"),
        ),
        fulltext=("search_name",),
    ),
    NodeType(
        label="Address",
        key="key",
        description="A normalised address; companies registered at one place share the node.",
        properties=(
            Property("key", STR, "normalised address text"),
            Property("text", STR, "address as first seen"),
            Property("province", STR, "province parsed from the text", indexed=True),
            Property("city", STR, "city parsed from the text"),
            Property("district", STR, "district parsed from the text"),
        ),
    ),
    NodeType(
        label="Phone",
        key="number",
        description="A phone number in E.164 form; one node however it was written.",
        properties=(
            Property("number", STR, "E.164 number, e.g. +8613800138000"),
            Property("kind", STR, "mobile, fixed_line or other"),
        ),
    ),
    NodeType(
        label="Event",
        key="id",
        description="A dated risk event of one company (exposure, litigation, penalty...).",
        properties=(
            Property("id", STR, "deterministic hash of company, date, type and description"),
            Property("type", STR, "an EventType value", indexed=True),
            Property("date", DATE, "when it happened", indexed=True),
            Property("severity", INT, "1 (minor) to 5 (severe)"),
            Property("description", STR, "free text from the source"),
        ),
    ),
    NodeType(
        label="Ring",
        key="id",
        description="A detected ring (团伙), written by the analysis with what explains it.",
        properties=(
            Property(
                "id", STR, "R0001...: kept while the ring stays mostly the same, never reused"
            ),
            Property("serial", INT, "the id's number (R0042: 42)"),
            Property("run_id", STR, "the run that found it as it is now"),
            Property("first_run_id", STR, "the run that found it first"),
            Property("score", FLOAT, "ring score 0-1", indexed=True),
            Property("companies", INT, "member companies"),
            Property("persons", INT, "member persons"),
            Property("features", STR, "the scored features as JSON"),
            Property("reasons", STRS, "plain-language reasons"),
        ),
        derived=True,
    ),
    NodeType(
        label="Alert",
        key="id",
        description="An alert raised when a company's score crossed a level, with its "
        "handling (the closed loop); confirmed and dismissed alerts are training labels.",
        properties=(
            Property("id", STR, "A + a hash of company, level and analysis time"),
            Property("company_id", STR, "Company.id the alert is about", indexed=True),
            Property("state", STR, "new, assigned, confirmed, dismissed or disposed", indexed=True),
            Property("level", STR, "the level that raised it", indexed=True),
            Property("score", FLOAT, "the score when raised"),
            Property("reasons", STRS, "the reasons when raised"),
            Property("raised_at", STR, "when it was raised (ISO 8601)", indexed=True),
            Property("scored_at", STR, "the analysis run that raised it (ISO 8601)"),
            Property("updated_at", STR, "last change of state or note (ISO 8601)"),
            Property("updated_by", STR, "who changed it last: role and user name (or key hash)"),
            Property("assignee", STR, "the named user it is assigned to"),
            Property("note", STR, "the handler's note"),
            Property(
                "label",
                PropertyType.BOOLEAN,
                "true when confirmed or disposed, false when "
                "dismissed, absent otherwise: a label for the next GNN training",
            ),
            Property("history", STRS, "every change as a JSON line"),
        ),
        derived=True,
    ),
    NodeType(
        label="Run",
        key="id",
        description="One analysis run (riskgraph analyze / daily); the current one is what "
        "the API serves.",
        properties=(
            Property("id", STR, "UTC start time and a random suffix (sorts by time)"),
            Property("current", PropertyType.BOOLEAN, "true for the one current run", indexed=True),
            Property("started_at", STR, "when it started (ISO 8601)"),
            Property("finished_at", STR, "when it became current (ISO 8601)"),
            Property("as_of", DATE, "the date the graph was read as of"),
            Property("previous_id", STR, "the run current before it"),
            Property("companies", INT, "companies scored"),
            Property("flagged", INT, "companies at yellow or above"),
            Property("rings", INT, "rings found"),
            Property("artefact", STR, "path of its saved state (RISKGRAPH_RUNS_DIR)"),
            Property("state", STR, "writing (scores being written back), published, abandoned"),
            Property("written", INT, "companies whose scores it wrote (the others were unchanged)"),
            Property("model", STR, "the GNN: applied, absent, disabled or foreign (refused)"),
            Property("model_path", STR, "the GNN model file it used or refused"),
            Property("model_graph", STR, "the graph id that model was trained on"),
            Property("model_trained_at", STR, "when that model was trained (ISO 8601)"),
            Property("model_target", STR, "what that model predicts: exposure or outcome"),
        ),
        derived=True,
    ),
    NodeType(
        label="Meta",
        key="name",
        description="What riskgraph records about the graph itself, one node per name: "
        "'graph' (its identity, made on first use: riskgraph.graph.identity), 'id_key' (the "
        "fingerprint of the resident-ID key). Connected to nothing; wiped with the graph.",
        properties=(
            Property("name", STR, "graph or id_key"),
            Property("id", STR, "graph: a random UUID, the graph's identity"),
            Property("created_at", PropertyType.ANY, "graph: when the id was made (datetime)"),
            Property("fingerprint", STR, "id_key: the key's fingerprint"),
            Property("recorded_at", PropertyType.ANY, "id_key: when it was recorded (datetime)"),
        ),
        derived=True,
    ),
    NodeType(
        label="RingRun",
        key="key",
        description="A ring as one run found it (its history), not linked to the graph.",
        properties=(
            Property("key", STR, "ring id @ run id"),
            Property("ring_id", STR, "Ring.id", indexed=True),
            Property("run_id", STR, "Run.id", indexed=True),
            Property("serial", INT, "the ring id's number (ids are never reused)"),
            Property("at", STR, "when the run was published (ISO 8601)"),
            Property("score", FLOAT, "ring score 0-1"),
            Property("companies", INT, "member companies"),
            Property("persons", INT, "member persons"),
            Property("company_ids", STRS, "member companies' ids"),
            Property("person_ids", STRS, "member persons' ids"),
        ),
        derived=True,
    ),
    NodeType(
        label="Session",
        key="token_hash",
        description="A signed-in web app user (riskgraph's /ui): the cookie's token is kept "
        "only as its hash, with who it names and when it expires. Connected to nothing.",
        properties=(
            Property("token_hash", STR, "SHA-256 of the session cookie's token"),
            Property("role", STR, "viewer, analyst or admin"),
            Property("name", STR, "the user the key was issued to (role:name:key), if named"),
            Property("key_hash", STR, "first 12 hex digits of the key's SHA-256"),
            Property("csrf", STR, "the token a change must echo in X-CSRF-Token"),
            Property("created_at", STR, "when it was opened (ISO 8601)"),
            Property("expires_at", STR, "when it stops being accepted (ISO 8601)", indexed=True),
        ),
        derived=True,
    ),
    NodeType(
        label="AttributeChange",
        key="id",
        description="A value a delivery overwrote on a company or person: the history of "
        "its attributes. Connected by no relationship, so no traversal meets it.",
        properties=(
            Property("id", STR, "random UUID"),
            Property("entity_id", STR, "Company.id or Person.id that changed", indexed=True),
            Property("label", STR, "Company or Person"),
            Property("field", STR, "the property that changed"),
            Property("old", PropertyType.ANY, "the value before (in its own type)"),
            Property("new", PropertyType.ANY, "the value after (in its own type)"),
            Property("date", DATE, "the delivery's date (ingest --date, default today)"),
        ),
        history=True,
    ),
)

_SINCE = Property("since", DATE, "date the relationship began (none: unknown)")
_UNTIL = Property("until", DATE, "date it ended, exclusive (none: still in force)")
_PERIOD = (_SINCE, _UNTIL)
_AMOUNT = Property("amount", FLOAT, "amount in CNY")

RELATIONSHIPS: tuple[RelType, ...] = (
    RelType(
        "HOLDS",
        ("Person", "Company"),
        "Company",
        "shareholding: holder owns a fraction of the company",
        (
            Property("share", FLOAT, "fraction in (0, 1]"),
            Property("amount", FLOAT, "subscribed capital in CNY"),
            *_PERIOD,
        ),
    ),
    RelType(
        "OFFICER_OF",
        ("Person",),
        "Company",
        "office held in the company; one edge per role",
        (Property("role", STR, "an OfficerRole value", indexed=True), *_PERIOD),
    ),
    RelType(
        "REGISTERED_AT",
        ("Company", "Person"),
        "Address",
        "registered or declared address",
        _PERIOD,
    ),
    RelType("HAS_PHONE", ("Company", "Person"), "Phone", "phone number on a filing", _PERIOD),
    RelType("HAS_EVENT", ("Company",), "Event", "risk event of the company"),
    *(
        RelType(
            link.name,
            ("Company",),
            "Company",
            f"business tie: {link.value} (source to target)",
            (_AMOUNT, *_PERIOD),
        )
        for link in LinkType
    ),
    RelType("MEMBER_OF", ("Company", "Person"), "Ring", "membership of a detected ring", (), True),
    RelType("ALERT_ON", ("Alert",), "Company", "the company an alert is about", (), True),
)


def source_labels() -> tuple[str, ...]:
    """Labels loaded from sources: what the snapshot reads (analysis output and attribute
    history stay out)."""
    return tuple(n.label for n in NODES if not n.derived and not n.history)


def source_relationship_types() -> tuple[str, ...]:
    return tuple(r.type for r in RELATIONSHIPS if not r.derived)


def node(label: str) -> NodeType:
    for node_type in NODES:
        if node_type.label == label:
            return node_type
    raise KeyError(f"no node label {label!r} in the schema")


def relationship(rel_type: str) -> RelType:
    for rel in RELATIONSHIPS:
        if rel.type == rel_type:
            return rel
    raise KeyError(f"no relationship type {rel_type!r} in the schema")


def relationship_types() -> frozenset[str]:
    """Every relationship type the schema knows; user-given type filters are checked here."""
    return frozenset(rel.type for rel in RELATIONSHIPS)


def link_relationship(link: LinkType) -> str:
    """The relationship type of a links.csv business tie."""
    return link.name


def check_identifier(name: str) -> str:
    """Labels, types and property names reach DDL text only after passing this check."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a safe Cypher identifier: {name!r}")
    return name


def _validate() -> None:
    labels = {n.label for n in NODES}
    for node_type in NODES:
        check_identifier(node_type.label)
        names = [p.name for p in node_type.properties]
        if node_type.key not in names or len(set(names)) != len(names):
            raise ValueError(f"{node_type.label}: key missing or duplicate property")
        for prop in node_type.properties:
            check_identifier(prop.name)
    for rel in RELATIONSHIPS:
        check_identifier(rel.type)
        if not set(rel.sources) | {rel.target} <= labels:
            raise ValueError(f"{rel.type} names an undeclared label")


_validate()
