"""Driving riskgraph's pages in real headless Chromium (Debian's, never a Playwright
download) through Playwright for Python, with every request off the loopback blocked,
recorded and failed on. Used by the web app's tests and the adversarial suite."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Playwright, Route

from riskgraph.chromium import QUIET, ChromiumMissing, find_chromium

SHOTS = Path(__file__).resolve().parents[1] / "build" / "test-output" / "ui"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
LOCAL_SCHEMES = ("data:", "blob:", "about:")


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium (``make chromium``); missing, the test fails saying how to get it."""
    try:
        found = find_chromium()
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    return playwright.chromium.launch(
        executable_path=str(found.binary),
        env=found.env,
        # the dead proxy catches what Chromium itself would send; loopback (the app)
        # bypasses proxies by default, so QUIET's <-loopback> rule is left out
        args=[a for a in QUIET if a != "--headless" and not a.startswith("--proxy-bypass")],
        headless=True,
    )


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
    keys: Mapping[str, str]
    dialogs: list[str] = field(default_factory=list)  # alert(), confirm()...: scripts that ran

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, role: str) -> None:
        """Sign in on the form the app shows, and wait for it to go."""
        self.page.get_by_test_id("login-key").fill(self.keys[role])
        self.page.get_by_test_id("login-submit").click()
        self.page.get_by_test_id("login-key").wait_for(state="detached")

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        # a full-page shot of a long page once took over the default 20 s on a loaded
        # 2-core machine (clean-clone run, 2026-12-07): the shot is evidence, not the test
        self.page.screenshot(path=str(path), full_page=True, animations="disabled", timeout=60_000)
        return path


@contextmanager
def browsing(
    browser: Browser,
    base: str,
    keys: Mapping[str, str],
    extra_headers: Mapping[str, str] | None = None,
) -> Iterator[Ui]:
    """A fresh signed-out browser on the app; after the block, no request may have left
    the machine and no page may have thrown."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 1280, "height": 800},
        accept_downloads=True,
        extra_http_headers=dict(extra_headers or {}),
    )
    guard = Guard()
    context.route("**/*", guard.route)
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    ui = Ui(page, base, guard, keys)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("dialog", lambda dialog: (ui.dialogs.append(dialog.message), dialog.dismiss()))
    yield ui
    context.close()
    assert guard.blocked == [], f"requests left the machine: {guard.blocked}"
    assert all(
        urlsplit(u).hostname in LOOPBACK for u in guard.seen if not u.startswith(LOCAL_SCHEMES)
    )
    assert errors == [], f"the page threw: {errors}"
