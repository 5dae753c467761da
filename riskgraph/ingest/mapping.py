"""How a registry export's layout maps onto the bundle: file names, header aliases and
value maps, with the Chinese layout of registry exports built in.

The built-in table below is the documented default (``docs/bundle-format.md``); a
``--mapping FILE.yaml`` adds to it or overrides it for any other layout::

    files:      {companies: 企业名录.xlsx}        # bundle file -> name in the folder
    headers:    {companies: {企业名称: name}}      # per file: header -> column
    values:     {status: {在营: active}}           # per field: value -> riskgraph value

Headers and values are matched after NFKC (full-width to half-width), trimming and, for
values, lower-casing, so ``（在营）`` and ``Active`` need no entries of their own.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import yaml

from riskgraph.errors import RiskgraphError
from riskgraph.graph.schema import CompanyStatus, EventType, HolderType, LinkType, OfficerRole


class MappingError(RiskgraphError):
    """A mapping file that cannot be read or names something riskgraph does not have."""


class Field(StrEnum):
    """The fields whose values are mapped onto riskgraph's closed sets."""

    STATUS = "status"
    HOLDER_TYPE = "holder_type"
    ROLE = "role"
    LINK_TYPE = "link_type"
    EVENT_TYPE = "event_type"


# The closed set each mapped field takes its values from.
FIELD_VALUES: dict[Field, type[StrEnum]] = {
    Field.STATUS: CompanyStatus,
    Field.HOLDER_TYPE: HolderType,
    Field.ROLE: OfficerRole,
    Field.LINK_TYPE: LinkType,
    Field.EVENT_TYPE: EventType,
}

# Chinese headers of registry exports, per bundle file (file stem): header -> column.
HEADERS: dict[str, dict[str, str]] = {
    "companies": {
        "主体编号": "id",
        "统一社会信用代码": "uscc",
        "企业名称": "name",
        "登记状态": "status",
        "成立日期": "established",
        "注册资本": "registered_capital",
        "实缴资本": "paid_in_capital",
        "行业": "industry",
        "行政区划代码": "region",
        "行政区划": "region_name",
    },
    "persons": {
        "人员编号": "id",
        "姓名": "name",
        "证件号码": "id_number",
        "出生年份": "birth_year",
    },
    "shareholdings": {
        "股东编号": "holder_id",
        "股东类型": "holder_type",
        "主体编号": "company_id",
        "持股比例": "share",
        "认缴出资额": "amount",
        "出资日期": "since",
        "退出日期": "until",
    },
    "officers": {
        "人员编号": "person_id",
        "主体编号": "company_id",
        "职务": "role",
        "任职日期": "since",
        "离任日期": "until",
    },
    "addresses": {
        "主体编号": "entity_id",
        "住所": "address",
        "起始日期": "since",
        "截止日期": "until",
    },
    "phones": {
        "主体编号": "entity_id",
        "联系电话": "phone",
        "起始日期": "since",
        "截止日期": "until",
    },
    "links": {
        "主体编号": "source_id",
        "关联主体编号": "target_id",
        "关联类型": "type",
        "金额": "amount",
        "日期": "since",
        "截止日期": "until",
    },
    "events": {
        "主体编号": "company_id",
        "日期": "date",
        "事件类型": "type",
        "严重程度": "severity",
        "描述": "description",
    },
}

# Chinese values, per mapped field: value -> riskgraph value. The English values of each
# closed set are always accepted as well.
VALUES: dict[Field, dict[str, str]] = {
    Field.STATUS: {
        "存续": "active",
        "在业": "active",
        "在营": "active",
        "开业": "active",
        "在册": "active",
        "吊销": "revoked",
        "吊销，未注销": "revoked",
        "注销": "cancelled",
        "经营异常": "abnormal",
        "清算": "liquidating",
        "破产": "bankrupt",
    },
    Field.HOLDER_TYPE: {
        "自然人": "person",
        "自然人股东": "person",
        "个人": "person",
        "企业": "company",
        "企业法人": "company",
        "法人股东": "company",
        "法人": "company",
    },
    Field.ROLE: {
        "法定代表人": "legal_representative",
        "董事长": "chairman",
        "董事": "director",
        "执行董事": "director",
        "副董事长": "director",
        "经理": "manager",
        "总经理": "manager",
        "高级管理人员": "executive",
        "财务负责人": "executive",
        "监事": "supervisor",
        "监事会主席": "supervisor",
    },
    Field.LINK_TYPE: {
        "担保": "guarantee",
        "借贷": "loan",
        "贸易": "trade",
        "分支机构": "branch",
        "租赁": "rent",
        "债权": "creditor",
    },
    Field.EVENT_TYPE: {
        "暴雷": "exposure",
        "立案": "case_filed",
        "诉讼": "litigation",
        "行政处罚": "penalty",
        "经营异常": "abnormal_operation",
        "投诉": "complaint",
        "负面舆情": "negative_news",
        "欠税": "tax_delinquency",
    },
}

