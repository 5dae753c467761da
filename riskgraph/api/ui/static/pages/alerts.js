// Alerts (/ui/alerts?state=&level=): the work queue. The filters live in the query string so
// a filtered view can be bookmarked. Analysts and admins move an alert along its states;
// viewers get no controls at all (not merely disabled ones).

import { api, canAct, getSession, query, seg } from "../api.js";
import { clearError, empty, entityLink, fmtDate, fmtScore, flash, h, levelBadge, loading, showError } from "../dom.js";
import { ALERT_STATES, LEVELS, t, word } from "../i18n.js";

// Which states each state may move to (riskgraph/engine/alerts.py TRANSITIONS).
const NEXT = {
  new: ["assigned", "confirmed", "dismissed"],
  assigned: ["new", "confirmed", "dismissed"],
  confirmed: ["disposed", "dismissed"],
  dismissed: ["assigned", "confirmed"],
  disposed: [],
};

export async function render(ctx) {
  ctx.setTitle(t("alerts.title"));
  const state = ALERT_STATES.includes(ctx.query.get("state")) ? ctx.query.get("state") : "";
  const level = LEVELS.includes(ctx.query.get("level")) ? ctx.query.get("level") : "";
  const acting = canAct();

  const stateSel = filter("alert-filter-state", t("alerts.filterState"), ALERT_STATES, state, (s) => word("state", s));
  const levelSel = filter("alert-filter-level", t("alerts.filterLevel"), LEVELS, level, (l) => word("level", l));
  const apply = () => {
    const params = new URLSearchParams();
    if (stateSel.select.value) params.set("state", stateSel.select.value);
    if (levelSel.select.value) params.set("level", levelSel.select.value);
    const text = params.toString();
    ctx.navigate(`/ui/alerts${text ? `?${text}` : ""}`);
  };
  stateSel.select.addEventListener("change", apply);
  levelSel.select.addEventListener("change", apply);

  const status = h("p", { class: "flash", role: "status", hidden: true, testid: "alert-flash" });
  const total = h("p", { class: "count", testid: "alerts-total" });
  const wait = loading();
  ctx.main.append(
    h("h1", null, t("alerts.title")),
    h("form", { class: "filters no-print", onsubmit: (e) => e.preventDefault() }, stateSel.label, levelSel.label),
    total,
    status,
    wait,
  );

  const data = await api(`/alerts${query({ state, level, limit: 100 })}`, { signal: ctx.signal }).finally(() => wait.remove());
  if (!ctx.alive()) return;
  const items = data.items || [];
  total.textContent = t("alerts.total", { n: data.total ?? items.length });
  total.dataset.total = String(data.total ?? items.length);
  if (items.length < (data.total ?? 0)) total.append(" · ", t("shownOf", { shown: items.length, total: data.total }));
  if (!items.length) {
    ctx.main.append(empty(t("alerts.empty"), "alerts-empty"));
    return;
  }

  const headers = [t("col.company"), t("col.level"), t("col.score"), t("col.reasons"), t("col.state"), t("col.assignee"), t("col.note"), t("col.updated")];
  if (acting) headers.push(t("col.actions"));
  const body = h("tbody");
  const update = async (tr, alert, change) => {
    clearError();
    const buttons = tr.querySelectorAll("button, select, input");
    buttons.forEach((b) => {
      b.disabled = true;
    });
    try {
      const updated = await api(`/alerts/${seg(alert.id)}`, { method: "PATCH", body: change, signal: ctx.signal });
      if (!ctx.alive()) return;
      tr.replaceWith(row(updated, acting, update));
      flash(status, t("alerts.saved", { id: updated.id }));
    } catch (error) {
      if (!ctx.alive()) return;
      showError(error); // 409: the state forbids it, worded by the server
      buttons.forEach((b) => {
        b.disabled = b.dataset.alwaysDisabled === "true";
      });
    }
  };
  items.forEach((alert) => body.append(row(alert, acting, update)));
  ctx.main.append(
    h(
      "div",
      { class: "table-wrap" },
      h("table", { class: "alerts", testid: "alerts" }, h("thead", null, h("tr", null, headers.map((x) => h("th", { scope: "col" }, x)))), body),
    ),
  );
}

function filter(testid, text, values, selected, wording) {
  const select = h(
    "select",
    { id: testid, testid },
    h("option", { value: "", selected: !selected }, t("alerts.all")),
    values.map((v) => h("option", { value: v, selected: v === selected }, wording(v))),
  );
  select.value = selected;
  return { select, label: h("label", { class: "filter" }, h("span", null, text), select) };
}

