"""Registry data as it comes, against the real Neo4j: encodings, xlsx, Chinese headers and
values, lenient optional fields, one person per resident ID, hostile CSV, privacy on disk.

Each test builds a small bundle whose right answer is known by construction.
"""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path
from typing import Any

import neo4j
import pytest
import xlsxwriter  # type: ignore[import-untyped]
from pydantic import SecretStr
from stdnum.cn import ric

from riskgraph.errors import RiskgraphError
from riskgraph.graph.gateway import Gateway
from riskgraph.ingest.files import SPECS as FILES
from riskgraph.ingest.load import KeyMismatch
from riskgraph.ingest.mapping import HEADERS, load_mapping
from riskgraph.ingest.pipeline import IngestReport, ingest_bundle
from riskgraph.settings import Settings
from tests.ingest.conftest import COLUMNS, Ingest, counts, make_uscc, write_bundle

STEMS = tuple(spec.stem for spec in FILES)


def resident_id(base17: str) -> str:
    return base17 + ric.calc_check_digit(base17 + "0")


# 330902 Dinghai district was created in 1987; this person was born in 1956
DINGHAI_1956 = resident_id("33090219560101844")


def dump(driver: neo4j.Driver) -> tuple[list[Any], list[Any]]:
    """Every node and relationship with every property (the Meta node aside): what two
    loads must agree on to be 'the same graph'."""
    nodes = driver.execute_query(
        "MATCH (n) WHERE NOT n:Meta RETURN labels(n) AS l, properties(n) AS p"
    ).records
    rels = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN type(r) AS t, coalesce(a.id, a.key, a.number) AS a, "
        "coalesce(b.id, b.key, b.number) AS b, properties(r) AS p"
    ).records
    node_rows = sorted((sorted(r["l"]), sorted(r["p"].items())) for r in nodes)
    rel_rows = sorted((r["t"], r["a"], r["b"], sorted(r["p"].items())) for r in rels)
    return node_rows, rel_rows


def _english_rows() -> dict[str, list[dict[str, str]]]:
    a, b, c = make_uscc(1), make_uscc(2), make_uscc(3)
    return {
        "companies": [
            {
                "id": a,
                "uscc": a,
                "name": "杭州甲贸易有限公司",
                "status": "active",
                "established": "2019-03-05",
                "registered_capital": "5000000",
                "region": "330106",
            },
            {
                "id": b,
                "uscc": b,
                "name": "杭州乙投资有限公司",
                "status": "revoked",
                "established": "2015-11-20",
                "registered_capital": "120000000",
            },
            {"id": c, "name": "舟山丙科技有限公司", "status": "cancelled"},
        ],
        "persons": [
            {"id": "P1", "name": "王伟", "id_number": DINGHAI_1956},
            {"id": "P2", "name": "李娜", "birth_year": "1980"},
        ],
        "shareholdings": [
            {
                "holder_id": "P1",
                "holder_type": "person",
                "company_id": a,
                "share": "0.35",
                "amount": "1750000",
                "since": "2019-03-05",
            },
            {"holder_id": a, "holder_type": "company", "company_id": b, "share": "0.6"},
        ],
        "officers": [
            {
                "person_id": "P1",
                "company_id": a,
                "role": "legal_representative",
                "since": "2019-03-05",
            },
            {"person_id": "P2", "company_id": b, "role": "supervisor"},
            {"person_id": "P2", "company_id": c, "role": "manager"},
        ],
        "addresses": [{"entity_id": a, "address": "浙江省杭州市西湖区文三路123号"}],
        "phones": [{"entity_id": b, "phone": "0571-87654321"}],
        "links": [
            {
                "source_id": a,
                "target_id": b,
                "type": "guarantee",
                "amount": "3000000",
                "since": "2020-01-02",
            },
        ],
        "events": [
            {
                "company_id": b,
                "date": "2023-05-01",
                "type": "exposure",
                "severity": "5",
                "description": "平台暴雷",
            },
            {"company_id": c, "date": "2022-12-31", "type": "litigation"},
        ],
    }


