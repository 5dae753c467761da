// The one place that talks to the server: fetch with the session cookie, the language,
// the CSRF token on writes, and RFC 9457 problems turned into ApiError. A 401 anywhere
// means the session is gone: the app is told (to show the sign-in form) and the caller
// gets an ApiError marked `handled`, which the error box ignores.
//
// An ApiError's message is a sentence in the app's language chosen by the problem's kind
// (its `type` ends with it; the status when there is none); what the server said (its
// English `detail`) stays in `error.detail` and is shown after it.

import { getLang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, problem, message, detail = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || null;
    this.kind = problemKind(this.problem, status);
    this.detail = detail; // the server's own words (detail, or title), when it sent any
    this.handled = false; // true once the app reacted (401: sign-in shown)
  }
}

let session = null;
let unauthorized = () => {};
let refreshed = () => {};
let refreshing = null; // the GET /session under way after a stale CSRF token, shared

export function getSession() {
  return session;
}

export function setSession(value) {
  session = value;
}

/** Called on any 401 of an authenticated call (the session expired or was revoked). */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

/** Called when the session was fetched again (a stale CSRF token): it may name another user. */
export function onSessionRefreshed(handler) {
  refreshed = handler;
}

/** Roles that may change things (alerts, what-if): the server checks again. */
export function canAct() {
  return session !== null && (session.role === "analyst" || session.role === "admin");
}

// --- problems ------------------------------------------------------------------------------
// The kinds the app words (riskgraph/api/problems.py: type "/problems/{kind}").
const KINDS = ["unauthorized", "forbidden", "csrf", "not-found", "not-scored", "conflict", "invalid", "not-implemented", "unavailable"];
const KIND_ALIASES = { "invalid-parameters": "invalid", "neo4j-unavailable": "unavailable" };
const STATUS_KINDS = { 401: "unauthorized", 403: "forbidden", 404: "not-found", 409: "conflict", 422: "invalid", 501: "not-implemented", 503: "unavailable" };

/** The problem's kind ("not-found", "csrf"...), from its type, else its status; or null. */
export function problemKind(problem, status) {
  const type = problem && typeof problem === "object" && typeof problem.type === "string" ? problem.type.trim() : "";
  if (type && type !== "about:blank") {
    const last = type.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop().toLowerCase();
    if (KINDS.includes(last)) return last;
    if (KIND_ALIASES[last]) return KIND_ALIASES[last];
    const suffix = KINDS.find((kind) => last.endsWith(`-${kind}`));
    if (suffix) return suffix;
  }
  if (STATUS_KINDS[status]) return STATUS_KINDS[status];
  if (status >= 500) return "server";
  return null;
}

// FastAPI's own 422 answers put a list under `detail`; problems put a string there.
function problemText(problem) {
  if (problem && typeof problem === "object") {
    const detail = problem.detail;
    if (typeof detail === "string" && detail.trim()) return detail;
    if (Array.isArray(detail)) {
      const parts = detail
        .map((d) => (d && typeof d === "object" ? [d.loc?.slice(1).join("."), d.msg].filter(Boolean).join(": ") : String(d)))
        .filter(Boolean);
      if (parts.length) return parts.join("; ");
    }
    if (typeof problem.title === "string" && problem.title.trim()) return problem.title;
  }
  return null;
}

/** The app's sentence for a problem: by its kind, else "request failed (HTTP n)". */
export function problemMessage(kind, status) {
  return kind ? t(`error.kind.${kind}`) : t("error.http", { status });
}

async function toError(response) {
  let problem = null;
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : null;
  } catch {
    problem = null; // not JSON (a proxy's HTML page): worded from the status
  }
  const status = response.status;
  return new ApiError(status, problem, problemMessage(problemKind(problem, status), status), problemText(problem));
}

// --- requests ------------------------------------------------------------------------------
const isChange = (method) => method !== "GET" && method !== "HEAD";

async function send(path, { method, body, signal, accept }) {
  const headers = { Accept: accept, "Accept-Language": getLang() };
  const init = { method, credentials: "same-origin", headers, signal };
  if (isChange(method) && session && session.csrf) headers["X-CSRF-Token"] = session.csrf;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    return await fetch(path, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, null, t("error.network"));
  }
}

