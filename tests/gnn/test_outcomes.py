"""Reading the outcomes file (companies that failed after a past snapshot)."""

from __future__ import annotations

from pathlib import Path

import pytest

from riskgraph.gnn.outcomes import OutcomesError, read_outcomes


def _file(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "failures.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_reads_the_company_ids_in_order_without_repeats(tmp_path: Path) -> None:
    path = _file(
        tmp_path, "company_id,date,cause\nB, 2024-01-02,x\nA,2024-03-01,y\nB,2024-05-01,z\n"
    )
    assert read_outcomes(path) == ["B", "A"]


def test_a_spreadsheet_export_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    assert read_outcomes(_file(tmp_path, "company_id\nA\n", encoding="utf-8-sig")) == ["A"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("company,date\nA,2024-01-01\n", "failures.csv: no company_id column"),
        ("company_id,date\nA,2024-01-01\n ,2024-02-01\n", "failures.csv:3: empty company_id"),
        ("company_id\n", "failures.csv: no companies listed"),
        ("", "failures.csv: no company_id column"),
    ],
)
def test_unusable_files_are_refused_with_the_file_and_line(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(OutcomesError, match=message):
        read_outcomes(_file(tmp_path, text))


def test_a_missing_or_binary_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutcomesError, match=r"missing\.csv"):
        read_outcomes(tmp_path / "missing.csv")
    binary = tmp_path / "failures.csv"
    binary.write_bytes(b"company_id\n\xff\xfe\x00\n")
    with pytest.raises(OutcomesError, match="not a UTF-8 CSV"):
        read_outcomes(binary)
