"""The search forms of names: what ingest stores and what a query becomes."""

from __future__ import annotations

import pytest

from riskgraph.search_text import is_initials, name_initials, search_forms, search_name, simplified


@pytest.mark.parametrize(
    ("name", "form", "initials"),
    [
        ("杭州金鑫科技有限公司", "杭州金鑫科技", "hzjxkj"),
        ("杭州金鑫科技股份有限公司", "杭州金鑫科技", "hzjxkj"),
        ("臺灣發展銀行股份有限公司", "台湾发展银行", "twfzyx"),  # traditional
        ("舟山（定海）贸易有限公司", "舟山定海贸易", "zsdhmy"),  # full-width brackets
        ("ＡＢＣ Trading Co., Ltd.", "abctrading", "abctrading"),  # full-width, English form
        ("王伟", "王伟", "ww"),
        ("公司", "公司", "gs"),  # nothing left without the legal form: kept whole
        ("", "", ""),
    ],
)
def test_search_forms(name: str, form: str, initials: str) -> None:
    assert search_name(name) == form
    assert name_initials(name) == initials
    assert search_forms(name) == (form, initials)


def test_a_query_and_a_stored_name_meet_in_the_same_form() -> None:
    stored = search_name("杭州金鑫科技有限公司")
    for typed in (
        "杭州金鑫科技",
        "杭州金鑫科技有限公司",
        "杭州金鑫科技有限責任公司",
        " 杭州 金鑫科技 ",
    ):
        assert search_name(typed) == stored, typed
    assert simplified("發展") == "发展"


def test_what_could_be_initials() -> None:
    assert is_initials("hzjx") and is_initials("ＨＺＪＸ") and not is_initials("h")
    assert not is_initials("杭州") and not is_initials("91330100") and not is_initials("a b")
