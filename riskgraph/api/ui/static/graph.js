// The graph component (company, ring and entity pages): a vis-network drawing with a
// details panel and expansion, one page of neighbours at a time.
//
// vis ids are `${type}:${id}` so that entities of different types never collide; "more"
// placeholders are `more:${type}:${id}` and remember the next offset. The component keeps
// its own maps of what is drawn, so counts and window.riskgraphGraph work even if the
// vis-network script failed to load.

import { api, seg } from "./api.js";
import { entityHref, fmtScore, h, levelBadge, showError } from "./dom.js";
import { t, word } from "./i18n.js";

const PAGE = 25; // neighbours per expansion
const MORE = "more:";
const LABEL_MAX = 18;

// The same palette as the server's pyvis pages (riskgraph/api/visual.py).
const LEVEL_COLOURS = { red: "#d7263d", orange: "#f28c28", yellow: "#f2c80f", none: "#c9d3dc" };
const UNSCORED_COLOUR = "#7b8794";
const TYPE_STYLES = {
  Company: ["dot", null], // coloured by level
  Person: ["diamond", "#3a6ea5"],
  Address: ["triangle", "#8d6e63"],
  Phone: ["triangleDown", "#7e57c2"],
  Event: ["star", "#c2185b"],
  Ring: ["hexagon", "#00897b"],
};
const OTHER_STYLE = ["dot", "#607d8b"];
const SYMBOLS = { dot: "●", diamond: "◆", triangle: "▲", triangleDown: "▼", star: "★", hexagon: "⬢" };
const EDGE_COLOUR = "#9aa3ab";
const EVIDENCE_COLOUR = "#d0021b";
const CENTRE_BORDER = "#111111";
const FONT = "'Noto Sans CJK SC','Source Han Sans SC','WenQuanYi Micro Hei','Microsoft YaHei','PingFang SC',sans-serif";

// What the neighbours endpoint can expand (GET /entities/{type}/{id}/neighbours).
const EXPANDABLE = new Set(["Company", "Person", "Address", "Phone", "Event", "Ring"]);
// Which types each relationship joins (riskgraph/graph/schema.py): used to tell apart two
// drawn entities with the same bare id, since edges name their ends by bare id only.
const ENDS = {
  HOLDS: [["Person", "Company"], ["Company"]],
  OFFICER_OF: [["Person"], ["Company"]],
  REGISTERED_AT: [["Company", "Person"], ["Address"]],
  HAS_PHONE: [["Company", "Person"], ["Phone"]],
  HAS_EVENT: [["Company"], ["Event"]],
  MEMBER_OF: [["Company", "Person"], ["Ring"]],
};
const COMPANY_TIE = [["Company"], ["Company"]]; // GUARANTEE, LOAN, TRADE, ...

const OPTIONS = {
  nodes: { font: { size: 13, face: FONT }, borderWidth: 1 },
  edges: {
    arrows: { to: { enabled: true, scaleFactor: 0.5 } },
    smooth: { enabled: false },
    color: { inherit: false },
    font: { size: 10, face: FONT, align: "top", strokeWidth: 3, strokeColor: "#ffffff" },
  },
  physics: {
    enabled: true,
    solver: "forceAtlas2Based",
    forceAtlas2Based: { gravitationalConstant: -80, springLength: 130, avoidOverlap: 0.4 },
    stabilization: { enabled: true, iterations: 300, fit: true },
  },
  interaction: { hover: true, tooltipDelay: 150, navigationButtons: false, keyboard: false },
  layout: { randomSeed: 7 }, // the same picture each time a page is opened
};

export const visIdOf = (type, id) => `${type}:${id}`;
const moreIdOf = (type, id) => `${MORE}${type}:${id}`;

/** The API's type for a URL's lower-case one: person -> Person. */
export function apiType(kind) {
  const lower = String(kind || "").toLowerCase();
  for (const type of EXPANDABLE) if (type.toLowerCase() === lower) return type;
  return lower.charAt(0).toUpperCase() + lower.slice(1);
}

