// The app shell: header (user, language, sign-out, navigation), the sign-in form, and the
// page of the current address. Pages are modules under pages/ exporting render(ctx).

import { getSession, loadSession, onSessionRefreshed, onUnauthorized, signIn, signOut } from "./api.js";
import { clearError, errorBox, h, showError } from "./dom.js";
import { LANGS, getLang, setLang, t, word } from "./i18n.js";
import { interceptLinks, match, navigate, onNavigate, replaceQuery } from "./router.js";
import * as alerts from "./pages/alerts.js";
import * as company from "./pages/company.js";
import * as entity from "./pages/entity.js";
import * as ring from "./pages/ring.js";
import * as rings from "./pages/rings.js";
import * as search from "./pages/search.js";
import * as whatif from "./pages/whatif.js";

const PAGES = { search, company, rings, ring, alerts, whatif, entity, notFound: { render: renderNotFound } };
const NAV = [
  ["search", "/ui/", "nav.search", ["search"]],
  ["rings", "/ui/rings", "nav.rings", ["rings", "ring"]],
  ["alerts", "/ui/alerts", "nav.alerts", ["alerts"]],
  ["whatif", "/ui/whatif", "nav.whatif", ["whatif"]],
];

const root = document.getElementById("app") || document.body.appendChild(h("div", { id: "app" }));
const header = h("header", { class: "topbar" });
const errorSlot = h("div", { class: "error-slot" });
const main = h("main", { id: "main", class: "page", tabindex: "-1" });
root.replaceChildren(header, errorSlot, main);

let page = null; // {controller, cleanups} of the page shown
let signingIn = false; // the sign-in form is up

// --- header --------------------------------------------------------------------------------
function renderHeader() {
  const session = getSession();
  const here = match().name;
  const lang = h(
    "select",
    { id: "lang-switch", testid: "lang-switch", "aria-label": t("lang.label") },
    LANGS.map((code) => h("option", { value: code, selected: code === getLang() }, t(`lang.${code}`))),
  );
  lang.addEventListener("change", () => {
    setLang(lang.value);
    // the server words reasons and levels in the language asked for: fetch again
    renderHeader();
    if (signingIn) {
      clearError(); // a sign-in failure worded in the other language
      showSignIn(undefined, { rebuild: true });
    } else render();
  });
  const parts = [h("a", { class: "brand", href: "/ui/" }, t("app.name"))];
  if (session && !signingIn) {
    parts.push(
      h(
        "nav",
        { class: "nav", "aria-label": t("nav.label") },
        NAV.map(([key, href, label, names]) =>
          h("a", { href, testid: `nav-${key}`, "aria-current": names.includes(here) ? "page" : null }, t(label)),
        ),
      ),
    );
  }
  parts.push(h("span", { class: "spacer" }));
  if (session && !signingIn) {
    parts.push(
      h(
        "span",
        { class: "user", testid: "user", title: session.who || "", dataset: { role: session.role } },
        h("span", { class: "visually-hidden" }, `${t("user.signedInAs")} `),
        h("span", { class: "user-name" }, session.name || word("role", session.role)),
        session.name ? h("span", { class: "badge role" }, word("role", session.role)) : null,
      ),
    );
  }
  parts.push(h("label", { class: "lang" }, h("span", { class: "visually-hidden" }, t("lang.label")), lang));
  if (session && !signingIn) {
    parts.push(h("button", { type: "button", class: "secondary", testid: "logout", onclick: logout }, t("logout")));
  }
  header.replaceChildren(...parts);
}

async function logout(event) {
  const button = event && event.currentTarget instanceof HTMLButtonElement ? event.currentTarget : null;
  clearError();
  if (button) button.disabled = true;
  try {
    await signOut();
  } catch (error) {
    // 401: there was no session left, so signed out all the same. Anything else (network,
    // 5xx): the server may still hold the session, so say so and stay signed in.
    if (error.status !== 401) {
      if (button && button.isConnected) button.disabled = false;
      showError(error);
      return;
    }
  }
  showSignIn();
}

