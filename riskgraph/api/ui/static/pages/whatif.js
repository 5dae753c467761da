// What-if (/ui/whatif?seeds=…): if these companies blew up, who would be hit, how hard,
// and by which paths (POST /propagate, analysts and admins). Company names are suggested
// from /search as the last id is typed.

import { api, canAct, query } from "../api.js";
import { clearError, empty, entityLink, fmtPct, fmtScore, h, levelBadge, showError } from "../dom.js";
import { t } from "../i18n.js";

const SEPARATORS = /[\s,，;；、]+/;
const SUGGEST_MS = 250;

export function parseSeeds(text) {
  return [...new Set(String(text).split(SEPARATORS).map((s) => s.trim()).filter(Boolean))];
}

export async function render(ctx) {
  ctx.setTitle(t("whatif.title"));
  ctx.main.append(h("h1", null, t("whatif.title")), h("p", { class: "hint" }, t("whatif.intro")));
  if (!canAct()) {
    ctx.main.append(h("p", { class: "notice", testid: "whatif-forbidden" }, t("whatif.needsAnalyst")));
    return;
  }

  const seeds = h("textarea", {
    id: "whatif-seeds",
    testid: "whatif-seeds",
    rows: 3,
    spellcheck: "false",
    placeholder: t("whatif.placeholder"),
    value: parseSeeds(ctx.query.get("seeds") || "").join(", "),
    "aria-describedby": "whatif-suggestions",
  });
  const run = h("button", { type: "submit", testid: "whatif-run" }, t("whatif.run"));
  const suggestions = h("ul", { id: "whatif-suggestions", class: "suggestions", testid: "whatif-suggestions", "aria-label": t("whatif.suggest"), hidden: true });
  const results = h("div", { class: "whatif-results", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "whatif-form card" },
    h("label", { for: "whatif-seeds" }, t("whatif.seeds")),
    seeds,
    suggestions,
    h("div", { class: "form-actions" }, run),
  );
  ctx.main.append(form, results);

  // --- suggestions for the id being typed (the text after the last separator) --------------
  let timer = null;
  let seq = 0;
  ctx.cleanup(() => clearTimeout(timer));
  const lastToken = () => {
    const text = seeds.value;
    const m = text.match(/[^\s,，;；、]*$/);
    return { start: text.length - m[0].length, token: m[0] };
  };
  seeds.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(suggest, SUGGEST_MS);
  });
  async function suggest() {
    const { token } = lastToken();
    const mine = ++seq;
    if (token.length < 2) {
      suggestions.hidden = true;
      return;
    }
    try {
      const data = await api(`/search${query({ q: token.slice(0, 100), kind: "company", limit: 8 })}`, { signal: ctx.signal });
      if (mine !== seq || !ctx.alive()) return;
      const items = (data.items || []).filter((x) => x.label === "Company" && x.id !== token);
      suggestions.replaceChildren(
        ...items.map((x) =>
          h(
            "li",
            null,
            h(
              "button",
              { type: "button", class: "suggestion", dataset: { entityId: x.id }, onclick: () => pick(x.id) },
              h("span", { class: "entity-name" }, x.name || x.id),
              h("span", { class: "id" }, x.id),
            ),
          ),
        ),
      );
      suggestions.hidden = items.length === 0;
    } catch {
      suggestions.hidden = true; // suggestions are a convenience: no error box for them
    }
  }
  function pick(id) {
    const { start } = lastToken();
    seeds.value = `${seeds.value.slice(0, start)}${id}, `;
    suggestions.hidden = true;
    seeds.focus();
  }

  // --- the run ------------------------------------------------------------------------------
  seeds.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    clearTimeout(timer);
    seq++;
    suggestions.hidden = true;
    const list = parseSeeds(seeds.value);
    if (!list.length) {
      showError(t("whatif.noSeeds"));
      return;
    }
    ctx.replaceQuery({ seeds: list.join(",") });
    run.disabled = true;
    run.textContent = t("whatif.running");
    results.setAttribute("aria-busy", "true");
    try {
      const result = await api("/propagate", { method: "POST", body: { seeds: list, top: 50, paths: 1 }, signal: ctx.signal });
      if (!ctx.alive()) return;
      show(results, result);
    } catch (error) {
      if (!ctx.alive()) return;
      results.replaceChildren(); // no stale result under a failed run's error
      showError(error);
    } finally {
      if (ctx.alive()) {
        run.disabled = false;
        run.textContent = t("whatif.run");
        results.removeAttribute("aria-busy");
      }
    }
  });
}

function show(el, result) {
  const companies = result.companies || [];
  const summary = h(
    "div",
    { class: "whatif-summary" },
    h("p", { class: "count big", testid: "whatif-summary", dataset: { hit: result.hit } }, t("whatif.hit", { n: result.hit })),
    h("p", { class: "hint" }, t("whatif.seedList", { seeds: (result.seeds || []).join(", ") }), " · ", t("whatif.took", { ms: result.took_ms, alpha: result.alpha })),
  );
  if (!companies.length) {
    el.replaceChildren(summary, empty(t("whatif.empty"), "whatif-empty"));
    return;
  }
  const headers = [t("col.rank"), t("col.company"), t("col.contagion"), t("col.baseline"), t("col.change"), t("col.level"), t("col.paths")];
  const rows = companies.map((c, i) =>
    h(
      "tr",
      { testid: "whatif-hit", dataset: { entityId: c.id, contagion: c.contagion, baseline: c.baseline } },
      h("td", { class: "num" }, String(i + 1)),
      h("td", null, entityLink("company", c.id, c.name)),
      h("td", { class: "num" }, fmtPct(c.contagion)),
      h("td", { class: "num" }, fmtPct(c.baseline)),
      h("td", { class: c.contagion > c.baseline ? "num up" : "num" }, c.contagion > c.baseline ? `+${fmtPct(c.contagion - c.baseline)}` : fmtPct(c.contagion - c.baseline)),
      h("td", null, levelBadge(c.level), " ", h("span", { class: "score" }, fmtScore(c.score))),
      h("td", { class: "path-cell" }, (c.paths || []).map((p) => h("p", { class: "path-text", testid: "whatif-path" }, p.text))),
    ),
  );
  el.replaceChildren(
    summary,
    h("div", { class: "table-wrap" }, h("table", { class: "whatif", testid: "whatif-results" }, h("thead", null, h("tr", null, headers.map((x) => h("th", { scope: "col" }, x)))), h("tbody", null, rows))),
  );
}
