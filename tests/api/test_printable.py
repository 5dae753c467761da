"""The printable company file and its PDF: the company's own answers on one page with no
script and nothing from elsewhere, and the same page printed by headless Chromium."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from riskgraph.chromium import ChromiumMissing, find_chromium
from tests.api.conftest import headers

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
    api: TestClient, top_company: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RISKGRAPH_CHROMIUM", "/nonexistent/chromium")
    response = api.get(f"/companies/{top_company}/file.pdf", headers=headers("viewer"))
    assert response.status_code == 501
    assert "file.html" in response.json()["detail"] and "make chromium" in response.json()["detail"]
