// The company file (/ui/companies/{id}): registry facts, the score and why, evidence paths,
// the ring, the graph, controllers, people, ties, shared phones and addresses, events.
// The four answers load in parallel; each section shows what it got, so one failing call
// (or a 409 "not scored yet") leaves the rest of the file readable.

import { api, fetchFile, query, saveBlob, seg } from "../api.js";
import {
  clearError,
  empty,
  entityHref,
  entityLink,
  facts,
  fmtDate,
  fmtMoney,
  fmtPct,
  fmtScore,
  fmtUnit,
  h,
  levelBadge,
  loading,
  section,
  showError,
  table,
} from "../dom.js";
import { mountGraph, showSubgraph } from "../graph.js";
import { getLang, t, word } from "../i18n.js";

const COMPONENTS = ["contagion", "ring", "events", "structure", "gnn"];

export async function render(ctx) {
  const id = ctx.params.id;
  ctx.setTitle(id);
  const wait = loading();
  ctx.main.append(wait);
  const base = `/companies/${seg(id)}`;
  const opts = { signal: ctx.signal };
  const [fileR, riskR, ctrlR] = await Promise.allSettled([
    api(base, opts),
    api(`${base}/risk`, opts),
    api(`${base}/controllers`, opts),
  ]);
  if (!ctx.alive()) return;
  wait.remove();
  if (fileR.status === "rejected") {
    ctx.main.append(h("h1", { testid: "company-name" }, id));
    showError(fileR.reason);
    return;
  }
  const file = fileR.value;
  const c = file.company || { id };
  ctx.setTitle(c.name || c.id);

  let risk = null;
  let notScored = false;
  if (riskR.status === "fulfilled") risk = riskR.value;
  else if (riskR.reason && riskR.reason.status === 409) notScored = true;
  else showError(riskR.reason);

  ctx.main.append(head(c, id, ctx.signal), h("div", { class: "grid two" }, riskCard(file, risk, notScored), factsCard(c)));

  // the graph: drawn once the section is in the page (vis-network measures its container)
  const graph = mountGraph(ctx, t("company.graph"));
  const graphLoad = showSubgraph(ctx, graph, api(`${base}/subgraph?hops=1&limit=60`, opts));

  ctx.main.append(
    controllersCard(ctrlR),
    peopleCard(file.people || []),
    h("div", { class: "grid two" }, shareholdersCard(file.shareholders || []), holdingsCard(file.holdings || [])),
    tiesCard(file.ties || []),
    identifiersCard(file.identifiers || []),
    timelineCard(file.events || []),
  );
  await graphLoad;
}

function head(c, id, signal) {
  const cid = c.id || id;
  // the server words the file by Accept-Language, which a plain link cannot set: ?lang=
  const lang = query({ lang: getLang() });
  const printHref = `/companies/${seg(cid)}/file.html${lang}`;
  const pdfHref = `/companies/${seg(cid)}/file.pdf${lang}`;
  const pdfNote = h("div", { class: "notice pdf-note no-print", testid: "pdf-unavailable", role: "status", hidden: true });
  const pdf = h("a", { href: pdfHref, testid: "download-pdf", class: "pdf-download" }, t("company.pdf"));
  pdf.addEventListener("click", (event) => {
    // a new tab or window, or "save link as": the browser's own way, the language in the URL
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    downloadPdf(pdf, pdfNote, { cid, pdfHref, printHref, signal });
  });
  return h(
    "header",
    { class: "page-head" },
    h("p", { class: "eyebrow" }, t("company.title")),
    h("h1", { testid: "company-name" }, c.name || cid),
    h(
      "p",
      { class: "ids" },
      h("span", null, `${t("company.id")} `, h("span", { class: "id", testid: "company-id" }, cid)),
      c.uscc && c.uscc !== cid ? h("span", null, `${t("company.uscc")} `, h("span", { class: "id", testid: "company-uscc" }, c.uscc)) : null,
      c.status ? h("span", { class: `badge status status-${c.status}`, dataset: { status: c.status } }, word("status", c.status)) : null,
    ),
    h(
      "p",
      { class: "actions no-print" },
      h("a", { href: printHref, target: "_blank", rel: "noopener", testid: "print-file" }, t("company.print")),
      pdf,
      h("a", { href: `/ui/whatif?seeds=${encodeURIComponent(cid)}`, testid: "company-whatif" }, t("company.whatif")),
    ),
    pdfNote,
  );
}

