"""Identifier codecs: USCCs, resident ID numbers, phone and address spellings.

Check characters come from python-stdnum so that the generator and the loader agree on
what "valid" means; the spellings reproduce the ways one number or address is really
written on different filings.
"""

from __future__ import annotations

import re
from functools import cache

from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

from riskgraph.ingest.synthetic.tables import DISTRICTS, OUTSIDE_ID_CODES, PROVINCE, District

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def full_width(text: str) -> str:
    """Full-width digits are common in hand-typed Chinese filings."""
    return text.translate(_FULL_WIDTH)


def _org_check(body: str) -> str:
    """GB 11714 check character of the organisation code inside a USCC.

    stdnum does not check this segment, but real codes carry it, so we do too.
    """
    total = sum(int(ch, 36) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def make_uscc(region: str, body: str) -> str:
    """18-character code: 9 (market regulator) 1 (enterprise), region, org code, check."""
    stem = "91" + region + body + _org_check(body)
    return stem + uscc.calc_check_digit(stem)


def corrupt_uscc(code: str, shift: int) -> str:
    """Same code with a wrong check character (shift in 1..30), a typo the loader must catch."""
    last = USCC_ALPHABET[(USCC_ALPHABET.index(code[-1]) + shift) % len(USCC_ALPHABET)]
    return code[:-1] + last


def make_ric(body17: str) -> str:
    """Resident ID number with its ISO 7064 check digit."""
    return body17 + ric.calc_check_digit(body17 + "0")


def _zhejiang_id_codes() -> tuple[str, ...]:
    counties = (
        "330122", "330127", "330225", "330226", "330324", "330326", "330327", "330381",
        "330421", "330424", "330481", "330521", "330522", "330523", "330624", "330681",
        "330723", "330726", "330781", "330783", "330784", "330825", "331022", "331081",
        "331121", "331123",
        # pre-1983 codes, the only ones stdnum accepts for people born before the reforms
        "330120", "330121", "330123", "330124", "330125", "330126", "330220", "330320",
    )  # fmt: skip
    return tuple(d.code for d in DISTRICTS) + counties


@cache
def id_codes_for_year(year: int, outside: bool) -> tuple[str, ...]:
    """Address codes that stdnum accepts for someone born in ``year``.

    Divisions were created and abolished over the decades and stdnum checks the code
    against the birth year, so the choice must depend on it.
    """
    candidates = OUTSIDE_ID_CODES if outside else _zhejiang_id_codes()
    ok = []
    for code in candidates:
        try:
            ric.get_birth_place(f"{code}{year:04d}01010010")
        except (ValidationError, KeyError):
            continue
        ok.append(code)
    return tuple(ok) or candidates[:1]


# ---------------------------------------------------------------------------- phones

MOBILE_STYLES = 7
LANDLINE_STYLES = 7


def spell_mobile(digits: str, style: int) -> str:
    """One 11-digit mobile number written the ways filings really write it."""
    a, b, c = digits[:3], digits[3:7], digits[7:]
    if style == 1:
        return f"+86 {a} {b} {c}"
    if style == 2:
        return f"86-{a}-{b}-{c}"
    if style == 3:
        return f"+86{digits}"
    if style == 4:
        return f"{a}-{b}-{c}"
    if style == 5:
        return f"{a} {b} {c}"
    if style == 6:
        return full_width(digits)
    return digits


def spell_landline(digits: str, style: int) -> str:
    """A landline stored as 0 + area code + local number (``0571`` + ``87654321``)."""
    area, local = digits[:4], digits[4:]
    cut = len(local) - 4
    if style == 1:
        return f"({area}){local}"
    if style == 2:
        return digits
    if style == 3:
        return f"+86 {area[1:]} {local[:cut]} {local[cut:]}"
    if style == 4:
        return f"{area} {local}"
    if style == 5:
        return full_width(f"{area}-{local}")
    if style == 6:
        return f"86-{area[1:]}-{local}"
    return f"{area}-{local}"


def spell_phone(digits: str, style: int) -> str:
    return spell_landline(digits, style) if digits[0] == "0" else spell_mobile(digits, style)


# ---------------------------------------------------------------------------- addresses


def district_prefix(d: District) -> str:
    """The place word at the front of a company name: 义乌 for a county city, else 杭州."""
    return d.name[:-1] if d.name.endswith("市") else d.city[:-1]


def spell_address(head: str, tail: str, omit_province: bool, wide: bool) -> str:
    """``head`` is city + district, ``tail`` the street part; the province is often left out."""
    text = head + tail if omit_province else PROVINCE + head + tail
    return full_width(text) if wide else text


# ---------------------------------------------------------------------------- dirty forms

DIRTY_STYLES = 6
_WIDE_DASH = str.maketrans({"-": "－", "(": "（", ")": "）", ":": "："})
_NUMERALS = "〇一二三四五六七八九"


def dirty_phone(digits: str, style: int) -> str:
    """A number as hand-typed on a careless filing: a label in front, an extension or a
    note behind, 0086, dots, full-width punctuation; it still names the same line."""
    if digits[0] == "0":
        area, local = digits[:4], digits[4:]
        forms = (
            f"电话：{area}-{local}",
            f"{area}-{local}转{8000 + int(local[-2:])}",
            f"（{area}）{local[:4]} {local[4:]}",
            f"0086-{area[1:]}-{local}",
            f"Tel:{area}{local}",
            full_width(f"{area}-{local}").translate(_WIDE_DASH),
        )
    else:
        a, b, c = digits[:3], digits[3:7], digits[7:]
        forms = (
            f"手机：{digits}",
            f"{a}.{b}.{c}",
            f"0086 {a} {b} {c}",
            f"(+86){a}-{b}-{c}",
            f"{digits}（微信同号）",
            full_width(f"{a}-{b}-{c}").translate(_WIDE_DASH),
        )
    return forms[style % len(forms)]


def chinese_number(value: int) -> str:
    """1-99 in Chinese numerals (十二, 二十, 九十九), as house numbers are sometimes written."""
    tens, units = divmod(value, 10)
    head = "" if tens == 0 else "十" if tens == 1 else _NUMERALS[tens] + "十"
    return head + (_NUMERALS[units] if units or not head else "")


def dirty_tail(tail: str, style: int) -> str:
    """The street part of an address spelled another way: 栋 for 幢 or 座, 层 and 楼 swapped,
    the 室 left off, # for 号, a small house number in Chinese numerals, spaces between
    the parts."""
    number = re.search(r"(\d+)号", tail)
    if style == 0:
        return re.sub(r"(?<=[0-9A-D])[幢座]", "栋", tail).replace("层", "楼")
    if style == 1 and tail.endswith("室"):
        return tail[:-1]
    if style in (1, 2) and number and number.end() < len(tail):
        return tail[: number.end() - 1] + "#" + tail[number.end() :].removesuffix("室")
    if style == 3 and number and int(number.group(1)) < 100:
        return tail[: number.start()] + chinese_number(int(number.group(1))) + tail[number.end(1) :]
    if style == 4:
        return re.sub(r"(号|幢|座|层|楼)(?=.)", r"\1 ", tail)
    return re.sub(r"(?<=\d)楼", "层", tail).removesuffix("室")
