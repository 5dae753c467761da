// Small DOM and formatting helpers shared by the pages. Everything the server sends is put
// in the page as text nodes or attribute values, never parsed as HTML.

import { getLang, t, word } from "./i18n.js";

/**
 * An element: h("a", {href: "/ui/", class: "x", testid: "y", onclick: fn}, "text", child).
 * null/undefined/false attributes and children are skipped; `testid` sets data-testid,
 * `dataset` sets data-* attributes, `on…` functions become listeners.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "testid") el.dataset.testid = value;
    else if (key === "dataset") {
      for (const [name, v] of Object.entries(value)) {
        if (v !== null && v !== undefined) el.dataset[name] = String(v);
      }
    } else if (key.startsWith("on") && typeof value === "function") {
      el.addEventListener(key.slice(2), value);
    } else if (key === "style" && typeof value === "object") Object.assign(el.style, value);
    else if (key === "value" && (tag === "input" || tag === "textarea" || tag === "select")) {
      el.value = value;
    } else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// --- numbers and dates ---------------------------------------------------------------------
const isNum = (x) => typeof x === "number" && Number.isFinite(x);

/** A 0-100 score, one decimal. */
export function fmtScore(x) {
  return isNum(x) ? x.toFixed(1) : t("none");
}

/** A 0-1 value (ring score, component, contribution) with two decimals. */
export function fmtUnit(x, digits = 2) {
  return isNum(x) ? x.toFixed(digits) : t("none");
}

/** A fraction as a percentage: 0.51 -> "51%"; small values keep more digits. */
export function fmtPct(x, digits = 1) {
  if (!isNum(x)) return t("none");
  const pct = x * 100;
  if (pct !== 0 && Math.abs(pct) < 0.01) return pct > 0 ? "<0.01%" : ">-0.01%";
  const d = Math.abs(pct) < 1 && pct !== 0 ? 2 : digits;
  return `${new Intl.NumberFormat(getLang(), { maximumFractionDigits: d, minimumFractionDigits: 0 }).format(pct)}%`;
}

/** An amount in CNY. */
export function fmtMoney(x) {
  if (!isNum(x)) return t("none");
  const lang = getLang();
  if (lang === "zh-CN" && Math.abs(x) >= 10000) {
    return `${new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(x / 10000)} 万元`;
  }
  const text = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 }).format(x);
  return lang === "zh-CN" ? `${text} 元` : `CNY ${text}`;
}

export function fmtInt(x) {
  return isNum(x) ? new Intl.NumberFormat(getLang()).format(x) : t("none");
}

/** "2024-03-01" stays as is; a datetime loses its seconds and zone. */
export function fmtDate(value) {
  if (!value) return t("none");
  const text = String(value);
  const m = text.match(/^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/);
  if (!m) return text;
  if (!m[2]) return m[1];
  // Python writes microseconds: not every browser parses more than 3 fractional digits
  const date = new Date(text.replace(/(\.\d{3})\d+/, "$1"));
  if (Number.isNaN(date.getTime())) return `${m[1]} ${m[2]}`;
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

// --- shared pieces -------------------------------------------------------------------------
/** A level badge: worded (server's level_name when given), the code in data-level. */
export function levelBadge(level, name, attrs = {}) {
  const code = level || "unscored";
  return h(
    "span",
    { class: `badge level level-${code}`, dataset: { level: code }, ...attrs },
    name || word("level", code),
  );
}

/** Where an entity's page is: companies have a file, others a graph centred on them. */
export function entityHref(type, id) {
  const kind = String(type || "").toLowerCase();
  if (kind === "company") return `/ui/companies/${encodeURIComponent(id)}`;
  return `/ui/entities/${encodeURIComponent(kind)}/${encodeURIComponent(id)}`;
}

/** An entity named by name, its id alongside (or the id alone). */
export function entityLink(type, id, name, attrs = {}) {
  return h(
    "a",
    { href: entityHref(type, id), class: "entity", ...attrs },
    h("span", { class: "entity-name" }, name || id),
    name && name !== id ? h("span", { class: "id" }, id) : null,
  );
}

export function loading() {
  return h("p", { class: "loading", testid: "loading", role: "status" }, t("loading"));
}

export function empty(text, testid = "empty") {
  return h("p", { class: "empty", testid }, text);
}

export function section(title, ...children) {
  return h("section", { class: "card" }, h("h2", null, title), ...children);
}

/** A table from headers and rows of cells (nodes or text); `rowAttrs(i)` per row. */
export function table(headers, rows, { testid, rowAttrs, caption } = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { testid },
      caption ? h("caption", null, caption) : null,
      h("thead", null, h("tr", null, headers.map((x) => h("th", { scope: "col" }, x)))),
      h(
        "tbody",
        null,
        rows.map((cells, i) => h("tr", rowAttrs ? rowAttrs(i) : null, cells.map((c) => h("td", null, c)))),
      ),
    ),
  );
}

/** A definition list from [term, value] pairs, skipping empty values. */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs
      .filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([term, value]) => [h("dt", null, term), h("dd", null, value)]),
  );
}

// --- the error box: one in the document, moved to where the user looks -----------------------
// The app's sentence (an ApiError's message, worded by the problem's kind), then what the
// server said in its own words, smaller: nothing it said is lost.
const box = h(
  "div",
  { class: "error-box", testid: "error", role: "alert", hidden: true },
  h("strong", { class: "error-title" }),
  " ",
  h("span", { class: "error-detail" }),
  h("span", { class: "error-server", hidden: true }, h("span", { class: "visually-hidden" }), h("span", { class: "error-server-text" })),
  h("button", { type: "button", class: "error-close", "aria-label": "" }, "×"),
);
box.querySelector(".error-close").addEventListener("click", () => clearError());

export function errorBox() {
  box.querySelector(".error-close").setAttribute("aria-label", t("error.close"));
  return box;
}

/** Show an error (ApiError, Error or text); 401s already handled and aborts are skipped. */
export function showError(error) {
  if (!error) return;
  if (error.name === "AbortError" || error.handled) return;
  const text = typeof error === "string" ? error : error.message || String(error);
  const server = typeof error === "object" && typeof error.detail === "string" ? error.detail.trim() : "";
  box.querySelector(".error-title").textContent = `${t("error.title")}:`;
  box.querySelector(".error-detail").textContent = text;
  const extra = box.querySelector(".error-server");
  if (server && server !== text) {
    extra.querySelector(".visually-hidden").textContent = `${t("error.serverSaid")} `;
    extra.querySelector(".error-server-text").textContent = server;
    extra.hidden = false;
  } else {
    extra.hidden = true;
    extra.querySelector(".error-server-text").textContent = "";
  }
  box.hidden = false;
  if (error && typeof error === "object" && "status" in error) box.dataset.status = String(error.status);
  else delete box.dataset.status;
  if (error && typeof error === "object" && error.kind) box.dataset.kind = String(error.kind);
  else delete box.dataset.kind;
}

export function clearError() {
  box.hidden = true;
  box.querySelector(".error-detail").textContent = "";
  box.querySelector(".error-server").hidden = true;
  box.querySelector(".error-server-text").textContent = "";
  delete box.dataset.status;
  delete box.dataset.kind;
}

/** A short-lived status line (after an update), for screen readers too. */
export function flash(el, text) {
  el.textContent = text;
  el.hidden = false;
  clearTimeout(el._flashTimer);
  el._flashTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}