_ALLOWED: dict[Field, frozenset[str]] = {
    f: frozenset(m.value for m in values) for f, values in FIELD_VALUES.items()
}
_BRACKETED = re.compile(r"\s*\(.*\)\s*$")  # '存续(在营、开业、在册)' -> '存续'


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


@dataclass(frozen=True)
class Mapping:
    """The layout in force: the built-in table, plus what a mapping file adds."""

    files: dict[str, str] = field(default_factory=dict)  # stem -> file name in the folder
    headers: dict[str, dict[str, str]] = field(default_factory=dict)  # stem -> alias -> column
    values: dict[Field, dict[str, str]] = field(default_factory=dict)  # field -> alias -> value

    def column(self, stem: str, header: str) -> str:
        """The bundle column a header names (itself when it is no alias)."""
        key = unicodedata.normalize("NFKC", header).strip()
        return self.headers.get(stem, {}).get(key, key)

    def value(self, mapped: Field, text: str) -> str | None:
        """The closed-set value ``text`` means, or None when it means none of them."""
        allowed = _ALLOWED[mapped]
        if text in allowed:  # the common case: riskgraph's own value, as written
            return text
        key = _key(text)
        table = self.values.get(mapped, {})
        for candidate in (key, _BRACKETED.sub("", key)):
            if candidate in allowed:
                return candidate
            if candidate in table:
                return table[candidate]
        return None


def _normalised(
    headers: dict[str, dict[str, str]], values: dict[Field, dict[str, str]]
) -> tuple[dict[str, dict[str, str]], dict[Field, dict[str, str]]]:
    return (
        {
            stem: {unicodedata.normalize("NFKC", k).strip(): v for k, v in table.items()}
            for stem, table in headers.items()
        },
        {f: {_key(k): v for k, v in table.items()} for f, table in values.items()},
    )


def default_mapping() -> Mapping:
    headers, values = _normalised(HEADERS, VALUES)
    return Mapping(files={}, headers=headers, values=values)


def _table(data: object, where: str) -> dict[str, str]:
    if not isinstance(data, dict) or not all(
        isinstance(k, str | int | float) and isinstance(v, str) for k, v in data.items()
    ):
        raise MappingError(f"{where}: expected a table of text -> text")
    return {str(k): v for k, v in data.items()}


def load_mapping(path: Path | None, stems: tuple[str, ...]) -> Mapping:
    """The built-in table, with ``path``'s entries (if any) added over it."""
    base = default_mapping()
    if path is None:
        return base
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path}: cannot read the mapping file ({exc})") from exc
    if not isinstance(data, dict) or set(data) - {"files", "headers", "values"}:
        raise MappingError(f"{path}: a mapping has only the sections files, headers, values")
    files = _table(data.get("files") or {}, f"{path}: files")
    headers_in = data.get("headers") or {}
    values_in = data.get("values") or {}
    if not isinstance(headers_in, dict) or not isinstance(values_in, dict):
        raise MappingError(f"{path}: headers and values are tables")
    for stem in [*files, *headers_in]:
        if stem not in stems:
            raise MappingError(f"{path}: no bundle file {stem!r} (one of {', '.join(stems)})")
    headers = {s: _table(t, f"{path}: headers.{s}") for s, t in headers_in.items()}
    values: dict[Field, dict[str, str]] = {}
    for name, table in values_in.items():
        try:
            mapped = Field(name)
        except ValueError:
            known = ", ".join(f.value for f in Field)
            raise MappingError(f"{path}: no mapped field {name!r} (one of {known})") from None
        entries = _table(table, f"{path}: values.{name}")
        allowed = {m.value for m in FIELD_VALUES[mapped]}
        for alias, value in entries.items():
            if value not in allowed:
                raise MappingError(
                    f"{path}: values.{name}: {alias!r} -> {value!r} is not one of "
                    f"{', '.join(sorted(allowed))}"
                )
        values[mapped] = entries
    extra_headers, extra_values = _normalised(headers, values)
    return Mapping(
        files=files,
        headers={
            s: {**base.headers.get(s, {}), **extra_headers.get(s, {})}
            for s in {*base.headers, *extra_headers}
        },
        values={
            f: {**base.values.get(f, {}), **extra_values.get(f, {})}
            for f in {*base.values, *extra_values}
        },
    )
