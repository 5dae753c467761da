"""Row validation: every rule for every row, all errors collected, into load-ready records.

A row either becomes a record (plain dict of parameters for the loader's Cypher) or a
``Rejection`` with its file, line and every reason. References are checked against the
bundle's own valid rows first and then against what is already in the graph.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from riskgraph.graph.schema import (
    CompanyStatus,
    EventType,
    HolderType,
    LinkType,
    OfficerRole,
    link_relationship,
)
from riskgraph.ingest import normalise as norm
from riskgraph.ingest.bundle import Row

Record = dict[str, Any]
Good = tuple[Row, Record]  # a row that passed its field rules, with its record
_REGION = re.compile(r"^\d{6}$")
_THIS_YEAR = date.today().year


@dataclass(frozen=True)
class Rejection:
    file: str
    line: int
    reason: str
    values: dict[str, str]


@dataclass
class FileResult:
    name: str
    read: int = 0
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    def reasons(self) -> Counter[str]:
        """Rejections by their first reason's kind (the text before the colon)."""
        return Counter(r.reason.split(";")[0].split(":")[0].strip() for r in self.rejected)


@dataclass
class Known:
    """Entities a reference may point at: the bundle's valid rows, then the graph."""

    companies: set[str] = field(default_factory=set)
    persons: set[str] = field(default_factory=set)
    # (label, ids) -> the subset that exists in the graph
    lookup: Callable[[str, list[str]], set[str]] = lambda label, ids: set()

    def resolve(self, references: Iterable[tuple[str, str]]) -> None:
        """Add graph entities for references the bundle does not define (one query per label)."""
        missing: dict[str, set[str]] = {"Company": set(), "Person": set()}
        for label, ident in references:
            pool = self.companies if label == "Company" else self.persons
            if ident and ident not in pool:
                missing[label].add(ident)
        if missing["Company"]:
            self.companies |= self.lookup("Company", sorted(missing["Company"]))
        if missing["Person"]:
            self.persons |= self.lookup("Person", sorted(missing["Person"]))

    def has(self, label: str, ident: str) -> bool:
        return ident in (self.companies if label == "Company" else self.persons)

    def label_of(self, ident: str) -> str | None:
        if ident in self.companies:
            return "Company"
        if ident in self.persons:
            return "Person"
        return None


class _Errors(list[str]):
    def need(self, values: dict[str, str], *columns: str) -> None:
        for column in columns:
            if not values.get(column):
                self.append(f"missing_field: {column} is empty")

    def parse(self, kind: str, parser: Callable[[str], Any], text: str) -> Any:
        """Parse an optional value; '' gives None, a bad value records ``kind``."""
        if not text:
            return None
        try:
            return parser(text)
        except ValueError as exc:
            self.append(f"{kind}: {exc}")
            return None

    def member(self, kind: str, allowed: type[Any], text: str, column: str) -> str | None:
        value = text.strip().lower()
        if value in {m.value for m in allowed}:
            return value
        if text:
            self.append(
                f"{kind}: {column} {text!r} is not one of {sorted(m.value for m in allowed)}"
            )
        return None


def _int(text: str) -> int:
    value = norm.parse_number(text)
    if value != int(value):
        raise ValueError(f"not an integer: {text!r}")
    return int(value)


def _non_negative(text: str) -> float:
    value = norm.parse_number(text)
    if value < 0:
        raise ValueError(f"negative amount: {text!r}")
    return value


def _occurrence_keys(records: list[Record], parts: Callable[[Record], tuple[object, ...]]) -> None:
    """Key row-level facts by content plus occurrence, so identical rows stay distinct
    facts (two lawsuits in one month) and a re-run produces the same keys."""
    seen: Counter[str] = Counter()
    for record in records:
        base = norm.row_key(*parts(record))
        seen[base] += 1
        record["key"] = norm.row_key(base, seen[base])


def _unique_ids(result: FileResult, rows: list[Good]) -> None:
    first: dict[str, int] = {}
    for row, record in rows:
        ident = record["id"]
        if ident in first:
            result.rejected.append(
                Rejection(
                    result.name,
                    row.line,
                    f"duplicate_id: {ident} first on line {first[ident]}",
                    row.values,
                )
            )
            continue
        first[ident] = row.line
        result.records.append(record)


