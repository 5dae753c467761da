"""The bundle's files, declared once: for each file its name, columns, the columns the
synthetic province writes, its validator, the loader's named query and the shape of one
row's query parameters. The reader (``bundle``), the pipeline, the loader (``writer`` /
``load``), the FtM converter and the synthetic writer all derive from ``FILES``.

Order matters: nodes first, so relationship rows can be checked against them.

Relationship rows are shaped with every value, null or not (``_fields``): the loader's
queries compare a row with the relationship's current version, never erase a value with a
null, and create a new version from the row (docs/bundle-format.md, "Deltas and history").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from riskgraph.graph import schema
from riskgraph.ingest import validate
from riskgraph.ingest.bundle import FileSpec, Row
from riskgraph.ingest.mapping import Mapping
from riskgraph.ingest.validate import Record

Shape = Callable[[Record], dict[str, Any]]


@dataclass(frozen=True)
class Checks:
    """What a validator may need besides the rows."""

    known: validate.Known
    mapping: Mapping
    key: bytes  # the HMAC key of resident-ID hashes


Validator = Callable[[Iterable[Row], Checks], validate.FileResult]


@dataclass(frozen=True)
class BundleFileType:
    spec: FileSpec
    generated: tuple[str, ...]  # the synthetic province's columns, in order
    validator: Validator
    query: str  # the loader's named query (cypher/)
    shape: Shape  # one record -> that query's row parameters


def _props(record: Record, *names: str) -> dict[str, Any]:
    """Only present values: a missing cell never erases what another source set."""
    return {n: record[n] for n in names if record.get(n) is not None}


def _fields(record: Record, *names: str) -> dict[str, Any]:
    """Every named value, null or not: a relationship query compares and writes each."""
    return {n: record.get(n) for n in names}


_PERIOD = ("since", "until")


def _non_key(label: str) -> tuple[str, ...]:
    """A node's properties other than its key, as the schema declares them."""
    node = schema.node(label)
    return tuple(p.name for p in node.properties if p.name != node.key and not p.derived)


_COMPANY, _PERSON, _ADDRESS, _EVENT = (
    _non_key(label) for label in ("Company", "Person", "Address", "Event")
)

FILES: tuple[BundleFileType, ...] = (
    BundleFileType(
        FileSpec(
            "companies.csv",
            ("id", "name"),
            (
                "uscc",
                "status",
                "established",
                "registered_capital",
                "paid_in_capital",
                "industry",
                "region",
                "region_name",
            ),
        ),
        (
            "id",
            "uscc",
            "name",
            "status",
            "established",
            "registered_capital",
            "industry",
            "region",
        ),
        lambda rows, c: validate.companies(rows, c.known, c.mapping),
        "ingest_companies",
        lambda r: {"id": r["id"], "props": _props(r, *_COMPANY)},
    ),
    BundleFileType(
        FileSpec("persons.csv", ("id", "name"), ("id_number", "id_hash", "birth_year")),
        ("id", "name", "id_number", "birth_year"),
        lambda rows, c: validate.persons(rows, c.key, c.known, c.mapping),
        "ingest_persons",
        lambda r: {
            "id": r["id"],
            "props": _props(r, *(p for p in _PERSON if p != "aliases")),
            "aliases": r.get("aliases", []),
        },
    ),
    BundleFileType(
        FileSpec(
            "shareholdings.csv",
            ("holder_id", "holder_type", "company_id"),
            ("share", "amount", *_PERIOD),
        ),
        ("holder_id", "holder_type", "company_id", "share", "amount", "since"),
        lambda rows, c: validate.shareholdings(rows, c.known, c.mapping),
        "ingest_holdings",
        lambda r: _fields(r, "holder_id", "holder_type", "company_id", "share", "amount", *_PERIOD),
    ),
    BundleFileType(
        FileSpec("officers.csv", ("person_id", "company_id", "role"), _PERIOD),
        ("person_id", "company_id", "role", "since"),
        lambda rows, c: validate.officers(rows, c.known, c.mapping),
        "ingest_officers",
        lambda r: _fields(r, "person_id", "company_id", "role", *_PERIOD),
    ),
    BundleFileType(
        FileSpec("addresses.csv", ("entity_id", "address"), _PERIOD),
        ("entity_id", "address"),
        lambda rows, c: validate.addresses(rows, c.known, c.mapping),
        "ingest_addresses",
        lambda r: {
            **_fields(r, "entity_id", "label", "key", *_PERIOD),
            "props": _props(r, *_ADDRESS),
        },
    ),
    BundleFileType(
        FileSpec("phones.csv", ("entity_id", "phone"), _PERIOD),
        ("entity_id", "phone"),
        lambda rows, c: validate.phones(rows, c.known, c.mapping),
        "ingest_phones",
        lambda r: _fields(r, "entity_id", "label", "number", "kind", *_PERIOD),
    ),
    BundleFileType(
        FileSpec("links.csv", ("source_id", "target_id", "type"), ("amount", *_PERIOD), False),
        ("source_id", "target_id", "type", "amount", "since"),
        lambda rows, c: validate.links(rows, c.known, c.mapping),
        "ingest_links",
        lambda r: _fields(r, "source_id", "target_id", "type", "amount", *_PERIOD),
    ),
    BundleFileType(
        FileSpec("events.csv", ("company_id", "date", "type"), ("severity", "description")),
        ("company_id", "date", "type", "severity", "description"),
        lambda rows, c: validate.events(rows, c.known, c.mapping),
        "ingest_events",
        lambda r: {"id": r["id"], "company_id": r["company_id"], "props": _props(r, *_EVENT)},
    ),
)
SPECS: tuple[FileSpec, ...] = tuple(f.spec for f in FILES)
STEMS: tuple[str, ...] = tuple(spec.stem for spec in SPECS)

# persons loaded earlier under an id that is now an alias: merged into their person
MERGE_PERSONS = "persons.csv (merges)"
_MERGES: tuple[str, Shape] = (
    "ingest_merge_persons",
    lambda r: {"alias": r["alias"], "id": r["id"]},
)

LOADERS: dict[str, tuple[str, Shape]] = {
    **{f.spec.name: (f.query, f.shape) for f in FILES},
    MERGE_PERSONS: _MERGES,
}
