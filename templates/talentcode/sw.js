// The service worker of "My code" (eventsapp/talentcode/views.py): the page and the files it needs are
// kept on the phone, so the code still shows with no connection. Online, the network always answers first
// and the copy is refreshed; a page that no longer opens (logged out: a redirect to the login) is
// forgotten, so the next person on the phone cannot bring the code back.
"use strict";

const CACHE = {{ cache_name|tojson }};
const PAGE = {{ page|tojson }};
const ASSETS = {{ assets|tojson }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((names) => Promise.all(names.filter((name) => name.startsWith("my-code-") && name !== CACHE)
      .map((name) => caches.delete(name))))
    .then(() => self.clients.claim()));
});

// The page that shows the code: sent by the site's own script once it has loaded (a first visit is not
// yet controlled by the worker, so it cannot keep it by itself).
self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "keep-page") {
    event.waitUntil(fetch(PAGE, { credentials: "same-origin", redirect: "manual" }).then(remember).catch(() => {}));
  }
});

function remember(response) {
  return caches.open(CACHE).then((cache) => {
    if (response.ok && response.type === "basic" && !response.redirected) return cache.put(PAGE, response.clone());
    if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) return cache.delete(PAGE);
    return undefined;
  }).then(() => response);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(fetch(request).then(remember).catch(() =>
      caches.open(CACHE).then((cache) => cache.match(PAGE)).then((kept) => kept || Response.error())));
    return;
  }
  if (ASSETS.includes(url.pathname)) {
    event.respondWith(fetch(request).then((response) => {
      if (response.ok) {
        const copy = response.clone();
        caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
      }
      return response;
    }).catch(() => caches.match(url.pathname).then((kept) => kept || Response.error())));
  }
});
