"""Row validation: every rule for every row, all problems collected, into load-ready records.

A row either becomes a record (plain dict of parameters for the loader's Cypher) or a
``Rejection`` with its file, line and every reason. A row is rejected only when a required
field is missing or unusable (an id, a name, a reference, a holder type, a role or event
type that cannot be mapped, a relationship to itself); a bad optional value is stored as
null and reported as a ``FieldWarning``, and the row loads. References are checked against
the bundle's own valid rows first and then against what is already in the graph.

Relationship rows are versions of a relationship keyed by its endpoints and role or type
(``_versions``): identical rows collapse, and the versions of one key are numbered in
``since`` order (``round``) so that the loader applies them one round at a time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from riskgraph.graph.schema import HolderType, LinkType, link_relationship
from riskgraph.ingest import normalise as norm
from riskgraph.ingest.bundle import Row
from riskgraph.ingest.mapping import Field, Mapping, default_mapping
from riskgraph.search_text import search_forms

Record = dict[str, Any]
Good = tuple[Row, Record]  # a row that passed its field rules, with its record
_REGION = re.compile(r"^\d{6}$")
_HASH = re.compile(r"^[0-9a-f]{64}$")
_THIS_YEAR = date.today().year


@dataclass(frozen=True)
class Rejection:
    file: str
    line: int
    reason: str
    values: dict[str, str]


@dataclass(frozen=True)
class FieldWarning:
    """An optional value that could not be used: stored as null, the row still loads."""

    line: int
    column: str
    kind: str
    reason: str  # never holds a resident ID number


@dataclass
class FileResult:
    name: str
    read: int = 0
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    warnings: list[FieldWarning] = field(default_factory=list)
    merged: int = 0  # person rows merged into another person with the same resident ID

    def reasons(self) -> Counter[str]:
        """Rejections by their first reason's kind (the text before the colon)."""
        return Counter(r.reason.split(";")[0].split(":")[0].strip() for r in self.rejected)

    def warning_kinds(self) -> Counter[str]:
        return Counter(w.kind for w in self.warnings)


@dataclass
class Known:
    """Entities a reference may point at: the bundle's valid rows, then the graph."""

    companies: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)
    # (label, ids) -> the subset that exists in the graph
    lookup: Callable[[str, list[str]], set[str]] = lambda label, ids: set()
    # resident-ID hashes -> the Person already in the graph with that hash
    by_hash: Callable[[list[str]], dict[str, str]] = lambda hashes: {}
    aliases: dict[str, str] = field(default_factory=dict)  # merged person id -> its person
    ambiguous: set[str] = field(default_factory=set)  # ids defined as company and person

    def canonical(self, label: str, ident: str) -> str:
        return self.aliases.get(ident, ident) if label == "Person" else ident

    def resolve(self, references: Iterable[tuple[str, str]]) -> None:
        """Add graph entities for references the bundle does not define (one query per label)."""
        missing: dict[str, set[str]] = {"Company": set(), "Person": set()}
        for label, ident in references:
            pool = self.companies if label == "Company" else self.persons
            ident = self.canonical(label, ident)
            if ident and ident not in pool:
                missing[label].add(ident)
        if missing["Company"]:
            self.companies |= self.lookup("Company", sorted(missing["Company"]))
        if missing["Person"]:
            self.persons |= self.lookup("Person", sorted(missing["Person"]))

    def has(self, label: str, ident: str) -> bool:
        pool = self.companies if label == "Company" else self.persons
        return self.canonical(label, ident) in pool

    def label_of(self, ident: str) -> str | None:
        if ident in self.companies:
            return "Company"
        if self.canonical("Person", ident) in self.persons:
            return "Person"
        return None