/** An edge's words: the server writes codes ("HOLDS 51%", "LEGAL_REP", "GUARANTEE"). */
function edgeText(edge) {
  const label = String(edge.label || edge.type || "");
  const holds = label.match(/^HOLDS\s+(.+)$/);
  if (holds) return `${word("rel", "HOLDS")} ${holds[1]}`;
  if (edge.type === "OFFICER_OF" && label && label !== "OFFICER_OF") {
    const role = label === "LEGAL_REP" ? "legal_representative" : label.toLowerCase();
    return word("officer", role);
  }
  if (label === edge.type) return word("rel", edge.type);
  return label;
}

const masked = (entity) => String(entity.id).includes("*");

/**
 * What a node is called on screen. Event nodes are named by their type code ("penalty",
 * "litigation"...): worded through the event-type words (the raw code when unknown).
 */
export function displayName(type, name, id) {
  const shown = name === null || name === undefined || name === "" ? id : name;
  if (type === "Event" && name) return word("event", name);
  return shown === null || shown === undefined ? "" : String(shown);
}

/** A graph component placed in the page and destroyed with it. */
export function mountGraph(ctx, title) {
  const graph = new Graph({ signal: ctx.signal, title });
  ctx.cleanup(() => graph.destroy());
  ctx.main.append(graph.element);
  return graph;
}

/** Draws the subgraph `request` answers once it arrives (errors go to the error box). */
export function showSubgraph(ctx, graph, request) {
  return request
    .then((sub) => {
      if (!ctx.alive()) return;
      graph.load(sub);
      ctx.setGraph(graph);
    })
    .catch((error) => {
      if (ctx.alive()) showError(error);
    });
}

export class Graph {
  /** `signal` aborts the component's requests when the page is left. */
  constructor({ signal, title } = {}) {
    this.signal = signal;
    this.entities = new Map(); // vis id -> {id, type, name, level, score}
    this.byId = new Map(); // bare entity id -> [vis id, ...] in drawing order
    this.placeholders = new Map(); // more id -> {type, id, anchor, offset, remaining}
    this.edgeMap = new Map(); // "from→to" -> {from, to, labels, evidence, types}
    this.pending = new Map(); // anchor vis id -> Promise of its expansion
    this.centre = null;
    this.selected = null;
    this.network = null;
    this.destroyed = false;
    this.settling = null; // vis ids fixed while new nodes settle
    const vis = window.vis;
    this.visOk = Boolean(vis && vis.Network && vis.DataSet);
    this.nodes = this.visOk ? new vis.DataSet() : null;
    this.edges = this.visOk ? new vis.DataSet() : null;
    this.element = this._build(title || t("graph.title"));
  }

  // --- the DOM around the canvas -----------------------------------------------------------
  _build(title) {
    this.countEl = h("span", { class: "graph-count", testid: "graph-node-count", dataset: { count: 0 } }, t("graph.nodes", { n: 0 }));
    this.leftOutEl = h("span", { class: "graph-note", testid: "graph-left-out", hidden: true });
    this.statusEl = h("span", { class: "graph-status", role: "status", "aria-live": "polite" });
    const fit = h(
      "button",
      { type: "button", class: "secondary", onclick: () => this.network && this.network.fit({ animation: false }) },
      t("graph.fit"),
    );
    this.canvas = h("div", {
      class: "graph-canvas",
      testid: "graph",
      role: "region",
      "aria-label": t("graph.canvasLabel"),
      dataset: { ready: "false" },
    });
    this.expandBtn = h("button", { type: "button", testid: "expand", disabled: true, onclick: () => this._expandSelected() }, t("graph.expand"));
    this.expandNote = h("p", { class: "expand-note", testid: "expand-note", hidden: true });
    this.detailsBody = h("div", { class: "details-body" });
    this.details = h(
      "aside",
      { class: "node-details", testid: "node-details", "aria-live": "polite" },
      h("h3", null, t("graph.details")),
      this.detailsBody,
      h("div", { class: "details-actions no-print" }, this.expandBtn),
      this.expandNote,
    );
    this._showDetails(null);
    return h(
      "section",
      { class: "card graph-section" },
      h(
        "div",
        { class: "graph-head" },
        h("h2", null, title),
        this.countEl,
        this.leftOutEl,
        this.statusEl,
        h("span", { class: "spacer" }),
        h("span", { class: "graph-controls no-print" }, fit),
      ),
      h("div", { class: "graph-body" }, this.canvas, this.details),
      this._legend(),
    );
  }

