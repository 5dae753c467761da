"""/session: signing in to the web app with an API key, for a session cookie (HttpOnly,
SameSite=Strict, Secure over TLS, expiring) and the CSRF token its changes must carry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import JSONResponse

from riskgraph.api.deps import Context, Graph, Viewer, session
from riskgraph.api.models import SessionOut, SignIn
from riskgraph.api.problems import Problem, ProblemError
from riskgraph.api.security import Role, key_hash
from riskgraph.api.sessions import COOKIE, Session, close_session, open_session

router = APIRouter(prefix="/session", tags=["session"])

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "unknown key, or no live session"},
    403: {"model": Problem, "description": "a change without the session's CSRF token"},
    422: {"model": Problem, "description": "bad body"},
    503: {"model": Problem, "description": "Neo4j is unreachable"},
}


def _secure(request: Request, ctx: Context) -> bool:
    """Secure over https, or always when configured (TLS ended by a proxy in front)."""
    forced = ctx.settings().cookie_secure
    return request.url.scheme == "https" if forced is None else forced


def _out(signed_in: Session, ctx: Context) -> SessionOut:
    caller = signed_in.principal
    users = ctx.keys().assignees() if caller.role.allows(Role.ANALYST) else []
    return SessionOut(
        who=caller.who,
        name=caller.name,
        role=caller.role.value,
        csrf=signed_in.csrf,
        expires_at=signed_in.expires_at,
        users=users,
    )


@router.post("", response_model=SessionOut, responses=ERRORS)
def sign_in(body: SignIn, request: Request, ctx: Context, graph: Graph) -> JSONResponse:
    """Exchange an API key for a session cookie; the answer carries the CSRF token. Tries
    count against the rate limit of the client's address (no guessing keys at speed)."""
    client = request.client.host if request.client else "unknown"
    ctx.spend(f"sign-in:{client}")
    keys = ctx.keys()
    caller = None if keys.empty else keys.identify(body.key)
    if caller is None:
        request.state.who = f"unknown:{key_hash(body.key)}"  # a failed try, audited
        raise ProblemError(401, "unknown API key", "unauthorized")
    request.state.who = caller.who
    ttl = ctx.settings().session_ttl_s
    token, opened = open_session(graph, caller, ttl)
    response = JSONResponse(_out(opened, ctx).model_dump(mode="json"))
    response.set_cookie(
        COOKIE,
        token,
        max_age=ttl,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request, ctx),
    )
    return response


@router.get("", response_model=SessionOut, responses=ERRORS)
async def who_am_i(
    caller: Viewer,
    ctx: Context,
    signed_in: Annotated[Session | None, Depends(session)],
) -> SessionOut:
    """The signed-in user, role, expiry and CSRF token (401 without a live session)."""
    if signed_in is None:
        raise ProblemError(401, "not signed in to the web app (POST /session)", "unauthorized")
    return _out(signed_in, ctx)


@router.delete("", status_code=204, responses=ERRORS)
def sign_out(caller: Viewer, request: Request, graph: Graph) -> Response:
    """End the session on every worker and clear the cookie (needs the CSRF token)."""
    token = request.cookies.get(COOKIE)
    if token:
        close_session(graph, token)
    response = Response(status_code=204)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response
