from __future__ import annotations

from datetime import date

import pytest
from stdnum.cn import ric

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


@pytest.mark.parametrize(
    "spelling",
    [
        "手机：13812345678",
        "138.1234.5678",
        "0086 138 1234 5678",
        "(+86)138-1234-5678",
        "13812345678（微信同号）",
        "１３８－１２３４－５６７８",
    ],
)
def test_a_careless_mobile_is_still_the_same_line(spelling: str) -> None:
    assert norm.normalise_phone(spelling) == norm.Phone("+8613812345678", "mobile")


@pytest.mark.parametrize(
    "spelling",
    [
        "0571-87654321",
        "(0571)87654321",
        "+86 571 8765 4321",
        "电话：0571-87654321",
        "0571-87654321转8021",
        "0571 87654321 ext. 12",
        "（0571）8765 4321",
        "Tel:057187654321",
    ],
)
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


@pytest.mark.parametrize(
    "text",
    ["2019-03-05", "2019/3/5", "2019.03.05", "20190305", "2019年3月5日", "２０１９-03-05",
     "2019-03-05 00:00:00", "2019/03/05"],
)  # fmt: skip
def test_dates_as_registries_write_them(text: str) -> None:
    assert norm.parse_date(text) == date(2019, 3, 5)


@pytest.mark.parametrize("bad", ["2023-13-45", "2019-02-30", "2019", "3/5/2019", "明天", "201935"])
def test_bad_dates(bad: str) -> None:
    with pytest.raises(ValueError, match="date"):
        norm.parse_date(bad)


@pytest.mark.parametrize(
    ("text", "amount"),
    [("500万元", 5e6), ("500万元人民币", 5e6), ("1.2亿元", 1.2e8), ("5,000,000", 5e6),
     ("５００万", 5e6), ("5000000.00", 5e6), ("人民币200万元", 2e6), ("0", 0.0)],
)  # fmt: skip
def test_amounts_in_cny(text: str, amount: float) -> None:
    assert norm.parse_amount(text) == pytest.approx(amount)


@pytest.mark.parametrize("bad", ["500万美元", "abc", "-5", "12万元x", "壹佰万"])
def test_bad_amounts(bad: str) -> None:
    with pytest.raises(ValueError):
        norm.parse_amount(bad)


def test_bare_shares_are_percents_only_in_a_percent_column() -> None:
    assert norm.percent_column(["35", "0.5", "20", "20%"])
    assert not norm.percent_column(["0.35", "1", "50%", ""])
    assert not norm.percent_column(["0.35", "0.2", "1.5"])  # one stray value turns nothing
    assert norm.parse_share("33.34%") == norm.parse_share("0.3334")
    assert norm.parse_share("35", percent=True) == pytest.approx(0.35)
    assert norm.parse_share("35.00%") == pytest.approx(0.35)
    assert norm.parse_share("35%", percent=True) == pytest.approx(0.35)  # never divided twice
    with pytest.raises(ValueError):
        norm.parse_share("35")  # a fraction column: 35 is out of range


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


def _with_check(base: str) -> str:
    return base + ric.calc_check_digit(base + "0")


def test_resident_id_is_checked_and_hashed_with_a_key() -> None:
    number = "11010519491231002X"  # the GB 11643 example
    assert norm.normalise_id_number(number.lower()) == number
    assert norm.birth_year_from_id(number) == 1949
    with pytest.raises(ValueError):
        norm.normalise_id_number("110105194912310021")
    hashed = norm.hash_id_number(number, b"key-a")
    assert number not in hashed and len(hashed) == 64
    assert hashed != norm.hash_id_number(number, b"key-b")


def test_region_created_after_the_birth_year_is_valid() -> None:
    # 330902 Dinghai district was created in 1987; its numbers were issued to everyone
    # living there, whenever they were born. stdnum's own rule rejects this one.
    number = _with_check("33090219560101844")
    assert not ric.is_valid(number)
    assert norm.normalise_id_number(number) == number


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        (_with_check("33999919560101844"), "unknown region"),  # no such division, any era
        (_with_check("33090219561301844"), "invalid"),  # month 13
        (_with_check("33090221560101844"), "future"),  # born in 2156
        ("33090219560101844" + "Y", "invalid"),
        ("123", "length"),
    ],
)
def test_invalid_resident_ids(bad: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        norm.normalise_id_number(bad)


def test_first_generation_numbers_are_upgraded() -> None:
    eighteen = _with_check("33090219560101844")
    assert norm.normalise_id_number("330902560101844") == eighteen


def test_full_width_digits_and_spaces_are_compacted() -> None:
    number = _with_check("33090219560101844")
    spaced = "３３０９０２　1956 0101-" + number[14:]
    assert norm.normalise_id_number(spaced) == number


def test_masks_keep_region_and_last_four() -> None:
    number = _with_check("33090219560101844")
    assert norm.mask_id_number(number) == "330902********" + number[-4:]
    text = f"身份证 {number}，旧号 330902560101844，代码 91330106MA2000001X"
    masked = norm.mask_ids(text)
    assert number not in masked and "330902560101844" not in masked
    assert "91330106MA2000001X" in masked  # a company code is no ID number


def test_row_key_is_stable_and_content_sensitive() -> None:
    assert norm.row_key("a", 1, None) == norm.row_key("a", 1, None)
    assert norm.row_key("a", 1, None) != norm.row_key("a", 2, None)
    assert norm.row_key("a", "b") != norm.row_key("ab", "")
