"""Importing a library without an optional extra it would load on import and we never use.

neo4j imports pandas when it is installed (for ``Result.to_df``) and igraph imports
matplotlib.pyplot (for plotting): both are installed here because other dependencies need
them (cpca, captum), and together they cost 4 s of every command's start and of every API
worker's time to its first answer at 650,000 companies (2 cores). The blocked module is kept
out only while the library imports, and only when nothing has imported it yet; the library
then falls back on its own "not installed" path for those features, and the blocked module
stays importable for everything else.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType


def import_without(name: str, *blocked: str) -> ModuleType:
    """``import name`` with ``blocked`` unimportable while it loads (see the docstring)."""
    if name in sys.modules:
        return sys.modules[name]
    held = [b for b in blocked if b not in sys.modules]
    for module in held:
        sys.modules[module] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        return importlib.import_module(name)
    finally:
        for module in held:
            del sys.modules[module]