  _legend() {
    const item = (symbol, colour, text) =>
      h("li", null, h("span", { class: "swatch", style: { color: colour }, "aria-hidden": "true" }, symbol), " ", text);
    const items = [
      ...Object.entries(LEVEL_COLOURS).map(([level, colour]) => item("●", colour, `${word("type", "Company")} · ${word("level", level)}`)),
      item("●", UNSCORED_COLOUR, `${word("type", "Company")} · ${t("level.unscored")}`),
      ...Object.entries(TYPE_STYLES)
        .filter(([, [, colour]]) => colour)
        .map(([type, [shape, colour]]) => item(SYMBOLS[shape], colour, word("type", type))),
      item("━", EVIDENCE_COLOUR, t("graph.evidence")),
      item("◉", CENTRE_BORDER, t("graph.center")),
    ];
    return h("details", { class: "legend" }, h("summary", null, t("graph.legend")), h("ul", null, items));
  }

  // --- loading -------------------------------------------------------------------------------
  /** A Subgraph answer ({center, nodes, edges, left_out, note}). */
  load(subgraph) {
    const nodes = subgraph.nodes || [];
    const centre =
      nodes.find((n) => n.id === subgraph.center && n.type === "Company") || nodes.find((n) => n.id === subgraph.center);
    this.centre = centre ? visIdOf(centre.type, centre.id) : null;
    const added = this._addNodes(nodes);
    this._addEdges(subgraph.edges || [], added);
    const leftOut = Number(subgraph.left_out) || 0;
    if (leftOut > 0) {
      this.leftOutEl.textContent = t("graph.leftOut", { n: leftOut });
      if (subgraph.note) this.leftOutEl.title = subgraph.note;
      this.leftOutEl.hidden = false;
    }
    this._draw();
  }

  /** A neighbours page ({center, nodes, edges, total, offset, limit, more}) as the start. */
  loadNeighbours(page) {
    const centre = page.center;
    this.centre = centre ? visIdOf(centre.type, centre.id) : null;
    const added = this._addNodes([centre, ...(page.nodes || [])].filter(Boolean));
    this._addEdges(page.edges || [], added);
    if (centre) this._placeholder(centre.type, centre.id, this.centre, page);
    this._draw();
  }

  _draw() {
    this._updateCount();
    if (!this.visOk) {
      this.canvas.append(h("p", { class: "empty" }, t("error.noVis")));
      this.canvas.dataset.ready = "true";
      return;
    }
    if (this.entities.size === 0) {
      this.canvas.append(h("p", { class: "empty graph-empty" }, t("graph.empty")));
      this.canvas.dataset.ready = "true";
      return;
    }
    this.network = new window.vis.Network(this.canvas, { nodes: this.nodes, edges: this.edges }, OPTIONS);
    this.network.on("click", (params) => {
      if (params.nodes.length) this._showDetails(params.nodes[0]);
      else if (!params.edges.length) this._showDetails(null);
    });
    this.network.on("doubleClick", (params) => {
      if (params.nodes.length) {
        this._showDetails(params.nodes[0]);
        this.expand(params.nodes[0]);
      }
    });
    // Stop the simulation once stable so the picture stops moving; unfix the nodes that
    // were held in place while an expansion's new nodes found their place.
    this.network.on("stabilizationIterationsDone", () => {
      if (this.destroyed) return;
      this.network.setOptions({ physics: { enabled: false } });
      if (this.settling) {
        const ids = this.settling.filter((id) => this.nodes.get(id));
        this.settling = null;
        this.nodes.update(ids.map((id) => ({ id, fixed: false })));
      }
      this.canvas.dataset.ready = "true";
    });
  }

