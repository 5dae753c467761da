// Rings (/ui/rings): detected rings (团伙), riskiest first; more pages on demand.

import { api, query } from "../api.js";
import { empty, fmtInt, fmtUnit, h, loading, showError } from "../dom.js";
import { t } from "../i18n.js";

const PAGE = 100;

export async function render(ctx) {
  ctx.setTitle(t("rings.title"));
  const total = h("p", { class: "count", testid: "rings-total" });
  const body = h("tbody");
  const tableEl = h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { testid: "rings", class: "rings" },
      h(
        "thead",
        null,
        h(
          "tr",
          null,
          [t("col.rank"), t("col.id"), t("col.score"), t("col.companies"), t("col.persons"), t("col.reasons")].map((x) => h("th", { scope: "col" }, x)),
        ),
      ),
      body,
    ),
  );
  const moreBtn = h("button", { type: "button", class: "secondary no-print", hidden: true }, t("more.load"));
  const wait = loading();
  ctx.main.append(h("h1", null, t("rings.title")), total, wait);

  let shown = 0;
  async function page(offset) {
    const data = await api(`/rings${query({ limit: PAGE, offset })}`, { signal: ctx.signal });
    if (!ctx.alive()) return;
    const items = data.items || [];
    items.forEach((ring, i) => body.append(row(ring, offset + i + 1)));
    shown = offset + items.length;
    total.textContent = t("rings.total", { n: data.total ?? shown });
    total.dataset.total = String(data.total ?? shown);
    moreBtn.hidden = !(data.total > shown && items.length > 0);
    return data;
  }

  moreBtn.addEventListener("click", async () => {
    moreBtn.disabled = true;
    try {
      await page(shown);
    } catch (error) {
      showError(error);
    } finally {
      moreBtn.disabled = false;
    }
  });

  const data = await page(0).finally(() => wait.remove());
  if (!ctx.alive() || !data) return;
  if (!(data.items || []).length) ctx.main.append(empty(t("rings.empty"), "rings-empty"));
  else ctx.main.append(tableEl, moreBtn);
}

function row(ring, rank) {
  const href = `/ui/rings/${encodeURIComponent(ring.id)}`;
  return h(
    "tr",
    { testid: "ring-row", dataset: { ringId: ring.id } },
    h("td", { class: "num" }, String(rank)),
    h("td", null, h("a", { href, class: "id" }, ring.id)),
    h("td", { class: "num" }, h("span", { class: "ring-score" }, fmtUnit(ring.score))),
    h("td", { class: "num" }, fmtInt(ring.companies)),
    h("td", { class: "num" }, fmtInt(ring.persons)),
    h("td", null, ring.reasons && ring.reasons.length ? h("ul", { class: "reasons compact" }, ring.reasons.map((r) => h("li", null, r))) : t("none")),
  );
}
