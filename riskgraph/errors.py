"""One exception root. Library code raises these; the CLI and API turn them into messages
and status codes at the edge."""

from __future__ import annotations


class RiskgraphError(Exception):
    """Base of every error riskgraph raises on purpose."""


class ConfigError(RiskgraphError):
    """Settings or inputs that cannot work (a port in use, a missing JDK...)."""


class Neo4jUnavailable(RiskgraphError):
    """Neo4j cannot be reached at the configured address."""

    def __init__(self, uri: str, embedded: bool) -> None:
        hint = "start it with `riskgraph db start`" if embedded else "check NEO4J_URI"
        super().__init__(f"Neo4j is not running at {uri}: {hint}")
        self.uri = uri


class ServerError(RiskgraphError):
    """The embedded Neo4j failed to build, start or stop."""


class QueryNotFound(RiskgraphError):
    """A named query has no ``cypher/<name>.cypher`` file."""


class QueryFailed(RiskgraphError):
    """A query failed in Neo4j; carries the query's name and parameters for the report."""

    def __init__(self, name: str, parameters: dict[str, object], cause: Exception) -> None:
        keys = ", ".join(sorted(parameters)) or "none"
        super().__init__(f"query {name!r} failed (parameters: {keys}): {cause}")
        self.name = name
        self.parameters = parameters
        self.__cause__ = cause


class QueryTimeout(RiskgraphError):
    """A query ran past its timeout (the ``// timeout:`` of its .cypher file)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the graph query {name!r} took longer than its time limit")
        self.name = name


class QueryTooLarge(RiskgraphError):
    """A query needed more memory than a transaction may take (db.memory.transaction.*)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"the graph query {name!r} needed more memory than a query may take")
        self.name = name
