"""riskgraph.export: the formula-injection rules, and CSV/xlsx files that Excel opens safely
(read back here with python_calamine, the Rust reader)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from riskgraph.errors import RiskgraphError
from riskgraph.export import (
    FORMULA_TRIGGERS,
    XLSX_MAX_ROWS,
    cell,
    is_xlsx,
    neutralise,
    write_table,
    write_xlsx,
)

COLUMNS = ["company_id", "name", "score", "delta", "reasons", "ring_id", "flag"]
ROWS: list[list[object]] = [
    ["C001", "杭州某某科技有限公司", 87.5, -12, "exposed; ring member", "", True],
    [
        "C002",
        '=HYPERLINK("http://evil.example","点我")',
        12.0,
        -0.25,
        "+cmd|' /C calc'!A0",
        None,
        False,
    ],
    ["C003", "@SUM(A1:A9)", 0, 3, ["a", "-b"], "R7", False],
    ["-C004", "\tTabbed", 100, -1e-9, "\rCarriage", "=R1", False],
]
EXPECTED: list[list[object]] = [
    ["C001", "杭州某某科技有限公司", 87.5, -12, "exposed; ring member", "", True],
    [
        "C002",
        '\'=HYPERLINK("http://evil.example","点我")',
        12.0,
        -0.25,
        "'+cmd|' /C calc'!A0",
        "",
        False,
    ],
    ["C003", "'@SUM(A1:A9)", 0, 3, "a; -b", "R7", False],
    ["'-C004", "'\tTabbed", 100, -1e-9, "'\rCarriage", "'=R1", False],
]


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_each_trigger_is_prefixed_with_a_quote(trigger: str) -> None:
    assert neutralise(trigger + "1+1") == "'" + trigger + "1+1"
    assert cell(trigger + "x") == "'" + trigger + "x"


def test_the_triggers_are_the_owasp_ones() -> None:
    assert set(FORMULA_TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("text", ["plain", "杭州", "", " =not first", "1=1", "'=already", "a-b"])
def test_other_text_is_unchanged(text: str) -> None:
    assert neutralise(text) == text


@pytest.mark.parametrize("number", [-1, -12.5, -0.0, 0, 3, 2.5, -1e300, float("-inf")])
def test_numbers_are_never_altered(number: float) -> None:
    assert cell(number) is number


def test_none_booleans_lists_and_other_values() -> None:
    assert cell(None) is None
    assert cell(True) is True
    assert cell(["exposed", "ring"]) == "exposed; ring"
    assert cell(["-1", "x"]) == "'-1; x"  # the joined text is what a spreadsheet sees
    assert cell(("a", None, 2)) == "a; ; 2"
    assert cell(Path("=x")) == "'=x"  # anything else as its text, neutralised


def test_suffix_chooses_the_format() -> None:
    assert is_xlsx(Path("out/scores.xlsx"))
    assert is_xlsx(Path("SCORES.XLSX"))
    assert not is_xlsx(Path("scores.csv"))
    assert not is_xlsx(Path("scores.xlsx.csv"))
    assert not is_xlsx(Path("scores"))


def test_csv_has_a_bom_and_round_trips_chinese_and_neutralised_text(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "scores.csv"
    write_table(out, COLUMNS, ROWS)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert "杭州某某科技有限公司".encode() in raw
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == COLUMNS
    text = [["" if v is None else str(v) for v in row] for row in EXPECTED]
    assert rows[1:] == text
    assert rows[1][3] == "-12" and rows[2][3] == "-0.25"  # negative numbers, no quote


def test_xlsx_reads_back_with_the_same_rows_and_neutralised_text(tmp_path: Path) -> None:
    out = tmp_path / "Scores.XLSX"
    write_table(out, COLUMNS, ROWS, sheet="scores")
    workbook = CalamineWorkbook.from_path(str(out))
    assert workbook.sheet_names == ["scores"]
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == COLUMNS
    assert rows[1:] == EXPECTED  # numbers as numbers (calamine reads them as floats)
    for row in rows[1:]:
        assert all(isinstance(v, float) for v in row[2:4])
    assert isinstance(rows[1][6], bool)


def test_xlsx_holds_no_formulas(tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "s.xlsx"
    write_table(out, COLUMNS, [*ROWS, ["C9", "nan", float("nan"), float("-inf"), "", "", False]])
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[-1][2:4] == ["nan", "-inf"]  # as the CSV writes them


def test_xlsx_header_is_bold_and_frozen(tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "s.xlsx"
    write_table(out, COLUMNS, ROWS)
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert 'ySplit="1"' in sheet and 'state="frozen"' in sheet
    assert '<c r="A1" s="1"' in sheet and "<b/>" in styles
    assert '<autoFilter ref="A1:G5"/>' in sheet


def test_empty_exports(tmp_path: Path) -> None:
    write_table(tmp_path / "r.csv", [], [])
    assert (tmp_path / "r.csv").read_bytes() == b""
    write_table(tmp_path / "r.xlsx", [], [])
    assert CalamineWorkbook.from_path(str(tmp_path / "r.xlsx")).sheet_names == ["export"]


def test_too_many_rows_for_a_sheet(tmp_path: Path) -> None:
    class Rows(list[list[object]]):
        def __len__(self) -> int:
            return XLSX_MAX_ROWS

    with pytest.raises(RiskgraphError, match=r"export to \.csv instead"):
        write_xlsx(tmp_path / "big.xlsx", ["a"], Rows())
    assert not (tmp_path / "big.xlsx").exists()


def test_unwritable_path_is_one_error(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file, not a folder")
    for name in ("s.csv", "s.xlsx"):
        with pytest.raises(RiskgraphError, match="cannot write"):
            write_table(tmp_path / "taken" / name, COLUMNS, ROWS)
        (tmp_path / name).mkdir()  # the file's own name is a folder
        with pytest.raises(RiskgraphError, match="cannot write"):
            write_table(tmp_path / name, COLUMNS, ROWS)
