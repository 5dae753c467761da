"""The web app in real headless Chromium, driven by Playwright for Python: the API served by
uvicorn on a loopback port (the package's analysed province), Debian's Chromium (never a
Playwright download), and every request that is not to the loopback blocked, recorded and
failed on. Screenshots of each page go to ``build/test-output/ui/``."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, Playwright, Route, sync_playwright

from riskgraph.api.app import create_app
from riskgraph.chromium import QUIET, ChromiumMissing, find_chromium
from riskgraph.settings import Settings
from tests.api.conftest import KEYS, Province

SHOTS = Path(__file__).resolve().parents[3] / "build" / "test-output" / "ui"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = ("data:", "blob:", "about:")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="package")
def server(province: Province, api_settings: Settings) -> Iterator[str]:
    """The API and the web app on http://127.0.0.1:<port>, in a thread of this process."""
    port = _free_port()
    config = uvicorn.Config(
        create_app(api_settings), host="127.0.0.1", port=port, log_level="warning", access_log=False
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not running.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the API did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=30)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    """Debian's Chromium (``make chromium``); missing, the tests fail saying how to get it."""
    try:
        found = find_chromium()
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    browser = playwright.chromium.launch(
        executable_path=str(found.binary),
        env=found.env,
        # the dead proxy catches what Chromium itself would send; loopback (the app)
        # bypasses proxies by default, so QUIET's <-loopback> rule is left out
        args=[a for a in QUIET if a != "--headless" and not a.startswith("--proxy-bypass")],
        headless=True,
    )
    yield browser
    browser.close()


@dataclass
class Guard:
    """Requests the pages made: every one, and those refused for leaving the machine."""

    seen: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        url = route.request.url
        self.seen.append(url)
        if url.startswith(LOCAL_SCHEMES) or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")


@dataclass
class Ui:
    """One browser context (its own cookies) on the app, with its network guard."""

    page: Page
    base: str
    guard: Guard

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, role: str) -> None:
        """Sign in on the form the app shows, and wait for it to go."""
        self.page.get_by_test_id("login-key").fill(KEYS[role])
        self.page.get_by_test_id("login-submit").click()
        self.page.get_by_test_id("login-key").wait_for(state="detached")

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def ui(chromium: Browser, server: str) -> Iterator[Ui]:
    """A fresh signed-out browser on the app; after the test, no request may have left."""
    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 1280, "height": 800}, accept_downloads=True
    )
    guard = Guard()
    context.route("**/*", guard.route)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield Ui(page, server, guard)
    context.close()
    assert guard.blocked == [], f"requests left the machine: {guard.blocked}"
    assert all(
        urlsplit(u).hostname in LOOPBACK for u in guard.seen if not u.startswith(LOCAL_SCHEMES)
    )
    assert errors == [], f"the page threw: {errors}"
