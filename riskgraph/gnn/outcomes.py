"""Outcome labels: the companies that failed after a past snapshot of the province.

Training on them (``riskgraph gnn train --outcomes FILE`` on a database holding that past
snapshot) teaches the GNN failure itself, contagion included, rather than what the
exposures known at t0 look like. The file is a CSV with a ``company_id`` column (other
columns are ignored): the format of a generated province's ``truth/future_exposures.csv``,
and what a failure register exported to a spreadsheet gives.
"""

from __future__ import annotations

import csv
from pathlib import Path

from riskgraph.errors import RiskgraphError


class OutcomesError(RiskgraphError, ValueError):
    """The outcomes file cannot be read as a list of companies."""


def read_outcomes(path: Path | str) -> list[str]:
    """The company ids listed, in file order without repeats; a clear error naming the file
    (and line) when it has no ``company_id`` column or a row without one."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None or "company_id" not in reader.fieldnames:
                raise OutcomesError(f"{path}: no company_id column (header: {reader.fieldnames})")
            seen: dict[str, None] = {}
            for row in reader:
                company = (row.get("company_id") or "").strip()
                if not company:
                    raise OutcomesError(f"{path}:{reader.line_num}: empty company_id")
                seen[company] = None
    except OSError as exc:
        raise OutcomesError(f"{path}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise OutcomesError(f"{path}: not a UTF-8 CSV file ({exc})") from exc
    if not seen:
        raise OutcomesError(f"{path}: no companies listed")
    return list(seen)
