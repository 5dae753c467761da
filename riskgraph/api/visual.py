"""Offline HTML explanations of a company's neighbourhood (pyvis / vis-network).

Investigators open these pages in air-gapped networks, so a page must carry everything it
needs: pyvis's ``in_line`` mode inlines vis-network but still links Bootstrap from a CDN, so
its output is post-processed here and checked for anything that would be fetched.
Every user-provided string reaches the page either HTML-escaped or inside JSON that
Jinja's ``tojson`` has made HTML-safe, so a name like ``<script>`` stays text.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pyvis.network import Network

from riskgraph.graph.schema import Level
from riskgraph.i18n.locale import Locale
from riskgraph.i18n.render import N_, Renderer

__all__ = [
    "EDGE_COLOUR",
    "EVIDENCE_COLOUR",
    "LEVEL_COLOURS",
    "TYPE_STYLES",
    "UNSCORED_COLOUR",
    "external_references",
    "render_subgraph",
    "write_subgraph_html",
]

# Companies are coloured by risk level; everything else by its type.
# the levels the engine produces (riskgraph.graph.schema.Level), and no others
LEVEL_COLOURS: dict[str, str] = {
    Level.RED.value: "#d7263d",
    Level.ORANGE.value: "#f28c28",
    Level.YELLOW.value: "#f2c80f",
    Level.NONE.value: "#c9d3dc",
}
UNSCORED_COLOUR = "#7b8794"
# type -> (vis-network shape, colour; None = by level). Shapes keep labels outside the node.
TYPE_STYLES: dict[str, tuple[str, str | None]] = {
    "Company": ("dot", None),
    "Person": ("diamond", "#3a6ea5"),
    "Address": ("triangle", "#8d6e63"),
    "Phone": ("triangleDown", "#7e57c2"),
    "Event": ("star", "#c2185b"),
    "Ring": ("hexagon", "#00897b"),
}
OTHER_STYLE: tuple[str, str] = ("dot", "#607d8b")
EDGE_COLOUR = "#9aa3ab"
EVIDENCE_COLOUR = "#e4007c"
CENTRE_BORDER = "#111111"

_LEGEND_SYMBOLS = {
    "dot": "●",
    "diamond": "◆",
    "triangle": "▲",
    "triangleDown": "▼",
    "star": "★",
    "hexagon": "⬢",
}
_LABEL_MAX = 18
_FONT_FACE = (
    "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei',"
    "'PingFang SC',sans-serif"
)

# vis-network options (JSON, no user strings). Straight edges: clearer and cheaper; only
# opposite-direction pairs are curved so both stay visible.
_OPTIONS: dict[str, Any] = {
    "nodes": {"font": {"size": 14, "face": _FONT_FACE}, "borderWidth": 1},
    "edges": {
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "smooth": {"enabled": False},
        "color": {"inherit": False},
        "font": {
            "size": 11,
            "face": _FONT_FACE,
            "align": "top",  # above the line: readable on thick evidence edges
            "strokeWidth": 3,
            "strokeColor": "#ffffff",
        },
    },
    "physics": {
        "enabled": True,
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {
            "gravitationalConstant": -80,
            "springLength": 130,
            "avoidOverlap": 0.4,
        },
        "stabilization": {"enabled": True, "iterations": 400, "fit": True},
    },
    "interaction": {"hover": True, "tooltipDelay": 150},
    "layout": {"randomSeed": 7},  # the same picture each time a page is opened
}

# Anything a browser would fetch: src/href/... attributes, CSS url() and @import, with an
# absolute or protocol-relative URL. data: URIs (vis-network's CSS icons) are fine.
_EXTERNAL_RE = re.compile(
    r"""(?:\b(?:src|href|srcset|action|poster|data|background)\s*=\s*["']?\s*"""
    r"""|url\(\s*["']?\s*|@import\s+["']?\s*)(?:[a-z][a-z0-9+.-]*:)?//""",
    re.IGNORECASE,
)
# Comments and script elements, whichever starts first (a comment may hold a <script>).
_CHUNK_RE = re.compile(r"(<!--.*?-->|<script\b[^>]*>.*?</script\s*>)", re.IGNORECASE | re.DOTALL)
_SRC_RE = re.compile(r"\bsrc\s*=", re.IGNORECASE)
# Tags that load something even from a relative path (there is nothing beside the page).
_FETCHING_TAG_RE = re.compile(
    r"<(?:script|img|iframe|link|embed|object|source)\b[^>]*\b(?:src|href|data)\s*=[^>]*>",
    re.IGNORECASE,
)
_EXTERNAL_TAG_RE = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*", re.IGNORECASE
)
_EMPTY_HEADING_RE = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>\s*", re.IGNORECASE)
_DRAW_CALL_RE = re.compile(r"drawGraph\(\);(\s*</script>\s*</body>)")


