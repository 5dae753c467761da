"""Rejected rows are kept aside, never dropped: ``DIR/_rejected/<file>.csv`` holds each
with its original line number, every reason, and its original cells."""

from __future__ import annotations

import csv
from pathlib import Path

from riskgraph.ingest.bundle import REJECTED_DIR
from riskgraph.ingest.validate import FileResult


def write_rejected(directory: Path, result: FileResult, columns: list[str]) -> Path | None:
    """(Re)write this file's quarantine; a clean file removes a stale one from a past run."""
    path = directory / REJECTED_DIR / result.name
    if not result.rejected:
        path.unlink(missing_ok=True)
        return None
    path.parent.mkdir(exist_ok=True)
    if any("__extra__" in r.values for r in result.rejected):
        columns = [*columns, "__extra__"]  # cells beyond the header are kept too
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["_line", "_reason", *columns])
        for rejection in sorted(result.rejected, key=lambda r: r.line):
            cells = [rejection.values.get(c, "") for c in columns]
            writer.writerow([rejection.line, rejection.reason, *cells])
    return path
