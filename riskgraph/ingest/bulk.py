"""A first load's records as the bulk importer's CSV files (``neo4j-admin database import``).

The transactional loader (``load``) merges each row into what is already there; into an
empty database, every row of a relationship's first version creates one edge with the
row's values, and every node row creates its node. That part is what the importer writes,
file by file, tens of times faster than Cypher. What it cannot express, the later versions
of a relationship within the same bundle (``round`` > 0, ``validate._versions``: closing
the edge before, slotting history in), is kept aside and written afterwards through the
transactional queries, against the graph the import made, exactly as the transactional
path would have: both paths give the same graph (tests/ingest/test_bulk.py).

Header and data are separate files, so each data file is streamed once. Every value is
typed by the schema (``riskgraph.graph.schema``); a null is an empty field (absent), as
Cypher never stores a null.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from riskgraph.graph.admin_import import ImportFiles, ImportSource
from riskgraph.graph.schema import PropertyType, node, relationship
from riskgraph.ingest.files import LOADERS
from riskgraph.ingest.quarantine import open_private
from riskgraph.ingest.validate import Record

# arrays (a person's aliases) are split on the unit separator, which cleaned text never holds
ARRAY_DELIMITER = "\x1f"
_TYPES = {
    PropertyType.STRING: "string",
    PropertyType.INTEGER: "long",
    PropertyType.FLOAT: "double",
    PropertyType.DATE: "date",
    PropertyType.BOOLEAN: "boolean",
    PropertyType.STRING_LIST: "string[]",
}


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return ARRAY_DELIMITER.join(str(v) for v in value) if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


@dataclass
class _Table:
    """One node label or relationship type's files: a header file and a data file."""

    source: ImportSource
    columns: tuple[str, ...]  # record fields, in the header's order
    writer: Any  # csv writer over ``stream``
    stream: IO[str]
    rows: int = 0
    multiline: bool = False

    def write(self, values: Sequence[Any]) -> None:
        cells = [_cell(v) for v in values]
        if not self.multiline:
            self.multiline = any(isinstance(c, str) and ("\n" in c or "\r" in c) for c in cells)
        self.writer.writerow(cells)
        self.rows += 1


def _property_header(name: str, kind: PropertyType) -> str:
    return f"{name}:{_TYPES[kind]}"


@dataclass
class BulkFiles:
    """Writes the importer's files into ``directory`` as validated files arrive
    (``submit``, in the pipeline's order); ``close`` gives the files and what is left for
    the transactional queries."""

    directory: Path
    later: list[tuple[str, list[Record]]] = field(default_factory=list)
    _tables: dict[tuple[str, str], _Table] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict)  # Address / Phone keys written

    def __post_init__(self) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.directory.chmod(0o700)  # names, phones and ID hashes: the owner's only
        for stale in self.directory.glob("*.csv"):
            stale.unlink()

    # --- tables -------------------------------------------------------------------------
    def _open(self, kind: str, name: str, header: list[str], columns: tuple[str, ...]) -> _Table:
        key = (kind, name)
        table = self._tables.get(key)
        if table is not None:
            return table
        stem = f"{kind}-{name}"
        header_path = self.directory / f"{stem}.header.csv"
        with open_private(header_path, "utf-8") as out:
            csv.writer(out).writerow(header)
        data_path = self.directory / f"{stem}.csv"
        stream = open_private(data_path, "utf-8")
        source = ImportSource(kind, name, header_path, data_path)
        table = _Table(source, columns, csv.writer(stream, lineterminator="\n"), stream)
        self._tables[key] = table
        return table

    def _nodes(self, label: str) -> _Table:
        spec = node(label)
        loaded = [p for p in spec.properties if not p.derived]
        header = [f"{spec.key}:ID({label})"]
        header += [_property_header(p.name, p.type) for p in loaded if p.name != spec.key]
        columns = (spec.key, *(p.name for p in loaded if p.name != spec.key))
        return self._open("nodes", label, header, columns)

    def _relationships(self, rel_type: str, start: str, end: str) -> _Table:
        spec = relationship(rel_type)
        header = [f":START_ID({start})", f":END_ID({end})"]
        header += [_property_header(p.name, p.type) for p in spec.properties]
        columns = ("__start", "__end", *(p.name for p in spec.properties))
        return self._open("relationships", f"{rel_type}-{start}", header, columns)

    def _node(self, label: str, values: dict[str, Any]) -> None:
        table = self._nodes(label)
        table.write([values.get(c) for c in table.columns])

    def _edge(
        self, rel_type: str, start: tuple[str, str], end: tuple[str, str], **props: Any
    ) -> None:
        table = self._relationships(rel_type, start[0], end[0])
        values = {"__start": start[1], "__end": end[1], **props}
        table.write([values.get(c) for c in table.columns])

    def _once(self, label: str, key: str) -> bool:
        """Whether ``key`` is new for ``label`` (the transactional path's MERGE ... ON
        CREATE: the first row seen sets the node's values)."""
        seen = self._seen.setdefault(label, set())
        if key in seen:
            return False
        seen.add(key)
        return True

    # --- records ------------------------------------------------------------------------
    def submit(self, file_name: str, records: Sequence[Record]) -> None:
        """One validated file's records (in the order the transactional loader would write
        them): first versions to the import files, later ones kept for the queries."""
        first = [r for r in records if not r.get("round")]
        later = [r for r in records if r.get("round")]
        if later:
            self.later.append((file_name, later))
        write = _WRITERS[file_name]
        shape = LOADERS[file_name][1]
        for record in first:
            write(self, shape(record))

    def meta(self, name: str, **values: Any) -> None:
        """A ``Meta`` node (the resident-ID key's fingerprint), as ``id_key_record`` makes."""
        table = self._open(
            "nodes",
            "Meta",
            ["name:ID(Meta)", *(_header_of(k, v) for k, v in values.items())],
            ("name", *values),
        )
        table.write([name, *values.values()])

    def close(self) -> ImportFiles:
        for table in self._tables.values():
            table.stream.close()
        return ImportFiles(
            sources=tuple(t.source for t in self._tables.values() if t.rows),
            multiline=tuple(t.source.data for t in self._tables.values() if t.multiline),
            array_delimiter=ARRAY_DELIMITER,
        )


