"""``python -m riskgraph``: the same command line as the ``riskgraph`` script (for a
virtualenv whose scripts are not on PATH, and for tests that start the CLI as a process)."""

from riskgraph.cli import app

app(prog_name="riskgraph")
