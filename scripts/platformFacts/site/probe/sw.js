/*
 * The probe worker of scripts/platformFacts.ts (scope /probe/). Not the product's worker: it
 * answers the same bytes with different body kinds, so the script can time them against each
 * other, and it records what media elements' requests look like inside a worker.
 *
 *   GET /probe/api/prepare?src=<url>   fetch <url> once; keep it as a Blob in memory; store it in
 *                                      IndexedDB as one record and as 512 KiB records; keep the
 *                                      Blobs read back (one handle per record, as the product does)
 *   GET /probe/api/body?mode=<m>       answer with the prepared bytes:
 *        memory     new Response(blob held in memory)
 *        idb-whole  new Response(Blob read from one IndexedDB record)
 *        idb-parts  new Response(new Blob(Blobs read from the 512 KiB records)), as a warm answer
 *        stream     new Response(ReadableStream) re-enqueuing each chunk of a network fetch of src
 *   GET /probe/api/seen                the media requests this worker saw (it answers none of them)
 */
const SEGMENT_BYTES = 512 * 1024;
const DB_NAME = 'platform-facts-probe-sw';

const held = { src: null, memory: null, whole: null, parts: null };
const seen = [];

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && url.pathname.startsWith('/probe/api/')) {
    event.respondWith(api(url).catch((error) => Response.json({ error: String(error) }, { status: 500 })));
    return;
  }
  if (request.destination === 'audio' || request.destination === 'video') seen.push(describe(request));
  // Not answered: the browser fetches it as if there were no worker.
});

async function api(url) {
  switch (url.pathname) {
    case '/probe/api/prepare':
      return Response.json(await prepare(url.searchParams.get('src')));
    case '/probe/api/body':
      return body(url.searchParams.get('mode'), url.searchParams.get('src'));
    case '/probe/api/seen':
      return Response.json({
        seen,
        persistInWorker: typeof (self.navigator.storage && self.navigator.storage.persist),
      });
    default:
      return Response.json({ error: `unknown ${url.pathname}` }, { status: 404 });
  }
}

/** A media element's request as the worker sees it, and what copying it keeps of its Range. */
function describe(request) {
  const range = request.headers.get('Range');
  const attempt = (make) => {
    try {
      return make().headers.get('Range');
    } catch (error) {
      return `throws ${error.name}`;
    }
  };
  return {
    url: request.url,
    mode: request.mode,
    destination: request.destination,
    range,
    copiedWithoutInit: attempt(() => new Request(request)),
    copiedWithInit: attempt(() => new Request(request, { cache: 'no-store' })),
    fresh: range === null ? null : attempt(() => new Request(request.url, { headers: { Range: range }, cache: 'no-store' })),
  };
}

function openDb() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      open.result.createObjectStore('whole');
      open.result.createObjectStore('parts');
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

function settled(transaction) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = transaction.onabort = () => reject(transaction.error);
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function prepare(src) {
  const started = performance.now();
  const response = await fetch(src, { cache: 'no-store' });
  if (!response.ok) throw new Error(`prepare: ${src} answered ${response.status}`);
  const memory = await response.blob();
  const db = await openDb();
  let write = db.transaction('whole', 'readwrite');
  write.objectStore('whole').put(memory, 'file');
  await settled(write);
  write = db.transaction('parts', 'readwrite');
  const count = Math.ceil(memory.size / SEGMENT_BYTES);
  for (let index = 0; index < count; index += 1) {
    write.objectStore('parts').put(memory.slice(index * SEGMENT_BYTES, (index + 1) * SEGMENT_BYTES), index);
  }
  await settled(write);
  const read = db.transaction(['whole', 'parts'], 'readonly');
  const whole = await result(read.objectStore('whole').get('file'));
  const parts = await result(read.objectStore('parts').getAll());
  db.close();
  Object.assign(held, { src, memory, whole, parts });
  return { bytes: memory.size, parts: parts.length, ms: performance.now() - started };
}

function body(mode, src) {
  const headers = { 'Content-Type': 'application/octet-stream' };
  if (mode === 'stream') return streamed(src, headers);
  if (!held.memory) return Response.json({ error: 'not prepared (the worker was restarted?)' }, { status: 409 });
  const blob = mode === 'memory' ? held.memory : mode === 'idb-whole' ? held.whole : mode === 'idb-parts' ? new Blob(held.parts) : null;
  if (!blob) return Response.json({ error: `unknown mode ${mode}` }, { status: 400 });
  return new Response(blob, { headers: { ...headers, 'Content-Length': String(blob.size) } });
}

/** Every chunk of the network body passes through this worker's JavaScript, as in a cold answer. */
async function streamed(src, headers) {
  const upstream = await fetch(src, { cache: 'no-store' });
  const reader = upstream.body.getReader();
  const stream = new ReadableStream({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return new Response(stream, { headers });
}
