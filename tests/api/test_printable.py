"""The printable company file and its PDF: the company's own answers on one page with no
script and nothing from elsewhere, and the same page printed by headless Chromium."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from riskgraph.api.app import create_app
from riskgraph.api.routes_companies import PDF_SLOTS
from riskgraph.chromium import ChromiumMissing, find_chromium
from riskgraph.settings import Settings
from tests.api.conftest import Province, headers

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_printable_file_holds_the_answers_and_loads_nothing(
    api: TestClient, top_company: str
) -> None:
    risk = api.get(f"/companies/{top_company}/risk", headers=headers("viewer")).json()
    response = api.get(f"/companies/{top_company}/file.html", headers=headers("viewer"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    assert risk["name"] in page and f"{risk['score']:.1f}" in page and risk["level_name"] in page
    assert all(reason in page for reason in risk["reasons"]) and CJK.search(risk["reasons"][0])
    assert "实际控制人" in page and "事件时间线" in page  # zh-CN by default
    assert "<script" not in page.lower() and not re.search(r"(src|href)=\"?(https?:)?//", page)
    assert "default-src 'none'" in response.headers["content-security-policy"]
    english = api.get(
        f"/companies/{top_company}/file.html",
        headers={**headers("viewer"), "Accept-Language": "en"},
    ).text
    assert "Controllers (equity penetration)" in english and "实际控制人" not in english


def test_unknown_company_has_no_file(api: TestClient) -> None:
    for suffix in ("file.html", "file.pdf"):
        response = api.get(f"/companies/NOPE/{suffix}", headers=headers("viewer"))
        assert response.status_code == 404, suffix


@pytest.mark.browser
def test_the_pdf_is_the_file_printed(api: TestClient, top_company: str) -> None:
    try:
        find_chromium()
    except ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)
    name = api.get(f"/companies/{top_company}/risk", headers=headers("viewer")).json()["name"]
    response = api.get(f"/companies/{top_company}/file.pdf", headers=headers("viewer"))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert f'filename="{top_company}.pdf"' in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() or "" for page in reader.pages)
    assert name in text.replace(" ", "") and top_company in text
    assert reader.metadata is not None and name in str(reader.metadata.title)


def test_without_chromium_the_pdf_says_what_to_do(
    province: Province, api_settings: Settings, top_company: str
) -> None:
    settings = api_settings.model_copy(update={"chromium": Path("/nonexistent/chromium")})
    with TestClient(create_app(settings)) as client:
        response = client.get(f"/companies/{top_company}/file.pdf", headers=headers("viewer"))
        assert response.status_code == 501
        detail = response.json()["detail"]
        assert "file.html" in detail and "make chromium" in detail
        # an unknown company is still unknown, Chromium or not
        assert client.get("/companies/NOPE/file.pdf", headers=headers("viewer")).status_code == 404


def test_pdfs_print_two_at_a_time(api: TestClient, top_company: str) -> None:
    taken = [PDF_SLOTS.acquire(blocking=False) for _ in range(2)]
    try:
        assert taken == [True, True]
        response = api.get(f"/companies/{top_company}/file.pdf", headers=headers("viewer"))
        assert response.status_code == 503 and response.headers["retry-after"] == "5"
    finally:
        for _ in taken:
            PDF_SLOTS.release()


def test_a_link_chooses_the_language(api: TestClient, top_company: str) -> None:
    chinese = {**headers("viewer"), "Accept-Language": "zh-CN"}
    url = f"/companies/{top_company}/file.html"
    assert "Timeline" in api.get(url, headers=chinese, params={"lang": "en"}).text
    assert "事件时间线" in api.get(url, headers=chinese).text
    assert api.get(url, headers=chinese, params={"lang": "fr"}).status_code == 422
