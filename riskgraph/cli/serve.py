"""``riskgraph serve``: the HTTP API."""

from __future__ import annotations

import typer

from riskgraph.cli.common import console, err, errors
from riskgraph.settings import get_settings


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="TCP port."),
    workers: int = typer.Option(
        1, min=1, help="Worker processes (one per core: each holds its own engine state)."
    ),
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs); keys and roles from RISKGRAPH_API_KEYS."""
    import uvicorn

    from riskgraph.api.app import create_app
    from riskgraph.api.logs import log_config
    from riskgraph.api.security import HOW_TO_CONFIGURE, parse_keys

    settings = get_settings()
    with errors():
        secret = settings.api_keys
        keys = parse_keys(None if secret is None else secret.get_secret_value())
    if keys.empty:
        err.print(
            f"[bold yellow]warning:[/] no API keys: every request will be refused; "
            f"{HOW_TO_CONFIGURE}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(f"audit log: {settings.audit_log}", highlight=False)
    if workers == 1:
        uvicorn.run(create_app(settings), host=host, port=port, log_config=log_config())
    else:  # workers are separate processes: they build the app from the environment
        uvicorn.run(
            "riskgraph.api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=log_config(),
        )