function row(alert, acting, update) {
  const tr = h("tr", { testid: "alert-row", dataset: { alertId: alert.id, state: alert.state, level: alert.level } });
  const reasons = alert.reasons && alert.reasons.length ? h("ul", { class: "reasons compact" }, alert.reasons.map((r) => h("li", null, r))) : t("none");
  const history =
    alert.history && alert.history.length
      ? h("details", { class: "history" }, h("summary", null, t("alerts.history")), h("ul", null, alert.history.map(historyItem)))
      : null;
  const updated = alert.updated_at
    ? t("alerts.by", { who: alert.updated_by || t("none"), at: fmtDate(alert.updated_at) })
    : `${t("col.raised")} ${fmtDate(alert.raised_at)}`;
  tr.append(
    h("td", null, entityLink("company", alert.company_id, alert.company_name), h("div", { class: "hint" }, alert.id)),
    h(
      "td",
      null,
      levelBadge(alert.level),
      alert.current_level && alert.current_level !== alert.level ? [" → ", levelBadge(alert.current_level)] : null,
    ),
    h("td", { class: "num" }, fmtScore(alert.score)),
    h("td", null, reasons),
    h("td", null, h("span", { class: `badge state state-${alert.state}`, testid: "alert-state", dataset: { state: alert.state } }, word("state", alert.state))),
    h("td", { testid: "alert-assigned-to" }, alert.assignee || t("none")),
    h("td", { testid: "alert-note-text" }, alert.note || t("none")),
    h("td", { class: "small" }, updated, history),
  );
  if (acting) tr.append(h("td", { class: "actions no-print" }, actions(tr, alert, update)));
  return tr;
}

/** "role:name" -> "name" (the audit log's `who`); anything else as it is. */
function whoName(by) {
  const text = String(by ?? "").trim();
  const at = text.indexOf(":");
  return at >= 0 && at < text.length - 1 ? text.slice(at + 1) : text || t("none");
}

/**
 * One history entry: a JSON string {at, by, from, to, note, assignee?} worded as a line
 * (local time to the minute, who, state from -> to, assignee, note); otherwise the raw text.
 */
export function historyText(entry) {
  let x = entry;
  if (typeof entry === "string") {
    try {
      x = JSON.parse(entry);
    } catch {
      return entry;
    }
  }
  if (!x || typeof x !== "object" || Array.isArray(x) || !x.to) return typeof entry === "string" ? entry : JSON.stringify(entry);
  const params = { at: x.at ? fmtDate(x.at) : t("none"), who: whoName(x.by), from: word("state", x.from), to: word("state", x.to) };
  const parts = [t(x.from ? "alerts.historyLine" : "alerts.historyCreated", params)];
  if (x.assignee) parts.push(t("alerts.historyAssignee", { assignee: x.assignee }));
  if (x.note !== null && x.note !== undefined && String(x.note).trim()) parts.push(t("alerts.historyNote", { note: String(x.note).trim() }));
  return parts.join(t("alerts.historySep"));
}

function historyItem(entry) {
  const text = historyText(entry);
  const raw = typeof entry === "string" ? entry : JSON.stringify(entry);
  return h("li", { class: text === raw ? "history-raw" : null }, text);
}

function actions(tr, alert, update) {
  const next = NEXT[alert.state] || [];
  if (!next.length) return h("span", { class: "hint" }, t("alerts.final"));
  const out = [];
  if (next.includes("assigned")) {
    const session = getSession();
    const users = [...(session.users || [])];
    const preferred = session.name && users.includes(session.name) ? session.name : users[0] || session.name || "";
    if (session.name && !users.includes(session.name) && !users.length) users.push(session.name);
    const selectId = `assignee-${alert.id}`;
    const select = h(
      "select",
      { id: selectId, testid: "alert-assignee", disabled: users.length === 0, dataset: { alwaysDisabled: String(users.length === 0) } },
      users.map((u) => h("option", { value: u, selected: u === preferred }, u)),
    );
    if (preferred) select.value = preferred;
    out.push(
      h(
        "span",
        { class: "assign" },
        h("label", { for: selectId, class: "visually-hidden" }, t("alerts.assignTo")),
        select,
        h(
          "button",
          {
            type: "button",
            testid: "alert-assign",
            onclick: () => update(tr, alert, select.value ? { state: "assigned", assignee: select.value } : { state: "assigned" }),
          },
          t("alerts.assign"),
        ),
      ),
    );
  }
  if (next.includes("new")) {
    out.push(h("button", { type: "button", class: "secondary", testid: "alert-reopen", onclick: () => update(tr, alert, { state: "new" }) }, t("alerts.reopen")));
  }
  if (next.includes("confirmed")) {
    out.push(h("button", { type: "button", class: "danger", testid: "alert-confirm", onclick: () => update(tr, alert, { state: "confirmed" }) }, t("alerts.confirm")));
  }
  if (next.includes("dismissed")) {
    out.push(h("button", { type: "button", class: "secondary", testid: "alert-dismiss", onclick: () => update(tr, alert, { state: "dismissed" }) }, t("alerts.dismiss")));
  }
  if (next.includes("disposed")) {
    const noteId = `note-${alert.id}`;
    const note = h("input", { id: noteId, type: "text", testid: "alert-note", maxlength: 2000, placeholder: t("alerts.notePlaceholder"), value: alert.note || "" });
    out.push(
      h(
        "span",
        { class: "dispose" },
        h("label", { for: noteId, class: "visually-hidden" }, t("alerts.noteLabel")),
        note,
        h(
          "button",
          {
            type: "button",
            testid: "alert-dispose",
            onclick: () => {
              const text = note.value.trim();
              update(tr, alert, text ? { state: "disposed", note: text } : { state: "disposed" });
            },
          },
          t("alerts.dispose"),
        ),
      ),
    );
  }
  return h("div", { class: "action-list" }, out);
}
