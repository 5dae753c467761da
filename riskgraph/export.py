"""Tables that people open in Excel: ``riskgraph export scores|rings`` write them here.

Two formats, chosen by the file's suffix: ``.xlsx`` (any case) is a workbook, anything else
CSV. Both are made safe to open with a double click:

* CSV is written as ``utf-8-sig``: without the byte-order mark Excel reads UTF-8 as the
  local code page and Chinese names turn into mojibake.
* Text cells that a spreadsheet would run as a formula (they start with ``=``, ``+``, ``-``,
  ``@``, a tab or a carriage return) get a leading ``'``, as the OWASP CSV-injection guidance
  says: company names and reasons come from ingested data, which anyone can write.
  Numbers are cells of their own type and are never touched (a negative score stays a
  number). In xlsx, text goes in with ``write_string`` and the workbook's
  ``strings_to_formulas`` is off, so nothing is ever stored as a formula.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # no py.typed marker, no stubs

from riskgraph.errors import RiskgraphError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make Excel, LibreOffice or Sheets treat a cell as a formula."""

LIST_SEPARATOR = "; "
"""How list values are joined, the same as the export queries join the reasons."""

XLSX_MAX_ROWS = 1_048_576
"""Rows on one Excel sheet, the header included."""

Cell = str | int | float | bool | None
"""What a writer puts in a cell: text, a number, a boolean or nothing."""


def neutralise(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula, so that
    a name like ``=HYPERLINK(...)`` is shown, not executed."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def cell(value: object) -> Cell:
    """One value as a safe cell: numbers, booleans and ``None`` as they are; lists joined
    with ``LIST_SEPARATOR``; any text (a list's, or ``str()`` of anything else) neutralised."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, list | tuple):
        text = LIST_SEPARATOR.join("" if v is None else str(v) for v in value)
    else:
        text = value if isinstance(value, str) else str(value)
    return neutralise(text)


def safe_row(values: Iterable[object]) -> list[Cell]:
    """A row of values as safe cells (see ``cell``)."""
    return [cell(v) for v in values]


def is_xlsx(path: Path) -> bool:
    """Whether ``path`` asks for a workbook: its suffix is ``.xlsx`` in any case."""
    return path.suffix.lower() == ".xlsx"


def write_table(
    path: Path,
    columns: Sequence[str],
    rows: Sequence[Sequence[object]],
    sheet: str = "export",
) -> None:
    """Write a header and rows to ``path``, as xlsx (on a sheet named ``sheet``) or CSV by
    its suffix, every cell made safe. With no columns the file is empty (CSV) or has an empty
    sheet (xlsx). A file that cannot be written is a ``RiskgraphError``, one line for the CLI."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if is_xlsx(path):
            write_xlsx(path, columns, rows, sheet)
        else:
            write_csv(path, columns, rows)
    except OSError as exc:
        raise RiskgraphError(f"cannot write {path}: {exc}") from exc


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """CSV in ``utf-8-sig`` (the BOM makes Excel read it as UTF-8); ``None`` is an empty
    field; text neutralised."""
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        if columns:
            writer.writerow(safe_row(columns))
            writer.writerows(safe_row(r) for r in rows)


def write_xlsx(
    path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]], sheet: str = "export"
) -> None:
    """One sheet, bold frozen header with a filter; numbers as number cells, text always with
    ``write_string`` and neutralised. ``constant_memory`` streams each row to disk, so a
    650,000-row export costs no more memory than its rows already do."""
    write_sheets(path, {sheet: (columns, rows)})


def write_sheets(
    path: Path, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]
) -> None:
    """Several sheets (name -> columns, rows) in one workbook, each as ``write_xlsx``'s."""
    for _columns, rows in sheets.values():
        if len(rows) + 1 > XLSX_MAX_ROWS:
            raise RiskgraphError(
                f"{len(rows):,} rows do not fit on an Excel sheet ({XLSX_MAX_ROWS - 1:,} at "
                "most): export to .csv instead"
            )
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_numbers": False,
        "strings_to_urls": False,
    }
    # Opened here, not by xlsxwriter: a path that cannot be written fails before the
    # worksheet's temporary row file exists (xlsxwriter would leave that one open).
    with path.open("wb") as handle:
        _write_workbook(xlsxwriter.Workbook(handle, options), sheets)


def _write_workbook(
    workbook: Any, sheets: Mapping[str, tuple[Sequence[str], Sequence[Sequence[object]]]]
) -> None:
    """Fill and close ``workbook`` (see ``write_xlsx``)."""
    try:
        bold = workbook.add_format({"bold": True})
        for sheet, (columns, rows) in sheets.items():
            worksheet = workbook.add_worksheet(sheet)
            if not columns:
                continue
            worksheet.freeze_panes(1, 0)
            worksheet.autofilter(0, 0, len(rows), len(columns) - 1)
            for c, name in enumerate(safe_row(columns)):
                worksheet.write_string(0, c, str(name), bold)
            for r, values in enumerate(rows, start=1):
                for c, value in enumerate(safe_row(values)):
                    _write_cell(worksheet, r, c, value)
    finally:
        workbook.close()


def _write_cell(sheet: Any, row: int, col: int, value: Cell) -> None:
    """One safe cell with the writer of its type (never ``write``, which guesses)."""
    if value is None:
        return  # an empty cell, as CSV's empty field
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        sheet.write_number(row, col, value)
    elif isinstance(value, float):
        sheet.write_string(row, col, str(value))  # nan, inf, -inf: text, as in the CSV
    else:
        sheet.write_string(row, col, value)
