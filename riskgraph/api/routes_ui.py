"""/ui: the investigators' web app. One page (``ui/static/index.html``) answers every
address under /ui, so each view can be bookmarked and opened directly; its scripts and
styles are served from the package (vis-network from pyvis's copy), nothing from a CDN.
The page itself holds no data: it signs in through /session and calls the API."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).resolve().parent / "ui" / "static"
# The page's scripts and styles only; vis-network sets inline styles on what it draws.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-cache",
}

router = APIRouter(include_in_schema=False)


@cache
def _index() -> str:
    return (STATIC / "index.html").read_text(encoding="utf-8")


@cache
def _vis_dir() -> Path:
    """pyvis's copy of vis-network (the one its pages inline), newest version first."""
    lib = Path(str(resources.files("pyvis"))) / "lib"
    found = sorted(lib.glob("vis-*/vis-network.min.js"), reverse=True)
    if not found:
        raise RuntimeError(f"no vis-network under {lib} (pyvis changed its layout?)")
    return found[0].parent


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui")
def ui_root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=307)


@router.get("/ui/", response_class=HTMLResponse)
@router.get("/ui/{page:path}", response_class=HTMLResponse)
def page(page: str = "") -> HTMLResponse:
    """The app's page for every view (the script reads the address)."""
    if page.startswith("static/"):
        raise HTTPException(404)
    return HTMLResponse(_index(), headers=HEADERS)


def static_files() -> StaticFiles:
    """Mounted at /ui/static before the page route, so assets win."""
    return StaticFiles(directory=STATIC)


def vendor_files() -> StaticFiles:
    """vis-network's script and styles (``vendor/vis-network.min.js``, ``.css``)."""
    return StaticFiles(directory=_vis_dir())
