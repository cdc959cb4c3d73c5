import { createHash } from 'node:crypto';
import type { PageFetchResult } from './fixtures';

/** `fetch` from Node straight to the origin (no browser, no service worker), shaped like fetchInPage. */
export async function fetchFromNode(url: string, headers: Record<string, string> = {}, maxBodyBytes = 256 * 1024): Promise<PageFetchResult> {
  const response = await fetch(url, { headers });
  const body = Buffer.from(await response.arrayBuffer());
  const responseHeaders: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    responseHeaders[name] = value;
  });
  return {
    status: response.status,
    headers: responseHeaders,
    length: body.length,
    sha256: createHash('sha256').update(body).digest('hex'),
    bodyBase64: body.length <= maxBodyBytes ? body.toString('base64') : null,
  };
}
