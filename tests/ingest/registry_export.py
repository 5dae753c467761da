"""Turn an English UTF-8 bundle (as the generator writes it) into what a Chinese registry
exports: Chinese headers and values, mixed date styles, 万元 amounts, percent shares, in
GB18030 CSV or xlsx.

The rewrite keeps every value's meaning, so loading the export must give the same graph
as loading the original; any difference is riskgraph's reading of registry exports. To
keep that comparison honest the target forms are derived from ``mapping``'s tables and
checked here with plain arithmetic, never with riskgraph's own parsers. Values that were
deliberately planted bad are left as written, so they are rejected or nulled as before.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from itertools import cycle
from pathlib import Path

import xlsxwriter  # type: ignore[import-untyped]  # no py.typed marker, no stubs

from riskgraph.ingest.files import SPECS as FILES
from riskgraph.ingest.mapping import HEADERS, VALUES, Field

Rewrite = Callable[[str], str]

# The first alias listed for an English value is the one the export uses (经理 for
# manager; reversed, so the first one is written last and wins): deterministic, and
# every alias is one riskgraph documents.
_CHINESE: dict[Field, dict[str, str]] = {
    f: {english: alias for alias, english in reversed(table.items())} for f, table in VALUES.items()
}
_MAPPED: dict[tuple[str, str], Field] = {
    ("companies", "status"): Field.STATUS,
    ("shareholdings", "holder_type"): Field.HOLDER_TYPE,
    ("officers", "role"): Field.ROLE,
    ("links", "type"): Field.LINK_TYPE,
    ("events", "type"): Field.EVENT_TYPE,
}
_DATES = {("companies", "established"), ("events", "date")} | {
    (stem, "since") for stem in ("shareholdings", "officers", "links")
}
_AMOUNTS = {
    ("companies", "registered_capital"),
    ("companies", "paid_in_capital"),
    ("shareholdings", "amount"),
    ("links", "amount"),
}
_SHARES = {("shareholdings", "share")}

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
_PLAIN = re.compile(r"\d+(\.\d+)?")
_DATE_STYLES: tuple[Callable[[date], str], ...] = (
    lambda d: f"{d.year}/{d.month}/{d.day}",
    lambda d: f"{d.year}年{d.month}月{d.day}日",
    lambda d: f"{d:%Y%m%d}",
    lambda d: f"{d:%Y.%m.%d}",
)


def _date_rewriter() -> Rewrite:
    """Round-robin over the styles, so every style lands on every file and column."""
    styles = cycle(_DATE_STYLES)

    def rewrite(text: str) -> str:
        if not _ISO.fullmatch(text):
            return text
        try:
            day = date.fromisoformat(text)
        except ValueError:  # a planted impossible date ('2022-02-30') stays as it is
            return text
        return next(styles)(day)

    return rewrite


def _amount(text: str) -> str:
    if not _PLAIN.fullmatch(text):
        return text
    value = Decimal(text)
    wan = value / 10_000
    # 万元 only where the unit multiplication gives the very same float
    if value > 0 and wan == wan.to_integral_value() and float(int(wan)) * 1e4 == float(text):
        return f"{int(wan)}万元"
    return f"{value:,}"


def _share(text: str) -> str:
    """A fraction as a percentage, when one with two decimals reads back as the same
    float (0.3334 does not: 33.34 / 100 is one ulp off, so it stays a fraction)."""
    if not _PLAIN.fullmatch(text) or not 0 < Decimal(text) <= 1:
        return text
    percent = f"{Decimal(text) * 100:.2f}"
    return f"{percent}%" if float(percent) / 100.0 == float(text) else text


def _translator(table: dict[str, str]) -> Rewrite:
    """English to Chinese; a value with no alias (a planted unknown) stays English, and
    so stays unknown."""
    return lambda text: table.get(text, text)


def _rewriters(stem: str, header: list[str]) -> list[Rewrite]:
    dates = _date_rewriter()
    out: list[Rewrite] = []
    for column in header:
        key = (stem, column)
        if key in _MAPPED:
            out.append(_translator(_CHINESE[_MAPPED[key]]))
        elif key in _DATES:
            out.append(dates)
        elif key in _AMOUNTS:
            out.append(_amount)
        elif key in _SHARES:
            out.append(_share)
        else:
            out.append(str)
    return out


def _exported(path: Path, stem: str) -> Iterator[list[str]]:
    """The file's rows as the registry writes them, the Chinese header first."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        aliases = {column: alias for alias, column in HEADERS.get(stem, {}).items()}
        yield [aliases.get(column, column) for column in header]
        rewrite = _rewriters(stem, header)
        for row in reader:
            # cells beyond the header (none in generated bundles) pass through untouched
            yield [f(cell) for f, cell in zip(rewrite, row, strict=False)] + row[len(header) :]


def to_registry_export(
    bundle: Path, out: Path, *, fmt: str = "csv", encoding: str = "gb18030"
) -> Path:
    """Write ``bundle``'s files to ``out`` as a registry export (``fmt`` 'csv' in
    ``encoding``, or 'xlsx'); ``truth/`` and ingest's report folders are not copied."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"fmt is 'csv' or 'xlsx', not {fmt!r}")
    out.mkdir(parents=True, exist_ok=True)
    for spec in FILES:
        source = bundle / spec.name
        if not source.is_file():
            continue
        rows = _exported(source, spec.stem)
        if fmt == "csv":
            with (out / spec.name).open("w", encoding=encoding, newline="") as handle:
                csv.writer(handle).writerows(rows)  # \r\n, as Windows exports have it
            continue
        workbook = xlsxwriter.Workbook(str(out / f"{spec.stem}.xlsx"))
        sheet = workbook.add_worksheet()
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                sheet.write_string(r, c, cell)  # text cells: no number or date guessing
        workbook.close()
    return out
