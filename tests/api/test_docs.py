"""The API docs pages work offline: /docs (Swagger UI) and /redoc load every script, style
and icon from the API itself, never from a CDN (users are on air-gapped networks)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

ASSET = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*["']([^"']+)["']""")


@pytest.mark.parametrize(
    ("page", "needed"),
    [("/docs", {"swagger-ui-bundle.js", "swagger-ui.css"}), ("/redoc", {"redoc.standalone.js"})],
)
def test_the_docs_pages_load_nothing_from_elsewhere(
    api: TestClient, page: str, needed: set[str]
) -> None:
    response = api.get(page)
    assert response.status_code == 200 and "text/html" in response.headers["content-type"]
    html = response.text
    assert "cdn." not in html and "fonts.googleapis" not in html and "unpkg" not in html
    assert '"validatorUrl": null' in html or page == "/redoc"  # no validator.swagger.io badge
    assets = {a or b for a, b in ASSET.findall(html)}
    assert assets and all(a.startswith("/") for a in assets), assets  # this server only
    assert needed <= {a.rsplit("/", 1)[-1] for a in assets}
    for asset in assets:
        served = api.get(asset)
        assert served.status_code == 200, asset
        if asset.endswith(".js"):
            assert len(served.content) > 100_000  # the real bundle, not a stub
