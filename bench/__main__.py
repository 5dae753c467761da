"""Entry point of `make bench`. Each issue adds its benchmark here."""

from __future__ import annotations

import sys


def main() -> int:
    sys.stderr.write("no benchmarks yet\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
