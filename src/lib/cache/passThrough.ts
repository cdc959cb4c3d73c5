import { parseContentRange } from '../range/contentRange.js';
import { parseRangeHeader } from '../range/parseRangeHeader.js';
import { resolveRanges } from '../range/resolveRanges.js';

/**
 * Forwards a request the cache cannot use (an error status, an unknown length, a response without
 * Content-Range, a redirect, a page, a file without a validator) and rebuilds the answer, so the
 * media element never gets a mix of worker-built and network responses for one resource
 * (docs/platform-facts.md §6). Nothing of it is stored. A 206 whose Content-Range is missing or
 * names other bytes than the single range asked for becomes a network error: the page never gets
 * bytes labelled as others.
 *
 * A redirected answer to anything but a media element goes to the page as the browser's own
 * fetch would give it (`redirected`, the final `url`): an app learns that its session expired.
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
  if (response.redirected && request.destination !== 'video' && request.destination !== 'audio') return response;
  if (response.status === 206 && !partialMatchesRequest(response.headers, range)) {
    await response.body?.cancel().catch(() => undefined);
    return Response.error();
  }
  // Statuses that may not carry a body (Fetch Standard "null body status").
  const body = [101, 103, 204, 205, 304].includes(response.status) ? null : response.body;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

/**
 * Whether a single-part 206 is the range the request asked for (RFC 9110 §15.3.7: it must carry a
 * Content-Range). A multipart answer is passed on as it is: its parts say what they hold.
 */
export function partialMatchesRequest(headers: Headers, rangeHeader: string | null): boolean {
  if (/^multipart\/byteranges\b/i.test(headers.get('Content-Type') ?? '')) return true;
  const contentRange = parseContentRange(headers.get('Content-Range'));
  if (contentRange?.kind !== 'range') return false;
  const parsed = rangeHeader === null ? undefined : parseRangeHeader(rangeHeader);
  if (!parsed?.ok || contentRange.sizeBytes === undefined) return true;
  const resolution = resolveRanges(parsed.specs, contentRange.sizeBytes);
  // Several ranges may be answered with one part that covers them: only a single range is checked.
  if (resolution.kind !== 'partial' || resolution.ranges.length !== 1) return true;
  const [wanted] = resolution.ranges;
  return wanted!.start === contentRange.start && wanted!.end === contentRange.end;
}