def render_subgraph(
    subgraph: Mapping[str, Any], words: Renderer | None = None, *, title: str | None = None
) -> str:
    """A complete, self-contained HTML page for an API subgraph (no network needed).

    ``subgraph`` is the /companies/{id}/subgraph shape: ``center``, ``nodes``, ``edges``,
    ``left_out``, ``note``. Raises ``ValueError`` when edges name nodes that are not there.
    ``words``: the page's language (default zh-CN).
    """
    words = words or Renderer(Locale.ZH_CN)
    _ = words.text
    centre = subgraph.get("center")
    centre_id = None if centre is None else str(centre)
    nodes = _unique_nodes(subgraph.get("nodes") or [])
    names = {node_id: _text(node.get("name")) or node_id for node_id, node in nodes.items()}
    if centre_id is not None and nodes and centre_id not in nodes:
        raise ValueError(f"subgraph center {centre_id!r} is not among its nodes")

    net = Network(height="100%", width="100%", directed=True, cdn_resources="in_line")
    for node_id, node in nodes.items():
        net.add_node(node_id, **_node_options(node_id, node, names[node_id], centre_id, words))
    for edge in _merged_edges(subgraph.get("edges") or [], nodes, words):
        net.add_edge(edge.pop("from"), edge.pop("to"), **edge)
    # What set_options() stores, minus its removal of every space (font names have them).
    net.options = json.loads(json.dumps(_OPTIONS))

    if title is None:
        centre_name = names.get(centre_id, centre_id) if centre_id is not None else None
        title = (
            _("Related parties of {name}").format(name=centre_name)
            if centre_name
            else _("Related parties")
        )
    page = _offline(net.generate_html())
    return _decorate(
        page, title=title, names=names.values(), notice=_notice(subgraph, words), words=words
    )


def write_subgraph_html(
    subgraph: Mapping[str, Any],
    path: str | os.PathLike[str],
    words: Renderer | None = None,
    *,
    title: str | None = None,
) -> Path:
    """Render and write the page as UTF-8 (Chinese names); returns the path written."""
    out = Path(path)
    out.write_text(render_subgraph(subgraph, words, title=title), encoding="utf-8")
    return out


