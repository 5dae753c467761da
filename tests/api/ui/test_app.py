"""The investigators' web app as a user drives it, in headless Chromium: sign in, search a
company by every form of its name, its file and graph, a hub's "N more", rings, alerts by
role, a what-if, the PDF, the language switch and sign-out. Nothing leaves the machine
(the ``ui`` fixture fails a test whose pages asked for anything off the loopback)."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import neo4j
import opencc
import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from pypdf import PdfReader

from riskgraph.engine.alerts import list_alerts, raise_alerts
from riskgraph.graph.gateway import Gateway
from riskgraph.risk.codes import Reason, ReasonCode
from riskgraph.search_text import name_initials
from riskgraph.settings import Settings
from tests.api.conftest import Province, audited
from tests.browsing import Ui

pytestmark = pytest.mark.browser

CJK = re.compile(r"[\u4e00-\u9fff]")
HUB = """
MATCH (a:Address)<-[r:REGISTERED_AT]-(x)
WHERE (r.since IS NULL OR r.since <= date()) AND (r.until IS NULL OR date() < r.until)
WITH a, count(DISTINCT x) AS n ORDER BY n DESC, a.key LIMIT 1
MATCH (a)-[t]-(m)
WHERE (t.since IS NULL OR t.since <= date()) AND (t.until IS NULL OR date() < t.until)
RETURN a.key AS key, count(DISTINCT m) AS neighbours
"""
PAGE = 25  # neighbours the app asks for per expand


def _count(ui: Ui) -> int:
    return int(ui.page.get_by_test_id("graph-node-count").get_attribute("data-count") or 0)


@pytest.fixture(scope="module")
def company(unique_company: dict[str, str]) -> dict[str, str]:
    return unique_company


def test_an_unauthenticated_visit_signs_in_then_shows_the_page(ui: Ui, top_company: str) -> None:
    ui.go(f"/ui/companies/{top_company}")
    expect(ui.page.get_by_test_id("login-key")).to_be_visible()
    ui.shot("sign-in")
    ui.page.get_by_test_id("login-key").fill("not-a-key-0123456789")
    ui.page.get_by_test_id("login-submit").click()
    expect(ui.page.get_by_test_id("error")).to_be_visible()
    ui.sign_in("viewer")
    expect(ui.page.get_by_test_id("company-name")).to_be_visible()
    assert ui.page.url.endswith(f"/ui/companies/{top_company}")


def test_search_by_every_form_of_a_name_and_by_uscc(ui: Ui, company: dict[str, str]) -> None:
    ui.go("/ui/")
    ui.sign_in("viewer")
    name = company["name"]
    forms = {
        "simplified": name,
        "traditional": opencc.OpenCC("s2t").convert(name),
        "initials": name_initials(name),
        "uscc": company["uscc"],
    }
    for form, typed in forms.items():
        ui.page.get_by_test_id("search-input").fill(typed)
        hit = ui.page.locator(f'[data-testid="search-result"][data-entity-id="{company["id"]}"]')
        expect(hit).to_be_visible()
        ui.shot(f"search-{form}")
    hit.locator("a").first.click()
    expect(ui.page.get_by_test_id("company-name")).to_have_text(re.compile(re.escape(name)))
    assert ui.page.url.endswith(f"/ui/companies/{company['id']}")


def test_the_company_file(ui: Ui, top_company: str, api_settings: Settings) -> None:
    ui.go(f"/ui/companies/{top_company}")
    ui.sign_in("viewer")
    risk = ui.page.evaluate(
        "id => fetch('/companies/' + id + '/risk').then(r => r.json())", top_company
    )
    expect(ui.page.get_by_test_id("company-name")).to_contain_text(risk["name"])
    expect(ui.page.get_by_test_id("company-score")).to_contain_text(f"{risk['score']:.1f}")
    expect(ui.page.get_by_test_id("company-level")).to_contain_text(risk["level_name"])
    reasons = ui.page.get_by_test_id("company-reasons").locator("li")
    expect(reasons).to_have_count(len(risk["reasons"]))
    texts = reasons.all_inner_texts()
    assert all(CJK.search(t) for t in texts)
    # reasons name entities, ids alongside: 名称（id）
    assert any(re.search(r"[\u4e00-\u9fff]+[（(][0-9A-Z]{6,}[）)]", t) for t in texts), texts
    expect(ui.page.get_by_test_id("evidence-path")).to_have_count(len(risk["evidence"]))
    expect(ui.page.get_by_test_id("controllers")).to_be_visible()
    expect(ui.page.get_by_test_id("timeline")).to_be_attached()
    ui.shot("company")


def test_select_and_expand_a_node(ui: Ui, top_company: str) -> None:
    ui.go(f"/ui/companies/{top_company}")
    ui.sign_in("viewer")
    expect(ui.page.get_by_test_id("graph").locator("canvas")).to_be_visible()
    expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute(
        "data-count", re.compile(r"[1-9]")
    )
    before = _count(ui)
    drawn: list[str] = ui.page.evaluate("window.riskgraphGraph.nodeIds()")
    # a person drawn around the company: its other companies are not all drawn yet
    person = next(i for i in drawn if i.startswith("Person:"))
    ui.page.evaluate("id => window.riskgraphGraph.select(id)", person)
    details = ui.page.get_by_test_id("node-details")
    expect(details).to_contain_text(person.split(":", 1)[1])
    ui.page.get_by_test_id("expand").click()
    expect(ui.page.get_by_test_id("graph-node-count")).not_to_have_attribute(
        "data-count", str(before)
    )
    assert _count(ui) > before
    ui.shot("graph-expanded")


def test_a_hub_shows_n_more(ui: Ui, driver: neo4j.Driver) -> None:
    hub = driver.execute_query(HUB).records[0]
    key, total = hub["key"], hub["neighbours"]
    assert total > PAGE, "the province's biggest shared address has more than a page"
    ui.go(f"/ui/entities/address/{key}")
    ui.sign_in("viewer")
    expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute(
        "data-count", str(PAGE + 1)
    )
    more = f"more:Address:{key}"
    node: dict[str, Any] = ui.page.evaluate("id => window.riskgraphGraph.node(id)", more)
    assert node["more"] == total - PAGE
    ui.shot("hub-more")
    ui.page.evaluate("id => window.riskgraphGraph.select(id)", more)
    ui.page.get_by_test_id("expand").click()
    expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute(
        "data-count", str(min(total, 2 * PAGE) + 1)
    )
    left = ui.page.evaluate("id => window.riskgraphGraph.node(id)", more)
    assert (left or {}).get("more") == (total - 2 * PAGE if total > 2 * PAGE else None)


def test_rings_and_a_ring(ui: Ui) -> None:
    ui.go("/ui/rings")
    ui.sign_in("viewer")
    rows = ui.page.get_by_test_id("ring-row")
    expect(rows.first).to_be_visible()
    ui.shot("rings")
    ring = rows.first.get_attribute("data-ring-id")
    rows.first.locator("a").first.click()
    assert ui.page.url.endswith(f"/ui/rings/{ring}")
    detail = ui.page.evaluate("id => fetch('/rings/' + id).then(r => r.json())", ring)
    for member in detail["members"][:3]:
        expect(ui.page.locator(f'a[href="/ui/companies/{member["id"]}"]').first).to_be_visible()
    expect(ui.page.get_by_test_id("graph-node-count")).to_have_attribute(
        "data-count", re.compile(r"[1-9]")
    )
    assert _count(ui) >= len(detail["members"])
    ui.shot("ring")


@pytest.fixture
def alert(api_settings: Settings) -> str:
    """A new alert to handle."""
    with Gateway(api_settings) as graph:
        raise_alerts(graph)
        _, items = list_alerts(graph, state=None, limit=500)
    return next(str(a["id"]) for a in items if a["state"] == "new")


def test_an_analyst_assigns_and_confirms_an_alert(
    ui: Ui, alert: str, api_settings: Settings
) -> None:
    logged = len(audited(api_settings.audit_log))  # other tests' requests before
    ui.go("/ui/alerts?state=new")
    ui.sign_in("analyst")
    row = ui.page.locator(f'[data-testid="alert-row"][data-alert-id="{alert}"]')
    expect(row).to_be_visible()
    ui.shot("alerts")
    row.get_by_test_id("alert-assign").click()
    expect(row.get_by_test_id("alert-state")).to_have_attribute("data-state", "assigned")
    row.get_by_test_id("alert-confirm").click()
    expect(row.get_by_test_id("alert-state")).to_have_attribute("data-state", "confirmed")
    lines = audited(api_settings.audit_log)[logged:]
    patches = [x for x in lines if x["method"] == "PATCH" and x["path"] == f"/alerts/{alert}"]
    assert [x["status"] for x in patches] == [200, 200]
    assert {x["who"] for x in patches} == {"analyst:li.na"}
    stored = ui.page.evaluate("id => fetch('/alerts/' + id).then(r => r.json())", alert)
    assert stored["state"] == "confirmed" and stored["assignee"] == "li.na"


def test_a_viewer_cannot_handle_alerts(ui: Ui, alert: str) -> None:
    ui.go("/ui/alerts")
    ui.sign_in("viewer")
    row = ui.page.locator(f'[data-testid="alert-row"][data-alert-id="{alert}"]')
    expect(row).to_be_visible()
    for button in ("alert-assign", "alert-confirm", "alert-dismiss"):
        expect(ui.page.get_by_test_id(button)).to_have_count(0)
    # nor through the API, with the session's own CSRF token
    status = ui.page.evaluate(
        """async id => {
            const me = await (await fetch('/session')).json();
            const r = await fetch('/alerts/' + id, {method: 'PATCH',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf},
                body: JSON.stringify({state: 'confirmed'})});
            return r.status;
        }""",
        alert,
    )
    assert status == 403


def test_a_what_if(ui: Ui, province: Province) -> None:
    exposed = next(
        str(r["company_id"])
        for r in province.scored
        if ReasonCode.EXPOSED in {Reason.from_json(x).code for x in r["reasons"] or []}
    )
    ui.go("/ui/whatif")
    ui.sign_in("analyst")
    ui.page.get_by_test_id("whatif-seeds").fill(exposed)
    ui.page.get_by_test_id("whatif-run").click()
    hits = ui.page.get_by_test_id("whatif-hit")
    expect(hits.first).to_be_visible()
    assert hits.count() > 0
    assert exposed not in [h.get_attribute("data-entity-id") for h in hits.all()]
    ui.shot("whatif")


def test_download_the_pdf(ui: Ui, top_company: str) -> None:
    ui.go(f"/ui/companies/{top_company}")
    ui.sign_in("viewer")
    name = ui.page.get_by_test_id("company-name").inner_text()
    with ui.page.expect_download() as download:
        ui.page.get_by_test_id("download-pdf").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF-")
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages)
    company_name = name.split("\n")[0].strip()
    assert company_name and company_name in text.replace(" ", "")


def test_english_and_sign_out(ui: Ui, top_company: str) -> None:
    ui.go(f"/ui/companies/{top_company}")
    ui.sign_in("viewer")
    expect(ui.page.get_by_test_id("company-reasons").locator("li").first).to_have_text(CJK)
    ui.page.get_by_test_id("lang-switch").select_option("en")
    first = ui.page.get_by_test_id("company-reasons").locator("li").first
    expect(first).not_to_have_text(re.compile("^[^a-zA-Z]*$"))
    ui.shot("company-en")
    ui.page.get_by_test_id("logout").click()
    expect(ui.page.get_by_test_id("login-key")).to_be_visible()
    assert ui.page.evaluate("fetch('/rings').then(r => r.status)") == 401


def test_the_guard_blocks_what_would_leave(ui: Ui) -> None:
    """The safeguards themselves: the page's own policy stops a script's request to
    another host before it is made, and the guard refuses and records any that is."""
    ui.go("/ui/")
    failed = ui.page.evaluate("fetch('http://example.com/x').then(() => 'sent', () => 'refused')")
    assert failed == "refused" and ui.guard.blocked == []  # the CSP: never even sent
    with pytest.raises(PlaywrightError, match="ERR_BLOCKED_BY_CLIENT"):
        ui.page.goto("http://example.com/y")
    assert ui.guard.blocked == ["http://example.com/y"]
    # expected here: the fixture fails any other test that has one
    ui.guard.blocked.clear()
    ui.guard.seen = [u for u in ui.guard.seen if "example.com" not in u]
