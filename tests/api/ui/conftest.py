"""The web app in real headless Chromium (``tests.browsing``): the API served by uvicorn on
a loopback port over the package's analysed province. Screenshots of each page go to
``build/test-output/ui/``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from riskgraph.api.app import create_app
from riskgraph.settings import Settings
from tests.api.conftest import KEYS, Province
from tests.browsing import Ui, browsing, launch
from tests.live import served


@pytest.fixture(scope="package")
def server(province: Province, api_settings: Settings) -> Iterator[str]:
    """The API and the web app on http://127.0.0.1:<port>, in a thread of this process."""
    with served(create_app(api_settings)) as base:
        yield base


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def chromium(playwright: Playwright) -> Iterator[Browser]:
    browser = launch(playwright)
    yield browser
    browser.close()


@pytest.fixture
def ui(chromium: Browser, server: str) -> Iterator[Ui]:
    """A fresh signed-out browser on the app; after the test, no request may have left."""
    with browsing(chromium, server, KEYS) as page:
        yield page