  destroy() {
    this.destroyed = true;
    if (this.network) {
      this.network.destroy();
      this.network = null;
    }
  }

  // --- the data ------------------------------------------------------------------------------
  /** Adds the nodes not drawn yet (near `anchor` when given); returns their vis ids. */
  _addNodes(list, anchor = null) {
    const fresh = [];
    for (const node of list) {
      if (!node || node.id === undefined || node.id === null || !node.type) continue;
      const vid = visIdOf(node.type, node.id);
      const known = this.entities.get(vid);
      if (known) {
        // a later answer may know more (a name, a score): keep the best of both
        const merged = {
          ...known,
          name: node.name ?? known.name,
          level: node.level ?? known.level,
          score: node.score ?? known.score,
        };
        this.entities.set(vid, merged);
        if (this.nodes) this.nodes.update(this._visNode(vid, merged));
        continue;
      }
      const entity = { id: String(node.id), type: node.type, name: node.name ?? null, level: node.level ?? null, score: node.score ?? null };
      this.entities.set(vid, entity);
      const same = this.byId.get(entity.id) || [];
      same.push(vid);
      this.byId.set(entity.id, same);
      fresh.push(vid);
    }
    if (this.nodes && fresh.length) {
      const positions = anchor && this.network ? this._around(anchor, fresh.length) : null;
      this.nodes.add(fresh.map((vid, i) => ({ ...this._visNode(vid, this.entities.get(vid)), ...(positions ? positions[i] : {}) })));
    }
    return fresh;
  }

  _around(anchor, n) {
    const at = this.network.getPositions([anchor])[anchor] || { x: 0, y: 0 };
    const radius = 140 + 5 * n;
    const turn = Math.random() * Math.PI * 2;
    return Array.from({ length: n }, (_, i) => ({
      x: at.x + radius * Math.cos(turn + (2 * Math.PI * i) / n),
      y: at.y + radius * Math.sin(turn + (2 * Math.PI * i) / n),
    }));
  }

  _visNode(vid, entity) {
    const [shape, fixed] = TYPE_STYLES[entity.type] || OTHER_STYLE;
    const colour = fixed || LEVEL_COLOURS[String(entity.level || "").toLowerCase()] || UNSCORED_COLOUR;
    const isCentre = vid === this.centre;
    const name = displayName(entity.type, entity.name, entity.id);
    const lines = [name, `${word("type", entity.type)} · ${entity.id}`];
    if (entity.type === "Company" || entity.score !== null) {
      const level = entity.level ? word("level", entity.level) : t("level.unscored");
      lines.push(`${t("col.score")} ${fmtScore(entity.score)} · ${level}`);
    }
    return {
      id: vid,
      label: name.length > LABEL_MAX ? `${name.slice(0, LABEL_MAX - 1)}…` : name,
      title: lines.join("\n"), // vis-network 9 shows a string title as plain text
      shape,
      color: {
        background: colour,
        border: isCentre ? CENTRE_BORDER : colour,
        highlight: { background: colour, border: "#000000" },
        hover: { background: colour, border: "#000000" },
      },
      size: isCentre ? 30 : 18,
      borderWidth: isCentre ? 5 : 1,
      shadow: isCentre,
      font: isCentre ? { size: 16, face: FONT, strokeWidth: 3, strokeColor: "#ffffff" } : { size: 13, face: FONT },
    };
  }

