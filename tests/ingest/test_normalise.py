from __future__ import annotations

from datetime import date

import pytest

from riskgraph.ingest import normalise as norm


@pytest.mark.parametrize(
    "spelling",
    [
        "13812345678",
        "+86 138 1234 5678",
        "86-138-1234-5678",
        "１３８１２３４５６７８",
        "+86-13812345678",
    ],
)
def test_one_mobile_many_spellings(spelling: str) -> None:
    assert norm.normalise_phone(spelling) == norm.Phone("+8613812345678", "mobile")


@pytest.mark.parametrize("spelling", ["0571-87654321", "(0571)87654321", "+86 571 8765 4321"])
def test_landline_with_area_code(spelling: str) -> None:
    assert norm.normalise_phone(spelling) == norm.Phone("+8657187654321", "fixed_line")


@pytest.mark.parametrize("bad", ["12345", "abc", "", "138123456789999"])
def test_bad_phone(bad: str) -> None:
    with pytest.raises(ValueError):
        norm.normalise_phone(bad)


@pytest.mark.parametrize(
    ("text", "share"), [("0.35", 0.35), ("35%", 0.35), ("３５％", 0.35), ("1", 1.0)]
)
def test_share_fraction_or_percent(text: str, share: float) -> None:
    assert norm.parse_share(text) == pytest.approx(share)


@pytest.mark.parametrize("bad", ["0", "135%", "1.2", "-0.1", "abc", "35%%"])
def test_share_out_of_range(bad: str) -> None:
    with pytest.raises(ValueError):
        norm.parse_share(bad)


def test_dates() -> None:
    assert norm.parse_date("2023-01-31") == date(2023, 1, 31)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        norm.parse_date("2023-13-45")


def test_uscc_check_character() -> None:
    valid = "91110000600037341L"  # a published code
    assert norm.normalise_uscc(valid) == valid
    assert norm.normalise_uscc(" 91110000600037341l ") == valid
    with pytest.raises(ValueError, match="Unified Social Credit Code"):
        norm.normalise_uscc("91110000600037341A")


def test_address_forms_share_a_key() -> None:
    a, b, c = norm.normalise_addresses(
        [
            "杭州市西湖区文三路１２３号 5楼",
            "浙江省杭州市西湖区文三路123号5楼",
            "温州鹿城区五马街1号",
        ]
    )
    assert a.key == b.key == "浙江省杭州市西湖区文三路123号5楼"
    assert (a.province, a.city, a.district) == ("浙江省", "杭州市", "西湖区")
    assert c.city == "温州市" and c.key.startswith("浙江省温州市鹿城区")


def test_resident_id_is_checked_and_hashed_with_salt() -> None:
    number = "11010519491231002X"  # the GB 11643 example
    assert norm.normalise_id_number(number.lower()) == number
    assert norm.birth_year_from_id(number) == 1949
    with pytest.raises(ValueError):
        norm.normalise_id_number("110105194912310021")
    hashed = norm.hash_id_number(number, "salt-a")
    assert number not in hashed and len(hashed) == 64
    assert hashed != norm.hash_id_number(number, "salt-b")


def test_row_key_is_stable_and_content_sensitive() -> None:
    assert norm.row_key("a", 1, None) == norm.row_key("a", 1, None)
    assert norm.row_key("a", 1, None) != norm.row_key("a", 2, None)
    assert norm.row_key("a", "b") != norm.row_key("ab", "")
