import { describe, expect, it } from 'vitest';
import { evaluateRangeRequest } from './evaluateRangeRequest.js';
import { ifRangeMatches } from './ifRange.js';
import type { Representation } from './types.js';
import { loadVector } from '../../../test/loadVector.js';

const lastModified = 'Wed, 21 Oct 2015 07:28:00 GMT';
const strong = { etag: '"v1"', lastModified };

describe('ifRangeMatches', () => {
  it.each<[string, Pick<Representation, 'etag' | 'lastModified'>, boolean]>([
    ['"v1"', strong, true],
    ['  "v1"\t', strong, true],
    ['"v2"', strong, false],
    ['"V1"', strong, false],
    // RFC 9110 §13.1.5 uses strong comparison: a weak tag never matches, on either side.
    ['W/"v1"', strong, false],
    ['W/"v1"', { etag: 'W/"v1"' }, false],
    ['"v1"', { etag: 'W/"v1"' }, false],
    ['"v1"', {}, false],
    ['"v1"', { lastModified }, false],
    ['"v1', strong, false],
    ['"v"1"', { etag: '"v"1"' }, false],
    ['""', { etag: '""' }, true],
    // HTTP-date: exactly the Last-Modified value.
    [lastModified, strong, true],
    [lastModified, { lastModified }, true],
    [lastModified, { etag: '"v1"' }, false],
    ['Wed, 21 Oct 2015 07:28:01 GMT', strong, false],
    ['Wed, 21 Oct 2015 07:27:59 GMT', strong, false],
    // The same instant in the obsolete RFC 850 form is not "exactly" the field value.
    ['Wednesday, 21-Oct-15 07:28:00 GMT', strong, false],
    ['foo', strong, false],
    ['foo', { lastModified: 'foo' }, false],
    ['', strong, false],
  ])('%j against %j => %s', (ifRange, representation, expected) => {
    expect(ifRangeMatches(ifRange, representation)).toBe(expected);
  });
});

/**
 * nginx/nginx-tests @ 76bb761, range_if_range.t (BSD-2-Clause) and pillarjs/send @ 092f3fc,
 * test/send.js "if-range" (MIT). Placeholders such as "<Last-Modified of the resource>" are filled in.
 */
interface NginxVectors {
  'if_range_cases(range_if_range.t)': {
    'resource_has_no_Last-Modified'?: boolean;
    'resource_Last-Modified'?: string;
    request: { Range: string; 'If-Range': string };
    expect: { status: number };
  }[];
}
interface SendVectors {
  cases: { it: string; request: Record<string, string>; expect: { status: number } }[];
}

const statusOf = (kind: string): number => (kind === 'full' ? 200 : kind === 'unsatisfiable' ? 416 : 206);

describe('If-Range vectors', () => {
  const nginxRows = loadVector<NginxVectors>('nginx-range.t.json')['if_range_cases(range_if_range.t)'];
  it.each(nginxRows)('nginx %j', (row) => {
    const resourceLastModified = row['resource_has_no_Last-Modified']
      ? undefined
      : (row['resource_Last-Modified'] ?? lastModified);
    const ifRange = row.request['If-Range'].startsWith('<') ? lastModified : row.request['If-Range'];
    const representation: Representation = { sizeBytes: 1000 };
    if (resourceLastModified !== undefined) representation.lastModified = resourceLastModified;
    const headers = new Headers({ Range: row.request.Range, 'If-Range': ifRange });
    expect(statusOf(evaluateRangeRequest(headers, representation).kind)).toBe(row.expect.status);
  });

  const placeholders: Record<string, string> = {
    '<ETag of current representation>': '"v1"',
    '<a different strong ETag>': '"v2"',
    '<Last-Modified of current representation>': lastModified,
    '<Last-Modified minus 20 s, as HTTP-date>': new Date(Date.parse(lastModified) - 20_000).toUTCString(),
  };
  const sendRows = loadVector<SendVectors>('send-serve-static.206.json').cases.filter(
    (row) => row.request['If-Range'] !== undefined,
  );
  it('covers the five send If-Range cases', () => expect(sendRows).toHaveLength(5));
  it.each(sendRows)('send: $it', (row) => {
    const ifRange = row.request['If-Range']!;
    const headers = new Headers({ Range: row.request.Range!, 'If-Range': placeholders[ifRange] ?? ifRange });
    const representation: Representation = { sizeBytes: 9, ...strong };
    expect(statusOf(evaluateRangeRequest(headers, representation).kind)).toBe(row.expect.status);
  });
});
