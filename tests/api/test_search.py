"""GET /search on the generated province: a company found by its name as typed in
simplified or traditional characters, without its legal form, by pinyin initials, by USCC
and by id; a person by name; hostile queries answer, never fail."""

from __future__ import annotations

import csv
from typing import Any

import opencc
import pytest
from fastapi.testclient import TestClient

from riskgraph.search_text import name_initials
from tests.api.conftest import Province, headers


def _search(api: TestClient, q: str, **params: Any) -> list[dict[str, Any]]:
    response = api.get("/search", params={"q": q, **params}, headers=headers("viewer"))
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


@pytest.fixture(scope="module")
def company(unique_company: dict[str, str]) -> dict[str, str]:
    return unique_company


def test_by_name_in_every_form_the_company_comes_first(
    api: TestClient, company: dict[str, str]
) -> None:
    name = company["name"]
    traditional = opencc.OpenCC("s2t").convert(name)
    for typed in (name, name.removesuffix("有限公司"), traditional, name[: len(name) // 2 + 1]):
        hits = _search(api, typed)
        assert hits and company["id"] in [h["id"] for h in hits[:10]], typed
    first = _search(api, name)[0]
    assert first["id"] == company["id"] and first["label"] == "Company"
    assert first["matched"] == "name" and first["level"] in {"none", "yellow", "orange", "red"}
    assert isinstance(first["score"], float)


def test_by_initials_uscc_and_id(api: TestClient, company: dict[str, str]) -> None:
    initials = name_initials(company["name"])
    hits = _search(api, initials, limit=50)
    assert company["id"] in [h["id"] for h in hits]
    assert all(
        name_initials(h["name"]).startswith(initials) for h in hits if h["matched"] == "initials"
    )
    by_uscc = _search(api, company["uscc"].lower())  # compacted and upper-cased for the lookup
    assert by_uscc[0]["id"] == company["id"] and by_uscc[0]["matched"] in {"uscc", "id"}
    assert _search(api, company["id"])[0]["matched"] in {"id", "uscc"}


def test_people_by_name_and_the_kind_filter(api: TestClient, province: Province) -> None:
    with (province.path / "persons.csv").open(encoding="utf-8", newline="") as handle:
        person = next(csv.DictReader(handle))
    hits = _search(api, person["name"], kind="person", limit=50)
    assert hits and all(h["label"] == "Person" for h in hits)
    assert person["id"] in [h["id"] for h in hits]
    assert all(h["label"] == "Company" for h in _search(api, person["name"], kind="company"))


@pytest.mark.parametrize(
    "q", ['"}];alert(1)//', "</script><!--", "\\", '"', "*:*", "a AND b", "（）", "ＡＢ"]
)
def test_hostile_or_odd_queries_answer(api: TestClient, q: str) -> None:
    _search(api, q)


def test_search_needs_a_key_and_a_query(api: TestClient) -> None:
    assert api.get("/search", params={"q": "杭州"}).status_code == 401
    assert api.get("/search", headers=headers("viewer")).status_code == 422
    assert api.get("/search", params={"q": ""}, headers=headers("viewer")).status_code == 422
