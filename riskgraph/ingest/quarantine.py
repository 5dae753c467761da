"""Report files beside the bundle: rejected rows are kept aside, never dropped
(``DIR/_rejected/<file>.csv``: each with its original line, every reason and its cells),
and the values that were nulled are listed (``DIR/_warnings/<file>.csv``).

Both are private: created mode 0600, and no resident ID number appears in them in clear
(the ``id_number`` column, and any ID-shaped run in any cell or reason, is masked as
``330902********8446``).
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from riskgraph.ingest.bundle import REJECTED_DIR, WARNINGS_DIR
from riskgraph.ingest.normalise import mask_id_number, mask_ids
from riskgraph.ingest.tabular import RAW
from riskgraph.ingest.validate import FileResult

ID_COLUMNS = frozenset({"id_number"})


def open_private(path: Path, encoding: str = "utf-8-sig") -> TextIO:
    """A new file readable by its owner only (0600 from creation, in a folder made 0700),
    replacing any file there (the import files: ``encoding="utf-8"``, no BOM)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "w", encoding=encoding, newline="")


@contextmanager
def private_csv(path: Path) -> Iterator[TextIO]:
    """A report file readable by its owner only (rewritten whole on every run)."""
    with open_private(path) as handle:
        yield handle


_RAW_KEPT = 10_000  # characters of an unreadable row kept in the report (the file has all)


def _masked(column: str, value: str) -> str:
    if column == RAW and len(value) > _RAW_KEPT:
        value = f"{value[:_RAW_KEPT]}… ({len(value):,} characters in all)"
    return mask_id_number(value) if column in ID_COLUMNS and value else mask_ids(value)


def write_rejected(directory: Path, result: FileResult, columns: list[str]) -> Path | None:
    """(Re)write this file's quarantine; a clean file removes a stale one from a past run."""
    path = directory / REJECTED_DIR / result.name
    if not result.rejected:
        path.unlink(missing_ok=True)
        return None
    for extra in ("__extra__", RAW):
        if any(extra in r.values for r in result.rejected):
            columns = [*columns, extra]  # cells beyond the header, rows that were no cells
    with private_csv(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(["_line", "_reason", *columns])
        for rejection in sorted(result.rejected, key=lambda r: r.line):
            cells = [_masked(c, rejection.values.get(c, "")) for c in columns]
            writer.writerow([rejection.line, mask_ids(rejection.reason), *cells])
    return path


def write_warnings(directory: Path, result: FileResult) -> Path | None:
    """(Re)write the list of values stored as null: line, column, kind, reason."""
    path = directory / WARNINGS_DIR / result.name
    if not result.warnings:
        path.unlink(missing_ok=True)
        return None
    with private_csv(path) as handle:
        writer = csv.writer(handle)
        writer.writerow(["line", "column", "kind", "reason"])
        for warning in sorted(result.warnings, key=lambda w: (w.line, w.column)):
            writer.writerow([warning.line, warning.column, warning.kind, mask_ids(warning.reason)])
    return path
