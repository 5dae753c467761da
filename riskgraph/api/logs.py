"""uvicorn's logging as riskgraph runs it: the access log without query strings (they
carry phone numbers and person ids; the audit log keeps them, bounded and private)."""

from __future__ import annotations

import copy
import logging
from typing import Any


class NoQueryStrings(logging.Filter):
    """Cuts the query string from an access line's path (uvicorn passes the path as the
    third argument: client, method, path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's default logging configuration with ``NoQueryStrings`` on the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["no_query_strings"] = {"()": NoQueryStrings}
    config["handlers"]["access"]["filters"] = ["no_query_strings"]
    return config