  /** The vis id an edge's bare end id stands for; `hint` = vis ids of the same answer. */
  _end(bare, types, hint) {
    const candidates = this.byId.get(String(bare)) || [];
    if (candidates.length <= 1) return candidates[0] || null;
    const fits = (vid) => types.includes(this.entities.get(vid).type);
    return (
      candidates.find((v) => hint.has(v) && fits(v)) ||
      candidates.find(fits) ||
      candidates.find((v) => hint.has(v)) ||
      candidates[0]
    );
  }

  _addEdges(list, fresh) {
    const hint = new Set(fresh);
    const changed = new Set();
    for (const edge of list) {
      const [fromTypes, toTypes] = ENDS[edge.type] || COMPANY_TIE;
      // an edge may name its ends' types (source_type/target_type): then no guessing
      const from = edge.source_type ? visIdOf(edge.source_type, edge.source) : this._end(edge.source, fromTypes, hint);
      const to = edge.target_type ? visIdOf(edge.target_type, edge.target) : this._end(edge.target, toTypes, hint);
      if (!from || !to || !this.entities.has(from) || !this.entities.has(to)) continue;
      const key = `${from}→${to}`;
      const entry = this.edgeMap.get(key) || { from, to, labels: [], evidence: false };
      const text = edgeText(edge);
      if (text && !entry.labels.includes(text)) entry.labels.push(text);
      entry.evidence = entry.evidence || Boolean(edge.evidence);
      this.edgeMap.set(key, entry);
      changed.add(key);
      if (this.edgeMap.has(`${to}→${from}`)) changed.add(`${to}→${from}`);
    }
    if (this.edges && changed.size) this.edges.update([...changed].map((key) => this._visEdge(key)));
  }

  _visEdge(key) {
    const e = this.edgeMap.get(key);
    const label = e.labels.join(" · ");
    const edge = {
      id: key,
      from: e.from,
      to: e.to,
      label,
      title: e.evidence ? `${label} (${t("graph.evidence")})` : label,
      color: { color: e.evidence ? EVIDENCE_COLOUR : EDGE_COLOUR, highlight: e.evidence ? EVIDENCE_COLOUR : "#4a5560" },
      width: e.evidence ? 4.5 : 1.2,
    };
    // no undefined values: vis-network fails to merge them into an edge it already drew
    if (e.evidence) edge.font = { color: EVIDENCE_COLOUR, size: 11, face: FONT, strokeWidth: 3, strokeColor: "#ffffff" };
    // opposite directions (circular holdings) are curved apart so both stay visible
    if (this.edgeMap.has(`${e.to}→${e.from}`)) edge.smooth = { enabled: true, type: "curvedCW", roundness: 0.2 };
    return edge;
  }

  /** Adds, updates or removes the "M more…" node hanging off `anchor`. */
  _placeholder(type, id, anchor, page) {
    const mid = moreIdOf(type, id);
    const limit = Number(page.limit) || PAGE;
    const start = Number(page.offset) || 0;
    const remaining = page.more !== undefined && page.more !== null ? Number(page.more) : Math.max(0, (Number(page.total) || 0) - start - limit);
    if (remaining > 0) {
      const entry = { type, id: String(id), anchor, offset: start + limit, remaining };
      const isNew = !this.placeholders.has(mid);
      this.placeholders.set(mid, entry);
      if (this.nodes) {
        const node = {
          id: mid,
          label: t("graph.more", { n: remaining }),
          title: t("graph.moreNode", { n: remaining }),
          shape: "box",
          color: { background: "#ffffff", border: "#7b8794", highlight: { background: "#f3f5f7", border: "#000000" } },
          shapeProperties: { borderDashes: [4, 3], borderRadius: 4 },
          font: { size: 12, face: FONT, color: "#44505c" },
          borderWidth: 1.5,
        };
        if (isNew && this.network) Object.assign(node, this._around(anchor, 1)[0]);
        this.nodes.update(node);
        this.edges.update({ id: `edge:${mid}`, from: anchor, to: mid, dashes: true, arrows: { to: { enabled: false } }, color: { color: "#b8c0c8" }, width: 1 });
      }
    } else if (this.placeholders.has(mid)) {
      this.placeholders.delete(mid);
      if (this.nodes) {
        this.edges.remove(`edge:${mid}`);
        this.nodes.remove(mid);
      }
      if (this.selected === mid) this.selected = anchor;
    }
  }

