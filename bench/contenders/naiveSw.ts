/// <reference lib="webworker" />
/**
 * Contender "naive": the "before" of the system this project is built after. The first request
 * for a file fetches all of it into one ArrayBuffer; every Range is answered with a copy
 * (`ArrayBuffer.slice`). Memory grows with the file and with each reader. It keeps one file (the
 * last asked for), so a new URL per round starts it cold.
 */
export {};

declare const self: ServiceWorkerGlobalScope;

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

interface WholeFile {
  url: string;
  body: Promise<{ buffer: ArrayBuffer; contentType: string }>;
}

let held: WholeFile | undefined;

function wholeFile(url: string): WholeFile['body'] {
  if (held?.url !== url) {
    const body = fetch(url, { cache: 'no-store' }).then(async (response) => {
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      return { buffer: await response.arrayBuffer(), contentType: response.headers.get('Content-Type') ?? 'application/octet-stream' };
    });
    held = { url, body };
  }
  return held.body;
}

/** A single `bytes=a-b`, `bytes=a-` or `bytes=-n`; anything else is answered with the whole file. */
function singleRange(header: string | null, size: number): [number, number] | 'unsatisfiable' | undefined {
  const match = header && /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined;
  const [, first, last] = match;
  if (first === '') {
    const suffix = Number(last);
    return suffix > 0 ? [Math.max(0, size - suffix), size - 1] : 'unsatisfiable';
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start < size && start <= end ? [start, end] : 'unsatisfiable';
}

async function answer(request: Request): Promise<Response> {
  const { buffer, contentType } = await wholeFile(request.url);
  const size = buffer.byteLength;
  const range = singleRange(request.headers.get('Range'), size);
  const headers = { 'Content-Type': contentType, 'Accept-Ranges': 'bytes' };
  if (range === 'unsatisfiable') return new Response(null, { status: 416, headers: { 'Content-Range': `bytes */${size}` } });
  if (!range) return new Response(buffer.slice(0), { status: 200, headers: { ...headers, 'Content-Length': String(size) } });
  const [start, end] = range;
  return new Response(buffer.slice(start, end + 1), {
    status: 206,
    headers: { ...headers, 'Content-Length': String(end - start + 1), 'Content-Range': `bytes ${start}-${end}/${size}` },
  });
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith('/media/')) return;
  event.respondWith(answer(event.request).catch(() => Response.error()));
});