Build = Callable[[dict[str, str], _Errors], Record]


def _fields(name: str, rows: Iterable[Row], build: Build) -> tuple[FileResult, list[Good]]:
    """First pass of every file: field rules per row; rows with errors are rejected."""
    result = FileResult(name)
    good: list[Good] = []
    for row in rows:
        result.read += 1
        errors = _Errors()
        record = build(row.values, errors)
        if "__extra__" in row.values:
            errors.append("extra_cells: more cells than header columns")
        if errors:
            result.rejected.append(Rejection(name, row.line, "; ".join(errors), row.values))
        else:
            good.append((row, record))
    return result, good


def _company(v: dict[str, str], errors: _Errors) -> Record:
    errors.need(v, "id", "name")
    status, region = v.get("status", ""), v.get("region", "")
    if region and not _REGION.match(norm.halfwidth(region)):
        errors.append(f"bad_region: {region!r} is not a 6-digit division code")
    return {
        "id": norm.clean_text(v["id"]),
        "uscc": errors.parse("invalid_uscc", norm.normalise_uscc, v.get("uscc", "")),
        "name": norm.clean_text(v["name"]),
        "status": errors.member("unknown_status", CompanyStatus, status, "status")
        if status
        else None,
        "established": errors.parse("bad_date", norm.parse_date, v.get("established", "")),
        "registered_capital": errors.parse(
            "bad_number", _non_negative, v.get("registered_capital", "")
        ),
        "paid_in_capital": errors.parse("bad_number", _non_negative, v.get("paid_in_capital", "")),
        "industry": norm.clean_text(v.get("industry", "")) or None,
        "region": norm.halfwidth(region) or None,
        "region_name": norm.clean_text(v.get("region_name", "")) or None,
    }


def companies(rows: Iterable[Row]) -> FileResult:
    result, good = _fields("companies.csv", rows, _company)
    _unique_ids(result, good)
    return result


def persons(rows: Iterable[Row], salt: str) -> FileResult:
    def person(v: dict[str, str], errors: _Errors) -> Record:
        errors.need(v, "id", "name")
        id_number = errors.parse(
            "invalid_id_number", norm.normalise_id_number, v.get("id_number", "")
        )
        birth_year = errors.parse("bad_number", _int, v.get("birth_year", ""))
        if birth_year is not None and not 1900 <= birth_year <= _THIS_YEAR:
            errors.append(f"bad_number: birth_year {birth_year} out of range")
        if birth_year is None and id_number is not None:
            birth_year = norm.birth_year_from_id(id_number)
        return {
            "id": norm.clean_text(v["id"]),
            "name": norm.clean_text(v["name"]),
            "id_hash": norm.hash_id_number(id_number, salt) if id_number else None,
            "birth_year": birth_year,
        }

    result, good = _fields("persons.csv", rows, person)
    _unique_ids(result, good)
    return result


def _references(
    result: FileResult,
    good: list[Good],
    known: Known,
    refs: Callable[[Record], list[tuple[str, str, str]]],
) -> None:
    """Keep records whose references all exist; refs gives (label, id, column) triples."""
    known.resolve((label, ident) for _, record in good for label, ident, _ in refs(record))
    for row, record in good:
        dangling = [
            f"dangling_reference: {column} {ident!r} is not a known {label.lower()}"
            for label, ident, column in refs(record)
            if not known.has(label, ident)
        ]
        if dangling:
            result.rejected.append(
                Rejection(result.name, row.line, "; ".join(dangling), row.values)
            )
        else:
            result.records.append(record)


def _holding(v: dict[str, str], errors: _Errors) -> Record:
    errors.need(v, "holder_id", "holder_type", "company_id")
    holder_type = errors.member("unknown_holder_type", HolderType, v["holder_type"], "holder_type")
    if v["holder_id"] and v["holder_id"] == v["company_id"]:
        errors.append("self_reference: a company cannot hold itself")
    return {
        "holder_id": v["holder_id"],
        "holder_type": holder_type,
        "company_id": v["company_id"],
        "share": errors.parse("share_out_of_range", norm.parse_share, v.get("share", "")),
        "amount": errors.parse("bad_number", _non_negative, v.get("amount", "")),
        "since": errors.parse("bad_date", norm.parse_date, v.get("since", "")),
    }