class _Checks:
    """One row's problems: errors reject the row, warnings null one value."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.errors: list[str] = []
        self.warnings: list[tuple[str, str, str]] = []  # (column, kind, reason)

    def need(self, values: dict[str, str], *columns: str) -> None:
        for column in columns:
            if not values.get(column):
                self.errors.append(f"missing_field: {column} is empty")

    def warn(self, column: str, kind: str, reason: str) -> None:
        self.warnings.append((column, kind, reason))

    def optional(
        self, column: str, kind: str, parser: Callable[[str], Any], values: dict[str, str]
    ) -> Any:
        """Parse an optional value; '' gives None, a bad value is a warning and None."""
        text = values.get(column, "")
        if not text:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.warn(column, kind, f"{column}: {exc}")
            return None

    def required(self, kind: str, parser: Callable[[str], Any], text: str) -> Any:
        """Parse a required value (already checked non-empty); a bad one rejects the row."""
        if not text:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.errors.append(f"{kind}: {exc}")
            return None

    def choice(self, mapped: Field, column: str, text: str, *, required: bool) -> str | None:
        """A closed-set value (English or as the mapping translates it)."""
        if not text:
            return None
        value = self.mapping.value(mapped, text)
        if value is None:
            kind = f"unknown_{column}" if column != "type" else "unknown_type"
            reason = f"{column} {text!r} is not a known {mapped.value.replace('_', ' ')}"
            if required:
                self.errors.append(f"{kind}: {reason}")
            else:
                self.warn(column, kind, reason)
        return value


def _int(text: str) -> int:
    value = norm.parse_number(norm.halfwidth(text).strip().removesuffix("年"))
    if value != int(value):
        raise ValueError(f"not an integer: {text!r}")
    return int(value)


def _birth_year(text: str) -> int:
    year = _int(text)
    if not 1900 <= year <= _THIS_YEAR:
        raise ValueError(f"{year} out of range 1900..{_THIS_YEAR}")
    return year


def _severity(text: str) -> int:
    severity = _int(text)
    if not 1 <= severity <= 5:
        raise ValueError(f"{severity} is not in 1..5")
    return severity


def _region(text: str) -> str:
    code = norm.halfwidth(text).strip()
    if not _REGION.match(code):
        raise ValueError(f"{text!r} is not a 6-digit division code")
    return code


def _id_hash(text: str) -> str:
    value = text.strip().lower()
    if not _HASH.match(value):
        raise ValueError("not a 64-character hexadecimal HMAC-SHA256")
    return value


def _occurrence_keys(records: list[Record], parts: Callable[[Record], tuple[object, ...]]) -> None:
    """Key events by content plus occurrence, so identical rows stay distinct facts (two
    lawsuits in one month) and a re-run produces the same keys."""
    seen: Counter[str] = Counter()
    for record in records:
        base = norm.row_key(*parts(record))
        seen[base] += 1
        record["key"] = norm.row_key(base, seen[base])


def _period(v: dict[str, str], checks: _Checks) -> dict[str, date | None]:
    """A relationship row's ``since`` and ``until``; an ``until`` before ``since`` cannot be
    both true, so it is the one nulled (with a warning) and the row still loads."""
    since = checks.optional("since", "bad_date", norm.parse_date, v)
    until = checks.optional("until", "bad_date", norm.parse_date, v)
    if since is not None and until is not None and until < since:
        checks.warn("until", "until_before_since", f"until: {until} is before since {since}")
        until = None
    return {"since": since, "until": until}


def _versions(
    result: FileResult,
    identity: Callable[[Record], tuple[object, ...]],
    values: tuple[str, ...] = (),
) -> None:
    """Number the versions of each relationship (its ``identity``: endpoints plus role or
    type) in order of start (``since``, else ``until``), undated first, ties in file
    order: ``round`` k holds the k-th version of every key, so the loader never sees one
    key twice in a batch and the last version is applied last. Rows equal in ``values``,
    since and until collapse."""
    groups: dict[tuple[object, ...], dict[tuple[object, ...], Record]] = {}
    for record in result.records:
        version = (*(record[v] for v in values), record["since"], record["until"])
        groups.setdefault(identity(record), {}).setdefault(version, record)
    ordered: list[Record] = []
    for versions in groups.values():
        # by start: since, or for a row that only ends the relationship its until (an
        # exit after a dated change comes after it); rows with neither first
        dated = sorted(versions.values(), key=lambda r: r["since"] or r["until"] or date.min)
        for number, record in enumerate(dated):
            record["round"] = number
            ordered.append(record)
    ordered.sort(key=lambda r: int(r["round"]))  # stable: keys keep their file order
    result.records = ordered


def _unique_ids(result: FileResult, rows: list[Good], known: Known, other: str) -> None:
    first: dict[str, int] = {}
    for row, record in rows:
        ident = record["id"]
        if ident in known.ambiguous:
            reason = f"ambiguous_id: {ident} is defined as a company and as a person ({other})"
        elif ident in first:
            reason = f"duplicate_id: {ident} first on line {first[ident]}"
        else:
            first[ident] = row.line
            result.records.append(record)
            continue
        result.rejected.append(Rejection(result.name, row.line, reason, row.values))


Build = Callable[[dict[str, str], _Checks], Record]


def _fields(
    name: str, rows: Iterable[Row], build: Build, mapping: Mapping
) -> tuple[FileResult, list[Good]]:
    """First pass of every file: field rules per row; rows with errors are rejected, and
    the warnings of the rows that load are kept."""
    result = FileResult(name)
    good: list[Good] = []
    for row in rows:
        result.read += 1
        if row.problem is not None:
            result.rejected.append(Rejection(name, row.line, row.problem, row.values))
            continue
        checks = _Checks(mapping)
        record = build(row.values, checks)
        if "__extra__" in row.values:
            checks.errors.append("extra_cells: more cells than header columns")
        if checks.errors:
            result.rejected.append(Rejection(name, row.line, "; ".join(checks.errors), row.values))
            continue
        result.warnings.extend(FieldWarning(row.line, *w) for w in checks.warnings)
        result.warnings.extend(
            FieldWarning(row.line, c, "control_character", f"{c}: DEL (U+007F) removed")
            for c in row.cleaned
        )
        good.append((row, record))
    return result, good


def _company(v: dict[str, str], checks: _Checks) -> Record:
    checks.need(v, "id", "name")
    name = norm.clean_text(v["name"])
    search_name, initials = search_forms(name)
    return {
        "id": norm.clean_text(v["id"]),
        "uscc": checks.optional("uscc", "invalid_uscc", norm.normalise_uscc, v),
        "name": name,
        "search_name": search_name or None,
        "name_initials": initials or None,
        "status": checks.choice(Field.STATUS, "status", v.get("status", ""), required=False),
        "established": checks.optional("established", "bad_date", norm.parse_date, v),
        "registered_capital": checks.optional(
            "registered_capital", "bad_number", norm.parse_amount, v
        ),
        "paid_in_capital": checks.optional("paid_in_capital", "bad_number", norm.parse_amount, v),
        "industry": norm.clean_text(v.get("industry", "")) or None,
        "region": checks.optional("region", "bad_region", _region, v),
        "region_name": norm.clean_text(v.get("region_name", "")) or None,
    }


def companies(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _fields("companies.csv", rows, _company, mapping or default_mapping())
    _unique_ids(result, good, known, "also in persons")
    return result


def _person(key: bytes) -> Build:
    def person(v: dict[str, str], checks: _Checks) -> Record:
        checks.need(v, "id", "name")
        id_number = checks.optional("id_number", "invalid_id_number", norm.normalise_id_number, v)
        id_hash = norm.hash_id_number(id_number, key) if id_number else None
        if id_hash is None:
            id_hash = checks.optional("id_hash", "bad_id_hash", _id_hash, v)
        birth_year = checks.optional("birth_year", "bad_number", _birth_year, v)
        if birth_year is None and id_number is not None:
            birth_year = norm.birth_year_from_id(id_number)
        name = norm.clean_text(v["name"])
        search_name, initials = search_forms(name)
        return {
            "id": norm.clean_text(v["id"]),
            "name": name,
            "search_name": search_name or None,
            "name_initials": initials or None,
            "id_hash": id_hash,
            "birth_year": birth_year,
        }

    return person


def _merge_by_resident_id(result: FileResult, known: Known) -> None:
    """One Person per resident ID: rows sharing an ID hash, in the file or with a person
    already in the graph, become that person; their ids are kept as its aliases."""
    hashes = sorted({r["id_hash"] for r in result.records if r["id_hash"]})
    owner = known.by_hash(hashes) if hashes else {}
    merged: list[Record] = []
    by_id: dict[str, Record] = {}
    for record in result.records:
        id_hash: str | None = record["id_hash"]
        ident: str = known.aliases.get(record["id"]) or record["id"]  # merged by an earlier load
        if id_hash:
            ident = owner.setdefault(id_hash, ident)
        if ident == record["id"]:
            record["aliases"] = []
            by_id[ident] = record
            merged.append(record)
            continue
        result.merged += 1
        known.aliases[record["id"]] = ident
        target = by_id.get(ident)
        if target is None:  # a person already in the graph: only the alias is added
            target = {"id": ident, "name": None, "id_hash": None, "birth_year": None}
            target["aliases"] = []
            by_id[ident] = target
            merged.append(target)
        elif target.get("name") is not None:  # a row of this file: fill what it lacks
            for prop in ("id_hash", "birth_year"):
                if target.get(prop) is None:
                    target[prop] = record[prop]
        target["aliases"].append(record["id"])
    result.records = merged


def persons(
    rows: Iterable[Row], key: bytes, known: Known | None = None, mapping: Mapping | None = None
) -> FileResult:
    known = known or Known()
    result, good = _fields("persons.csv", rows, _person(key), mapping or default_mapping())
    _unique_ids(result, good, known, "also in companies")
    _merge_by_resident_id(result, known)
    return result


def _references(
    result: FileResult,
    good: list[Good],
    known: Known,
    refs: Callable[[Record], list[tuple[str, str]]],
) -> None:
    """Keep records whose references all exist; refs gives (label, column) pairs. Person
    references to a merged id are rewritten to the person it was merged into."""
    known.resolve((label, record[column]) for _, record in good for label, column in refs(record))
    for row, record in good:
        pairs = refs(record)
        dangling = [
            f"dangling_reference: {column} {record[column]!r} is not a known {label.lower()}"
            for label, column in pairs
            if not known.has(label, record[column])
        ]
        if dangling:
            result.rejected.append(
                Rejection(result.name, row.line, "; ".join(dangling), row.values)
            )
            continue
        for label, column in pairs:
            record[column] = known.canonical(label, record[column])
        result.records.append(record)


def _holding(percent: bool) -> Build:
    def holding(v: dict[str, str], checks: _Checks) -> Record:
        checks.need(v, "holder_id", "holder_type", "company_id")
        holder_type = checks.choice(
            Field.HOLDER_TYPE, "holder_type", v["holder_type"], required=True
        )
        if v["holder_id"] and v["holder_id"] == v["company_id"]:
            checks.errors.append("self_reference: a company cannot hold itself")
        return {
            "holder_id": v["holder_id"],
            "holder_type": holder_type,
            "company_id": v["company_id"],
            "share": checks.optional(
                "share", "share_out_of_range", lambda t: norm.parse_share(t, percent), v
            ),
            "amount": checks.optional("amount", "bad_number", norm.parse_amount, v),
            **_period(v, checks),
        }

    return holding


def shareholdings(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    listed = list(rows)
    percent = norm.percent_column([r.values.get("share", "") for r in listed])
    result, good = _fields(
        "shareholdings.csv", listed, _holding(percent), mapping or default_mapping()
    )
    del listed
    _references(
        result,
        good,
        known,
        lambda r: [
            ("Person" if r["holder_type"] == HolderType.PERSON else "Company", "holder_id"),
            ("Company", "company_id"),
        ],
    )
    # keyed after aliases are resolved: a holding of a merged id is its person's holding
    _versions(
        result,
        lambda r: (r["holder_type"], r["holder_id"], r["company_id"]),
        ("share", "amount"),
    )
    return result


def _office(v: dict[str, str], checks: _Checks) -> Record:
    checks.need(v, "person_id", "company_id", "role")
    return {
        "person_id": v["person_id"],
        "company_id": v["company_id"],
        "role": checks.choice(Field.ROLE, "role", v["role"], required=True),
        **_period(v, checks),
    }


def officers(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _fields("officers.csv", rows, _office, mapping or default_mapping())
    _references(result, good, known, lambda r: [("Person", "person_id"), ("Company", "company_id")])
    _versions(result, lambda r: (r["person_id"], r["company_id"], r["role"]))
    return result


def _entity_rows(
    name: str, rows: Iterable[Row], known: Known, column: str, mapping: Mapping
) -> tuple[FileResult, list[Good]]:
    """Shared first pass of addresses.csv and phones.csv: entity_id may be either label."""

    def build(v: dict[str, str], checks: _Checks) -> Record:
        checks.need(v, "entity_id", column)
        return {"entity_id": v["entity_id"], "raw": v[column], **_period(v, checks)}

    result, good = _fields(name, rows, build, mapping)
    ids = {record["entity_id"] for _, record in good}
    known.resolve([("Company", i) for i in ids if known.label_of(i) is None])
    known.resolve([("Person", i) for i in ids if known.label_of(i) is None])
    kept: list[Good] = []
    for row, record in good:
        label = known.label_of(record["entity_id"])
        if label is None:
            ident = record["entity_id"]
            reason = f"dangling_reference: entity_id {ident!r} is not a known company or person"
            result.rejected.append(Rejection(name, row.line, reason, row.values))
        else:
            record["label"] = label
            record["entity_id"] = known.canonical(label, record["entity_id"])
            kept.append((row, record))
    return result, kept


def addresses(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _entity_rows(
        "addresses.csv", rows, known, "address", mapping or default_mapping()
    )
    parsed = norm.normalise_addresses([record["raw"] for _, record in good])
    for (_, record), address in zip(good, parsed, strict=True):
        del record["raw"]
        record.update(
            key=address.key,
            text=address.text,
            province=address.province,
            city=address.city,
            district=address.district,
        )
        result.records.append(record)
    # the address as first written is kept: other spellings of one address are one version
    _versions(result, lambda r: (r["label"], r["entity_id"], r["key"]))
    return result


def phones(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _entity_rows("phones.csv", rows, known, "phone", mapping or default_mapping())
    for row, record in good:
        try:
            phone = norm.normalise_phone(record.pop("raw"))
        except ValueError as exc:
            result.rejected.append(
                Rejection(result.name, row.line, f"bad_phone: {exc}", row.values)
            )
            continue
        record.update(number=phone.number, kind=phone.kind)
        result.records.append(record)
    _versions(result, lambda r: (r["label"], r["entity_id"], r["number"]))
    return result


def _link(v: dict[str, str], checks: _Checks) -> Record:
    checks.need(v, "source_id", "target_id", "type")
    link = checks.choice(Field.LINK_TYPE, "type", v["type"], required=True)
    if v["source_id"] and v["source_id"] == v["target_id"]:
        checks.errors.append("self_reference: a link needs two companies")
    return {
        "source_id": v["source_id"],
        "target_id": v["target_id"],
        "type": link_relationship(LinkType(link)) if link else None,
        "amount": checks.optional("amount", "bad_number", norm.parse_amount, v),
        **_period(v, checks),
    }


def links(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _fields("links.csv", rows, _link, mapping or default_mapping())
    _references(result, good, known, lambda r: [("Company", "source_id"), ("Company", "target_id")])
    _versions(result, lambda r: (r["type"], r["source_id"], r["target_id"]), ("amount",))
    return result


def _event(v: dict[str, str], checks: _Checks) -> Record:
    checks.need(v, "company_id", "date", "type")
    return {
        "company_id": v["company_id"],
        "date": checks.required("bad_date", norm.parse_date, v["date"]),
        "type": checks.choice(Field.EVENT_TYPE, "type", v["type"], required=True),
        "severity": checks.optional("severity", "bad_number", _severity, v),
        "description": norm.clean_text(v.get("description", "")) or None,
    }


def events(rows: Iterable[Row], known: Known, mapping: Mapping | None = None) -> FileResult:
    result, good = _fields("events.csv", rows, _event, mapping or default_mapping())
    _references(result, good, known, lambda r: [("Company", "company_id")])
    _occurrence_keys(
        result.records,
        lambda r: (r["company_id"], r["date"], r["type"], r["severity"], r["description"]),
    )
    for record in result.records:
        record["id"] = record.pop("key")
    return result
