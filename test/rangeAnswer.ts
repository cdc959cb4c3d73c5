/**
 * A scripted upstream for unit tests of the cache engine: the answer an origin with a strong ETag
 * gives `request` for `file` (a 206 of a single `bytes=a-b` or `bytes=a-`, else a 200).
 */
export function rangeAnswer(file: Uint8Array, request: Request, etag = '"v1"'): Response {
  const match = /bytes=(\d+)-(\d*)/.exec(request.headers.get('Range') ?? '');
  const start = match ? Number(match[1]) : 0;
  const end = match && match[2] ? Math.min(Number(match[2]), file.length - 1) : file.length - 1;
  return new Response(file.slice(start, end + 1), {
    status: match ? 206 : 200,
    headers: {
      'Content-Type': 'application/octet-stream',
      ETag: etag,
      'Accept-Ranges': 'bytes',
      'Content-Length': String(end + 1 - start),
      ...(match ? { 'Content-Range': `bytes ${start}-${end}/${file.length}` } : {}),
    },
  });
}
