"""The offline HTML explanation pages: self-contained, escaped, legible, and they render.

The unit tests read the page; the ``browser`` tests render it in headless Chromium with the
network cut off (see tests/api/browser.py; ``make chromium`` provides one without root).
"""

from __future__ import annotations

import copy
import json
import re
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from riskgraph.api.visual import (
    EDGE_COLOUR,
    EVIDENCE_COLOUR,
    LEVEL_COLOURS,
    TYPE_STYLES,
    UNSCORED_COLOUR,
    external_references,
    render_subgraph,
    write_subgraph_html,
)
from riskgraph.i18n.locale import Locale
from riskgraph.i18n.render import Renderer
from tests.api import browser

EN = Renderer(Locale.EN)  # the tests below read the English page; one test reads zh-CN
EVIL = "<script>alert(1)</script>"
EVIL_ATTR = '"><img src=x onerror=alert(2)> href'


def node(node_id: str, kind: str, name: str, level: str | None = None) -> dict[str, Any]:
    score = {"red": 91, "orange": 66, "yellow": 41, "none": 8}.get(level or "")
    return {"id": node_id, "type": kind, "name": name, "level": level, "score": score}


def edge(source: str, target: str, label: str, evidence: bool = False) -> dict[str, Any]:
    kind = label.split()[0]
    return {"source": source, "target": target, "type": kind, "label": label, "evidence": evidence}


SUBGRAPH: dict[str, Any] = {
    "center": "C1",
    "nodes": [
        node("C1", "Company", "深圳市前海鑫融投资管理有限公司", "red"),
        node("C2", "Company", "广州恒通商贸有限公司", "orange"),
        node("C3", "Company", "东莞市宏达实业有限公司", "yellow"),
        node("C4", "Company", "佛山绿源科技有限公司", "none"),
        node("C5", "Company", EVIL),
        node("P1", "Person", "张伟"),
        node("P2", "Person", EVIL_ATTR),
        node("A1", "Address", "深圳市南山区科技园南区8栋"),
        node("T1", "Phone", "+86 755 8888 0000"),
        node("E1", "Event", "2023 非法集资立案"),
        node("R1", "Ring", "团伙 17"),
    ],
    "edges": [
        edge("P1", "C1", "HOLDS 51%", evidence=True),
        edge("P1", "C1", "LEGAL_REP"),
        edge("P1", "C2", "HOLDS 30%", evidence=True),
        edge("C2", "C3", "HOLDS 80%"),
        edge("C3", "C2", "HOLDS 5%"),
        edge("P2", "C4", "OFFICER_OF 监事"),
        edge("P2", "C1", EVIL),
        edge("C1", "A1", "REGISTERED_AT"),
        edge("C5", "A1", "REGISTERED_AT"),
        edge("C1", "T1", "HAS_PHONE"),
        edge("C4", "T1", "HAS_PHONE"),
        edge("C1", "E1", "HAS_EVENT"),
        edge("C1", "R1", "MEMBER_OF"),
    ],
    "left_out": 12,
    "note": None,
}


def subgraph(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(SUBGRAPH)
    data.update(changes)
    return data


@pytest.fixture(scope="module")
def page() -> str:
    return render_subgraph(SUBGRAPH, EN)


def dataset(page: str, name: str) -> list[dict[str, Any]]:
    """The nodes or edges handed to vis-network, as the browser will see them."""
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", page)
    assert match, f"no {name} DataSet in the page"
    items: list[dict[str, Any]] = json.loads(match.group(1))
    return items


def markup(page: str) -> str:
    """The page without inline script and style bodies (what HTML parsing sees as tags)."""
    page = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", page, flags=re.S | re.I)
    return re.sub(r"(<style\b[^>]*>).*?</style>", r"\1</style>", page, flags=re.S | re.I)


# --- self-contained ---------------------------------------------------------------------


def test_page_references_nothing_on_the_network(page: str) -> None:
    assert external_references(page) == []
    # Independently of the module's own scanner: no attribute or CSS url() with a URL.
    fetching = r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)\s*(?:https?:)?//"""
    assert re.findall(fetching, page, re.I) == []
    tags = markup(page)
    assert "<link" not in tags and "<!--" not in tags
    assert re.findall(r"<script\b[^>]*\bsrc\s*=", tags, re.I) == []
    assert "bootstrap" not in page.lower() and "cdn" not in tags.lower()