/**
 * The PDF through fetch (the app's language, the session cookie), saved as a download
 * named as the server says (Content-Disposition filename*) or {id}.pdf. It takes a few
 * seconds (headless Chromium prints it): the link says it is working meanwhile. A 501
 * (no Chromium on the server) points to the printable page instead.
 */
async function downloadPdf(link, note, { cid, pdfHref, printHref, signal }) {
  if (link.getAttribute("aria-busy") === "true") return; // one at a time
  clearError();
  note.hidden = true;
  note.replaceChildren();
  link.setAttribute("aria-busy", "true");
  link.setAttribute("aria-disabled", "true");
  link.classList.add("busy");
  link.textContent = t("company.pdfBusy");
  try {
    const { blob, filename } = await fetchFile(pdfHref, { signal, accept: "application/pdf, application/problem+json" });
    if (signal && signal.aborted) return;
    saveBlob(blob, filename || `${cid}.pdf`);
  } catch (error) {
    if (!error || error.name === "AbortError" || (signal && signal.aborted)) return;
    if (error.status === 501) {
      note.append(
        h("span", null, t("company.pdfUnavailable")),
        " ",
        h("a", { href: printHref, target: "_blank", rel: "noopener", testid: "pdf-print-link" }, t("company.print")),
        error.detail ? h("span", { class: "hint server-detail" }, error.detail) : null,
      );
      note.hidden = false;
    } else showError(error);
  } finally {
    link.removeAttribute("aria-busy");
    link.removeAttribute("aria-disabled");
    link.classList.remove("busy");
    link.textContent = t("company.pdf");
  }
}

function factsCard(c) {
  return section(
    t("company.title"),
    facts([
      [t("company.uscc"), c.uscc ? h("span", { class: "id" }, c.uscc) : null],
      [t("company.status"), c.status ? word("status", c.status) : null],
      [t("company.established"), c.established ? fmtDate(c.established) : null],
      [t("company.capital"), c.registered_capital != null ? fmtMoney(c.registered_capital) : null],
      [t("company.paidIn"), c.paid_in_capital != null ? fmtMoney(c.paid_in_capital) : null],
      [t("company.industry"), c.industry],
      [t("company.region"), c.region_name || c.region],
    ]),
  );
}

// --- risk ----------------------------------------------------------------------------------
function riskCard(file, risk, notScored) {
  const stored = file.score; // the file's score summary: what is known without /risk
  const score = risk ? risk.score : stored ? stored.score : null;
  const level = risk ? risk.level : stored ? stored.level : null;
  const tier = risk ? risk.tier : stored ? stored.tier : null;
  const tierName = risk && risk.tier_name ? risk.tier_name : tier ? word("tier", tier) : null;
  const scoredAt = risk ? risk.scored_at : stored ? stored.scored_at : null;
  const card = section(
    t("company.risk"),
    h(
      "div",
      { class: "score-row" },
      h(
        "div",
        { class: "score-big" },
        h("span", { class: "score-label" }, t("company.score")),
        h("span", { class: "score-value", testid: "company-score", dataset: { score: score ?? "" } }, fmtScore(score)),
      ),
      h(
        "div",
        { class: "score-level" },
        h("span", { class: "score-label" }, t("company.level")),
        levelBadge(level, risk && risk.level_name, { testid: "company-level" }),
      ),
      tierName
        ? h(
            "div",
            { class: "score-tier" },
            h("span", { class: "score-label" }, t("company.tier")),
            h("span", { class: "badge tier", testid: "company-tier", dataset: { tier: tier || "" } }, tierName),
          )
        : null,
    ),
    scoredAt ? h("p", { class: "hint" }, `${t("company.scoredAt")}: ${fmtDate(scoredAt)}`) : null,
  );
  if (!risk) {
    if (notScored || !stored) card.append(h("p", { class: "notice", testid: "not-scored" }, t("company.notScored")));
    card.append(ringLine(null, stored && stored.ring_id));
    return card;
  }
  card.append(
    h("h3", null, t("company.components")),
    components(risk.components || {}),
    h("h3", null, t("company.reasons")),
    risk.reasons && risk.reasons.length
      ? h("ul", { class: "reasons", testid: "company-reasons" }, risk.reasons.map((r) => h("li", null, r)))
      : [h("ul", { class: "reasons", testid: "company-reasons" }), empty(t("company.noReasons"))],
    h("h3", null, t("company.evidence")),
    evidence(risk.evidence || []),
    h("h3", null, t("company.ring")),
    ringLine(risk.ring, stored && stored.ring_id),
  );
  if (risk.gnn && typeof risk.gnn.probability === "number") {
    card.append(h("p", { class: "hint", testid: "gnn-probability" }, t("company.gnnProbability", { p: fmtPct(risk.gnn.probability) })));
  }
  return card;
}

