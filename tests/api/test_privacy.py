"""Nothing the API answers carries a resident ID number (the raw values of the bundle's
persons.csv, any valid 18-digit 身份证 number, or the stored hash), and viewers never see a
natural person's phone in clear, whichever endpoint they ask."""

from __future__ import annotations

import re

import neo4j
import pytest
from fastapi.testclient import TestClient
from stdnum.cn import ric

from riskgraph.graph.credentials import password_for
from riskgraph.risk.reasons import mask_phone
from riskgraph.settings import Settings
from tests.api.conftest import Province, headers

RESIDENT_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[0-9Xx](?![0-9A-Za-z])"
)


SHARED_PHONES = """
MATCH (p:Person)-[:HAS_PHONE]->(t:Phone)<-[:HAS_PHONE]-(c:Company)
RETURN c.id AS company_id, p.id AS person_id, t.number AS number
ORDER BY company_id LIMIT 5
"""


@pytest.fixture(scope="module")
def bodies(api: TestClient, province: Province, neo4j_settings: Settings) -> dict[str, list[str]]:
    """Every endpoint's answers, per role, around the entities most likely to leak: the
    companies and people that share phones with natural persons."""
    auth = (neo4j_settings.neo4j_user, password_for(neo4j_settings))
    with neo4j.GraphDatabase.driver(neo4j_settings.bolt_uri, auth=auth) as driver:
        rows = [r.data() for r in driver.execute_query(SHARED_PHONES).records]
    assert rows, "the province has companies sharing phones with people"
    top = str(province.scored[0]["company_id"])
    urls: list[str] = ["/rings?limit=20", "/alerts?limit=100"]
    rings = urls[0]
    for row in rows:
        company, person, phone = row["company_id"], row["person_id"], row["number"]
        urls += [
            f"/companies/{company}",
            f"/companies/{company}/risk",
            f"/companies/{company}/subgraph?hops=2&limit=200",
            f"/companies/{company}/subgraph.html?hops=2&limit=200",
            f"/companies/{company}/controllers?threshold=0",
            f"/paths?from={person}&to={company}",
            f"/paths?from={phone.replace('+', '%2B')}&to={company}",
            f"/companies/{company}/file.html",
            f"/entities/company/{company}/neighbours?limit=200",
            f"/entities/person/{person}/neighbours?limit=200",
            f"/entities/phone/{phone.replace('+', '%2B')}/neighbours?limit=200",
        ]
    urls += [f"/companies/{top}/subgraph?hops=3&limit=500"]
    out: dict[str, list[str]] = {"viewer": [], "analyst": []}
    for role in out:
        ring_ids = [r["id"] for r in api.get(rings, headers=headers(role)).json()["items"][:5]]
        for url in urls + [f"/rings/{r}{p}" for r in ring_ids for p in ("", "/subgraph")]:
            response = api.get(url, headers=headers(role))
            # a personal number is no entry point for a viewer: it answers as unknown
            oracle = role == "viewer" and ("/entities/phone/" in url or "from=%2B" in url)
            assert response.status_code in ((404,) if oracle else (200, 409)), (url, response.text)
            out[role].append(response.text)
        seeds = [str(r["company_id"]) for r in province.scored[:5]]
        what_if = {"seeds": seeds, "top": 200, "paths": 3}
        if role == "analyst":
            out[role].append(api.post("/propagate", headers=headers(role), json=what_if).text)
    return out


def _windows(text: str, pattern: str, sizes: set[int]) -> set[str]:
    """Every window of the given sizes of every run of ``pattern`` characters in ``text``:
    all the substrings a leaked value could be, found in one pass."""
    out = set()
    for run in re.findall(f"{pattern}{{{min(sizes)},}}", text):
        for size in sizes:
            out.update(run[i : i + size] for i in range(len(run) - size + 1))
    return out


def test_no_resident_id_number_ever_leaves(
    bodies: dict[str, list[str]], province: Province
) -> None:
    companies = {str(r["company_id"]) for r in province.scored}
    for role, texts in bodies.items():
        for text in texts:
            assert "id_hash" not in text and "id_number" not in text
            assert not _windows(text, "[0-9Xx]", {18}) & province.id_numbers, role
            found = {m.group() for m in RESIDENT_ID.finditer(text)} - companies
            assert not [n for n in found if ric.is_valid(n)], (role, found)