  _updateCount() {
    const n = this.entities.size; // entity nodes only, not "more" placeholders
    this.countEl.textContent = t("graph.nodes", { n });
    this.countEl.dataset.count = String(n);
  }

  /** Let new nodes find their place while the others stay put, then stop again. */
  _settle(free) {
    if (!this.network || !free.some((id) => this.entities.has(id))) return;
    const loose = new Set(free);
    const keep = this.nodes.getIds().filter((id) => !loose.has(id));
    this.settling = keep;
    this.nodes.update(keep.map((id) => ({ id, fixed: true })));
    this.canvas.dataset.ready = "false";
    this.network.setOptions({ physics: { enabled: true } });
    this.network.stabilize(120);
  }

  // --- selection and expansion -----------------------------------------------------------
  /** A vis id, or the first drawn node whose bare entity id is `ref`. */
  resolve(ref) {
    if (ref === null || ref === undefined) return null;
    const key = String(ref);
    if (this.entities.has(key) || this.placeholders.has(key)) return key;
    const same = this.byId.get(key);
    return same && same.length ? same[0] : null;
  }

  select(ref) {
    const vid = this.resolve(ref);
    if (!vid) return null;
    if (this.network) this.network.selectNodes([vid]);
    this._showDetails(vid);
    return vid;
  }

  /** Why `vid` cannot be expanded, or null. */
  refusal(vid) {
    if (this.placeholders.has(vid)) return null;
    const entity = this.entities.get(vid);
    if (!entity) return "unknown";
    if (masked(entity)) return t("graph.masked");
    if (!EXPANDABLE.has(entity.type)) return t("graph.notExpandable");
    return null;
  }

  /** Loads a page of `ref`'s neighbours (the next page for a placeholder). Never rejects. */
  expand(ref) {
    const vid = this.resolve(ref);
    if (!vid) return Promise.resolve({ added: 0, error: "unknown node" });
    const refused = this.refusal(vid);
    if (refused) return Promise.resolve({ added: 0, refused });
    const anchor = this.placeholders.has(vid) ? this.placeholders.get(vid).anchor : vid;
    if (this.pending.has(anchor)) return this.pending.get(anchor);
    const run = this._expand(anchor)
      .catch((error) => {
        showError(error);
        // the server's words, as before the app worded its errors (scripts read this)
        const text = error && (error.detail || error.message);
        return { added: 0, error: text || String(error) };
      })
      .finally(() => {
        this.pending.delete(anchor);
        this._refreshDetails();
      });
    this.pending.set(anchor, run);
    this._refreshDetails();
    return run;
  }

  async _expand(anchor) {
    const entity = this.entities.get(anchor);
    const more = this.placeholders.get(moreIdOf(entity.type, entity.id));
    const offset = more ? more.offset : 0; // expanding again goes on where it stopped
    const page = await api(
      `/entities/${seg(entity.type.toLowerCase())}/${seg(entity.id)}/neighbours?offset=${offset}&limit=${PAGE}`,
      { signal: this.signal },
    );
    if (this.destroyed) return { added: 0 };
    const fresh = this._addNodes([page.center, ...(page.nodes || [])].filter(Boolean), anchor);
    this._addEdges(page.edges || [], [anchor, ...fresh]);
    this._placeholder(entity.type, entity.id, anchor, { ...page, offset: page.offset ?? offset });
    this._updateCount();
    this._settle([...fresh, moreIdOf(entity.type, entity.id)]);
    this.statusEl.textContent = t("graph.added", { n: fresh.length });
    const remaining = this.placeholders.get(moreIdOf(entity.type, entity.id));
    return { added: fresh.length, more: remaining ? remaining.remaining : 0, total: page.total ?? null };
  }

