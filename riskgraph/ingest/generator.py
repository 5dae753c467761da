"""A realistic synthetic province, so the engine can be built and judged without real data.

Real registry extracts cannot leave a regulator's network, yet every part of riskgraph needs
data with the traps of the real thing: address agencies and bookkeepers shared by hundreds of
honest firms, conglomerates with deep trees, people who share names, dirty spellings and a
few broken rows. On top of that the province hides fraud rings whose truth (and the
failures still to come after ``t0``) is written to ``out/truth/`` for scoring.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from riskgraph.ingest.synthetic.build import build
from riskgraph.ingest.synthetic.writer import write

__all__ = ["GenerationReport", "generate"]


@dataclass(frozen=True)
class GenerationReport:
    out: Path
    rows: dict[str, int]  # rows written per bundle file name, e.g. {"companies.csv": 1000, ...}
    malformed: int  # number of planted malformed rows
    rings: int  # number of planted fraud rings
    exposed_rings: int
    future_exposures: int


def generate(companies: int, seed: int, out: Path, t0: date = date(2024, 1, 1)) -> GenerationReport:
    """Write the bundle and its truth; same (companies, seed, t0) gives byte-identical files."""
    province = build(companies, seed, t0)
    rows, malformed = write(province, Path(out), seed)
    return GenerationReport(
        out=Path(out),
        rows=rows,
        malformed=len(malformed),
        rings=province.rings,
        exposed_rings=province.exposed_rings,
        future_exposures=len(province.future),
    )
