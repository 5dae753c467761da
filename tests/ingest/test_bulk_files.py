"""The bulk importer's files, written from validated records (no database): first versions
in the files, typed by the schema; later versions kept for the queries; one node per
address or phone, with the first row's values."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from riskgraph.graph.admin_import import operator_command
from riskgraph.ingest.bulk import ARRAY_DELIMITER, BulkFiles


def _rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_records_become_typed_files_and_later_versions_wait(tmp_path: Path) -> None:
    bulk = BulkFiles(tmp_path / "import")
    bulk.submit(
        "persons.csv",
        [
            {"id": "P1", "name": "张三", "birth_year": 1980, "aliases": ["P9", "P10"]},
            {"id": "P2", "name": "李四\n（曾用名）", "aliases": []},
        ],
    )
    bulk.submit(
        "addresses.csv",
        [
            {"entity_id": "P1", "label": "Person", "key": "k1", "text": "杭州市西湖区1号",
             "since": None, "until": None, "round": 0},
            {"entity_id": "P2", "label": "Person", "key": "k1", "text": "杭州西湖区1号",
             "since": date(2020, 1, 2), "until": None, "round": 0},
        ],
    )  # fmt: skip
    later = {
        "holder_id": "P1", "holder_type": "person", "company_id": "C1", "share": 0.2,
        "amount": None, "since": date(2024, 3, 1), "until": None, "round": 1,
    }  # fmt: skip
    bulk.submit("shareholdings.csv", [{**later, "share": 0.5, "round": 0}, later])
    files = bulk.close()

    by_name = {s.name: s for s in files.sources}
    assert (tmp_path / "import").stat().st_mode & 0o777 == 0o700
    assert all(s.data.stat().st_mode & 0o777 == 0o600 for s in files.sources)
    assert set(by_name) == {"Person", "Address", "REGISTERED_AT-Person", "HOLDS-Person"}
    person_header = _rows(by_name["Person"].header)[0]
    assert person_header[0] == "id:ID(Person)" and "birth_year:long" in person_header
    assert "aliases:string[]" in person_header
    people = _rows(by_name["Person"].data)
    aliases = person_header.index("aliases:string[]")
    assert people[0][aliases] == f"P9{ARRAY_DELIMITER}P10" and people[1][aliases] == ""
    assert files.multiline == (by_name["Person"].data,)  # the name on two lines
    # one address node, with the first spelling seen; two edges
    assert [r[:2] for r in _rows(by_name["Address"].data)] == [["k1", "杭州市西湖区1号"]]
    edges = _rows(by_name["REGISTERED_AT-Person"].data)
    assert [r[:2] for r in edges] == [["P1", "k1"], ["P2", "k1"]] and edges[1][2] == "2020-01-02"
    # the first version is imported, the second waits for the queries
    assert _rows(by_name["HOLDS-Person"].data) == [["P1", "C1", "0.5", "", "2024-03-01", ""]]
    assert bulk.later == [("shareholdings.csv", [later])]

    command = operator_command(files, "neo4j")
    assert command.startswith("neo4j-admin database import full ")
    assert f"--nodes=Person={by_name['Person'].header},{by_name['Person'].data}" in command
    assert "--relationships=HOLDS=" in command and command.endswith(" neo4j")
    assert "--array-delimiter=U+001F" in command and "--multiline-fields=" in command
