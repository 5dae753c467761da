// A graph centred on one entity (/ui/entities/{type}/{id}): a person, address or phone
// (reached from search results and the graph), or any other type the neighbours endpoint
// knows. It starts from the first page of the entity's neighbours.

import { api, seg } from "../api.js";
import { empty, entityLink, fmtScore, h, levelBadge, loading, section, table } from "../dom.js";
import { apiType, displayName, mountGraph } from "../graph.js";
import { t, word } from "../i18n.js";

const PAGE = 25;

export async function render(ctx) {
  const type = apiType(ctx.params.type);
  const id = ctx.params.id;
  ctx.setTitle(`${word("type", type)} ${id}`);
  const wait = loading();
  ctx.main.append(wait);
  let page;
  try {
    page = await api(`/entities/${seg(type.toLowerCase())}/${seg(id)}/neighbours?offset=0&limit=${PAGE}`, { signal: ctx.signal });
  } catch (error) {
    wait.remove();
    ctx.main.append(h("h1", { testid: "entity-name" }, t("entity.title", { type: word("type", type), name: id })));
    throw error;
  }
  if (!ctx.alive()) return;
  wait.remove();
  const centre = page.center || { id, type, name: null };
  const name = displayName(centre.type || type, centre.name, centre.id); // events: worded
  ctx.setTitle(name);
  ctx.main.append(
    h(
      "header",
      { class: "page-head" },
      h("p", { class: "eyebrow" }, word("type", centre.type || type)),
      h("h1", { testid: "entity-name", dataset: { entityId: centre.id, type: centre.type || type } }, name),
      h(
        "p",
        { class: "ids" },
        h("span", { class: "id", testid: "entity-id" }, centre.id),
        centre.type === "Company" ? h("a", { href: `/ui/companies/${encodeURIComponent(centre.id)}` }, t("graph.openFile")) : null,
        centre.level ? levelBadge(centre.level) : null,
        centre.score != null ? h("span", { class: "score" }, fmtScore(centre.score)) : null,
      ),
    ),
  );

  const graph = mountGraph(ctx, t("graph.title"));
  graph.loadNeighbours(page);
  ctx.setGraph(graph);

  const nodes = page.nodes || [];
  const total = page.total ?? nodes.length;
  const list = nodes.length
    ? table(
        [t("col.type"), t("col.name"), t("col.level"), t("col.score")],
        nodes.map((n) => [
          word("type", n.type),
          String(n.id).includes("*") ? h("span", { class: "id" }, n.name || n.id) : entityLink(n.type, n.id, n.name ? displayName(n.type, n.name, n.id) : n.name),
          n.type === "Company" ? levelBadge(n.level) : t("none"),
          n.type === "Company" ? fmtScore(n.score) : t("none"),
        ]),
        { testid: "entity-neighbours", rowAttrs: (i) => ({ dataset: { entityId: nodes[i].id, type: nodes[i].type } }) },
      )
    : empty(t("entity.noNeighbours"));
  ctx.main.append(
    section(
      t("entity.neighbours"),
      h("p", { class: "count" }, t("entity.total", { n: total }), nodes.length < total ? ` · ${t("shownOf", { shown: nodes.length, total })}` : ""),
      list,
    ),
  );
}
