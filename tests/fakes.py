"""A recording stand-in for the Neo4j gateway, for the unit tier (``pytest -m unit``).

Modelled on the GDS Python client's ``CollectingQueryRunner``: ``RecordingGateway``
satisfies ``riskgraph.graph.gateway.QueryGateway``, records every call (method, query name,
parameters) in order, and answers each named query with what the test set for it::

    graph = RecordingGateway({"id_key_state": [{"fingerprint": None, "hashed": False}]})
    graph.expect("id_key_record")  # a write: answered with an all-zero WriteSummary
    check_id_key(graph, "abc")
    assert graph.names() == ["id_key_state", "id_key_record"]
    assert graph.params_of("id_key_record") == [{"fingerprint": "abc"}]

It is strict where the real gateway (or Neo4j) would fail, so a typo fails here too: the
name must be a query in ``cypher/`` (loaded by ``riskgraph.graph.cypher``, so it raises
``QueryNotFound`` like ``Gateway``) and every ``$parameter`` its text uses must be passed
(Neo4j refuses a missing one; extra ones it ignores, and so does the fake). A name the test
set no answer for raises ``UnexpectedQuery``. What it cannot check is the Cypher itself:
that stays with the tests against a real Neo4j.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from riskgraph.graph import cypher
from riskgraph.graph.gateway import WriteSummary

if TYPE_CHECKING:
    from riskgraph.graph.gateway import QueryGateway

Rows = list[dict[str, Any]]
# What a query is answered with: rows (reads), a WriteSummary or None (writes, None meaning
# nothing changed), or a function of the call's parameters returning one of those.
Answer = Rows | WriteSummary | None | Callable[[dict[str, Any]], Rows | WriteSummary | None]

NO_CHANGES = WriteSummary(0, 0, 0, 0, 0)

_PARAMETER = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_LINE_COMMENT = re.compile(r"//[^\n]*")


class UnexpectedQuery(AssertionError):
    """The code ran a named query the test set no answer for."""


class MissingParameter(AssertionError):
    """A named query ran without a ``$parameter`` its text uses (Neo4j would refuse it)."""


@dataclass(frozen=True)
class Call:
    """One recorded call. ``name`` is the query's name, or the statement for ``run_schema``;
    ``params`` is a deep copy, so later changes by the caller do not show."""

    method: str
    name: str
    params: dict[str, Any] = field(default_factory=dict)


def query_parameters(name: str) -> frozenset[str]:
    """The ``$parameters`` a named query's text uses (its comments left out)."""
    text = _LINE_COMMENT.sub("", cypher.load(name).text)
    return frozenset(_PARAMETER.findall(text))


class RecordingGateway:
    """A ``QueryGateway`` that records calls and answers named queries with canned results."""

    def __init__(self, answers: Mapping[str, Answer] | None = None) -> None:
        self.calls: list[Call] = []
        self.statements: list[str] = []  # run_schema's DDL, also in ``calls``
        self._answers: dict[str, Answer] = {}
        for name, answer in (answers or {}).items():
            self.expect(name, answer)

    def expect(self, name: str, answer: Answer = None) -> RecordingGateway:
        """Answer query ``name`` with ``answer`` from now on (rows are copied on each call;
        a function is called with the parameters). The name must exist in ``cypher/``."""
        cypher.load(name)
        self._answers[name] = answer
        return self

    # What the test reads back.

    def names(self) -> list[str]:
        """The query names run, in order."""
        return [call.name for call in self.calls]

    def calls_to(self, name: str) -> list[Call]:
        return [call for call in self.calls if call.name == name]

    def params_of(self, name: str) -> list[dict[str, Any]]:
        """The parameters of every call to ``name``, in order."""
        return [call.params for call in self.calls_to(name)]

    # The QueryGateway protocol.

    def read(self, name: str, **parameters: Any) -> Rows:
        return self._rows("read", name, parameters)

    async def read_async(self, name: str, **parameters: Any) -> Rows:
        return self._rows("read_async", name, parameters)

    def read_raw(self, name: str, **parameters: Any) -> Rows:
        return self._rows("read_raw", name, parameters)

    def read_consistent(self, queries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Rows]:
        return [self._rows("read_consistent", name, dict(params)) for name, params in queries]

    def read_apart(self, queries: Sequence[tuple[str, Mapping[str, Any]]]) -> list[Rows]:
        return [self._rows("read_apart", name, dict(params)) for name, params in queries]

    def write(self, name: str, **parameters: Any) -> WriteSummary:
        answer = self._answer("write", name, parameters)
        if answer is None:
            return NO_CHANGES
        if not isinstance(answer, WriteSummary):
            raise TypeError(f"write {name!r} was given rows; answer a write with a WriteSummary")
        return answer

    def write_rows(self, name: str, **parameters: Any) -> Rows:
        return self._rows("write_rows", name, parameters)

    def write_together(self, queries: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        for name, params in queries:
            answer = self._answer("write_together", name, dict(params))
            if answer is not None and not isinstance(answer, WriteSummary):
                raise TypeError(f"write {name!r} was given rows; answer it with a WriteSummary")

    def run_autocommit(self, name: str, **parameters: Any) -> None:
        answer = self._answer("run_autocommit", name, parameters)
        if answer is not None:
            raise TypeError(f"run_autocommit {name!r} returns nothing; answer it with None")

    def run_schema(self, statement: str) -> None:
        self.calls.append(Call("run_schema", statement))
        self.statements.append(statement)

    # Inside.

    def _answer(
        self, method: str, name: str, parameters: Mapping[str, Any]
    ) -> Rows | WriteSummary | None:
        used = query_parameters(name)  # QueryNotFound first, as the real gateway raises it
        params = copy.deepcopy(dict(parameters))
        self.calls.append(Call(method, name, params))
        missing = used - params.keys()
        if missing:
            raise MissingParameter(f"{method} {name!r} without ${', $'.join(sorted(missing))}")
        if name not in self._answers:
            expected = ", ".join(sorted(self._answers)) or "none"
            raise UnexpectedQuery(f"{method} {name!r}: the test expects only {expected}")
        answer = self._answers[name]
        return answer(copy.deepcopy(params)) if callable(answer) else answer

    def _rows(self, method: str, name: str, parameters: Mapping[str, Any]) -> Rows:
        answer = self._answer(method, name, parameters)
        if not isinstance(answer, list):
            raise TypeError(f"{method} {name!r} needs rows (a list of dicts), got {answer!r}")
        return [dict(row) for row in answer]


if TYPE_CHECKING:

    def _recording_gateway_is_a_query_gateway(graph: RecordingGateway) -> QueryGateway:
        return graph
