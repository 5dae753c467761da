from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from riskgraph.errors import QueryNotFound
from riskgraph.graph import cypher

REPO = Path(__file__).resolve().parents[2]


def test_every_query_file_has_a_header_and_parameters_only() -> None:
    names = cypher.names()
    assert "server_info" in names
    for name in names:
        query = cypher.load(name)
        assert query.purpose and query.parameters and query.returns
        # Every $parameter used in the text is documented in the header.
        for used in set(re.findall(r"\$([A-Za-z_]\w*)", query.text)):
            assert f"${used}" in query.parameters, f"{name}: ${used} undocumented"


def test_parse_splits_header_and_text() -> None:
    query = cypher.parse(
        "demo",
        "// purpose: find things\n//   across lines\n// parameters: $x (int): how many\n"
        "// returns: rows\n// timeout: 250 ms\nMATCH (n) RETURN n LIMIT $x\n",
    )
    assert query.purpose == "find things across lines" and query.timeout_s == 0.25
    assert query.parameters == "$x (int): how many"
    assert query.text == "MATCH (n) RETURN n LIMIT $x"


def test_header_is_required() -> None:
    with pytest.raises(QueryNotFound, match="header lacks purpose"):
        cypher.parse("bad", "// returns: x\n// parameters: none\nRETURN 1")


def test_cypher_files_ship_inside_the_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("riskgraph-*.whl")
    shipped = {n for n in zipfile.ZipFile(wheel).namelist() if n.startswith("riskgraph/cypher/")}
    expected = {f"riskgraph/cypher/{p.name}" for p in (REPO / "cypher").glob("*.cypher")}
    assert expected and expected <= shipped
    assert any(n.endswith("Launcher.java") for n in zipfile.ZipFile(wheel).namelist())


def test_every_query_has_a_timeout_and_api_answers_are_short() -> None:
    timeouts = {name: cypher.load(name).timeout_s for name in cypher.names()}
    assert all(0 < t <= 3600 for t in timeouts.values())
    # what the API runs for a request ends well before a client gives up
    for name in ("api_company_risk", "search_names", "connection_paths", "session_find"):
        assert timeouts[name] <= 10, name


@pytest.mark.parametrize("timeout", ["", "soon", "10 hours"])
def test_a_timeout_must_be_a_number_and_a_unit(timeout: str) -> None:
    with pytest.raises(QueryNotFound, match="timeout"):
        cypher.parse(
            "demo",
            f"// purpose: p\n// parameters: none\n// returns: r\n// timeout: {timeout}\nRETURN 1\n",
        )
