// Search (/ui/): companies and people by name, id, USCC or pinyin initials, as typed.
// The query is kept in ?q= so that back from a company returns to the same results.

import { api, query } from "../api.js";
import { empty, entityHref, fmtScore, h, levelBadge, loading, showError, clearError } from "../dom.js";
import { t, word } from "../i18n.js";

const DEBOUNCE_MS = 200;
const MAX_QUERY = 100; // GET /search's limit on q

export async function render(ctx) {
  ctx.setTitle(t("nav.search"));
  const initial = (ctx.query.get("q") || "").slice(0, MAX_QUERY);
  const input = h("input", {
    id: "search-q",
    type: "search",
    testid: "search-input",
    value: initial,
    maxlength: MAX_QUERY,
    autocomplete: "off",
    spellcheck: "false",
    placeholder: t("search.placeholder"),
    "aria-describedby": "search-hint",
    "aria-controls": "search-results",
  });
  const results = h("div", { id: "search-results", class: "search-results", "aria-live": "polite" });
  const form = h(
    "form",
    { role: "search", class: "search-form" },
    h("label", { for: "search-q" }, t("search.label")),
    h("div", { class: "search-row" }, input, h("button", { type: "submit" }, t("nav.search"))),
    h("p", { id: "search-hint", class: "hint" }, t("search.hint")),
  );
  ctx.main.append(h("h1", null, t("search.title")), form, results);
  input.focus();

  let timer = null;
  let seq = 0; // answers that come back out of order are dropped
  let inflight = null;
  ctx.cleanup(() => {
    clearTimeout(timer);
    if (inflight) inflight.abort();
  });

  async function run(text) {
    clearTimeout(timer);
    const q = text.trim().slice(0, MAX_QUERY);
    ctx.replaceQuery({ q });
    const mine = ++seq;
    if (inflight) inflight.abort();
    if (!q) {
      results.replaceChildren();
      return;
    }
    inflight = new AbortController();
    results.setAttribute("aria-busy", "true");
    if (!results.firstChild) results.append(loading());
    try {
      const data = await api(`/search${query({ q, limit: 20 })}`, { signal: inflight.signal });
      if (mine !== seq || !ctx.alive()) return;
      clearError();
      show(data.items || []);
    } catch (error) {
      if (mine !== seq || !ctx.alive()) return;
      results.replaceChildren();
      showError(error);
    } finally {
      if (mine === seq) results.removeAttribute("aria-busy");
    }
  }

  function show(items) {
    if (!items.length) {
      results.replaceChildren(empty(t("noResults"), "search-empty"));
      return;
    }
    results.replaceChildren(
      h("p", { class: "count", testid: "search-count" }, t("search.count", { n: items.length })),
      h("ul", { class: "results" }, items.map(hit)),
    );
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => run(input.value), DEBOUNCE_MS);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault(); // Enter: search now
    run(input.value);
  });
  if (initial.trim()) run(initial);
}

function hit(item) {
  const isCompany = item.label === "Company";
  const matched = item.matched ? word("search.matched", item.matched) : null;
  return h(
    "li",
    { class: "result", testid: "search-result", dataset: { entityId: item.id, label: item.label } },
    h(
      "a",
      { href: entityHref(isCompany ? "company" : String(item.label).toLowerCase(), item.id), class: "result-link" },
      h("span", { class: "result-name" }, item.name || item.id),
      h("span", { class: "id" }, item.id),
    ),
    h(
      "span",
      { class: "result-meta" },
      h("span", { class: "badge type" }, word("type", item.label)),
      isCompany ? levelBadge(item.level) : null,
      isCompany ? h("span", { class: "score", dataset: { score: item.score ?? "" } }, t("search.score", { score: fmtScore(item.score) })) : null,
      matched ? h("span", { class: "matched" }, matched) : null,
    ),
  );
}
