"""Reasons, levels and pages in zh-CN and English: the catalogue is complete, every code
renders in both languages, and the request's language is chosen as browsers ask."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from riskgraph.graph.schema import Level, Tier
from riskgraph.i18n.locale import Locale, negotiate
from riskgraph.i18n.render import Renderer
from riskgraph.risk.codes import Reason, ReasonCode, RingReasonCode

PACKAGE = Path(__file__).resolve().parents[2] / "riskgraph"
CJK = re.compile(r"[\u4e00-\u9fff]")
COMPANY = {"label": "Company", "id": "91330100MA2X", "name": "杭州某某投资有限公司"}
PERSON = {"label": "Person", "id": "P0001", "name": "张伟"}
PATH = {"seed": COMPANY, "hops": [{"type": "LOAN", "entity": {"label": "Company", "id": "C2"}}]}
EXAMPLES = {
    ReasonCode.EXPOSED: {},
    ReasonCode.CONTAGION: {"contagion": 0.123, "path": PATH},
    ReasonCode.FRONT_OF_EXPOSED: {"person": PERSON, "exposed": 2},
    ReasonCode.NOMINEE_FRONT: {"person": PERSON, "companies": 5},
    ReasonCode.RING_MEMBER: {"ring": "R0001", "score": 0.7, "companies": 9, "persons": 4,
                             "exposed": 1},
    ReasonCode.REGISTRATION_BURST: {"identifier": {"label": "Phone", "id": "+86138****5678"},
                                    "companies": 6, "days": 40},
    ReasonCode.RECENT_EVENTS: {"counts": {"litigation": 3, "complaint": 1}, "years": 2},
    ReasonCode.HIGH_RISK_INDUSTRY: {"industry": "投资咨询"},
    ReasonCode.GNN: {"probability": 0.42, "target": "outcome"},
    RingReasonCode.MEMBERS_EXPOSED: {"exposed": 2},
    RingReasonCode.REGISTRATION_BURST: {"burst": 5, "companies": 8},
    RingReasonCode.NOMINEE_FRONTS: {"fronted": 4, "companies": 8},
    RingReasonCode.HIGH_RISK_INDUSTRY: {"percent": 75},
    RingReasonCode.ALARM_EVENTS: {"per_company": 1.5},
    RingReasonCode.CIRCULAR_HOLDINGS: {},
    RingReasonCode.TIED: {"percent": 80},
}  # fmt: skip


def test_every_message_in_the_code_is_translated() -> None:
    keywords = {**DEFAULT_KEYWORDS, "ntext": (1, 2)}
    found = {m[2] for m in extract_from_dir(str(PACKAGE), keywords=keywords)}
    assert len(found) > 60
    with (PACKAGE / "i18n" / "zh_CN.po").open("rb") as po:
        catalog = read_po(po, locale="zh_CN")
    missing = []
    for message in found:
        entry = catalog.get(message[0] if isinstance(message, tuple) else message)
        text = None if entry is None else entry.string
        if not text or (isinstance(text, tuple) and not all(text)):
            missing.append(message)
    assert missing == []


@pytest.mark.parametrize("code", list(EXAMPLES))
def test_every_code_reads_in_both_languages(code: ReasonCode | RingReasonCode) -> None:
    reason = Reason(code, EXAMPLES[code])
    zh, en = Renderer(Locale.ZH_CN).reason(reason), Renderer(Locale.EN).reason(reason)
    assert CJK.search(zh) and zh != en
    for text in (zh, en):
        assert "{" not in text and "}" not in text
    assert not re.search("[a-z]{4}", zh.replace("GNN", "")), zh  # no English left over


def test_entities_are_named_with_their_ids() -> None:
    words = Renderer(Locale.ZH_CN)
    text = words.reason(Reason(ReasonCode.FRONT_OF_EXPOSED, {"person": PERSON, "exposed": 1}))
    assert "张伟（P0001）" in text
    path = words.reason(Reason(ReasonCode.CONTAGION, {"contagion": 0.2, "path": PATH}))
    assert "杭州某某投资有限公司（91330100MA2X）" in path and "企业 C2" in path


def test_levels_and_tiers() -> None:
    zh, en = Renderer(Locale.ZH_CN), Renderer(Locale.EN)
    assert [zh.level(v) for v in (Level.RED, Level.ORANGE, Level.YELLOW)] == [
        "红色",
        "橙色",
        "黄色",
    ]
    assert [zh.tier(t) for t in Tier] == ["重点关注", "一般关注", "暂无异常"]
    assert en.level("red") == "red" and en.tier(Tier.KEY_CONCERN) == "key concern"


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        (None, Locale.ZH_CN),
        ("", Locale.ZH_CN),
        ("en", Locale.EN),
        ("en-US,en;q=0.9", Locale.EN),
        ("fr-FR,en;q=0.5,zh;q=0.8", Locale.ZH_CN),
        ("zh-TW", Locale.ZH_CN),
        ("de, *;q=0.1", Locale.ZH_CN),
        ("en;q=0, zh-CN;q=0.2", Locale.ZH_CN),
        ("en;q=abc, zh;q=0.1", Locale.ZH_CN),
    ],
)
def test_accept_language(header: str | None, chosen: Locale) -> None:
    assert negotiate(header, Locale.ZH_CN) is chosen


def test_the_default_locale_applies_when_nothing_matches() -> None:
    assert negotiate("de-DE", Locale.EN) is Locale.EN


def test_a_stored_reason_missing_its_parameters_is_left_out_not_fatal() -> None:
    broken = Reason(ReasonCode.CONTAGION, {})
    fine = Reason(ReasonCode.EXPOSED)
    words = Renderer(Locale.ZH_CN)
    assert words.reasons([broken, fine]) == [words.reason(fine)]
    assert words.level_or_none("green") is None and words.tier_or_none(None) is None