def test_vis_network_is_inlined(page: str) -> None:
    assert len(page) > 300_000  # vis-network's script and stylesheet are in the page
    assert "new vis.Network(" in page and ".vis-network" in page


def test_written_as_utf8_with_its_charset_declared(tmp_path: Path) -> None:
    path = write_subgraph_html(SUBGRAPH, tmp_path / "c1.html", EN)
    assert path == tmp_path / "c1.html"
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # strict: fails on anything else
    head = text[: text.index("</head>")]
    assert '<meta charset="utf-8">' in text[: text.index("<title>")]
    assert "<title>Related parties of 深圳市前海鑫融投资管理有限公司</title>" in head
    for name in (
        "深圳市前海鑫融投资管理有限公司",
        "佛山绿源科技有限公司",
        "深圳市南山区科技园南区8栋",
    ):
        assert name.encode("utf-8") in raw


# --- escaping ---------------------------------------------------------------------------


def test_user_strings_are_escaped(page: str) -> None:
    assert EVIL not in page
    assert "<img" not in page  # no attribute broken out of, no tag opened
    assert 'value="&quot;&gt;&lt;img src=x onerror=alert(2)&gt; href"' in markup(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup(page)  # shown, as text
    names = {node["rgName"] for node in dataset(page, "nodes")}
    assert {EVIL, EVIL_ATTR} <= names  # the data is intact once parsed
    assert EVIL in {edge["label"] for edge in dataset(page, "edges")}


def test_title_and_centre_name_are_escaped() -> None:
    data = subgraph(center="C5")
    assert EVIL not in render_subgraph(data, EN)
    titled = render_subgraph(data, EN, title=f"Case {EVIL}")
    assert EVIL not in titled and "<title>Case &lt;script&gt;" in titled


def test_names_with_href_do_not_switch_pyvis_to_html_tooltips(page: str) -> None:
    assert "popup.innerHTML" not in page
    assert all("title" not in node for node in dataset(page, "nodes"))  # set as text in JS
    assert "title: n.rgTitle" in page


# --- what the page shows ----------------------------------------------------------------


def test_legend_and_search_are_there(page: str) -> None:
    tags = markup(page)
    legend = tags[tags.index('class="rg-legend"') :]
    for word in ("red", "orange", "yellow", "none", "unscored", "person", "address", "phone"):
        assert word in legend
    assert "green" not in legend  # only the levels the engine produces
    assert "evidence path" in legend
    assert 'id="rg-search"' in tags and 'list="rg-names"' in tags
    assert '<option value="张伟">' in tags
    assert "network.selectNodes(ids)" in page and "network.focus(" in page


def test_the_page_speaks_chinese_by_default() -> None:
    tags = markup(render_subgraph(SUBGRAPH))
    assert '<html lang="zh-CN">' in tags
    legend = tags[tags.index('class="rg-legend"') :]
    for word in ("企业风险等级", "红色", "橙色", "黄色", "未评分", "人员", "证据路径"):
        assert word in legend
    assert "按名称搜索" in tags and "关联方" in tags


@pytest.mark.parametrize(
    ("left_out", "note", "shown"),
    [
        (12, None, "12 more entities not shown"),
        (1, None, "1 more entity not shown"),
        (3, "capped at 200 nodes", "3 more entities not shown — capped at 200 nodes"),
        (0, "hub <addresses> hidden", "hub &lt;addresses&gt; hidden"),
    ],
)
def test_left_out_note_is_visible(left_out: int, note: str | None, shown: str) -> None:
    tags = markup(render_subgraph(subgraph(left_out=left_out, note=note), EN))
    assert f'<p class="rg-note" role="status">{shown}</p>' in tags


def test_no_note_when_nothing_is_left_out() -> None:
    assert "rg-note" not in markup(render_subgraph(subgraph(left_out=0, note=None)))


def test_evidence_edges_stand_out(page: str) -> None:
    edges = {(e["from"], e["to"]): e for e in dataset(page, "edges")}
    evidence, plain = edges[("P1", "C2")], edges[("C1", "A1")]
    assert evidence["color"]["color"] == EVIDENCE_COLOUR and plain["color"]["color"] == EDGE_COLOUR
    assert evidence["width"] >= 3 * plain["width"]
    assert evidence["label"] == "HOLDS 30%" and "evidence" in evidence["title"]


def test_parallel_edges_merge_and_opposite_ones_curve(page: str) -> None:
    edges = {(e["from"], e["to"]): e for e in dataset(page, "edges")}
    merged = edges[("P1", "C1")]
    assert merged["label"] == "HOLDS 51% · LEGAL_REP"
    assert merged["color"]["color"] == EVIDENCE_COLOUR  # one evidence edge is enough
    assert edges[("C2", "C3")]["smooth"]["type"] == "curvedCW"
    assert edges[("C3", "C2")]["smooth"]["type"] == "curvedCW"
    assert "smooth" not in edges[("C1", "A1")]


def test_nodes_coloured_and_shaped_by_type_and_level(page: str) -> None:
    nodes = {node["id"]: node for node in dataset(page, "nodes")}
    for node_id, level in [("C1", "red"), ("C2", "orange"), ("C3", "yellow"), ("C4", "none")]:
        assert nodes[node_id]["color"]["background"] == LEVEL_COLOURS[level]
        assert nodes[node_id]["shape"] == "dot"
    assert nodes["C5"]["color"]["background"] == UNSCORED_COLOUR
    for node_id, kind in [("P1", "Person"), ("A1", "Address"), ("T1", "Phone"), ("R1", "Ring")]:
        shape, colour = TYPE_STYLES[kind]
        assert (nodes[node_id]["shape"], nodes[node_id]["color"]["background"]) == (shape, colour)
    centre, other = nodes["C1"], nodes["C2"]
    assert centre["size"] > other["size"] and centre["borderWidth"] > other["borderWidth"]
    assert "91" in centre["rgTitle"] and "red" in centre["rgTitle"]


def test_physics_stops_once_laid_out(page: str) -> None:
    assert 'network.once("stabilizationIterationsDone"' in page
    assert "network.setOptions({ physics: false })" in page
    assert "riskgraphReady(network, nodes);" in page


def test_options_keep_font_names_with_spaces(page: str) -> None:
    """pyvis's set_options() strips every space; the Chinese font names must survive."""
    assert "'Microsoft YaHei'" in page and "'Noto Sans CJK SC'" in page


def test_long_names_are_shortened_on_the_canvas_only() -> None:
    name = "某" * 40 + "有限公司"
    data = subgraph(nodes=[{"id": "X", "type": "Company", "name": name}], edges=[], center="X")
    (node,) = dataset(render_subgraph(data, EN), "nodes")
    assert len(node["label"]) <= 18 and node["label"].endswith("…") and node["rgName"] == name


def test_empty_subgraph_still_renders() -> None:
    page = render_subgraph({"center": "C9", "nodes": [], "edges": [], "left_out": 0}, EN)
    assert dataset(page, "nodes") == [] and "<title>Related parties of C9</title>" in page


def test_inconsistent_subgraphs_are_refused() -> None:
    bad_edge = {"source": "P1", "target": "NOPE", "type": "HOLDS", "label": "", "evidence": False}
    with pytest.raises(ValueError, match="unknown node 'NOPE'"):
        render_subgraph(subgraph(edges=[bad_edge]))
    with pytest.raises(ValueError, match="center 'ZZ'"):
        render_subgraph(subgraph(center="ZZ"))


# --- in a real browser, offline ---------------------------------------------------------


@pytest.fixture(scope="module")
def chromium() -> browser.Chromium:
    """The browser; a missing one fails (with how to get it) rather than skipping."""
    try:
        return browser.find_chromium()
    except browser.ChromiumMissing as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.mark.browser
def test_page_renders_offline_in_chromium(chromium: browser.Chromium, tmp_path: Path) -> None:
    page = write_subgraph_html(SUBGRAPH, tmp_path / "c1.html", EN)
    shot = browser.render(chromium, page, tmp_path)

    assert browser.page_requests(shot.net_log) == []  # the page asked for nothing remote
    assert re.search(r'<body[^>]* data-rg-stable="1"', shot.dom)  # laid out, physics off
    image = browser.read_png(shot.screenshot)
    assert image.shape[:2] == (800, 1200)
    background = browser.count_colour(image, "#ffffff", tolerance=8)
    assert image.shape[0] * image.shape[1] - background > 40_000
    # The examined company (red, the biggest node) and the other levels and types are drawn.
    counts = {
        colour: browser.count_colour(image, colour)
        for colour in [*LEVEL_COLOURS.values(), TYPE_STYLES["Person"][1] or "", EVIDENCE_COLOUR]
    }
    assert counts[LEVEL_COLOURS["red"]] > 2_000, counts
    assert all(count > 300 for count in counts.values()), counts


# Drives the page's own search box once the layout is done, and records what happened.
SEARCH_PROBE = """<script>
var probe = setInterval(function () {
  if (!document.body.hasAttribute("data-rg-stable")) return;
  clearInterval(probe);
  document.getElementById("rg-search").value = "恒通商贸";
  document.getElementById("rg-search-form").requestSubmit();
  document.body.setAttribute("data-probe-selected", network.getSelectedNodes().join(","));
  document.body.setAttribute("data-probe-tooltip", nodes.get("C1").title);
}, 20);
</script>"""


@pytest.mark.browser
def test_search_selects_the_node_and_tooltips_are_set(
    chromium: browser.Chromium, tmp_path: Path
) -> None:
    page = tmp_path / "c1.html"
    page.write_text(
        render_subgraph(SUBGRAPH, EN).replace("</body>", SEARCH_PROBE + "</body>"), encoding="utf-8"
    )
    dom = browser.render(chromium, page, tmp_path).dom
    assert 'data-probe-selected="C2"' in dom
    assert '<span id="rg-search-status">1 match</span>' in dom
    assert (
        'data-probe-tooltip="深圳市前海鑫融投资管理有限公司\ncompany · C1\nrisk 91.00 (red)"' in dom
    )


@pytest.mark.browser
def test_the_net_log_would_show_a_page_reaching_out(
    chromium: browser.Chromium, tmp_path: Path
) -> None:
    """The control for the test above: a page that does reach out is caught."""
    page = tmp_path / "leaky.html"
    page.write_text(
        '<!DOCTYPE html><meta charset="utf-8">'
        '<link rel="stylesheet" href="https://cdn.example.org/x.css">'
        '<img src="http://example.org/leak.png">'
        '<script>fetch("https://example.com/api").catch(function () {});</script>',
        encoding="utf-8",
    )
    shot = browser.render(chromium, page, tmp_path)
    assert set(browser.page_requests(shot.net_log)) == {
        "https://cdn.example.org/x.css",
        "http://example.org/leak.png",
        "https://example.com/api",
    }


def test_png_reader_handles_every_filter(tmp_path: Path) -> None:
    """read_png is ours (no Pillow here): check it on rows using all five PNG filters."""
    rng = np.random.default_rng(7)
    pixels = rng.integers(0, 256, size=(5, 4, 3), dtype=np.uint8)
    rows, previous = [], np.zeros(12, dtype=np.int32)
    for filt in range(5):
        row = pixels[filt].reshape(-1).astype(np.int32)
        left = np.concatenate([[0, 0, 0], row[:-3]])
        upper_left = np.concatenate([[0, 0, 0], previous[:-3]])
        if filt == 0:
            encoded = row
        elif filt == 1:
            encoded = row - left
        elif filt == 2:
            encoded = row - previous
        elif filt == 3:
            encoded = row - (left + previous) // 2
        else:
            p = left + previous - upper_left
            pa, pb, pc = np.abs(p - left), np.abs(p - previous), np.abs(p - upper_left)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, previous, upper_left))
            encoded = row - pred
        rows.append(bytes([filt]) + (encoded & 0xFF).astype(np.uint8).tobytes())
        previous = row

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 5, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b"")
    path = tmp_path / "filters.png"
    path.write_bytes(png)
    assert np.array_equal(browser.read_png(path), pixels)


def test_chromium_finder_explains_how_to_get_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RISKGRAPH_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(browser.ChromiumMissing, match="make chromium"):
        browser.find_chromium()
