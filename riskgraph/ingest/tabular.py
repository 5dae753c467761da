"""Records out of one CSV or xlsx file, each with the line it starts on, and the rows that
cannot be records reported instead of breaking the read.

A CSV file is split into records by the ``csv`` module itself; what it cannot take is
one rejected row, never a traceback, and the rows after it are read as usual:

- an unbalanced quote, which would swallow every following line into one field: the
  line that opened it is rejected and the lines it swallowed are read again;
- a field over the ``csv`` module's limit (``csv.field_size_limit()``, 131,072 chars);
- NUL or other C0 control characters (tab, CR and LF are text).

DEL (U+007F), which real registry data carries at the end of names typed on old
terminals, is removed from the value instead, and the row says so (a warning).

An xlsx file is read with python-calamine (first sheet, first row the header); typed
cells become the text a CSV export would hold (dates ISO, whole numbers without ``.0``).
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from python_calamine import CalamineWorkbook

RAW = "__raw__"  # the column holding the text of a row that could not be split into cells
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DEL = "\x7f"
_MAX_LINES = 200  # physical lines one record may span before its quote counts as unbalanced


@dataclass(frozen=True)
class Cells:
    line: int  # physical line the record starts on (the header is line 1)
    cells: list[str]
    problem: str | None = None  # why the record is unusable (then cells = [raw text])


class _Runaway(Exception):
    """A quoted field still open after too many lines."""


class _Lines:
    """Physical lines with their numbers, able to give back lines a bad record swallowed."""

    def __init__(self, source: Iterator[str]) -> None:
        self._source = source
        self._number = 0
        self._back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.exhausted = False

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        if len(self.taken) >= _MAX_LINES:
            raise _Runaway
        if self._back:
            item = self._back.popleft()
        else:
            try:
                text = next(self._source)
            except StopIteration:
                self.exhausted = True
                raise
            self._number += 1
            item = (self._number, text)
        self.taken.append(item)
        return item[1]

    def give_back(self, items: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(items))
        self.exhausted = False


def _reject(lines: _Lines, problem: str) -> Cells:
    """The record's first line is rejected; the lines it swallowed are read again."""
    first, *rest = lines.taken
    lines.give_back(rest)
    return Cells(first[0], [first[1].rstrip("\r\n")], problem)


def csv_records(path: Path, encoding: str) -> Iterator[Cells]:
    with path.open(encoding=encoding, newline="") as handle:
        lines = _Lines(iter(handle))
        reader = csv.reader(lines)
        while True:
            lines.taken = []
            try:
                cells = next(reader)
            except StopIteration:
                return
            except _Runaway:
                yield _reject(
                    lines,
                    f"unbalanced_quote: a quote opened here is still open {_MAX_LINES} lines later",
                )
                continue
            except csv.Error as exc:
                if len(lines.taken) > 1:
                    yield _reject(
                        lines, f"unbalanced_quote: a quote opened here never closes ({exc})"
                    )
                elif "field larger than field limit" in str(exc):
                    yield _reject(lines, f"field_too_large: {exc}")
                else:
                    yield _reject(lines, f"unreadable_row: {exc}")
                continue
            if not lines.taken:
                return
            text = "".join(t for _, t in lines.taken)
            if len(lines.taken) > 1 and lines.exhausted and text.count('"') % 2:
                yield _reject(lines, "unbalanced_quote: a quote opened here never closes")
                continue
            if (bad := _CONTROL.search(text)) is not None:
                yield _reject(lines, f"control_character: U+{ord(bad.group()):04X} in the row")
                continue
            if cells:
                yield Cells(lines.taken[0][0], cells)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def xlsx_records(path: Path) -> Iterator[Cells]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    first = (sheet.start[0] if sheet.start is not None else 0) + 1  # rows above it are empty
    for number, row in enumerate(sheet.iter_rows(), start=first):
        cells = [_text(v) for v in row]
        if not any(cells):
            continue
        bad = next((m for c in cells if (m := _CONTROL.search(c)) is not None), None)
        if bad is not None:
            problem = f"control_character: U+{ord(bad.group()):04X} in the row"
            yield Cells(number, [",".join(cells)], problem)
            continue
        yield Cells(number, cells)


def records(path: Path, encoding: str | None) -> Iterator[Cells]:
    """A file's records, the header first: xlsx by its suffix, else CSV in ``encoding``."""
    if path.suffix.lower() == ".xlsx":
        return xlsx_records(path)
    return csv_records(path, encoding or "utf-8")
