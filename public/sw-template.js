// Threshold's service worker. scripts/precache.sh fills in VERSION and PRECACHE at build time
// from the exact files of the build; never edit the generated sw.js by hand.
const VERSION = "__VERSION__";
const PRECACHE = __PRECACHE__;
const CACHE = `threshold-${VERSION}`;

// The sync socket, health checks and any API or file transfer are live data: never cached.
const LIVE = [/^\/sync\b/, /^\/healthz\b/, /^\/api\//, /^\/blobs\//];

self.addEventListener("install", event => {
  // A new version waits until the app asks it to take over (after saving local edits), except
  // on the very first install, when nothing is running yet and waiting changes nothing.
  event.waitUntil(caches.open(CACHE).then(cache => cache.addAll(PRECACHE)));
});

self.addEventListener("activate", event => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith("threshold-") && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", event => {
  if (event.data === "skip-waiting") self.skipWaiting();
  if (event.data === "version") event.source?.postMessage({ version: VERSION });
});

self.addEventListener("fetch", event => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || LIVE.some(pattern => pattern.test(url.pathname))) return;
  if (request.mode === "navigate") {
    // Every address is the app shell; the app routes by the URL's hash.
    event.respondWith(caches.match("/index.html", { cacheName: CACHE }).then(hit => hit ?? fetch(request)));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then(hit => hit ?? fetch(request)));
});