  _expandSelected() {
    if (this.selected) this.expand(this.selected);
  }

  _refreshDetails() {
    if (this.selected && !this.entities.has(this.selected) && !this.placeholders.has(this.selected)) this.selected = null;
    this._showDetails(this.selected);
  }

  _showDetails(vid) {
    this.selected = vid;
    const body = this.detailsBody;
    body.replaceChildren();
    this.expandNote.hidden = true;
    this.expandNote.textContent = "";
    for (const key of ["nodeId", "entityId", "type"]) delete this.details.dataset[key];
    if (!vid) {
      body.append(h("p", { class: "hint" }, t("graph.pick")));
      this._expandButton(false, false);
      return;
    }
    this.details.dataset.nodeId = vid;
    const more = this.placeholders.get(vid);
    if (more) {
      this.details.dataset.type = "more";
      body.append(h("p", { class: "node-name", testid: "node-name" }, t("graph.more", { n: more.remaining })), h("p", { class: "hint" }, t("graph.moreNode", { n: more.remaining })));
      this._expandButton(true, this.pending.has(more.anchor));
      return;
    }
    const e = this.entities.get(vid);
    this.details.dataset.entityId = e.id;
    this.details.dataset.type = e.type;
    const rows = [
      [t("col.type"), h("span", { testid: "node-type" }, word("type", e.type))],
      [t("col.id"), h("span", { class: "id", testid: "node-id" }, e.id)],
    ];
    if (e.type === "Company" || e.level || e.score !== null) {
      rows.push([t("col.level"), levelBadge(e.level)]);
      rows.push([t("col.score"), h("span", { testid: "node-score" }, fmtScore(e.score))]);
    }
    body.append(
      h("p", { class: "node-name", testid: "node-name", title: e.type === "Event" && e.name ? e.name : null }, displayName(e.type, e.name, e.id)),
      h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", null, term), h("dd", null, value)])),
    );
    if (e.type === "Company") body.append(h("p", null, h("a", { href: entityHref("company", e.id), testid: "node-link" }, t("graph.openFile"))));
    else if (EXPANDABLE.has(e.type) && !masked(e) && vid !== this.centre) {
      body.append(h("p", null, h("a", { href: entityHref(e.type, e.id), testid: "node-link" }, t("graph.openEntity"))));
    }
    const refused = this.refusal(vid);
    if (refused) {
      this.expandNote.textContent = refused;
      this.expandNote.hidden = false;
    }
    this._expandButton(!refused, this.pending.has(vid));
  }

  _expandButton(enabled, busy) {
    this.expandBtn.disabled = !enabled || busy;
    this.expandBtn.textContent = busy ? t("graph.expanding") : t("graph.expand");
    this.expandBtn.setAttribute("aria-busy", busy ? "true" : "false");
  }

  // --- what tests and scripts may call -----------------------------------------------------
  nodeIds() {
    return [...this.entities.keys(), ...this.placeholders.keys()];
  }

  /** {id, visId, type, name, more}: id is the entity id (the vis id for placeholders). */
  nodeInfo(ref) {
    const vid = this.resolve(ref);
    if (!vid) return null;
    const more = this.placeholders.get(vid);
    if (more) return { id: vid, visId: vid, type: "more", name: t("graph.more", { n: more.remaining }), more: more.remaining, of: more.anchor };
    const e = this.entities.get(vid);
    return { id: e.id, visId: vid, type: e.type, name: e.name, level: e.level, score: e.score, more: null };
  }

  /** The page-wide handle (window.riskgraphGraph) for this graph. */
  handle() {
    return {
      select: (id) => this.select(id),
      expand: (id) => this.expand(id),
      nodeIds: () => this.nodeIds(),
      node: (id) => this.nodeInfo(id),
      ready: () => this.canvas.dataset.ready === "true",
    };
  }
}