# The same bundle as a registry would export it: Chinese headers and values, and the
# date, amount and share spellings of real exports.
_ZH_VALUES = {
    "active": "存续（在营、开业、在册）", "revoked": "吊销", "cancelled": "注销",
    "person": "自然人", "company": "企业法人", "legal_representative": "法定代表人",
    "supervisor": "监事", "manager": "总经理", "guarantee": "担保", "exposure": "暴雷",
    "litigation": "诉讼",
}  # fmt: skip
_ZH_SPELLINGS = {
    "2019-03-05": "2019年3月5日", "2015-11-20": "2015/11/20", "2020-01-02": "20200102",
    "2023-05-01": "2023.05.01", "2022-12-31": "2022-12-31 00:00:00", "5000000": "500万元",
    "120000000": "1.2亿元", "1750000": "1,750,000", "3000000": "300万元人民币",
    "0.35": "35.00%", "0.6": "60%",
}  # fmt: skip


def _chinese(rows: dict[str, list[dict[str, str]]]) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Per file: the Chinese header and the rows in it."""
    out: dict[str, tuple[list[str], list[list[str]]]] = {}
    for stem, columns in ((s, COLUMNS[f"{s}.csv"]) for s in STEMS):
        aliases = {v: k for k, v in HEADERS[stem].items()}
        header = [aliases.get(c, c) for c in columns]
        body = []
        for row in rows.get(stem, []):
            cells = []
            for column in columns:
                value = row.get(column, "")
                value = _ZH_VALUES.get(value, value)
                cells.append(_ZH_SPELLINGS.get(value, value))
            body.append(cells)
        out[stem] = (header, body)
    return out


def write_chinese_csv(directory: Path, encoding: str) -> Path:
    directory.mkdir(parents=True)
    for stem, (header, body) in _chinese(_english_rows()).items():
        with (directory / f"{stem}.csv").open("w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(body)
    return directory


def write_xlsx(path: Path, header: list[str], body: list[list[Any]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, cells in enumerate([header, *body]):
        for c, value in enumerate(cells):
            if isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write(r, c, value)
    book.close()


def _loaded(report: IngestReport) -> dict[str, tuple[int, int]]:
    return {f.name: (f.loaded, f.rejected) for f in report.files}


@pytest.fixture
def english(tmp_path: Path, ingest: Ingest, driver: neo4j.Driver) -> tuple[Any, Any]:
    """The reference: the English UTF-8 bundle's graph, then an empty graph again."""
    report = ingest(write_bundle(tmp_path / "english", **_english_rows()))
    assert report.rejected == 0 and report.warned == 0
    reference = dump(driver)
    driver.execute_query("MATCH (n) DETACH DELETE n")
    return reference, _loaded(report)


