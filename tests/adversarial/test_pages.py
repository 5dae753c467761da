"""Names that try to break out of a page: registry data is not trusted. In real headless
Chromium, every page that shows them (the web app, the pyvis explanation page, the
printable file, the API docs) shows them as text and runs none of them."""

from __future__ import annotations

from collections.abc import Iterator

import neo4j
import pytest
from playwright.sync_api import Browser, expect, sync_playwright

from riskgraph.api.app import create_app
from riskgraph.settings import Settings
from tests.adversarial.conftest import KEYS, headers
from tests.browsing import browsing, launch
from tests.live import served

pytestmark = pytest.mark.browser

HOSTILE = {
    "C-JS": '"}];alert(1)//',
    "C-SCRIPT": "</script><!--<script>alert(2)</script>",
    "C-IMG": "<img src=x onerror=alert(3)>有限公司",
}


@pytest.fixture
def hostile(driver: neo4j.Driver, api_settings: Settings) -> None:
    """Three companies named to break out, held by a person so named, at one address,
    with an event whose description tries the same."""
    driver.execute_query(
        "UNWIND $companies AS c CREATE (x:Company {id: c.id, name: c.name, search_name: c.name})"
        " WITH collect(x) AS cs"
        " CREATE (p:Person {id: 'P1', name: '<svg onload=alert(4)>'})"
        " CREATE (a:Address {key: 'A1', text: '\"><script>alert(5)</script>'})"
        " FOREACH (c IN cs |"
        "   CREATE (p)-[:HOLDS {share: 0.5}]->(c) CREATE (c)-[:REGISTERED_AT]->(a))"
        " WITH cs"
        " MATCH (c:Company {id: 'C-JS'})"
        " CREATE (c)-[:HAS_EVENT]->(:Event {id: 'E1', type: 'complaint', date: date('2026-01-01'),"
        "   severity: 2, description: '</script><script>alert(6)</script>'})",
        companies=[{"id": k, "name": v} for k, v in HOSTILE.items()],
    )


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = launch(p)
        yield browser
        browser.close()


def test_hostile_names_run_nowhere(
    hostile: None, api_settings: Settings, chromium: Browser
) -> None:
    with served(create_app(api_settings)) as base:
        with browsing(chromium, base, KEYS) as ui:
            ui.go("/ui/companies/C-JS")
            ui.sign_in("viewer")
            expect(ui.page.get_by_test_id("company-name")).to_contain_text(HOSTILE["C-JS"])
            # the company, its holder, its address and its event
            expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute("data-count", "4")
            expect(ui.page.get_by_test_id("timeline")).to_contain_text("alert(6)")
            for company in ("C-SCRIPT", "C-IMG"):
                ui.go(f"/ui/companies/{company}")
                expect(ui.page.get_by_test_id("company-name")).to_contain_text(HOSTILE[company])
            ui.go("/ui/")
            ui.page.get_by_test_id("search-input").fill("<img")
            expect(ui.page.get_by_test_id("search-result").first).to_contain_text("onerror")
            ui.go("/ui/entities/person/P1")
            expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute("data-count", "4")
            ui.shot("hostile-names")
            assert ui.dialogs == []
        # the server-made pages, read with a key
        with browsing(chromium, base, KEYS, headers("viewer")) as ui:
            for company in HOSTILE:
                for page in ("subgraph.html", "file.html"):
                    ui.go(f"/companies/{company}/{page}")
                    expect(ui.page.locator("body")).to_contain_text(HOSTILE[company])
                    if page == "subgraph.html":  # its own scripts run: allowed by hash
                        expect(ui.page.locator("canvas").first).to_be_visible()
            ui.go("/docs")
            expect(ui.page.locator(".swagger-ui").first).to_be_visible()
            assert ui.dialogs == []
