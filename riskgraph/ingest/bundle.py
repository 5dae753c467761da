"""Reading the input bundle: finding its files, checking they decode, rows with line
numbers. Which files and columns there are is declared in ``riskgraph.ingest.files``.

A bundle file is CSV (UTF-8 or GB18030, detected per file) or xlsx, with English or
Chinese headers (``riskgraph.ingest.mapping``). The format is documented in
``docs/bundle-format.md``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from riskgraph.errors import RiskgraphError
from riskgraph.ingest import encoding as encodings
from riskgraph.ingest import tabular
from riskgraph.ingest.mapping import Mapping, default_mapping


class BundleError(RiskgraphError):
    """The bundle cannot be read at all (missing folder, file, header or encoding)."""


@dataclass(frozen=True)
class FileSpec:
    name: str  # the file's name in an English CSV bundle; reports are named after it
    required: tuple[str, ...]  # columns the header must have
    optional: tuple[str, ...] = ()  # columns used when present
    mandatory: bool = True  # whether the file must exist

    @property
    def stem(self) -> str:
        return self.name.removesuffix(".csv")


REJECTED_DIR = "_rejected"
WARNINGS_DIR = "_warnings"


@dataclass(frozen=True)
class Row:
    line: int  # physical line in the file where the row starts (the header is line 1)
    values: dict[str, str]
    problem: str | None = None  # a row that could not be read as cells (values: its raw text)
    cleaned: tuple[str, ...] = ()  # columns a DEL character was removed from


@dataclass(frozen=True)
class BundleFile:
    """One file of the bundle as found: where, how to decode it, its columns."""

    spec: FileSpec
    path: Path
    encoding: str | None  # None for xlsx
    columns: list[str]  # the header, as bundle columns (Chinese aliases mapped)


def _find(directory: Path, spec: FileSpec, mapping: Mapping) -> Path | None:
    if spec.stem in mapping.files:
        path = directory / mapping.files[spec.stem]
        if not path.is_file():
            raise BundleError(f"{path}: missing (the mapping names it for {spec.name})")
        return path
    found = [p for p in (directory / spec.name, directory / f"{spec.stem}.xlsx") if p.is_file()]
    if len(found) > 1:
        raise BundleError(
            f"{directory}: both {found[0].name} and {found[1].name}; keep one of them"
        )
    return found[0] if found else None


def _header(path: Path, encoding: str | None) -> list[str]:
    first = next(tabular.records(path, encoding), None)
    if first is None or not any(c.strip() for c in first.cells):
        raise BundleError(f"{path}: empty file (a header row is required)")
    if first.problem is not None:
        raise BundleError(f"{path}:{first.line}: unreadable header ({first.problem})")
    return [c.replace("\ufeff", "").strip() for c in first.cells]


def _columns(path: Path, spec: FileSpec, header: list[str], mapping: Mapping) -> list[str]:
    columns = [mapping.column(spec.stem, h) for h in header]
    seen: dict[str, str] = {}
    for written, column in zip(header, columns, strict=True):
        if column and column in seen:
            raise BundleError(
                f"{path}: headers {seen[column]!r} and {written!r} both mean column {column}"
            )
        seen[column] = written
    missing = [c for c in spec.required if c not in columns]
    if missing:
        aliases = {v: k for k, v in mapping.headers.get(spec.stem, {}).items()}
        named = [f"{c} ({aliases[c]})" if c in aliases else c for c in missing]
        raise BundleError(f"{path}: header lacks column(s) {', '.join(named)}")
    return columns


def check_bundle(
    directory: Path,
    specs: Sequence[FileSpec],
    mapping: Mapping | None = None,
    encoding: str | None = None,
) -> list[BundleFile]:
    """The files present, after checking that the whole bundle is readable: every file is
    decoded in full here, so a bad byte stops the load before anything is written."""
    mapping = mapping or default_mapping()
    if not directory.is_dir():
        raise BundleError(f"bundle folder not found: {directory}")
    present: list[BundleFile] = []
    for spec in specs:
        path = _find(directory, spec, mapping)
        if path is None:
            if spec.mandatory:
                raise BundleError(
                    f"{directory / spec.name}: missing (a bundle needs {spec.name} "
                    f"or {spec.stem}.xlsx)"
                )
            continue
        try:
            text_encoding = (
                None if path.suffix.lower() == ".xlsx" else encodings.check(path, encoding)
            )
            header = _header(path, text_encoding)
        except encodings.EncodingError as exc:
            raise BundleError(str(exc)) from exc
        except Exception as exc:  # calamine's errors for a corrupt workbook
            if isinstance(exc, BundleError):
                raise
            raise BundleError(f"{path}: cannot be read ({exc})") from exc
        present.append(BundleFile(spec, path, text_encoding, _columns(path, spec, header, mapping)))
    return present


def read_rows(file: BundleFile) -> Iterator[Row]:
    """Rows as dicts of stripped strings; short rows get '' and extra cells are kept aside."""
    header = file.columns
    source = tabular.records(file.path, file.encoding)
    next(source)  # the header, checked by check_bundle
    for record in source:
        if record.problem is not None:
            yield Row(record.line, {tabular.RAW: record.cells[0]}, record.problem)
            continue
        cells = record.cells
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)
        }
        if len(cells) > len(header):
            values["__extra__"] = ",".join(cells[len(header) :])
        cleaned: tuple[str, ...] = ()
        if any(tabular.DEL in v for v in values.values()):
            cleaned = tuple(k for k, v in values.items() if tabular.DEL in v)
            values = {k: v.replace(tabular.DEL, "").strip() for k, v in values.items()}
        yield Row(record.line, values, cleaned=cleaned)


def read_column(file: BundleFile, column: str) -> list[str]:
    """One column's non-empty values (a cheap first pass, e.g. for ids)."""
    return [v for row in read_rows(file) if (v := row.values.get(column, ""))]
