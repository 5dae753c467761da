"""The OpenAPI document as a true contract: what FastAPI generates, completed where it
cannot know. Error answers are documented as what they are (``application/problem+json``,
RFC 9457), and every operation lists the answers the layers around the routes can give
(413 body too large, 429 rate limited, 503 busy or Neo4j away, 504 query past its time
limit). Checked by Schemathesis' ``--checks all`` against the live API
(tests/api/test_contract.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from riskgraph.api.problems import MEDIA_TYPE

PROBLEM_REF = "#/components/schemas/Problem"
EVERYWHERE = {  # answers any operation can give, whatever its route does
    "408": "the request's body did not arrive in time",
    "413": "the body is larger than RISKGRAPH_MAX_BODY_BYTES (refused unread)",
    "503": "the worker is answering as many requests as it may, Neo4j is unreachable, or "
    "the engine state could not be loaded: try again (Retry-After)",
}
WITH_A_CALLER = {  # answers of operations that identify the caller
    "401": "no or unknown API key, or no live web app session",
    "429": "too many requests from this caller (RISKGRAPH_RATE_LIMIT; Retry-After)",
    "504": "a graph query ran past its time limit",
}
WITH_A_BODY = {  # answers of operations that read a body
    "400": "the body is not JSON",
}
PROBES = frozenset({"/health", "/ready"})


def _is_problem(content: dict[str, Any]) -> bool:
    return any(
        (body or {}).get("schema", {}).get("$ref") == PROBLEM_REF for body in content.values()
    )


def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}}


def complete(schema: dict[str, Any], assignees: list[str] | None = None) -> dict[str, Any]:
    """``schema`` with problem answers under their media type, the layers' answers listed
    on every operation, and the users alerts can be assigned to (the named analyst and
    admin keys) as the only values ``AlertPatch.assignee`` takes."""
    if assignees is not None:
        patch = schema.get("components", {}).get("schemas", {}).get("AlertPatch", {})
        field = patch.get("properties", {}).get("assignee")
        if field is not None:
            field["enum"] = list(assignees)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code, answer in responses.items():
                content = answer.get("content") or {}
                if int(code) >= 400 and _is_problem(content):
                    answer["content"] = {MEDIA_TYPE: {"schema": {"$ref": PROBLEM_REF}}}
            extra = dict(EVERYWHERE)
            if path not in PROBES:
                extra |= WITH_A_CALLER
            if "requestBody" in operation:
                extra |= WITH_A_BODY
            for code, description in extra.items():
                responses.setdefault(code, _problem(description))
    return schema


def install(app: FastAPI, assignees: Callable[[], list[str]]) -> None:
    """Make ``app.openapi()`` return the completed document (built once, then kept)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            try:
                names: list[str] | None = assignees()
            except Exception:  # keys not configured well: the routes will say so
                names = None
            app.openapi_schema = complete(generate(), names)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