// --- sign-in -------------------------------------------------------------------------------
function showSignIn(notice, { rebuild = false } = {}) {
  leavePage();
  const wasUp = signingIn;
  signingIn = true;
  renderHeader();
  if (wasUp && !notice && !rebuild && main.querySelector("form.login")) {
    // already up (several calls answered 401 at once): keep what the user typed
    main.querySelector("form.login").after(errorBox());
    return;
  }
  const key = h("input", {
    id: "login-key",
    type: "password",
    name: "key",
    testid: "login-key",
    autocomplete: "current-password",
    required: true,
  });
  const submit = h("button", { type: "submit", testid: "login-submit" }, t("login.submit"));
  const form = h(
    "form",
    { class: "login card", "aria-labelledby": "login-title" },
    h("h1", { id: "login-title" }, t("login.title")),
    notice ? h("p", { class: "notice", testid: "login-notice" }, notice) : null,
    h("p", { class: "hint" }, t("login.intro")),
    h("label", { for: "login-key" }, t("login.key")),
    key,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError();
    submit.disabled = true;
    submit.textContent = t("login.busy");
    try {
      await signIn(key.value);
      signingIn = false;
      renderHeader();
      render(); // the page the address asks for, as opened
    } catch (error) {
      showError(error);
      submit.disabled = false;
      submit.textContent = t("login.submit");
      key.select();
    }
  });
  document.title = `${t("login.title")} · ${t("app.name")}`;
  main.replaceChildren(h("div", { class: "login-wrap" }, form, errorBox()));
  key.focus();
}

// --- pages ---------------------------------------------------------------------------------
function leavePage() {
  if (!page) return;
  page.controller.abort();
  for (const cleanup of page.cleanups.splice(0)) {
    try {
      cleanup();
    } catch {
      // a page's cleanup failing must not stop the next page
    }
  }
  page = null;
  delete window.riskgraphGraph;
}

function renderNotFound(ctx) {
  ctx.setTitle(t("notFound.title"));
  ctx.main.append(
    h("h1", null, t("notFound.title")),
    h("p", null, t("notFound.text", { path: ctx.params.path })),
    h("p", null, h("a", { href: "/ui/" }, t("notFound.home"))),
  );
}

async function render() {
  if (!getSession()) {
    showSignIn();
    return;
  }
  leavePage();
  signingIn = false;
  clearError();
  errorSlot.replaceChildren(errorBox());
  renderHeader();
  const route = match();
  const controller = new AbortController();
  const current = { controller, cleanups: [] };
  page = current;
  const view = h("div", { class: `view view-${route.name}`, dataset: { page: route.name } });
  main.replaceChildren(view);
  const ctx = {
    main: view,
    params: route.params,
    query: route.query,
    signal: controller.signal,
    cleanup: (fn) => current.cleanups.push(fn),
    alive: () => page === current && !controller.signal.aborted,
    navigate,
    replaceQuery,
    setTitle: (text) => {
      document.title = text ? `${text} · ${t("app.name")}` : t("app.name");
    },
    /** Expose a drawn graph as window.riskgraphGraph while this page is shown. */
    setGraph: (graph) => {
      if (page === current) window.riskgraphGraph = graph.handle();
    },
  };
  ctx.setTitle("");
  try {
    await PAGES[route.name].render(ctx);
  } catch (error) {
    if (ctx.alive()) showError(error);
  }
}

// --- start ---------------------------------------------------------------------------------
async function start() {
  setLang(getLang()); // <html lang> as chosen before
  interceptLinks();
  onNavigate(({ pop }) => {
    render();
    if (!pop) window.scrollTo(0, 0);
  });
  onUnauthorized(() => showSignIn(signingIn ? undefined : t("login.expired")));
  // a stale CSRF token made the app fetch the session again: it may be another user now
  onSessionRefreshed((fresh, before) => {
    if (signingIn || !fresh) return;
    if (!before || fresh.who !== before.who || fresh.role !== before.role || fresh.name !== before.name) renderHeader();
  });
  renderHeader();
  main.replaceChildren(h("p", { class: "loading", testid: "loading" }, t("loading")));
  try {
    await loadSession();
  } catch (error) {
    showSignIn();
    if (error.status !== 401) showError(error);
    return;
  }
  render();
}

start();
