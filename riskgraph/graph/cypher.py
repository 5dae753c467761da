"""The library of named Cypher queries in ``cypher/*.cypher``.

Each file starts with a header of ``//`` comment lines naming its purpose, parameters,
returns and timeout (``// timeout: 10 s``: the gateway has Neo4j end the transaction past
it, so no query can hold the database or a worker indefinitely); the query text follows.
Queries take values only as ``$parameters``. In a source checkout the files live in the
top-level ``cypher/`` folder; a wheel carries them as ``riskgraph/cypher``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from riskgraph.errors import QueryNotFound

_PACKAGE_DIR = Path(__file__).resolve().parents[1]
_HEADER_KEY = re.compile(r"^//\s*(purpose|parameters|returns|timeout):\s*(.*)$", re.IGNORECASE)
_TIMEOUT = re.compile(r"^(\d+(?:\.\d+)?)\s*(ms|s|min)\b")
_UNIT_S = {"ms": 0.001, "s": 1.0, "min": 60.0}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    purpose: str
    parameters: str
    returns: str
    timeout_s: float  # past it, Neo4j ends the transaction (QueryTimeout)


def cypher_dir() -> Path:
    """Where the .cypher files are: inside the installed package, else the checkout."""
    for candidate in (_PACKAGE_DIR / "cypher", _PACKAGE_DIR.parent / "cypher"):
        if candidate.is_dir():
            return candidate
    raise QueryNotFound(f"no cypher/ folder beside {_PACKAGE_DIR}")


def parse(name: str, source: str) -> NamedQuery:
    """Split a .cypher file into its header fields and the query text."""
    fields: dict[str, list[str]] = {"purpose": [], "parameters": [], "returns": [], "timeout": []}
    current: str | None = None
    lines = source.splitlines()
    body_start = len(lines)
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped.startswith("//"):
            body_start = index
            break
        match = _HEADER_KEY.match(stripped)
        if match:
            current = match.group(1).lower()
            fields[current].append(match.group(2).strip())
        elif current is not None:
            fields[current].append(stripped.removeprefix("//").strip())
    missing = [key for key, value in fields.items() if not " ".join(value).strip()]
    if missing:
        raise QueryNotFound(f"cypher/{name}.cypher: header lacks {', '.join(missing)}")
    text = "\n".join(lines[body_start:]).strip()
    if not text:
        raise QueryNotFound(f"cypher/{name}.cypher has no query text")
    timeout = _TIMEOUT.match(" ".join(fields["timeout"]).strip())
    if timeout is None:
        raise QueryNotFound(
            f"cypher/{name}.cypher: the timeout header is not a number and a unit (ms, s, min)"
        )
    return NamedQuery(
        name=name,
        text=text,
        purpose=" ".join(fields["purpose"]).strip(),
        parameters="\n".join(fields["parameters"]).strip(),
        returns=" ".join(fields["returns"]).strip(),
        timeout_s=float(timeout.group(1)) * _UNIT_S[timeout.group(2)],
    )


@cache
def load(name: str) -> NamedQuery:
    """The named query; unknown or malformed names raise ``QueryNotFound``."""
    if not _NAME.match(name):
        raise QueryNotFound(f"not a query name: {name!r}")
    path = cypher_dir() / f"{name}.cypher"
    if not path.is_file():
        raise QueryNotFound(f"no query named {name!r} (looked for {path})")
    return parse(name, path.read_text(encoding="utf-8"))


def names() -> list[str]:
    return sorted(path.stem for path in cypher_dir().glob("*.cypher"))
