"""uvicorn's access log as riskgraph configures it: no query strings."""

from __future__ import annotations

import logging
import logging.config

from riskgraph.api.logs import NoQueryStrings, log_config


def test_access_lines_lose_their_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/paths?from=%2B8613812345678&to=P0001", "1.1", 200),
        None,
    )
    assert NoQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /paths HTTP/1.1" 200'


def test_the_configuration_puts_the_filter_on_the_access_log() -> None:
    config = log_config()
    assert config["handlers"]["access"]["filters"] == ["no_query_strings"]
    logging.config.dictConfig(config)  # a configuration uvicorn accepts as it is
    handler = next(h for h in logging.getLogger("uvicorn.access").handlers)
    assert any(isinstance(f, NoQueryStrings) for f in handler.filters)
