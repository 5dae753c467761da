"""Pure normalisers: the same phone, address, share or date written many ways becomes one
value, so that matching (one Phone node per number) works on messy registry extracts.

Each parser raises ``ValueError`` with a short reason; validation turns that into a
quarantine entry.
"""

from __future__ import annotations

import gc
import hashlib
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
from stdnum.cn import ric, uscc

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


def parse_share(text: str) -> float:
    """A holding as a fraction in (0, 1]: '0.35', '35%' and '３５％' all give 0.35."""
    value = halfwidth(text).strip()
    percent = value.endswith("%")
    number = parse_number(value.removesuffix("%"))
    share = number / 100.0 if percent else number
    if not 0.0 < share <= 1.0 + 1e-9:
        raise ValueError(f"share out of range (0, 1]: {text!r}")
    return min(share, 1.0)


def parse_date(text: str) -> date:
    value = halfwidth(text).strip()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}") from None


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


def normalise_phone(text: str, region: str = "CN") -> Phone:
    """E.164 form of a phone written any common way (+86/86 prefixes, dashes, full-width)."""
    value = halfwidth(text).strip()
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


def normalise_id_number(text: str) -> str:
    """The compact resident ID number; raises when its check digit is wrong."""
    code = ric.compact(halfwidth(text))
    if not ric.is_valid(code):
        raise ValueError("invalid resident ID number")
    return str(code)


def birth_year_from_id(id_number: str) -> int:
    return int(ric.get_birth_date(id_number).year)


def hash_id_number(id_number: str, salt: str) -> str:
    """Salted SHA-256: lets two filings of one person match without storing the number."""
    return hashlib.sha256(f"{salt}:{id_number}".encode()).hexdigest()


def row_key(*parts: object) -> str:
    """A stable key for a row-level fact (a holding, an event) from its normalised content."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
