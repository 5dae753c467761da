"""``python -m riskgraph.cli``."""

from riskgraph.cli import app

app()