function components(values) {
  return h(
    "ul",
    { class: "components", testid: "company-components" },
    COMPONENTS.map((name) => {
      const value = values[name];
      const known = typeof value === "number";
      const width = known ? Math.max(0, Math.min(1, value)) * 100 : 0;
      return h(
        "li",
        { dataset: { component: name, value: known ? value : "" } },
        h("span", { class: "component-name" }, word("component", name)),
        h(
          "span",
          { class: "bar", role: "meter", "aria-valuemin": 0, "aria-valuemax": 1, "aria-valuenow": known ? value : null, "aria-label": word("component", name) },
          h("span", { class: "fill", style: { width: `${width}%` } }),
        ),
        h("span", { class: "component-value" }, known ? fmtUnit(value) : t("component.missing")),
      );
    }),
  );
}

function evidence(paths) {
  if (!paths.length) return empty(t("company.noEvidence"), "no-evidence");
  return h(
    "ol",
    { class: "evidence" },
    paths.map((p) =>
      h(
        "li",
        { testid: "evidence-path", dataset: { seedId: p.seed_id, contribution: p.contribution } },
        h("p", { class: "path-text" }, p.text),
        h(
          "p",
          { class: "path-meta" },
          h("span", { class: "contribution" }, t("company.contribution", { value: fmtUnit(p.contribution) })),
          h(
            "span",
            { class: "path-nodes" },
            (p.nodes || []).map((n, i) => [
              i ? h("span", { class: "arrow", "aria-hidden": "true" }, " → ") : null,
              String(n.id).includes("*")
                ? h("span", { class: "id" }, n.id)
                : h("a", { href: entityHref(n.label, n.id), class: "id" }, n.id),
            ]),
          ),
        ),
      ),
    ),
  );
}

function ringLine(ring, ringId) {
  const id = ring ? ring.id : ringId;
  if (!id) return h("p", { class: "hint", testid: "company-ring" }, t("company.noRing"));
  const text = ring
    ? t("company.ringLink", { id, score: fmtUnit(ring.score), companies: ring.companies, persons: ring.persons })
    : t("ring.title", { id });
  return h("p", null, h("a", { href: `/ui/rings/${encodeURIComponent(id)}`, testid: "company-ring", dataset: { ringId: id } }, text));
}

// --- ownership, people, ties ---------------------------------------------------------------
function controllersCard(result) {
  if (result.status === "rejected") {
    showError(result.reason);
    return section(t("company.controllers"), h("div", { testid: "controllers" }, empty(t("none"))));
  }
  const data = result.value;
  const ultimateIds = new Set((data.ultimate || []).map((u) => u.holder_id));
  const holders = [...(data.holders || [])];
  for (const u of data.ultimate || []) if (!holders.some((x) => x.holder_id === u.holder_id)) holders.push(u);
  const hint = h("p", { class: "hint" }, t("company.controllersHint", { threshold: fmtPct(data.threshold) }));
  if (!holders.length) return section(t("company.controllers"), hint, h("div", { testid: "controllers" }, empty(t("company.noControllers"))));
  const rows = holders.map((x) => {
    const ultimate = x.ultimate || ultimateIds.has(x.holder_id);
    const chain = (x.paths && x.paths[0]) || [];
    return [
      [
        entityLink(x.holder_label, x.holder_id, x.holder_name),
        ultimate ? h("span", { class: "badge ultimate", testid: "ultimate" }, t("company.ultimate")) : null,
      ],
      word("type", x.holder_label),
      fmtPct(x.effective_share),
      String(x.chains ?? ""),
      h("span", { class: "chain" }, chain.map((link, i) => [i ? " → " : "", link.name || link.id, link.share != null ? ` (${fmtPct(link.share)})` : ""])),
    ];
  });
  return section(
    t("company.controllers"),
    hint,
    table([t("col.name"), t("col.type"), t("col.effectiveShare"), t("col.chains"), t("col.path")], rows, {
      testid: "controllers",
      rowAttrs: (i) => ({
        class: holders[i].ultimate || ultimateIds.has(holders[i].holder_id) ? "ultimate-row" : null,
        dataset: { holderId: holders[i].holder_id, ultimate: String(Boolean(holders[i].ultimate || ultimateIds.has(holders[i].holder_id))) },
      }),
    }),
  );
}

