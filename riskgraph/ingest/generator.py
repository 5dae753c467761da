"""A realistic synthetic province, so the engine can be built and judged without real data.

Real registry extracts cannot leave a regulator's network, yet every part of riskgraph needs
data with the traps of the real thing: address agencies and bookkeepers shared by hundreds of
honest firms, conglomerates with deep trees, people who share names, dirty spellings and a
few broken rows. On top of that the province hides fraud rings whose truth (and the
failures still to come after ``t0``) is written to ``out/truth/`` for scoring. An earlier
wave of the same process (seeds 1-3 years before t0 whose failures already happened, as
dated exposure events; ``truth/past_exposures.csv``) makes the history a training set.
``Variant`` varies how rings are planted and how failures spread (``VARIANTS``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from riskgraph.ingest.synthetic.build import build
from riskgraph.ingest.synthetic.variant import VARIANTS, Channel, Tie, Variant
from riskgraph.ingest.synthetic.writer import write

__all__ = ["VARIANTS", "Channel", "GenerationReport", "Tie", "Variant", "generate"]


@dataclass(frozen=True)
class GenerationReport:
    out: Path
    rows: dict[str, int]  # rows written per bundle file name, e.g. {"companies.csv": 1000, ...}
    malformed: int  # number of planted malformed rows
    rings: int  # number of planted fraud rings
    exposed_rings: int
    future_exposures: int
    past_exposures: int = 0  # blow-ups before t0, as dated exposure events, seeds included


def generate(
    companies: int,
    seed: int,
    out: Path,
    t0: date = date(2024, 1, 1),
    variant: Variant | None = None,
) -> GenerationReport:
    """Write the bundle and its truth; same (companies, seed, t0, variant) gives
    byte-identical files."""
    province = build(companies, seed, t0, variant)
    rows, malformed = write(province, Path(out), seed)
    return GenerationReport(
        out=Path(out),
        rows=rows,
        malformed=len(malformed),
        rings=province.rings,
        exposed_rings=province.exposed_rings,
        future_exposures=len(province.future),
        past_exposures=len(province.past),
    )
