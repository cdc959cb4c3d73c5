/**
 * The external Range vectors (test/vectors: pillarjs/send + serve-static, nginx-tests range.t,
 * apache httpd-tests byterange7.t; sources and licences in test/vectors/README.md) as
 * request → expectation rows.
 *
 * Where the suites disagree, RFC 9110 §14.2 lets a server choose; the product's choice is written in
 * origin/ranges.ts and every row is also checked by expectRangeResponse under that policy. Rows whose
 * own expectation contradicts the policy are listed in POLICY_DIVERGENCES with the reason, and only
 * the policy is asserted for them.
 */
import { loadVector } from '../test/loadVector';

export type VectorResource = 'nums.txt' | 'nginx.txt' | 'apache.txt';

export interface VectorCase {
  suite: 'send' | 'nginx' | 'apache';
  label: string;
  resource: VectorResource;
  /** undefined: no Range header at all. */
  range: string | undefined;
  /** An If-Range value, or a placeholder: `etag`, `other-etag`, `last-modified`, `older-date`. */
  ifRange?: string;
  expect: { status?: number; headers?: Record<string, string>; body?: string };
  /** Why the vector's own status is not asserted (it contradicts the documented policy). */
  divergence?: string;
}

/** Vector rows whose suite's answer differs from the product's policy, keyed `suite|Range`. */
export const POLICY_DIVERGENCES: Record<string, string> = {
  'nginx|bytes=alpha': 'nginx rejects an invalid ranges-specifier (416); the product ignores it (200), as send and Apache do',
  'nginx|bytes=10-alpha': 'as above: invalid → 200',
  'nginx|bytes=10': 'as above: invalid → 200',
  'nginx|bytes=10-11 12-': 'as above: invalid → 200',
  'send|bytes=1-1,3-': 'send ignores non-combinable multiple ranges (200); a server may answer 206 with the one-byte gap coalesced (RFC 9110 §15.3.7.2) or multipart',
  'nginx|bytes=0-10001, 0-0': 'nginx ignores ranges that add up past the size (200); a coalesced 206 is allowed too',
};

interface SendFile {
  cases: Array<{ it: string; request: { Range: string; 'If-Range'?: string }; expect: VectorCase['expect'] }>;
}
interface NginxFile {
  cases: Array<{ request: { Range: string }; expect: { status: number; headers?: Record<string, string>; body?: string } }>;
  'if_range_cases(range_if_range.t)': Array<{ request: { Range: string; 'If-Range': string }; expect: { status: number }; [key: string]: unknown }>;
}
interface ApacheFile {
  invalid_expect_200_full_body: { 'send_each_as_is_AND_with_bytes=_prefix': string[] };
  status_table: Record<string, number>;
}

const IF_RANGE_PLACEHOLDERS: Record<string, string> = {
  '<ETag of current representation>': 'etag',
  '<a different strong ETag>': 'other-etag',
  '<Last-Modified of current representation>': 'last-modified',
  '<Last-Modified minus 20 s, as HTTP-date>': 'older-date',
  '<Last-Modified value of the resource>': 'last-modified',
};

function withDivergence(row: VectorCase): VectorCase {
  const divergence = POLICY_DIVERGENCES[`${row.suite}|${row.range}`];
  return divergence ? { ...row, divergence } : row;
}

/** The Range rows (no If-Range), for the origin and for the service worker. */
export function rangeVectorCases(): VectorCase[] {
  const rows: VectorCase[] = [];
  const send = loadVector<SendFile>('send-serve-static.206.json');
  for (const row of send.cases) {
    if (row.request['If-Range'] !== undefined) continue;
    const expect = { ...row.expect };
    // The nginx-style "body" descriptions are prose; send's are literal bodies.
    rows.push({ suite: 'send', label: row.it, resource: 'nums.txt', range: row.request.Range, expect });
  }
  const nginx = loadVector<NginxFile>('nginx-range.t.json');
  for (const row of nginx.cases) {
    const { body, ...rest } = row.expect;
    const literalBody = body !== undefined && !body.startsWith('parts:') ? body : undefined;
    const headers = Object.fromEntries(
      Object.entries(rest.headers ?? {}).filter(([, value]) => !value.includes('<any>')),
    );
    rows.push({
      suite: 'nginx',
      label: `range.t ${row.request.Range}`,
      resource: 'nginx.txt',
      range: row.request.Range,
      expect: { status: rest.status, headers, ...(literalBody !== undefined ? { body: literalBody } : {}) },
    });
  }
  const apache = loadVector<ApacheFile>('apache-byterange7.json');
  for (const value of apache.invalid_expect_200_full_body['send_each_as_is_AND_with_bytes=_prefix']) {
    for (const range of [value, `bytes=${value}`]) {
      rows.push({ suite: 'apache', label: `byterange7 invalid "${range}"`, resource: 'apache.txt', range, expect: { status: 200 } });
    }
  }
  for (const [range, status] of Object.entries(apache.status_table)) {
    rows.push({ suite: 'apache', label: `byterange7 status ${range}`, resource: 'apache.txt', range, expect: { status } });
  }
  // byterange7 multi_range_content_length: bytes=0-1,100-101,... with n parts → 206, shorter than the file.
  for (const n of [1, 2, 10, 50, 100]) {
    const range = `bytes=${Array.from({ length: n }, (_, i) => `${i * 100}-${i * 100 + 1}`).join(',')}`;
    rows.push({ suite: 'apache', label: `byterange7 ${n} ranges`, resource: 'apache.txt', range, expect: { status: 206 } });
  }
  return rows.map(withDivergence);
}

/** The If-Range rows (send and nginx), with placeholders for the validators of the resource. */
export function ifRangeVectorCases(): VectorCase[] {
  const rows: VectorCase[] = [];
  const send = loadVector<SendFile>('send-serve-static.206.json');
  for (const row of send.cases) {
    const ifRange = row.request['If-Range'];
    if (ifRange === undefined) continue;
    rows.push({
      suite: 'send',
      label: row.it,
      resource: 'nums.txt',
      range: row.request.Range,
      ifRange: IF_RANGE_PLACEHOLDERS[ifRange] ?? ifRange,
      expect: row.expect,
    });
  }
  const nginx = loadVector<NginxFile>('nginx-range.t.json');
  for (const row of nginx['if_range_cases(range_if_range.t)']) {
    // Rows that configure the nginx resource's Last-Modified do not map onto this origin.
    if (Object.keys(row).some((key) => key.startsWith('resource_'))) continue;
    const ifRange = row.request['If-Range'];
    rows.push({
      suite: 'nginx',
      label: `range_if_range.t If-Range ${ifRange}`,
      resource: 'nginx.txt',
      range: row.request.Range,
      ifRange: IF_RANGE_PLACEHOLDERS[ifRange] ?? ifRange,
      expect: row.expect,
    });
  }
  return rows;
}