function peopleCard(people) {
  if (!people.length) return section(t("company.people"), empty(t("company.noPeople")));
  const rows = people.map((p) => [
    entityLink("person", p.id, p.name),
    (p.roles || []).map((r) => word("officer", r)).join(t("sep")),
    p.share != null ? fmtPct(p.share) : t("none"),
  ]);
  return section(
    t("company.people"),
    table([t("col.name"), t("col.roles"), t("col.share")], rows, { testid: "people", rowAttrs: (i) => ({ dataset: { entityId: people[i].id } }) }),
  );
}

function shareholdersCard(list) {
  if (!list.length) return section(t("company.shareholders"), empty(t("company.noShareholders")));
  const rows = list.map((s) => [entityLink(s.label, s.id, s.name), word("type", s.label), fmtPct(s.share), fmtMoney(s.amount), fmtDate(s.since)]);
  return section(
    t("company.shareholders"),
    table([t("col.name"), t("col.type"), t("col.share"), t("col.amount"), t("col.since")], rows, { testid: "shareholders" }),
  );
}

function holdingsCard(list) {
  if (!list.length) return section(t("company.holdings"), empty(t("company.noHoldings")));
  const rows = list.map((s) => [entityLink("company", s.id, s.name), fmtPct(s.share), fmtMoney(s.amount), fmtDate(s.since)]);
  return section(t("company.holdings"), table([t("col.name"), t("col.share"), t("col.amount"), t("col.since")], rows, { testid: "holdings" }));
}

function tiesCard(list) {
  if (!list.length) return section(t("company.ties"), empty(t("company.noTies")));
  const rows = list.map((x) => [
    word("rel", x.type),
    x.outgoing ? t("tie.out") : t("tie.in"),
    entityLink("company", x.id, x.name),
    fmtMoney(x.amount),
    fmtDate(x.since),
  ]);
  return section(
    t("company.ties"),
    table([t("col.type"), t("col.direction"), t("col.counterparty"), t("col.amount"), t("col.since")], rows, { testid: "ties" }),
  );
}

function identifiersCard(list) {
  if (!list.length) return section(t("company.identifiers"), empty(t("company.noIdentifiers")));
  const sorted = [...list].sort((a, b) => (b.entities || 0) - (a.entities || 0));
  const rows = sorted.map((x) => {
    const shown = x.text || x.value;
    const isMasked = String(x.value).includes("*");
    return [
      word("ident", x.kind),
      isMasked
        ? h("span", { class: "id" }, shown)
        : h(
            "a",
            { href: entityHref(x.kind, x.value), class: "entity" },
            h("span", { class: "entity-name" }, shown),
            x.text && x.text !== x.value ? h("span", { class: "id" }, x.value) : null,
          ),
      (x.entities || 0) > 1
        ? h("span", { class: x.companies > 1 ? "shared warn" : "shared" }, t("company.sharedBy", { entities: x.entities, companies: x.companies }))
        : h("span", { class: "hint" }, t("company.notShared")),
    ];
  });
  return section(
    t("company.identifiers"),
    table([t("col.kind"), t("col.value"), t("col.sharing")], rows, {
      testid: "identifiers",
      rowAttrs: (i) => ({ dataset: { kind: sorted[i].kind, entities: sorted[i].entities, companies: sorted[i].companies } }),
    }),
  );
}

function timelineCard(events) {
  // by date, oldest first; undated events last
  const sorted = [...events].sort((a, b) => {
    if (!a.date && !b.date) return 0;
    if (!a.date) return 1;
    if (!b.date) return -1;
    return a.date < b.date ? -1 : a.date > b.date ? 1 : 0;
  });
  const list = h(
    "ol",
    { class: "timeline", testid: "timeline" },
    sorted.map((e) =>
      h(
        "li",
        { testid: "timeline-event", class: `event event-${e.type}`, dataset: { date: e.date || "", type: e.type, eventId: e.id } },
        h("time", { datetime: e.date || null }, fmtDate(e.date)),
        h("span", { class: "badge event-type" }, word("event", e.type)),
        e.severity != null ? h("span", { class: "severity", title: t("col.severity") }, `${t("col.severity")} ${e.severity}`) : null,
        e.description ? h("span", { class: "description" }, e.description) : null,
      ),
    ),
  );
  return section(t("company.timeline"), list, events.length ? null : empty(t("company.noEvents")));
}