def external_references(page: str) -> list[str]:
    """What in ``page`` a browser would fetch from another host (empty when offline-safe)."""
    return [page[max(m.start() - 40, 0) : m.end() + 40] for m in _EXTERNAL_RE.finditer(page)]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _unique_nodes(raw: Iterable[Mapping[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """Nodes by id (first one wins), ids as strings as vis-network compares them."""
    nodes: dict[str, Mapping[str, Any]] = {}
    for node in raw:
        if node.get("id") is None:
            raise ValueError(f"subgraph node without an id: {node!r}")
        nodes.setdefault(str(node["id"]), node)
    return nodes


def _node_options(
    node_id: str, node: Mapping[str, Any], name: str, centre_id: str | None, words: Renderer
) -> dict[str, Any]:
    kind = _text(node.get("type")) or "Entity"
    level = node.get("level")
    shape, colour = TYPE_STYLES.get(kind, OTHER_STYLE)
    if colour is None:
        colour = LEVEL_COLOURS.get(_text(level).lower(), UNSCORED_COLOUR)
    score = node.get("score")
    tooltip = [name, f"{words.label(kind)} · {node_id}"]
    if score is not None or level is not None:
        shown = f"{score:.2f}" if isinstance(score, int | float) else _text(score) or "–"
        known = _text(level).lower() in LEVEL_COLOURS
        said = words.level(_text(level).lower()) if known else words.text(N_("unscored"))
        tooltip.append(words.text(N_("risk {score} ({level})")).format(score=shown, level=said))
    is_centre = node_id == centre_id
    label = name if len(name) <= _LABEL_MAX else name[: _LABEL_MAX - 1] + "…"
    options: dict[str, Any] = {
        "label": label,
        # Not "title": pyvis switches to an innerHTML popup when a title contains "href".
        # The page's script copies it to title, which vis-network 9 shows as plain text.
        "rgTitle": "\n".join(tooltip),
        "shape": shape,
        "color": {
            "background": colour,
            "border": CENTRE_BORDER if is_centre else colour,
            "highlight": {"background": colour, "border": "#000000"},
            "hover": {"background": colour, "border": "#000000"},
        },
        "size": 34 if is_centre else 20,
        "borderWidth": 5 if is_centre else 1,
        "rgName": name,
        "rgType": kind,
    }
    if is_centre:
        options["font"] = {"size": 18, "face": _FONT_FACE, "strokeWidth": 3}
        options["shadow"] = True
    return options


def _merged_edges(
    raw: Iterable[Mapping[str, Any]], nodes: Mapping[str, Any], words: Renderer
) -> list[dict[str, Any]]:
    """vis-network edges: same-direction parallels merged into one labelled edge.

    A person who holds 51% and is legal representative gets one edge "HOLDS 51% · LEGAL_REP";
    opposite directions (circular holdings) are curved apart.
    """
    merged: dict[tuple[str, str], tuple[list[str], bool]] = {}
    for edge in raw:
        source, target = str(edge.get("source")), str(edge.get("target"))
        for end in (source, target):
            if end not in nodes:
                raise ValueError(f"subgraph edge {source}->{target} names unknown node {end!r}")
        label = _text(edge.get("label")) or _text(edge.get("type"))
        labels, evidence = merged.setdefault((source, target), ([], False))
        if label and label not in labels:
            labels.append(label)
        merged[(source, target)] = (labels, evidence or bool(edge.get("evidence")))

    edges: list[dict[str, Any]] = []
    for (source, target), (labels, evidence) in merged.items():
        label = " · ".join(labels)
        vis_edge: dict[str, Any] = {
            "from": source,
            "to": target,
            "label": label,
            "title": label + (words.text(N_(" (evidence path)")) if evidence else ""),
            "color": {"color": EVIDENCE_COLOUR if evidence else EDGE_COLOUR},
            "width": 5 if evidence else 1.2,
            "rgEvidence": evidence,
        }
        if evidence:
            vis_edge["font"] = {"color": EVIDENCE_COLOUR, "size": 12}
        if (target, source) in merged:
            vis_edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.2}
        edges.append(vis_edge)
    return edges


def _notice(subgraph: Mapping[str, Any], words: Renderer) -> str | None:
    left_out = int(subgraph.get("left_out") or 0)
    note = _text(subgraph.get("note")).strip()
    parts = []
    if left_out > 0:
        parts.append(
            words.ntext("{n} more entity not shown", "{n} more entities not shown", left_out)
        )
    if note:
        parts.append(note)
    return " — ".join(parts) or None


def _offline(page: str) -> str:
    """pyvis's page without CDN tags, comments and its empty heading; fails if any is left.

    Inline script bodies are left byte for byte (vis-network's licence comments included).
    """
    parts = _CHUNK_RE.split(page)
    for i, part in enumerate(parts):
        if i % 2 == 0:  # markup between comments and scripts
            part = _EXTERNAL_TAG_RE.sub("", part)
            parts[i] = _EMPTY_HEADING_RE.sub("", part)
        elif part.startswith("<!--") or _SRC_RE.search(part[: part.index(">") + 1]):
            parts[i] = ""  # a comment or a script loaded from elsewhere
    page = "".join(parts)
    markup = "".join(p if i % 2 == 0 else p[: p.find(">") + 1] for i, p in enumerate(parts))
    left = external_references(markup) + [m.group(0) for m in _FETCHING_TAG_RE.finditer(markup)]
    if left:
        raise RuntimeError(f"pyvis page still loads resources (template changed?): {left}")
    return page


def _decorate(
    page: str, *, title: str, names: Iterable[str], notice: str | None, words: Renderer
) -> str:
    """Our title, styles, header (search, note), legend and start-up script around pyvis's."""
    esc = html.escape
    _ = words.text
    lang = words.locale.value
    page = re.sub(r"^\s*<html>", f'<!DOCTYPE html>\n<html lang="{lang}">', page, count=1)
    if '<meta charset="utf-8">' not in page:
        raise RuntimeError("pyvis page lost its charset declaration (template changed?)")
    page = page.replace(
        '<meta charset="utf-8">',
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width">\n'
        f"<title>{esc(title)}</title>",
        1,
    )
    # The script goes in the head: pyvis's body script calls riskgraphReady() as it ends.
    messages = json.dumps(
        {"none": _("no match"), "one": _("1 match"), "many": _("{n} matches")},
        ensure_ascii=True,  # no "</script>" can come out of this
    )
    script = f"var RG_WORDS = {messages};\n{_JS}"
    page = page.replace("</head>", f"<style>{_CSS}</style>\n<script>{script}</script>\n</head>", 1)
    options = "".join(f'<option value="{esc(n)}"></option>' for n in sorted(set(names)))
    search, find = esc(_("Search by name")), esc(_("Find"))
    note = f'<p class="rg-note" role="status">{esc(notice)}</p>' if notice else ""
    header = (
        '<header class="rg-bar">'
        f'<h1 class="rg-title">{esc(title)}</h1>'
        '<form id="rg-search-form" class="rg-search" role="search">'
        '<input id="rg-search" type="search" list="rg-names"'
        f' placeholder="{search}" aria-label="{search}" autocomplete="off"'
        ' spellcheck="false">'
        f'<datalist id="rg-names">{options}</datalist>'
        f'<button type="submit">{find}</button><span id="rg-search-status"></span></form>'
        f"</header>{note}{_legend(words)}"
    )
    page = page.replace("<body>", f"<body>\n{header}", 1)
    page, calls = _DRAW_CALL_RE.subn(
        lambda m: f"drawGraph();\nriskgraphReady(network, nodes);{m.group(1)}", page
    )
    if calls != 1:
        raise RuntimeError("pyvis page has no single drawGraph() call (template changed?)")
    if "innerHTML = nodeData" in page:
        raise RuntimeError("pyvis chose its HTML tooltip template (unsafe with user strings)")
    return page


def _legend(words: Renderer) -> str:
    """Colour and shape key (no user strings): only the levels the engine produces."""
    _ = words.text
    legend, by_level = _("Legend"), _("Companies by risk level")
    others, links = _("Other entities"), _("Links")
    evidence, relation = _("evidence path"), _("relation")
    examined = _("company examined (thick border)")
    rows = [f'<aside class="rg-legend" aria-label="{legend}"><b>{by_level}</b>']
    shown = [(words.level(level), colour) for level, colour in LEVEL_COLOURS.items()]
    for level, colour in [*shown, (_("unscored"), UNSCORED_COLOUR)]:
        rows.append(f'<div><span style="color:{colour}">●</span> {level}</div>')
    rows.append(f"<b>{others}</b>")
    for kind, (shape, type_colour) in TYPE_STYLES.items():
        if type_colour is not None:
            symbol = _LEGEND_SYMBOLS.get(shape, "●")
            rows.append(
                f'<div><span style="color:{type_colour}">{symbol}</span> {words.label(kind)}</div>'
            )
    rows.append(f"<b>{links}</b>")
    rows.append(
        f'<div><span class="rg-line" style="border-color:{EVIDENCE_COLOUR};'
        f'border-top-width:4px"></span> {evidence}</div>'
    )
    rows.append(
        f'<div><span class="rg-line" style="border-color:{EDGE_COLOUR}"></span> {relation}</div>'
    )
    rows.append(
        f'<div><span style="color:{UNSCORED_COLOUR};-webkit-text-stroke:2px {CENTRE_BORDER}">'
        f"●</span> {examined}</div></aside>"
    )
    return "".join(rows)


_CSS = """
html, body { margin: 0; height: 100%; font-family: system-ui, 'Noto Sans CJK SC',
  'Microsoft YaHei', sans-serif; font-size: 14px; color: #1d2329; }
body { display: flex; flex-direction: column; }
.rg-bar { display: flex; align-items: center; gap: 16px; padding: 6px 12px;
  border-bottom: 1px solid #d6dbe0; background: #f7f8fa; }
.rg-title { font-size: 17px; margin: 0; flex: 1; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.rg-search input { width: 220px; padding: 3px 6px; }
#rg-search-status { margin-left: 8px; color: #5b6670; }
.rg-note { margin: 0; padding: 4px 12px; background: #fff4d6; border-bottom: 1px solid #f0d58c; }
.card { flex: 1; position: relative; min-height: 300px; }
#mynetwork { float: none !important; height: 100% !important; border: 0 !important; }
.rg-legend { position: fixed; right: 10px; bottom: 10px; z-index: 5; padding: 8px 10px;
  background: rgba(255,255,255,0.92); border: 1px solid #d6dbe0; border-radius: 4px;
  line-height: 1.5; font-size: 12px; }
.rg-legend b { display: block; margin-top: 4px; }
.rg-line { display: inline-block; width: 22px; vertical-align: middle;
  border-top: 2px solid; }
"""

# Physics off once laid out (a still picture, and no CPU burnt); search selects and focuses.
_JS = """
function riskgraphReady(network, nodes) {
  nodes.update(nodes.get().map(function (n) { return { id: n.id, title: n.rgTitle }; }));
  network.once("stabilizationIterationsDone", function () {
    network.setOptions({ physics: false });
    document.body.setAttribute("data-rg-stable", "1");
  });
  var input = document.getElementById("rg-search");
  var status = document.getElementById("rg-search-status");
  function find() {
    var q = input.value.trim().toLowerCase();
    if (!q) { network.unselectAll(); status.textContent = ""; return; }
    var hits = nodes.get({ filter: function (n) {
      return String(n.rgName).toLowerCase().indexOf(q) !== -1 || String(n.id).toLowerCase() === q;
    } });
    hits.sort(function (a, b) { return String(a.rgName).length - String(b.rgName).length; });
    var ids = hits.map(function (n) { return n.id; });
    if (!ids.length) { network.unselectAll(); status.textContent = RG_WORDS.none; return; }
    network.selectNodes(ids);
    network.focus(ids[0], { scale: 1.2, animation: { duration: 400 } });
    status.textContent = ids.length === 1 ? RG_WORDS.one
      : RG_WORDS.many.replace("{n}", String(ids.length));
  }
  document.getElementById("rg-search-form").addEventListener("submit", function (e) {
    e.preventDefault();
    find();
  });
  input.addEventListener("change", find);
}
"""
