// One ring (/ui/rings/{id}): why it scored, its features, members, people, what the members
// share, and its subgraph drawn with the graph component.

import { api, seg } from "../api.js";
import { empty, entityHref, entityLink, fmtInt, fmtScore, fmtUnit, h, levelBadge, loading, section, table } from "../dom.js";
import { mountGraph, showSubgraph } from "../graph.js";
import { t, word } from "../i18n.js";

export async function render(ctx) {
  const id = ctx.params.id;
  ctx.setTitle(t("ring.title", { id }));
  const wait = loading();
  ctx.main.append(wait);
  let ring;
  try {
    ring = await api(`/rings/${seg(id)}`, { signal: ctx.signal });
  } catch (error) {
    wait.remove();
    ctx.main.append(h("h1", { testid: "ring-title" }, t("ring.title", { id })));
    throw error;
  }
  if (!ctx.alive()) return;
  wait.remove();

  ctx.main.append(
    h(
      "header",
      { class: "page-head" },
      h("p", { class: "eyebrow" }, h("a", { href: "/ui/rings" }, t("rings.title"))),
      h("h1", { testid: "ring-title", dataset: { ringId: ring.id } }, t("ring.title", { id: ring.id })),
      h(
        "p",
        { class: "ids", testid: "ring-summary", dataset: { score: ring.score } },
        t("ring.summary", { score: fmtUnit(ring.score), companies: fmtInt(ring.companies), persons: fmtInt(ring.persons) }),
      ),
    ),
    h(
      "div",
      { class: "grid two" },
      section(
        t("ring.reasons"),
        ring.reasons && ring.reasons.length
          ? h("ul", { class: "reasons", testid: "ring-reasons" }, ring.reasons.map((r) => h("li", null, r)))
          : empty(t("company.noReasons")),
      ),
      featuresCard(ring.features || {}),
    ),
  );

  const graph = mountGraph(ctx, t("graph.title"));
  const graphLoad = showSubgraph(ctx, graph, api(`/rings/${seg(id)}/subgraph`, { signal: ctx.signal }));

  ctx.main.append(membersCard(ring.members || []), peopleCard(ring.people || []), sharedCard(ring.shared || []));
  await graphLoad;
}

function featuresCard(features) {
  const entries = Object.entries(features).sort((a, b) => b[1] - a[1]);
  if (!entries.length) return section(t("ring.features"), empty(t("none")));
  return section(
    t("ring.features"),
    h(
      "ul",
      { class: "components", testid: "ring-features" },
      entries.map(([name, value]) =>
        h(
          "li",
          { dataset: { feature: name, value } },
          h("span", { class: "component-name" }, word("feature", name)),
          h("span", { class: "bar", "aria-hidden": "true" }, h("span", { class: "fill", style: { width: `${Math.max(0, Math.min(1, Number(value) || 0)) * 100}%` } })),
          h("span", { class: "component-value" }, fmtUnit(Number(value))),
        ),
      ),
    ),
  );
}

function membersCard(members) {
  const sorted = [...members].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  if (!sorted.length) return section(t("ring.members"), empty(t("none")));
  const rows = sorted.map((m) => [
    entityLink("company", m.id, m.name),
    levelBadge(m.level),
    fmtScore(m.score),
    m.status ? word("status", m.status) : t("none"),
  ]);
  return section(
    `${t("ring.members")} (${sorted.length})`,
    table([t("col.company"), t("col.level"), t("col.score"), t("col.status")], rows, {
      testid: "ring-members",
      rowAttrs: (i) => ({ testid: "ring-member", dataset: { entityId: sorted[i].id, level: sorted[i].level || "" } }),
    }),
  );
}

function peopleCard(people) {
  if (!people.length) return section(t("ring.people"), empty(t("ring.noPeople")));
  return section(
    `${t("ring.people")} (${people.length})`,
    h("ul", { class: "chips", testid: "ring-people" }, people.map((p) => h("li", { dataset: { entityId: p.id } }, entityLink("person", p.id, p.name)))),
  );
}

function sharedCard(shared) {
  if (!shared.length) return section(t("ring.shared"), empty(t("ring.noShared")));
  const rows = shared.map((s) => {
    const shown = s.text || s.value;
    const value = String(s.value).includes("*")
      ? h("span", { class: "id" }, shown)
      : h("a", { href: entityHref(s.kind, s.value), class: "entity" }, h("span", { class: "entity-name" }, shown), shown !== s.value ? h("span", { class: "id" }, s.value) : null);
    return [word("ident", s.kind), value, fmtInt(s.members), fmtInt(s.degree)];
  });
  return section(
    t("ring.shared"),
    table([t("col.kind"), t("col.value"), t("col.members"), t("col.degree")], rows, {
      testid: "ring-shared",
      rowAttrs: (i) => ({ dataset: { kind: shared[i].kind } }),
    }),
  );
}
