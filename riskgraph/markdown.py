"""Markdown reports with marked sections (``<!-- NAME -->`` ... ``<!-- /NAME -->``), so a run
rewrites its own section of a shared page (docs/benchmarks.md, docs/evaluation.md) and
leaves the others' figures in place."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path


def write_section(path: Path, name: str, body: str, header: str) -> Path:
    """Replace (or append) section ``name`` of ``path``; a new page starts with ``header``."""
    text = path.read_text(encoding="utf-8") if path.exists() else header
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    tag = re.escape(name)
    block = f"<!-- {name} -->\n{body.strip()}\n\n_Measured {stamp}._\n<!-- /{name} -->"
    pattern = re.compile(rf"<!-- {tag} -->.*?<!-- /{tag} -->", re.S)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else f"{text}\n{block}\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def table(header: Sequence[str], rows: Sequence[Sequence[object]], right: int = 1) -> str:
    """A markdown table; columns from ``right`` on are right-aligned (numbers)."""
    align = ["---" if i < right else "---:" for i in range(len(header))]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