def test_the_english_reference_holds_what_it_says(
    english: tuple[Any, Any], tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    ingest(write_bundle(tmp_path / "again", **_english_rows()))
    p1 = driver.execute_query(
        "MATCH (p:Person {id: 'P1'}) RETURN p.birth_year AS y, p.id_hash AS h"
    )
    # the 1956 person of a district created in 1987 loads, with the year from the number
    assert p1.records[0]["y"] == 1956 and len(p1.records[0]["h"]) == 64
    capital = driver.execute_query("MATCH (c:Company) RETURN c.registered_capital AS k")
    assert sorted(r["k"] for r in capital.records if r["k"]) == [5e6, 1.2e8]


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig", "utf-8"])
def test_a_chinese_export_loads_the_same_graph(
    english: tuple[Any, Any],
    encoding: str,
    tmp_path: Path,
    ingest: Ingest,
    driver: neo4j.Driver,
) -> None:
    reference, loaded = english
    report = ingest(write_chinese_csv(tmp_path / "zh", encoding))
    assert report.rejected == 0 and report.warned == 0
    assert _loaded(report) == loaded
    assert dump(driver) == reference
    expected = {"gbk": "gb18030", "utf-8": "utf-8", "utf-8-sig": "utf-8-sig"}
    assert {f.encoding for f in report.files} == {expected.get(encoding, encoding)}


def test_xlsx_files_load_the_same_graph(
    english: tuple[Any, Any], tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    reference, loaded = english
    directory = tmp_path / "xlsx"
    directory.mkdir()
    for stem, (header, body) in _chinese(_english_rows()).items():
        if stem == "companies":  # typed cells, as Excel keeps them: a date, a number
            established = header.index("成立日期")
            capital = header.index("注册资本")
            for row in body:
                row[capital] = {"500万元": 5_000_000, "1.2亿元": 120_000_000.0}.get(
                    row[capital], row[capital]
                )
            body[0][established] = "2019-03-05"
        write_xlsx(directory / f"{stem}.xlsx", header, body)
    report = ingest(directory)
    assert report.rejected == 0 and report.warned == 0
    assert _loaded(report) == loaded
    assert dump(driver) == reference


def test_a_bad_byte_stops_the_load_before_any_write(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver, graph: Gateway, neo4j_settings: Settings
) -> None:
    directory = write_bundle(tmp_path / "b", companies=[{"id": "C0", "name": "甲"}])
    lines = ["id,name,status\n"] + [f"C{i},测试{i}有限公司,存续\n" for i in range(1, 5000)]
    data = bytearray("".join(lines).encode("gb18030"))
    bad_line = b"C5000,\xff\xfe\xff,active\n"  # 0xFF starts no GB18030 character
    (directory / "companies.csv").write_bytes(bytes(data) + bad_line)
    before = counts(driver)
    with pytest.raises(RiskgraphError, match=r"companies\.csv:5001: cannot be decoded as gb18030"):
        ingest(directory)
    assert counts(driver) == before == {}
    # named, it is refused too
    with pytest.raises(RiskgraphError, match=r"companies\.csv:5001"):
        ingest_bundle(directory, graph, neo4j_settings, encoding="gb18030")
    assert counts(driver) == {}


def test_line_5000_is_named_with_an_ascii_header_and_gb18030_body(tmp_path: Path) -> None:
    from riskgraph.ingest.encoding import EncodingError, check

    path = tmp_path / "persons.csv"
    body = "id,name\n" + "".join(f"P{i},张{i}\n" for i in range(2, 5000))
    path.write_bytes(body.encode("gb18030") + b"P5000,\x80\n")
    with pytest.raises(EncodingError) as caught:
        check(path)
    assert caught.value.line == 5000 and "persons.csv:5000" in str(caught.value)


def test_optional_values_in_registry_spellings_and_a_percent_column(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    a, b, c = make_uscc(1), make_uscc(2), make_uscc(3)
    companies = [{"id": x, "name": f"公司{x[-3:]}"} for x in (a, b, c)]
    # a bare 35 is a percent here, because 50 cannot be a fraction
    holdings = [
        {"holder_id": a, "holder_type": "企业", "company_id": b, "share": "35"},
        {"holder_id": a, "holder_type": "法人股东", "company_id": c, "share": "50"},
        {"holder_id": b, "holder_type": "company", "company_id": c, "share": "0.5%"},
    ]
    report = ingest(write_bundle(tmp_path / "b", companies=companies, shareholdings=holdings))
    assert report.rejected == 0 and report.warned == 0
    shares = driver.execute_query("MATCH ()-[h:HOLDS]->() RETURN h.share AS s ORDER BY s")
    assert [r["s"] for r in shares.records] == pytest.approx([0.005, 0.35, 0.5])


def test_duplicate_resident_ids_are_one_person(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    a, b = make_uscc(1), make_uscc(2)
    companies = [{"id": a, "name": "甲公司"}, {"id": b, "name": "乙公司"}]
    same = DINGHAI_1956
    persons = [
        {"id": "P1", "name": "王伟", "id_number": same},
        {"id": "P2", "name": "王伟", "id_number": " ".join([same[:6], same[6:14], same[14:]])},
        {"id": "P3", "name": "王伟"},  # same name, no shared ID: another person
    ]
    officers = [
        {"person_id": "P1", "company_id": a, "role": "legal_representative"},
        {"person_id": "P2", "company_id": b, "role": "director"},
        {"person_id": "P3", "company_id": b, "role": "supervisor"},
    ]
    report = ingest(
        write_bundle(tmp_path / "one", companies=companies, persons=persons, officers=officers)
    )
    assert report.rejected == 0 and report.merged == 1
    people = driver.execute_query(
        "MATCH (p:Person) RETURN p.id AS id, p.aliases AS aliases, "
        "COLLECT { MATCH (p)-[r:OFFICER_OF]->(c) RETURN c.id + ':' + r.role } AS offices "
        "ORDER BY id"
    ).records
    assert [(r["id"], r["aliases"], sorted(r["offices"])) for r in people] == [
        ("P1", ["P2"], sorted([f"{a}:legal_representative", f"{b}:director"])),
        ("P3", None, [f"{b}:supervisor"]),
    ]
    # a later load: a new id with the same number, and a reference to the alias
    later = ingest(
        write_bundle(
            tmp_path / "two",
            persons=[{"id": "Q7", "name": "王伟", "id_number": same}],
            shareholdings=[
                {"holder_id": "P2", "holder_type": "自然人", "company_id": a, "share": "20%"}
            ],
            phones=[{"entity_id": "Q7", "phone": "13812345678"}],
        )
    )
    assert later.rejected == 0 and later.merged == 1
    p1 = driver.execute_query(
        "MATCH (p:Person {id: 'P1'}) RETURN p.aliases AS a, COUNT { (p)-[:HOLDS]->() } AS h, "
        "COUNT { (p)-[:HAS_PHONE]->() } AS t"
    ).records[0]
    assert (sorted(p1["a"]), p1["h"], p1["t"]) == (["P2", "Q7"], 1, 1)
    assert counts(driver)["Person"] == 2
    # and a re-run changes nothing
    shape = counts(driver)
    ingest(tmp_path / "two")
    ingest(tmp_path / "one")
    assert counts(driver) == shape


def test_an_id_in_companies_and_persons_is_rejected_in_both(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    a = make_uscc(1)
    directory = write_bundle(
        tmp_path / "b",
        companies=[{"id": a, "name": "甲公司"}, {"id": "X9", "name": "含糊公司"}],
        persons=[{"id": "X9", "name": "含糊"}, {"id": "P1", "name": "王伟"}],
        officers=[{"person_id": "X9", "company_id": a, "role": "director"}],
    )
    report = ingest(directory)
    by_file = {f.name: f for f in report.files}
    assert by_file["companies.csv"].reasons["ambiguous_id"] == 1
    assert by_file["persons.csv"].reasons["ambiguous_id"] == 1
    assert by_file["officers.csv"].reasons["dangling_reference"] == 1
    ids = driver.execute_query("MATCH (n) WHERE n:Company OR n:Person RETURN n.id AS id")
    assert sorted(r["id"] for r in ids.records) == sorted([a, "P1"])
    # against the graph too: a person row with a loaded company's id
    again = ingest(write_bundle(tmp_path / "c", persons=[{"id": a, "name": "冒名"}]))
    assert {f.name: f.reasons["ambiguous_id"] for f in again.files}["persons.csv"] == 1


def test_hostile_csv_rows_are_rejected_alone(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    directory = write_bundle(tmp_path / "b")
    huge = "长" * (csv.field_size_limit() + 10)
    text = (
        "id,name,status\n"
        "C1,甲公司,active\n"
        'C2,"乙公司,active\n'  # line 3: a quote that never closes
        "C3,丙公司,active\n"
        f'C4,"{huge}",active\n'  # line 5: a field over the csv module's limit
        "C5,丁\x00公司,active\n"  # line 6: NUL
        "C6,戊\x1b公司,active\n"  # line 7: ESC
        'C7,"己公司, 含逗号",active\n'
        'C8,"多行\n名称",active\n'  # lines 9-10: a legitimate two-line field
        "C9,庚公司\x7f,active\n"  # line 11: DEL is removed, with a warning
        "C10,辛公司,active\n"
    )
    (directory / "companies.csv").write_text(text, encoding="utf-8")
    report = ingest(directory)
    rejected = {
        int(r["_line"]): r["_reason"].split(":")[0]
        for r in _read(directory / "_rejected" / "companies.csv")
    }
    assert rejected == {
        3: "unbalanced_quote",
        5: "field_too_large",
        6: "control_character",
        7: "control_character",
    }
    names = driver.execute_query("MATCH (c:Company) RETURN c.id AS id, c.name AS n ORDER BY id")
    assert {r["id"]: r["n"] for r in names.records} == {
        "C1": "甲公司", "C3": "丙公司", "C7": "己公司, 含逗号", "C8": "多行 名称",
        "C9": "庚公司", "C10": "辛公司",
    }  # fmt: skip
    assert report.files[0].read == 10
    warnings = _read(directory / "_warnings" / "companies.csv")
    assert [(w["line"], w["kind"]) for w in warnings] == [("11", "control_character")]


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_no_resident_id_in_any_file_after_a_load_with_bad_rows(
    tmp_path: Path, ingest: Ingest
) -> None:
    numbers = [resident_id(f"3301061985010{i:04d}") for i in range(4)]
    persons = [
        {"id": "P0", "name": "", "id_number": numbers[0]},  # rejected: no name
        {"id": "P1", "name": "张三", "id_number": numbers[1], "birth_year": "nineteen"},
        {"id": "P2", "name": "李四", "id_number": numbers[2][:-1] + "0"},  # bad check digit
        {"id": "P3", "name": "王五", "id_number": numbers[3], "__extra__": ""},
        {"id": "P4", "name": "赵六", "id_number": numbers[3][:15]},  # not an 18- or 15-digit ID
    ]
    directory = write_bundle(tmp_path / "b", persons=[dict(p) for p in persons])
    with (directory / "persons.csv").open("a", encoding="utf-8") as handle:
        handle.write(f'P5,钱七,{numbers[0]},1985,extra cell\nP6,"孙八,{numbers[1]}\n')
    ingest(directory)
    clear = set(numbers) | {n[:-1] + "0" for n in numbers} | {n[:17] for n in numbers}
    written = [p for p in directory.rglob("*") if p.is_file() and p.parent != directory]
    assert {p.parent.name for p in written} == {"_rejected", "_warnings"}
    for path in written:
        text = path.read_text(encoding="utf-8-sig")
        assert not [n for n in clear if n in text], path
        if path.parent.name == "_rejected":
            assert "********" in text  # the numbers are there, masked
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_load_under_another_key_is_refused(
    tmp_path: Path, ingest: Ingest, neo4j_settings: Settings, graph: Gateway, driver: neo4j.Driver
) -> None:
    bundle = write_bundle(
        tmp_path / "b", persons=[{"id": "P1", "name": "王伟", "id_number": DINGHAI_1956}]
    )
    ingest(bundle)
    before = dump(driver)
    other = neo4j_settings.model_copy(update={"id_key": SecretStr("another-key-of-16-chars")})
    with pytest.raises(KeyMismatch, match="made under the key with fingerprint"):
        ingest_bundle(bundle, graph, other)
    assert dump(driver) == before
    # the key is kept outside Neo4j's own folder
    from riskgraph.graph.credentials import id_key_file

    assert neo4j_settings.neo4j_dir not in id_key_file(neo4j_settings).parents


def test_a_mapping_file_reads_another_layout(
    tmp_path: Path, graph: Gateway, neo4j_settings: Settings, driver: neo4j.Driver
) -> None:
    directory = write_bundle(tmp_path / "b")
    (directory / "companies.csv").unlink()
    write_xlsx(
        directory / "企业名录.xlsx",
        ["企业代码", "名称", "经营状态"],
        [["C1", "甲公司", "正常"], ["C2", "乙公司", "存续"], ["C3", "丙公司", "停业"]],
    )
    mapping_file = tmp_path / "layout.yaml"
    mapping_file.write_text(
        "files: {companies: 企业名录.xlsx}\n"
        "headers:\n  companies: {企业代码: id, 名称: name, 经营状态: status}\n"
        "values:\n  status: {正常: active}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(mapping_file, STEMS)
    report = ingest_bundle(directory, graph, neo4j_settings, mapping=mapping)
    assert report.rejected == 0
    assert report.files[0].warnings == {"unknown_status": 1}  # 停业 is in no table
    status = driver.execute_query("MATCH (c:Company) RETURN c.id AS id, c.status AS s")
    assert {r["id"]: r["s"] for r in status.records} == {"C1": "active", "C2": "active", "C3": None}


def test_a_mapping_file_naming_unknown_things_is_refused(tmp_path: Path) -> None:
    from riskgraph.ingest.mapping import MappingError

    bad = tmp_path / "bad.yaml"
    bad.write_text("values:\n  status: {正常: thriving}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="thriving"):
        load_mapping(bad, STEMS)
    bad.write_text("headers:\n  firms: {名称: name}\n", encoding="utf-8")
    with pytest.raises(MappingError, match="firms"):
        load_mapping(bad, STEMS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("source_id,target_id,type\r\nA,B,债权\r\n", "gb18030"),  # also valid UTF-8 bytes
        ("entity_id,phone\r\nC1,１３８１２３４５６７８\r\n", "gb18030"),  # Big5-shaped bytes
        ("person_id,company_id,role\r\nP1,C1,董事\r\n", "gb18030"),
        ("id,name\nC1,杭州测试有限公司\n" * 20, "gb18030"),
    ],
)
def test_short_gb18030_files_are_not_taken_for_another_encoding(
    tmp_path: Path, text: str, expected: str
) -> None:
    from riskgraph.ingest.encoding import check

    path = tmp_path / "f.csv"
    path.write_bytes(text.encode("gb18030"))
    assert check(path) == expected
    path.write_bytes(text.encode("utf-8"))
    assert check(path) == "utf-8"


def test_a_person_loaded_earlier_under_an_alias_is_merged_into_their_person(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    a, b = make_uscc(1), make_uscc(2)
    first = write_bundle(
        tmp_path / "first",
        companies=[{"id": a, "name": "甲公司"}, {"id": b, "name": "乙公司"}],
        persons=[{"id": "P2", "name": "王伟", "birth_year": "1956"}],  # no ID number yet
        officers=[{"person_id": "P2", "company_id": a, "role": "director"}],
        shareholdings=[{"holder_id": "P2", "holder_type": "person", "company_id": b}],
        phones=[{"entity_id": "P2", "phone": "13812345678"}],
    )
    ingest(first)
    second = write_bundle(
        tmp_path / "second",
        persons=[
            {"id": "P1", "name": "王伟", "id_number": DINGHAI_1956},
            {"id": "P2", "name": "王伟", "id_number": DINGHAI_1956},
        ],
        officers=[{"person_id": "P1", "company_id": b, "role": "supervisor"}],
    )
    report = ingest(second)
    assert report.merged == 1
    people = driver.execute_query(
        "MATCH (p:Person) RETURN p.id AS id, p.aliases AS aliases, "
        "COLLECT { MATCH (p)-[r:OFFICER_OF]->(c) RETURN c.id + ':' + r.role } AS offices, "
        "COUNT { (p)-[:HOLDS]->() } AS holds, COUNT { (p)-[:HAS_PHONE]->() } AS phones"
    ).records
    assert [(r["id"], r["aliases"], sorted(r["offices"]), r["holds"], r["phones"])
            for r in people] == [
        ("P1", ["P2"], sorted([f"{a}:director", f"{b}:supervisor"]), 1, 1)
    ]  # fmt: skip
    shape = counts(driver)
    ingest(second)
    ingest(first)  # the old bundle again: P2 is an alias now, its rows attach to P1
    assert counts(driver) == shape


def test_a_merged_alias_holding_the_same_company_leaves_one_current_holding(
    tmp_path: Path, ingest: Ingest, driver: neo4j.Driver
) -> None:
    b = make_uscc(2)
    ingest(
        write_bundle(
            tmp_path / "first",
            companies=[{"id": b, "name": "乙公司"}],
            persons=[
                {"id": "P1", "name": "王伟", "id_number": DINGHAI_1956},
                {"id": "P2", "name": "王伟"},  # the same man, no ID number yet
            ],
            shareholdings=[
                {"holder_id": "P1", "holder_type": "person", "company_id": b, "share": "35%"},
                {"holder_id": "P2", "holder_type": "person", "company_id": b, "share": "35%",
                 "amount": "350000", "since": "2019-03-05"},
            ],
        )
    )  # fmt: skip
    second = write_bundle(
        tmp_path / "second", persons=[{"id": "P2", "name": "王伟", "id_number": DINGHAI_1956}]
    )
    assert ingest(second).merged == 1
    holds = driver.execute_query(
        "MATCH (p:Person)-[r:HOLDS]->() RETURN p.id AS p, r.share AS share, "
        "r.amount AS amount, toString(r.since) AS since, r.until AS until"
    ).records
    assert [(r["p"], r["share"], r["amount"], r["since"], r["until"]) for r in holds] == [
        ("P1", pytest.approx(0.35), 350000.0, "2019-03-05", None)
    ]
