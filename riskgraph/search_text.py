"""The forms of a name that search matches: what ingest stores beside each company's and
person's name, and what a query is turned into before it is looked up.

Investigators type a name the way they heard or read it: in traditional characters (a Hong
Kong or Taiwan document), without the legal form (``杭州金鑫科技`` for ``杭州金鑫科技有限公司``),
in full-width letters, or as pinyin initials (``hzjxkj``). Two forms cover these:

- ``search_name``: simplified (OpenCC ``t2s``), NFKC (half-width), lower case, spaces and
  punctuation dropped, the legal form at the end dropped: matched by the full-text index
  (Neo4j's ``cjk`` analyzer, character bigrams) and exactly.
- ``name_initials``: the first letter of each character's pinyin (its most common reading,
  from pypinyin's character table; a polyphonic character's other readings are not
  indexed), letters and digits kept as they are: matched by prefix.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# Legal forms dropped from the end of a name (longest first): what users leave out.
LEGAL_FORMS = tuple(
    sorted(
        (
            "股份有限公司",
            "有限责任公司",
            "集团有限公司",
            "有限公司",
            "合伙企业(有限合伙)",
            "合伙企业(普通合伙)",
            "有限合伙",
            "普通合伙",
            "合伙企业",
            "个人独资企业",
            "分公司",
            "公司",
            "co.,ltd.",
            "co.,ltd",
            "co.ltd",
            "ltd.",
            "ltd",
            "limited",
        ),
        key=len,
        reverse=True,
    )
)
_DROPPED = re.compile(r"[\s\-_·•・,.，。、'\"“”‘’()（）\[\]【】]+")
# the legal forms as they stand at the end of a compacted name, made once (not per name)
_COMPACT_FORMS = tuple(_DROPPED.sub("", form) for form in LEGAL_FORMS)


@cache
def _t2s() -> object:
    import opencc  # here: the converter loads its dictionaries (30 ms) on first use

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC); others unchanged."""
    return str(_t2s().convert(text))  # type: ignore[attr-defined]


def search_name(name: str) -> str:
    """The name as search matches it (see the module docstring); '' for no name."""
    text = simplified(unicodedata.normalize("NFKC", name)).lower()
    compact = _DROPPED.sub("", text.replace("（", "(").replace("）", ")"))
    for bare in _COMPACT_FORMS:
        if compact.endswith(bare) and len(compact) > len(bare):
            return compact[: -len(bare)]
    return compact


@cache
def _initial_table() -> dict[int, str]:
    """Code point -> the first letter of its most common pinyin reading, tone marks
    dropped: one ``str.translate`` per name (pypinyin's phrase-aware conversion costs
    190 microseconds a name, 6 minutes for a province's two million names)."""
    from pypinyin.pinyin_dict import pinyin_dict

    table = {}
    for code, readings in pinyin_dict.items():
        first = unicodedata.normalize("NFD", readings.split(",")[0])[:1].lower()
        if first.isascii() and first.isalpha():
            table[code] = first
    return table


def name_initials(name: str) -> str:
    """Pinyin initials of the search form: ``杭州金鑫科技有限公司`` -> ``hzjxkj``; letters and
    digits kept; other characters (no reading known) dropped."""
    return search_forms(name)[1]


def search_forms(name: str) -> tuple[str, str]:
    """(search_name, name_initials) of a name, converted once: what ingest stores."""
    form = search_name(name)
    converted = form.translate(_initial_table())
    return form, "".join(ch for ch in converted if ch.isascii() and ch.isalnum())


def is_initials(query: str) -> bool:
    """Whether a query could be pinyin initials (ASCII letters, at least two)."""
    text = unicodedata.normalize("NFKC", query).strip().lower()
    return len(text) >= 2 and text.isascii() and text.isalpha()
