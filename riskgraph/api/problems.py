"""Errors as problem details (RFC 9457): every failure, ours or the framework's, answers
``application/problem+json`` with type, title, status and a detail that says what to do."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from riskgraph.api.state import StateUnavailable
from riskgraph.engine.alerts import AlertConflict, AlertNotFound
from riskgraph.errors import (
    ConfigError,
    Neo4jUnavailable,
    QueryFailed,
    QueryTimeout,
    QueryTooLarge,
    RiskgraphError,
)
from riskgraph.graph.investigate import EntityNotFound
from riskgraph.risk.reasons import mask_phone

log = logging.getLogger(__name__)

MEDIA_TYPE = "application/problem+json"
_PHONE_IN_PATH = re.compile(r"\+\d{6,15}")
# RFC 9110's names where Python's differ by version (3.13 renamed 422).
_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


class Problem(BaseModel):
    """RFC 9457 problem details; ``errors`` lists the bad parameters of a 422."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None


class ProblemError(Exception):
    """Raised by routes and dependencies to answer with a problem."""

    def __init__(
        self,
        status: int,
        detail: str,
        kind: str | None = None,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.kind = kind
        self.headers = headers
        self.errors = errors


def problem_response(
    request: Request,
    status: int,
    detail: str,
    kind: str | None = None,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> JSONResponse:
    title = _TITLES.get(status) or HTTPStatus(status).phrase
    body = Problem(
        type=f"/problems/{kind}" if kind else "about:blank",
        title=title,
        status=status,
        detail=detail,
        # the path as asked, with any phone number in it masked (it may be a person's)
        instance=_PHONE_IN_PATH.sub(lambda m: mask_phone(m.group()), request.url.path),
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True), status, headers=headers, media_type=MEDIA_TYPE
    )


def _validation_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic's errors without the echoed input (it may be large or sensitive)."""
    out = []
    for error in errors:
        location = [str(part) for part in error.get("loc", ())]
        out.append({"loc": location, "msg": str(error.get("msg", "")), "type": error.get("type")})
    return out


# What each error kind of the library answers (status, problem type).
_LIBRARY: tuple[tuple[type[RiskgraphError], int, str], ...] = (
    (EntityNotFound, 404, "not-found"),
    (AlertNotFound, 404, "not-found"),
    (AlertConflict, 409, "conflict"),
    (Neo4jUnavailable, 503, "neo4j-unavailable"),
    (QueryTimeout, 504, "query-timeout"),
    (StateUnavailable, 503, "state-unavailable"),
    (QueryTooLarge, 503, "query-too-large"),
    (ConfigError, 500, "configuration"),
)


def _methods(schema: dict[str, Any], path: str) -> list[str]:
    """The methods the OpenAPI document gives ``path`` (its templates matched as patterns)."""
    found: set[str] = set()
    for template, operations in schema.get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            found |= {method.upper() for method in operations}
    return sorted(found)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into a problem."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(request, exc.status, exc.detail, exc.kind, exc.headers, exc.errors)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc.errors())
        where = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors[:5])
        return problem_response(
            request, 422, f"invalid parameters: {where}", "invalid-parameters", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.method} {request.url.path} (see /docs)"
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:
            detail = f"{request.method} is not allowed on {request.url.path} (see /docs)"
            # every method the path has (Starlette names only those of one of its routes)
            allowed = _methods(request.app.openapi(), request.url.path)
            headers = {**(headers or {}), "Allow": ", ".join(allowed)} if allowed else headers
        return problem_response(request, exc.status_code, detail, headers=headers)

    @app.exception_handler(RiskgraphError)
    async def _library(request: Request, exc: RiskgraphError) -> JSONResponse:
        for kind, status, name in _LIBRARY:
            if isinstance(exc, kind):
                return problem_response(request, status, str(exc), name)
        if isinstance(exc, QueryFailed):
            log.error("query failed on %s: %s", request.url.path, exc)
            return problem_response(
                request, 500, f"the graph query {exc.name!r} failed", "query-failed"
            )
        return problem_response(request, 500, str(exc), "internal")

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            request, 500, "an unexpected error occurred; it has been logged", "internal"
        )