def shareholdings(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _fields("shareholdings.csv", rows, _holding)
    _references(
        result,
        good,
        known,
        lambda r: [
            (
                "Person" if r["holder_type"] == HolderType.PERSON else "Company",
                r["holder_id"],
                "holder_id",
            ),
            ("Company", r["company_id"], "company_id"),
        ],
    )
    _occurrence_keys(
        result.records,
        lambda r: (
            r["holder_type"],
            r["holder_id"],
            r["company_id"],
            r["share"],
            r["amount"],
            r["since"],
        ),
    )
    return result


def _office(v: dict[str, str], errors: _Errors) -> Record:
    errors.need(v, "person_id", "company_id", "role")
    return {
        "person_id": v["person_id"],
        "company_id": v["company_id"],
        "role": errors.member("unknown_role", OfficerRole, v["role"], "role"),
        "since": errors.parse("bad_date", norm.parse_date, v.get("since", "")),
    }


def officers(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _fields("officers.csv", rows, _office)
    _references(
        result,
        good,
        known,
        lambda r: [
            ("Person", r["person_id"], "person_id"),
            ("Company", r["company_id"], "company_id"),
        ],
    )
    return result


def _entity_rows(
    name: str, rows: Iterable[Row], known: Known, column: str
) -> tuple[FileResult, list[Good]]:
    """Shared first pass of addresses.csv and phones.csv: entity_id may be either label."""

    def build(v: dict[str, str], errors: _Errors) -> Record:
        errors.need(v, "entity_id", column)
        return {"entity_id": v["entity_id"], "raw": v[column]}

    result, good = _fields(name, rows, build)
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
            kept.append((row, record))
    return result, kept


def addresses(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _entity_rows("addresses.csv", rows, known, "address")
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
    return result


def phones(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _entity_rows("phones.csv", rows, known, "phone")
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
    return result


def _link(v: dict[str, str], errors: _Errors) -> Record:
    errors.need(v, "source_id", "target_id", "type")
    link = errors.member("unknown_type", LinkType, v["type"], "type")
    if v["source_id"] and v["source_id"] == v["target_id"]:
        errors.append("self_reference: a link needs two companies")
    return {
        "source_id": v["source_id"],
        "target_id": v["target_id"],
        "type": link_relationship(LinkType(link)) if link else None,
        "amount": errors.parse("bad_number", _non_negative, v.get("amount", "")),
        "since": errors.parse("bad_date", norm.parse_date, v.get("since", "")),
    }


def links(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _fields("links.csv", rows, _link)
    _references(
        result,
        good,
        known,
        lambda r: [
            ("Company", r["source_id"], "source_id"),
            ("Company", r["target_id"], "target_id"),
        ],
    )
    _occurrence_keys(
        result.records,
        lambda r: (r["type"], r["source_id"], r["target_id"], r["amount"], r["since"]),
    )
    return result


def _event(v: dict[str, str], errors: _Errors) -> Record:
    errors.need(v, "company_id", "date", "type")
    severity = errors.parse("bad_number", _int, v.get("severity", ""))
    if severity is not None and not 1 <= severity <= 5:
        errors.append(f"bad_number: severity {severity} is not in 1..5")
    return {
        "company_id": v["company_id"],
        "date": errors.parse("bad_date", norm.parse_date, v["date"]),
        "type": errors.member("unknown_type", EventType, v["type"], "type"),
        "severity": severity,
        "description": norm.clean_text(v.get("description", "")) or None,
    }


def events(rows: Iterable[Row], known: Known) -> FileResult:
    result, good = _fields("events.csv", rows, _event)
    _references(result, good, known, lambda r: [("Company", r["company_id"], "company_id")])
    _occurrence_keys(
        result.records,
        lambda r: (r["company_id"], r["date"], r["type"], r["severity"], r["description"]),
    )
    for record in result.records:
        record["id"] = record.pop("key")
    return result
