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


BENCHMARKS: dict[str, Callable[[], Path]] = {"ingest": _ingest, "queries": _queries}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], default=list(BENCHMARKS))
    args = parser.parse_args(argv)
    for name in args.names or list(BENCHMARKS):
        path = BENCHMARKS[name]()
        sys.stdout.write(f"{name}: figures written to {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
