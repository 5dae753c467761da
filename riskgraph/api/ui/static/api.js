// The one place that talks to the server: fetch with the session cookie, the language,
// the CSRF token on writes, and RFC 9457 problems turned into ApiError. A 401 anywhere
// means the session is gone: the app is told (to show the sign-in form) and the caller
// gets an ApiError marked `handled`, which the error box ignores.

import { getLang, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, problem, message) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem || null;
    this.handled = false; // true once the app reacted (401: sign-in shown)
  }
}

let session = null;
let unauthorized = () => {};

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

/** Roles that may change things (alerts, what-if): the server checks again. */
export function canAct() {
  return session !== null && (session.role === "analyst" || session.role === "admin");
}

// FastAPI's own 422 answers put a list under `detail`; problems put a string there.
function problemText(problem, status) {
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
  return t("error.http", { status });
}

async function toError(response) {
  let problem = null;
  try {
    const text = await response.text();
    problem = text ? JSON.parse(text) : null;
  } catch {
    problem = null; // not JSON (a proxy's HTML page): worded from the status
  }
  return new ApiError(response.status, problem, problemText(problem, response.status));
}

/**
 * Call the API. `body` is sent as JSON; `auth: false` keeps a 401 from sending the user
 * to the sign-in form (the sign-in call itself). Resolves to the parsed JSON (null for
 * an empty answer); rejects with ApiError, or the AbortError of `signal`.
 */
export async function api(path, { method = "GET", body, signal, auth = true } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": getLang() };
  const init = { method, credentials: "same-origin", headers, signal };
  if (method !== "GET" && method !== "HEAD" && session && session.csrf) {
    headers["X-CSRF-Token"] = session.csrf;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    if (error && error.name === "AbortError") throw error;
    throw new ApiError(0, null, t("error.network"));
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
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(response.status, null, t("error.http", { status: response.status }));
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
  session = await api("/session", { method: "POST", body: { key }, auth: false });
  return session;
}

export async function signOut() {
  try {
    await api("/session", { method: "DELETE", auth: false });
  } finally {
    session = null;
  }
}
