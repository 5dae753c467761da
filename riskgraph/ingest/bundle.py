"""The input bundle: which CSV files, which columns, and reading them with line numbers.

The format is documented in ``docs/bundle-format.md``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from riskgraph.errors import RiskgraphError


class BundleError(RiskgraphError):
    """The bundle cannot be read at all (missing folder, file, header or encoding)."""


@dataclass(frozen=True)
class FileSpec:
    name: str
    required: tuple[str, ...]  # columns the header must have
    optional: tuple[str, ...] = ()  # columns used when present
    mandatory: bool = True  # whether the file must exist


# In load order: nodes first, so relationship rows can be checked against them.
FILES: tuple[FileSpec, ...] = (
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
    FileSpec("persons.csv", ("id", "name"), ("id_number", "birth_year")),
    FileSpec(
        "shareholdings.csv",
        ("holder_id", "holder_type", "company_id"),
        ("share", "amount", "since"),
    ),
    FileSpec("officers.csv", ("person_id", "company_id", "role"), ("since",)),
    FileSpec("addresses.csv", ("entity_id", "address")),
    FileSpec("phones.csv", ("entity_id", "phone")),
    FileSpec("links.csv", ("source_id", "target_id", "type"), ("amount", "since"), False),
    FileSpec("events.csv", ("company_id", "date", "type"), ("severity", "description")),
)

REJECTED_DIR = "_rejected"


@dataclass(frozen=True)
class Row:
    line: int  # physical line in the file where the row starts (the header is line 1)
    values: dict[str, str]


def check_bundle(directory: Path) -> list[FileSpec]:
    """The files present, after checking that the bundle is readable as a whole."""
    if not directory.is_dir():
        raise BundleError(f"bundle folder not found: {directory}")
    present: list[FileSpec] = []
    for spec in FILES:
        path = directory / spec.name
        if not path.is_file():
            if spec.mandatory:
                raise BundleError(f"{path}: missing (a bundle needs {spec.name})")
            continue
        header = read_header(path)
        missing = [c for c in spec.required if c not in header]
        if missing:
            raise BundleError(f"{path}: header lacks column(s) {', '.join(missing)}")
        present.append(spec)
    return present


def read_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), None)
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    if not header:
        raise BundleError(f"{path}: empty file (a header row is required)")
    return [column.strip() for column in header]


def read_rows(path: Path) -> Iterator[Row]:
    """Rows as dicts of stripped strings; short rows get '' and extra cells are kept aside."""
    header = read_header(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            next(reader)
            line = reader.line_num + 1
            for cells in reader:
                if cells:
                    values = {
                        name: (cells[i].strip() if i < len(cells) else "")
                        for i, name in enumerate(header)
                    }
                    if len(cells) > len(header):
                        values["__extra__"] = ",".join(cells[len(header) :])
                    yield Row(line, values)
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise BundleError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from exc
