"""Pure normalisers: the same phone, address, share or date written many ways becomes one
value, so that matching (one Phone node per number) works on messy registry extracts.

Each parser raises ``ValueError`` with a short reason; validation turns that into a
quarantine entry.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import phonenumbers
from stdnum import numdb
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError

_SPACES = re.compile(r"\s+")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def halfwidth(text: str) -> str:
    """Full-width digits, letters and punctuation to their ASCII forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def clean_text(text: str) -> str:
    """Trim and collapse runs of whitespace."""
    return _SPACES.sub(" ", text).strip()


def parse_number(text: str) -> float:
    value = halfwidth(text).replace(",", "").strip()
    if not _NUMBER.match(value):
        raise ValueError(f"not a number: {text!r}")
    return float(value)


def _bare_number(text: str) -> float | None:
    """The number a share cell holds when written without a percent sign, else None."""
    value = halfwidth(text).strip()
    if not value or value.endswith("%"):
        return None
    try:
        return parse_number(value)
    except ValueError:
        return None


def percent_column(texts: Sequence[str]) -> bool:
    """Whether a share column's bare numbers are percents: yes when most of them are above
    1 (no fraction can be), so '35' means 35% only in a file whose shares read like that,
    and one stray '1.5' among fractions stays an error rather than turning them all."""
    bare = [n for t in texts if (n := _bare_number(t)) is not None]
    return sum(n > 1.0 for n in bare) * 2 > len(bare)


def parse_share(text: str, percent: bool = False) -> float:
    """A holding as a fraction in (0, 1]: '0.35', '35%', '35.00%' and '３５％' all give 0.35,
    and so does a bare '35' in a percent column (``percent``)."""
    value = halfwidth(text).strip()
    has_sign = value.endswith("%")
    number = parse_number(value.removesuffix("%").strip())
    share = number / 100.0 if has_sign or percent else number
    if not 0.0 < share <= 1.0 + 1e-9:
        raise ValueError(f"share out of range (0, 1]: {text!r}")
    # rounded, so '33.34%' and '0.3334' are the same float (a holding's key hashes it)
    return round(min(share, 1.0), 10)


_AMOUNT = re.compile(
    r"^(?:人民币)?(?P<number>[+-]?[\d.]+(?:[eE][+-]?\d+)?)\s*(?P<unit>[万亿千])?\s*"
    r"(?P<yuan>元)?\s*(?P<currency>人民币|RMB|CNY)?$",
    re.IGNORECASE,
)
_UNITS = {None: 1.0, "千": 1e3, "万": 1e4, "亿": 1e8}


def parse_amount(text: str) -> float:
    """An amount in CNY, as registries write it: '5,000,000', '500万元', '500万元人民币',
    '1.2亿元'. Other currencies ('500万美元') are refused rather than mixed in."""
    value = halfwidth(text).replace(",", "").replace(" ", "").strip()
    match = _AMOUNT.match(value)
    if match is None:
        raise ValueError(f"not an amount in CNY: {text!r}")
    number = parse_number(match["number"]) * _UNITS[match["unit"]]
    if number < 0:
        raise ValueError(f"negative amount: {text!r}")
    return number


_DATE = re.compile(
    r"^(?P<y>\d{4})(?:[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?|(?P<m8>\d{2})(?P<d8>\d{2}))"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)


def parse_date(text: str) -> date:
    """A date as registries write it: 2019-03-05, 2019/3/5, 2019.03.05, 20190305,
    2019年3月5日 (a trailing time of day, as spreadsheets add, is ignored)."""
    if len(text) == 10 and text[4] == "-":  # the common ISO case, at C speed
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass
    value = halfwidth(text).strip()
    match = _DATE.match(value)
    if match is None:
        raise ValueError(f"not a date (YYYY-MM-DD, YYYY/M/D, YYYYMMDD, YYYY年M月D日): {text!r}")
    month, day = match["m"] or match["m8"], match["d"] or match["d8"]
    try:
        return date(int(match["y"]), int(month), int(day))
    except ValueError:
        raise ValueError(f"no such date: {text!r}") from None


def normalise_uscc(text: str) -> str:
    """The compact USCC; raises when the GB 32100-2015 check character is wrong."""
    code = uscc.compact(halfwidth(text))
    if not uscc.is_valid(code):
        raise ValueError(f"invalid Unified Social Credit Code: {text!r}")
    return str(code)


@dataclass(frozen=True)
class Phone:
    number: str  # E.164
    kind: str  # mobile, fixed_line or other


_KINDS = {
    phonenumbers.PhoneNumberType.MOBILE: "mobile",
    phonenumbers.PhoneNumberType.FIXED_LINE: "fixed_line",
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line",
}


# a note in brackets after the number ("（微信同号）"), an extension ("转8001", "ext. 12")
_PHONE_NOTE = re.compile(r"\s*\([^0-9()]*\)\s*$")
_PHONE_EXTENSION = re.compile(r"\s*(?:转|分机|ext\.?|x)\s*\d{1,6}\s*$", re.IGNORECASE)