/** GET /session again (once for all the changes that found their token stale). */
function refreshSession() {
  if (!refreshing) {
    const before = session;
    refreshing = api("/session", { auth: false })
      .then((fresh) => {
        session = fresh;
        try {
          refreshed(fresh, before);
        } catch {
          // the app's reaction failing must not fail the change being retried
        }
        return fresh;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/**
 * The server's answer to `path` once it is a success: failures become ApiError (a 401
 * tells the app unless `auth: false`). A change refused for a stale CSRF token (signed in
 * again in another tab) fetches the session once and is sent once more.
 */
async function request(path, { method = "GET", body, signal, auth = true, accept = "application/json" } = {}) {
  let response = await send(path, { method, body, signal, accept });
  if (!response.ok && response.status === 403 && isChange(method)) {
    const error = await toError(response);
    if (error.kind !== "csrf") throw error;
    try {
      await refreshSession();
    } catch (failed) {
      if (failed && failed.name === "AbortError") throw failed;
      if (failed && failed.status === 401) {
        // the session is gone altogether: as for any 401
        if (auth) {
          session = null;
          failed.handled = true;
          unauthorized();
        } else session = null;
        throw failed;
      }
      throw error; // could not refresh: the refusal as it was
    }
    if (signal && signal.aborted) throw new DOMException("The request was aborted.", "AbortError");
    response = await send(path, { method, body, signal, accept });
  }
  if (!response.ok) {
    const error = await toError(response);
    if (response.status === 401 && auth) {
      session = null;
      error.handled = true;
      unauthorized();
    }
    throw error;
  }
  return response;
}

/**
 * Call the API. `body` is sent as JSON; `auth: false` keeps a 401 from sending the user
 * to the sign-in form (the sign-in call itself). Resolves to the parsed JSON (null for
 * an empty answer); rejects with ApiError, or the AbortError of `signal`.
 */
export async function api(path, { method = "GET", body, signal, auth = true } = {}) {
  const response = await request(path, { method, body, signal, auth });
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, null, t("error.http", { status: response.status }));
  }
}

/** The name a Content-Disposition header gives: filename* (RFC 5987, UTF-8) only. */
function dispositionName(header) {
  if (!header) return null;
  const m = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (!m || (m[1] && m[1].toUpperCase() !== "UTF-8")) return null;
  try {
    const name = decodeURIComponent(m[2].trim().replace(/^"|"$/g, ""))
      .replace(/[\\/\u0000-\u001f\u007f]+/g, "_")
      .trim();
    return name && name !== "." && name !== ".." ? name : null;
  } catch {
    return null; // a malformed escape: the caller's default name
  }
}

/**
 * Fetch a file (a GET, same cookie and language as the API calls): resolves to
 * {blob, filename} with the Content-Disposition's UTF-8 name (null when none);
 * rejects as api() does.
 */
export async function fetchFile(path, { signal, accept = "*/*" } = {}) {
  const response = await request(path, { signal, accept });
  const blob = await response.blob();
  return { blob, filename: dispositionName(response.headers.get("Content-Disposition")) };
}

/** Save a blob as a download named `filename` (a temporary <a download>, then revoked). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  try {
    a.click();
  } finally {
    a.remove();
    // not at once: some browsers read the blob after the click returns
    setTimeout(() => URL.revokeObjectURL(url), 30000);
  }
}

/** A path segment: ids may hold "+", "/" or spaces (phones, addresses). */
export function seg(value) {
  return encodeURIComponent(String(value));
}

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

// --- the session ---------------------------------------------------------------------------
export async function loadSession() {
  session = await api("/session", { auth: false });
  return session;
}

export async function signIn(key) {
  try {
    session = await api("/session", { method: "POST", body: { key }, auth: false });
  } catch (error) {
    // here a 401 is a wrong key, not an ended session
    if (error && error.status === 401) error.message = t("login.badKey");
    throw error;
  }
  return session;
}

/**
 * End the session. Signed out only once the server says so (or says there is no session,
 * 401); otherwise (network, 5xx) the error is thrown and the session kept.
 */
export async function signOut() {
  try {
    await api("/session", { method: "DELETE", auth: false });
  } catch (error) {
    if (error && error.status === 401) session = null;
    throw error;
  }
  session = null;
}
