/**
 * Forwards a request the cache cannot use (an error status, an unknown length, a response without
 * Content-Range) and rebuilds the answer, so the media element never gets a mix of worker-built
 * and network responses for one resource (DESIGN.md, fact 6). Nothing of it is stored.
 */
export async function passThrough(request: Request): Promise<Response> {
  const headers = new Headers();
  const range = request.headers.get('Range');
  if (range !== null) headers.set('Range', range);
  const ifRange = request.headers.get('If-Range');
  if (ifRange !== null) headers.set('If-Range', ifRange);
  // Re-creating a no-cors media request with an init object drops its Range header: copy it.
  const response = await fetch(new Request(request.url, { headers, cache: 'no-store', credentials: 'same-origin' }));
  if (response.type === 'opaque') return response;
  // Statuses that may not carry a body (Fetch Standard "null body status").
  const body = [101, 103, 204, 205, 304].includes(response.status) ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