def normalise_phone(text: str, region: str = "CN") -> Phone:
    """E.164 form of a phone written any common way (+86/86 prefixes, dashes, full-width,
    a label in front, a note or an extension behind: the line, not the extension)."""
    value = _PHONE_EXTENSION.sub("", _PHONE_NOTE.sub("", halfwidth(text).strip()))
    digits = re.sub(r"\D", "", value)
    if not value.startswith("+") and digits.startswith("86") and len(digits) in (12, 13):
        value = "+" + digits  # '86-138-1234-5678' carries the country code without '+'
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValueError(f"not a phone number: {text!r}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"not a valid phone number: {text!r}")
    number = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(number=number, kind=_KINDS.get(phonenumbers.number_type(parsed), "other"))


@dataclass(frozen=True)
class Address:
    key: str  # province + city + district + rest, half-width, no spaces
    text: str
    province: str | None
    city: str | None
    district: str | None


@cache
def _cpca() -> Any:
    # cpca segments with jieba, whose import warns (pkg_resources deprecation, invalid
    # escape sequences on first compile) and which chats on its logger: not our warnings.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jieba

        jieba.setLogLevel(logging.WARNING)
        import cpca

        # cpca loads its tables on first use and leaves the files open: do that here,
        # and collect the handles, while its warnings are silenced.
        with _quiet_root_logger():
            cpca.transform(["浙江省杭州市"])
        gc.collect()
    return cpca


@contextmanager
def _quiet_root_logger() -> Iterator[None]:
    """cpca logs every place name it cannot map as a root-logger warning."""
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        yield
    finally:
        logging.disable(previous)


def normalise_addresses(texts: Sequence[str]) -> list[Address]:
    """Normalise a batch (the parser is much faster per batch than per address).

    A missing province is filled in from the city, so '杭州市西湖区文三路1号' and
    '浙江省杭州市西湖区文三路１号' get the same key.
    """
    cleaned = [_SPACES.sub("", halfwidth(t)) for t in texts]
    if not cleaned:
        return []
    with _quiet_root_logger():
        frame = _cpca().transform(cleaned)
    out: list[Address] = []
    for original, text, (province, city, district, rest) in zip(
        texts,
        cleaned,
        frame[["省", "市", "区", "地址"]].itertuples(index=False, name=None),
        strict=True,
    ):
        parts = [p if isinstance(p, str) else "" for p in (province, city, district, rest)]
        key = "".join(parts) if any(parts[:3]) else text
        out.append(
            Address(
                key=key,
                text=clean_text(original),
                province=parts[0] or None,
                city=parts[1] or None,
                district=parts[2] or None,
            )
        )
    return out


@cache
def _region_known(code: str) -> bool:
    """Whether a division code is in python-stdnum's table in any era. A resident ID's
    region is where the number was issued, often years after birth, so stdnum's own rule
    (the county existed in the birth year) rejects valid numbers of older people. Cached:
    a province has a few thousand codes, and the table lookup is the slow part of a check."""
    info = {k: v for _, props in numdb.get("cn/loc").info(code) for k, v in props.items()}
    return "county" in info


def upgrade_id_number(code: str) -> str:
    """A 15-digit first-generation number as the 18-digit one it became (GB 11643-1999):
    '19' inserted before the two-digit birth year, and the check character appended."""
    base = code[:6] + "19" + code[6:]
    return base + ric.calc_check_digit(base + "0")


def normalise_id_number(text: str) -> str:
    """The 18-character resident ID number; raises when it is not one. Full-width digits,
    spaces and dashes are compacted, and 15-digit numbers upgraded.

    These are the steps of stdnum's ``ric.validate`` with its own functions (compact,
    check character, birth date), with one rule changed: the region must be known in any
    era, not in the birth year.
    """
    code = ric.compact(re.sub(r"[\s\-]", "", halfwidth(text)))
    if len(code) == 15 and code.isdigit():
        code = upgrade_id_number(code)
    if len(code) != 18:
        raise ValueError("invalid resident ID number: wrong length (not 18 characters)")
    if not code[:-1].isdigit():
        raise ValueError("invalid resident ID number: not digits")
    if code[-1] != ric.calc_check_digit(code):
        raise ValueError("invalid resident ID number: wrong check character")
    try:
        born = ric.get_birth_date(code)
    except ValidationError:
        raise ValueError("invalid resident ID number: no such birth date") from None
    if born > date.today():
        raise ValueError("invalid resident ID number: birth date in the future")
    if not _region_known(code[:6]):
        raise ValueError("invalid resident ID number: unknown region code")
    return str(code)


def birth_year_from_id(id_number: str) -> int:
    return int(ric.get_birth_date(id_number).year)


def hash_id_number(id_number: str, key: bytes) -> str:
    """HMAC-SHA256 under the ID key: two filings of one person match, and the number
    cannot be recovered from the graph without the key (kept outside Neo4j's folder)."""
    return hmac.new(key, id_number.encode(), hashlib.sha256).hexdigest()


_ID_LIKE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8}\d{3}[0-9Xx]|\d{6}\d{3})(?![0-9A-Za-z])")


def mask_id_number(text: str) -> str:
    """What reports show of an ID number: region and last four, e.g. 330902********8446."""
    value = halfwidth(text).strip()
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_ids(text: str) -> str:
    """Any 18- or 15-character run in ``text`` shaped like a resident ID, masked."""
    if not any(c.isdigit() for c in text):
        return text
    return _ID_LIKE.sub(lambda m: mask_id_number(m.group()), text)


def row_key(*parts: object) -> str:
    """A stable key for a row-level fact (a holding, an event) from its normalised content."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