def test_viewers_see_personal_phones_masked(
    bodies: dict[str, list[str]], province: Province
) -> None:
    national = {n.removeprefix("+86") for n in province.person_phones}
    sizes = {len(n) for n in national}
    for text in bodies["viewer"]:
        assert not _windows(text, "[0-9]", sizes) & national
    assert "****" in "".join(bodies["viewer"])
    # analysts may see them: the scan above is not vacuous
    assert any(_windows(text, "[0-9]", sizes) & national for text in bodies["analyst"])


def test_company_phones_are_not_masked(api: TestClient, driver: neo4j.Driver) -> None:
    records = driver.execute_query(
        "MATCH (c:Company)-[:HAS_PHONE]->(t:Phone) WHERE NOT EXISTS { (:Person)-->(t) } "
        "RETURN c.id AS company, t.number AS number LIMIT 1"
    ).records
    company, number = records[0]["company"], records[0]["number"]
    body = api.get(f"/companies/{company}", headers=headers("viewer")).json()
    assert number in [i["value"] for i in body["identifiers"]]


@pytest.mark.parametrize("lookup", ["paths", "neighbours"])
def test_no_oracle_for_personal_phones(
    api: TestClient, province: Province, lookup: str, top_company: str
) -> None:
    """A viewer holding +86138****5678 cannot find the hidden digits by trying numbers:
    a real personal number answers exactly as an unknown one (analysts see the truth)."""
    real = sorted(province.person_phones)[0]
    unknown = real[:-4] + ("0000" if not real.endswith("0000") else "1111")
    assert unknown not in province.person_phones

    def ask(number: str, role: str) -> tuple[int, str]:
        encoded = number.replace("+", "%2B")
        if lookup == "paths":
            url = f"/paths?from={encoded}&to={top_company}"
        else:
            url = f"/entities/phone/{encoded}/neighbours"
        response = api.get(url, headers=headers(role))
        echo = response.text.replace(number, "N").replace(mask_phone(number), "N")
        return response.status_code, echo

    assert ask(real, "viewer") == ask(unknown, "viewer")
    assert ask(real, "viewer")[0] == 404
    assert ask(real, "analyst")[0] == 200 and ask(unknown, "analyst")[0] == 404


def test_free_text_is_masked(api: TestClient, api_settings: Settings) -> None:
    """Numbers typed into a note: an ID number masked for everyone, phones for viewers."""
    from riskgraph.engine.alerts import list_alerts, raise_alerts
    from riskgraph.graph.gateway import Gateway

    with Gateway(api_settings) as graph:
        raise_alerts(graph)
        alert = str(list_alerts(graph, limit=1)[1][0]["id"])
    note = "报案人 330127198006247177，电话 13812345678 或 0571-88886666"
    response = api.patch(f"/alerts/{alert}", headers=headers("analyst"), json={"note": note})
    assert response.status_code == 200, response.text
    analyst = api.get(f"/alerts/{alert}", headers=headers("analyst")).json()["note"]
    viewer = api.get(f"/alerts/{alert}", headers=headers("viewer")).json()["note"]
    assert "330127198006247177" not in analyst and "13812345678" in analyst
    assert "330127198006247177" not in viewer and "13812345678" not in viewer
    assert "0571-88886666" not in viewer and "138****5678" in viewer
    history = api.get(f"/alerts/{alert}", headers=headers("viewer")).json()["history"]
    assert not any("13812345678" in h or "330127198006247177" in h for h in history)


def test_search_echoes_no_oracle(api: TestClient, province: Province) -> None:
    """The query comes back masked for a viewer whether the number is a person's or not."""
    real = sorted(province.person_phones)[0]
    unknown = real[:-4] + ("0000" if not real.endswith("0000") else "1111")
    echoes = [
        api.get("/search", params={"q": n}, headers=headers("viewer")).json()["query"]
        for n in (real, unknown)
    ]
    assert echoes == [mask_phone(real), mask_phone(unknown)]
    analyst = api.get("/search", params={"q": real}, headers=headers("analyst")).json()
    assert analyst["query"] == real
