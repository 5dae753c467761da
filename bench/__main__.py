"""`make bench` runs `python -m bench [NAME ...]`; each benchmark writes its section of
docs/benchmarks.md."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path


def _ingest() -> Path:
    from bench import ingest

    return ingest.run()


def _queries() -> Path:
    from bench import queries

    return queries.run()


def _propagation() -> Path:
    from bench import propagation
    from riskgraph.settings import get_settings

    return propagation.run(get_settings())


def _analyze() -> Path:
    from bench import analyze
    from riskgraph.settings import get_settings

    return analyze.run(get_settings())


def _evaluation() -> Path:
    from bench import evaluation

    return evaluation.run()


def _gnn() -> Path:
    from bench import gnn
    from riskgraph.settings import get_settings

    return gnn.run(get_settings())


def _gnn_infer() -> Path:
    from bench import gnn
    from riskgraph.settings import get_settings

    return gnn.run(get_settings(), train=False)


def _api_whatif() -> Path:
    from bench import api_whatif
    from riskgraph.settings import get_settings

    return api_whatif.run(get_settings())


def _smesd() -> Path:
    from bench import smesd

    return smesd.run()


def _smesd_product() -> Path:
    from bench import smesd_product

    return smesd_product.run()


def _evaluation_grid() -> Path:
    from bench import evaluation_grid

    return evaluation_grid.run()


def _gnn_lift() -> Path:
    from bench import gnn_lift

    return gnn_lift.run()


def _scale() -> Path:
    from bench import scale

    return scale.run()


def _gnn_device() -> Path:
    from bench import gnn_device

    return gnn_device.run()


def _daily() -> Path:
    from bench import daily

    return daily.run()


def _search() -> Path:
    from bench import search

    return search.run()


def _api_load() -> Path:
    from bench import api_load
    from riskgraph.settings import get_settings

    return api_load.run(get_settings())


def _api_wrk() -> Path:
    from bench import api_wrk

    return api_wrk.run()


BENCHMARKS: dict[str, Callable[[], Path]] = {
    "evaluation": _evaluation,
    "analyze": _analyze,
    "ingest": _ingest,
    "queries": _queries,
    "propagation": _propagation,
    "smesd": _smesd,
    "evaluation-grid": _evaluation_grid,
    "smesd-product": _smesd_product,
    "gnn": _gnn,
    "gnn-infer": _gnn_infer,
    "gnn-lift": _gnn_lift,
    "gnn-device": _gnn_device,
    "api-whatif": _api_whatif,
    "api-load": _api_load,
    "api-wrk": _api_wrk,
    "scale": _scale,
    "daily": _daily,
    "search": _search,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument(
        "names",
        nargs="*",
        help=f"among {sorted(BENCHMARKS)}; default: ingest and queries (propagation "
        "and analyze run against the loaded province that the settings point at)",
    )
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s) {sorted(unknown)}; known: {sorted(BENCHMARKS)}")
    for name in args.names or ["ingest", "queries"]:
        path = BENCHMARKS[name]()
        sys.stdout.write(f"{name}: figures written to {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
