// History API routing under /ui/. The server answers index.html for every address below,
// so each page can be opened directly; internal links are plain <a href> that the click
// handler turns into pushState (a new tab, a download or another origin is left alone).

const ROUTES = [
  { name: "search", pattern: /^\/ui(?:\/|\/index\.html)?$/, keys: [] },
  { name: "company", pattern: /^\/ui\/companies\/([^/]+)\/?$/, keys: ["id"] },
  { name: "rings", pattern: /^\/ui\/rings\/?$/, keys: [] },
  { name: "ring", pattern: /^\/ui\/rings\/([^/]+)\/?$/, keys: ["id"] },
  { name: "alerts", pattern: /^\/ui\/alerts\/?$/, keys: [] },
  { name: "whatif", pattern: /^\/ui\/whatif\/?$/, keys: [] },
  { name: "entity", pattern: /^\/ui\/entities\/([^/]+)\/([^/]+)\/?$/, keys: ["type", "id"] },
];

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a malformed escape: the raw text, the page then says it is not found
  }
}

/** The route of the current address: {name, params, query}; name "notFound" if none. */
export function match(loc = window.location) {
  for (const route of ROUTES) {
    const found = route.pattern.exec(loc.pathname);
    if (found) {
      const params = {};
      route.keys.forEach((key, i) => {
        params[key] = decode(found[i + 1]);
      });
      return { name: route.name, params, query: new URLSearchParams(loc.search) };
    }
  }
  return { name: "notFound", params: { path: loc.pathname }, query: new URLSearchParams(loc.search) };
}

let listener = () => {};

/** `handler` renders the current address (called on navigate and popstate). */
export function onNavigate(handler) {
  listener = handler;
  window.addEventListener("popstate", () => listener({ pop: true }));
}

export function navigate(url, { replace = false } = {}) {
  const here = window.location.pathname + window.location.search + window.location.hash;
  if (url !== here || replace) window.history[replace ? "replaceState" : "pushState"](null, "", url);
  listener({ pop: false });
}

/** Keep the page's own state in the query string (bookmarkable) without re-rendering. */
export function replaceQuery(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  const url = window.location.pathname + (text ? `?${text}` : "");
  window.history.replaceState(null, "", url);
}

function isInternal(anchor, event) {
  if (event.defaultPrevented || event.button !== 0) return null;
  if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return null;
  if (anchor.hasAttribute("download")) return null;
  const target = anchor.getAttribute("target");
  if (target && target !== "_self") return null;
  const href = anchor.getAttribute("href");
  if (!href || href.startsWith("#")) return null;
  const url = new URL(anchor.href, window.location.href);
  if (url.origin !== window.location.origin) return null;
  if (url.pathname.startsWith("/ui/static/")) return null;
  if (url.pathname !== "/ui" && !url.pathname.startsWith("/ui/")) return null;
  return url;
}

export function interceptLinks() {
  document.addEventListener("click", (event) => {
    const anchor = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!anchor) return;
    const url = isInternal(anchor, event);
    if (!url) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