def _header_of(name: str, value: Any) -> str:
    kind = "datetime" if isinstance(value, datetime) else "string"
    return f"{name}:{kind}"


# --- one writer per bundle file: the shaped row (files.FILES' shape) to nodes and edges ---


def _company(bulk: BulkFiles, row: dict[str, Any]) -> None:
    bulk._node("Company", {"id": row["id"], **row["props"]})


def _person(bulk: BulkFiles, row: dict[str, Any]) -> None:
    bulk._node("Person", {"id": row["id"], **row["props"], "aliases": row["aliases"]})


def _holding(bulk: BulkFiles, row: dict[str, Any]) -> None:
    holder = "Person" if row["holder_type"] == "person" else "Company"
    bulk._edge(
        "HOLDS",
        (holder, row["holder_id"]),
        ("Company", row["company_id"]),
        share=row["share"],
        amount=row["amount"],
        since=row["since"],
        until=row["until"],
    )


def _officer(bulk: BulkFiles, row: dict[str, Any]) -> None:
    bulk._edge(
        "OFFICER_OF",
        ("Person", row["person_id"]),
        ("Company", row["company_id"]),
        role=row["role"],
        since=row["since"],
        until=row["until"],
    )


def _address(bulk: BulkFiles, row: dict[str, Any]) -> None:
    if bulk._once("Address", row["key"]):
        bulk._node("Address", {"key": row["key"], **row["props"]})
    bulk._edge(
        "REGISTERED_AT",
        (row["label"], row["entity_id"]),
        ("Address", row["key"]),
        since=row["since"],
        until=row["until"],
    )


def _phone(bulk: BulkFiles, row: dict[str, Any]) -> None:
    if bulk._once("Phone", row["number"]):
        bulk._node("Phone", {"number": row["number"], "kind": row["kind"]})
    bulk._edge(
        "HAS_PHONE",
        (row["label"], row["entity_id"]),
        ("Phone", row["number"]),
        since=row["since"],
        until=row["until"],
    )


def _link(bulk: BulkFiles, row: dict[str, Any]) -> None:
    bulk._edge(
        row["type"],
        ("Company", row["source_id"]),
        ("Company", row["target_id"]),
        amount=row["amount"],
        since=row["since"],
        until=row["until"],
    )


def _event(bulk: BulkFiles, row: dict[str, Any]) -> None:
    bulk._node("Event", {"id": row["id"], **row["props"]})
    bulk._edge("HAS_EVENT", ("Company", row["company_id"]), ("Event", row["id"]))


_WRITERS: dict[str, Callable[[BulkFiles, dict[str, Any]], None]] = {
    "companies.csv": _company,
    "persons.csv": _person,
    "shareholdings.csv": _holding,
    "officers.csv": _officer,
    "addresses.csv": _address,
    "phones.csv": _phone,
    "links.csv": _link,
    "events.csv": _event,
}
