/**
 * The HTTP origin the end-to-end tests run against: the production build in `dist/` plus generated
 * media, with Range support on everything, fault knobs and byte counters.
 *
 * Fault knobs are query parameters, so each knob set is its own URL (and its own cache key):
 *   stallAfter=<bytes>   send that many body bytes, then keep the socket open and send nothing
 *   resetAfter=<bytes>   send that many body bytes, let them reach the client (flushed to the socket,
 *                        then RESET_GRACE_MS), then reset the connection (RST: bytes the client's
 *                        kernel has not taken yet are lost, so without the grace a client reading
 *                        at its own pace would get fewer; the client sees ECONNRESET or an early end)
 *   trickle=<bytes/s>    pace the body at that rate
 *   delayMs=<ms>         wait before sending the headers
 *   shortBody=<bytes>    announce the true Content-Length, send that many bytes fewer, then close
 *                        the connection cleanly (FIN once the bytes sent are flushed): the client
 *                        sees the body end early, a length mismatch. Node's http cannot send a body
 *                        that disagrees with its Content-Length on a kept-alive connection (the
 *                        client would just wait for the rest, a stall), so the connection ends.
 *   status=<code>        answer with that status and a short text body, ignoring Range
 *   ignoreRange=1        answer every request with 200 and the full body (a Range is ignored)
 *   badContentRange=1    a single-range 206 sends the requested bytes with the right length but a
 *                        Content-Range that names another place: shifted one segment (524 288
 *                        bytes) forward, or backward where forward would pass the end of the file
 *                        (`bytes=0-99` is answered with bytes 0..99 labelled `bytes 524288-524387/…`)
 *   noContentRange=1     a single-range 206 without Content-Range (bytes and length are right)
 *   noAcceptRanges=1     no Accept-Ranges header; Range is still honoured (ignoreRange=1 refuses it)
 *   lastModifiedOnly=1   no ETag at all, only Last-Modified (an ETag in If-Range never matches)
 *   noStore=1            `Cache-Control: no-store` instead of `no-cache`
 *   etag=<token>         use `"<token>"` as the ETag (a new version of the same URL's bytes)
 *   cors=1               CORS for other origins: answers carry Access-Control-Allow-Origin (the
 *                        request's Origin), -Allow-Credentials: true and -Expose-Headers (Content-
 *                        Range, ETag, …), and an OPTIONS preflight gets 204 allowing Range and If-Range
 *   noValidators=1       neither ETag nor Last-Modified (an If-Range never matches)
 *   requireCookie=<name> without that cookie the answer is a 302 to /login.html, an HTML page that
 *                        answers Range like any static file (an expired session of a login wall)
 *   versionPerRequest=1  the n-th request of this path + query serves version n of a generated file
 *                        (other bytes and another ETag each time: a file replaced between requests)
 *   oneUseSignature=1    the request's signature (the value of X-Amz-Signature, Signature or token)
 *                        is accepted once; a second request with it, or one without, gets a 403 with
 *                        an S3-style XML error (a signed URL that expired)
 *   vary=<value>         send `Vary: <value>`
 *   securityHeaders=1    Content-Disposition, Content-Security-Policy, X-Content-Type-Options and
 *                        Cross-Origin-Resource-Policy (values in knobs.ts, SECURITY_HEADERS)
 *   gate=<name>          the headers wait while the gate of that name is closed (see Gates)
 *
 * Knobs combine; stallAfter, resetAfter and shortBody end the body at whichever comes first. The
 * Content-Range knobs leave 416 and multipart/byteranges answers alone.
 *
 * Counters: `GET /__origin/stats` (JSON, see OriginStats), `POST /__origin/reset`.
 *
 * Versions: `POST /__origin/version?path=<pathname>&v=<n>` makes the generated `.bin` at that
 * pathname (any query) serve version n from then on: other bytes (origin/content.ts, every byte
 * differs between versions), ETag `"gen-<size>-v<n>"` and a Last-Modified n - 1 hours later than
 * version 1. Version 1 is the default and keeps the unversioned validators. Reset leaves versions.
 *
 * Pages in place of a file: `POST /__origin/portal?path=<pathname>&type=<content-type>` answers
 * that pathname (any query) with a small page of that type, with an ETag and Range support as a
 * static file has (a login page or an error page served in place, no redirect); `type=` turns it off.
 *
 * Unreachable: `POST /__origin/unreachable?on=1` destroys every open connection, answers in flight
 * included, and then the connection of every request but the control ones (the browser sees a
 * network error, as offline); `on=0` ends it. Reset leaves it.
 *
 * Gates: `POST /__origin/gate?name=<name>&open=0` closes a gate, `open=1` opens it and lets the
 * answers that wait at it go on. Gates are open until closed.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { generatedChunks, vectorBody } from './content';
import { OriginState } from './OriginState';
import { corsHeaders, hasCookie, numberKnob, readKnobs, SECURITY_HEADERS, signatureOf, varyHeader, type Knobs } from './knobs';
import { parseRangeRequest, rangesCoalesce, type ByteRange } from './ranges';

export interface RequestRecord {
  id: number;
  method: string;
  /** Path and query, as requested. */
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Body bytes the socket accepted. */
  bytesSent: number;
  /** When the socket accepted the last of them (null before the first). */
  lastByteAt: number | null;
  /** Body bytes the response would carry if read to the end. */
  bytesPlanned: number;
  startedAt: number;
  /** When the whole response was handed to the socket. */
  finishedAt: number | null;
  /** The client closed the connection before the response was complete. */
  aborted: boolean;
  abortedAt: number | null;
  /** The origin cut the body short itself (resetAfter, shortBody); not counted as `aborted`. */
  cut: 'reset' | 'short-body' | null;
}

export interface PathCounters {
  requests: number;
  bodyBytes: number;
}

export interface OriginStats {
  now: number;
  /** Keyed by path + query. */
  paths: Record<string, PathCounters>;
  /** Oldest first, at most RECENT_LIMIT. */
  recent: RequestRecord[];
}

export interface RunningOrigin {
  url: string;
  port: number;
  close(): Promise<void>;
}

const RECENT_LIMIT = 1000;
const CHUNK_BYTES = 64 * 1024;
/** How long resetAfter waits between the last byte flushed and the reset (see the header). */
const RESET_GRACE_MS = 250;
/** How far badContentRange moves the Content-Range: one segment of the cache under test. */
const BAD_CONTENT_RANGE_SHIFT = 512 * 1024;
/** A fixed validator date for generated resources (HTTP-date has whole seconds). */
const GENERATED_LAST_MODIFIED = new Date(Date.UTC(2024, 0, 15, 9, 30, 0));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.vtt': 'text/vtt',
  '.mp4': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.webm': 'video/webm',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.bin': 'application/octet-stream',
};

/** A representation the origin can serve any byte range of, without holding it in memory. */
interface Resource {
  sizeBytes: number;
  contentType: string;
  etag: string;
  lastModified: Date;
  chunks(start: number, endExclusive: number): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Whether `If-Range` (RFC 9110 §13.1.5) lets the Range apply: a strong ETag match or an exact date.
 * `etag` is the ETag the answer carries (undefined when it has none: no entity tag matches), and
 * `lastModified` its Last-Modified (undefined when it has none: no date matches).
 */
function ifRangeMatches(ifRange: string, etag: string | undefined, lastModified: Date | undefined): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"')) return etag !== undefined && value === etag;
  if (value.startsWith('W/') || lastModified === undefined) return false;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(date / 1000) === Math.floor(lastModified.getTime() / 1000);
}

function fileResource(path: string, stats: Stats): Resource {
  const mtime = new Date(Math.floor(stats.mtimeMs / 1000) * 1000);
  return {
    sizeBytes: stats.size,
    contentType: CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream',
    etag: `"${stats.size.toString(16)}-${Math.floor(stats.mtimeMs).toString(16)}"`,
    lastModified: mtime,
    chunks: (start, endExclusive) =>
      createReadStream(path, { start, end: endExclusive - 1, highWaterMark: CHUNK_BYTES }),
  };
}

function bufferResource(body: Buffer, contentType: string, etag: string): Resource {
  return {
    sizeBytes: body.length,
    contentType,
    etag,
    lastModified: GENERATED_LAST_MODIFIED,
    chunks: (start, endExclusive) => [body.subarray(start, endExclusive)],
  };
}

async function wavResource(params: URLSearchParams): Promise<Resource | undefined> {
  // scripts/wav.ts is shared with the build; loaded lazily so the rest of the origin never needs it.
  const { wavBytes, wavSizeBytes } = await import('../../scripts/wav');
  const tone = {
    seconds: numberKnob(params, 'seconds') ?? 600,
    sampleRate: numberKnob(params, 'sampleRate') ?? 44100,
    channels: numberKnob(params, 'channels') ?? 2,
  };
  const sizeBytes = wavSizeBytes(tone);
  return {
    sizeBytes,
    contentType: 'audio/wav',
    etag: `"wav-${tone.seconds}-${tone.sampleRate}-${tone.channels}"`,
    lastModified: GENERATED_LAST_MODIFIED,
    *chunks(start, endExclusive) {
      for (let offset = start; offset < endExclusive; offset += CHUNK_BYTES) {
        yield wavBytes(offset, Math.min(endExclusive, offset + CHUNK_BYTES), tone);
      }
    },
  };
}

/** Version of the generated content at a pathname (1 when never set). */
export type VersionOf = (pathname: string) => number;

/** The strong ETag of a generated `.bin` of `sizeBytes` at `version`. */
export function generatedEtag(sizeBytes: number, version = 1): string {
  return version === 1 ? `"gen-${sizeBytes}"` : `"gen-${sizeBytes}-v${version}"`;
}

/** Where `requireCookie` sends a request without its cookie. */
export const LOGIN_PAGE_PATH = '/login.html';

/** A small HTML or JSON page, as a login wall or an error page serves it (with an ETag, Range-capable, as a static file is). */
function pageResource(contentType: string): Resource {
  const html = /html/i.test(contentType);
  const body = Buffer.from(html ? '<!doctype html><title>Sign in</title><form method="post"><input name="user"><button>Sign in</button></form>\n' : '{"error":"session expired"}\n');
  return bufferResource(body, contentType, `"page-${body.length}"`);
}

export async function resolveResource(root: string, url: URL, versionOf: VersionOf = () => 1): Promise<Resource | undefined> {
  const path = decodeURIComponent(url.pathname);
  if (path === LOGIN_PAGE_PATH) return pageResource('text/html; charset=utf-8');
  if (path.startsWith('/media/gen/vector/')) {
    const name = path.slice('/media/gen/vector/'.length);
    const body = vectorBody(name);
    return body && bufferResource(body, 'text/plain; charset=utf-8', `"vector-${name}-${body.length}"`);
  }
  if (path === '/media/gen/long.wav') return wavResource(url.searchParams);
  if (path.startsWith('/media/gen/') && path.endsWith('.bin')) {
    const sizeBytes = numberKnob(url.searchParams, 'size') ?? 1024 * 1024;
    const version = versionOf(path);
    return {
      sizeBytes,
      contentType: 'application/octet-stream',
      etag: generatedEtag(sizeBytes, version),
      lastModified: new Date(GENERATED_LAST_MODIFIED.getTime() + (version - 1) * 3_600_000),
      chunks: (start, endExclusive) => generatedChunks(start, endExclusive, version),
    };
  }
  const relativePath = path === '/' ? 'index.html' : path.slice(1);
  const filePath = resolve(root, normalize(relativePath));
  if (filePath !== root && !filePath.startsWith(root + sep)) return undefined;
  try {
    const stats = await stat(filePath);
    if (stats.isFile()) return fileResource(filePath, stats);
    if (stats.isDirectory()) {
      const index = join(filePath, 'index.html');
      const indexStats = await stat(index);
      return fileResource(index, indexStats);
    }
  } catch {
    // Not found: fall through.
  }
  return undefined;
}

/** Byte counters and the recent-request log. */
class OriginCounters {
  private nextId = 1;
  paths = new Map<string, PathCounters>();
  recent: RequestRecord[] = [];

  begin(req: IncomingMessage): RequestRecord {
    const record: RequestRecord = {
      id: this.nextId++,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      range: req.headers.range ?? null,
      ifRange: (req.headers['if-range'] as string | undefined) ?? null,
      status: 0,
      bytesSent: 0,
      lastByteAt: null,
      bytesPlanned: 0,
      startedAt: Date.now(),
      finishedAt: null,
      aborted: false,
      abortedAt: null,
      cut: null,
    };
    const counters = this.countersFor(record.path);
    counters.requests++;
    this.recent.push(record);
    if (this.recent.length > RECENT_LIMIT) this.recent.splice(0, this.recent.length - RECENT_LIMIT);
    return record;
  }

  sent(record: RequestRecord, bytes: number): void {
    record.bytesSent += bytes;
    record.lastByteAt = Date.now();
    this.countersFor(record.path).bodyBytes += bytes;
  }

  private countersFor(path: string): PathCounters {
    let counters = this.paths.get(path);
    if (!counters) {
      counters = { requests: 0, bodyBytes: 0 };
      this.paths.set(path, counters);
    }
    return counters;
  }

  snapshot(): OriginStats {
    return { now: Date.now(), paths: Object.fromEntries(this.paths), recent: this.recent };
  }

  reset(): void {
    this.paths = new Map();
    this.recent = [];
  }
}

/** Writes `chunk`, counting it once the socket took it, and waits for drain under backpressure. */
async function writeCounted(
  res: ServerResponse,
  chunk: Uint8Array,
  onWritten: (bytes: number) => void,
): Promise<boolean> {
  if (res.destroyed) return false;
  const flushed = res.write(chunk, (error) => {
    if (!error) onWritten(chunk.length);
  });
  if (flushed) return true;
  return new Promise((done) => {
    const onDrain = (): void => {
      res.off('close', onClose);
      done(true);
    };
    const onClose = (): void => {
      res.off('drain', onDrain);
      done(false);
    };
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}

/**
 * Ends the connection cleanly once what was written is flushed (a FIN, not a reset), so the client
 * sees the body end before its Content-Length.
 */
async function closeAfterFlush(res: ServerResponse): Promise<void> {
  const socket = res.socket;
  if (!socket) {
    res.destroy();
    return;
  }
  // With nothing of the body written yet, the headers still wait in Node (headersSent says true
  // after writeHead): send them; otherwise this writes nothing.
  res.flushHeaders();
  const closed = new Promise((done) => res.once('close', done));
  socket.end();
  // A client that never closes its side must not keep the socket for ever.
  const timer = setTimeout(() => res.destroy(), 10_000);
  await closed;
  clearTimeout(timer);
}

/** Sends `pieces` (`plannedBytes` in all) as the body, applying the stall / reset / short / trickle knobs. */
async function sendBody(
  res: ServerResponse,
  pieces: Array<() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>>,
  plannedBytes: number,
  knobs: Knobs,
  record: RequestRecord,
  onWritten: (bytes: number) => void,
): Promise<void> {
  let sent = 0;
  const shortLimit = knobs.shortBody === undefined ? Infinity : Math.max(0, plannedBytes - knobs.shortBody);
  const limit = Math.min(knobs.stallAfter ?? Infinity, knobs.resetAfter ?? Infinity, shortLimit);
  const trickleSliceBytes = knobs.trickle ? Math.max(1, Math.floor(knobs.trickle / 10)) : Infinity;
  for (const piece of pieces) {
    for await (const chunk of piece()) {
      for (let at = 0; at < chunk.length; ) {
        if (res.destroyed) return;
        const take = Math.min(chunk.length - at, limit - sent, trickleSliceBytes);
        if (take <= 0) {
          if (knobs.resetAfter !== undefined && sent >= knobs.resetAfter) {
            record.cut = 'reset';
            // A reset discards what the kernel still holds for the client: let the bytes go first.
            for (let waited = 0; record.bytesSent < sent && waited < 2000 && !res.destroyed; waited += 5) await sleep(5);
            if (!res.destroyed) await Promise.race([sleep(RESET_GRACE_MS), new Promise((done) => res.once('close', done))]);
            if (res.destroyed) return;
            res.socket?.resetAndDestroy();
            res.destroy();
            return;
          }
          if (sent >= shortLimit) {
            record.cut = 'short-body';
            await closeAfterFlush(res);
            return;
          }
          // stallAfter: keep the socket open, send nothing; the client or the test ends it.
          await new Promise((done) => res.once('close', done));
          return;
        }
        if (knobs.trickle) await sleep((take / knobs.trickle) * 1000);
        if (!(await writeCounted(res, chunk.subarray(at, at + take), onWritten))) return;
        sent += take;
        at += take;
      }
    }
  }
  res.end();
}

function multipartBoundary(): string {
  return `origin-${Date.now().toString(16)}-${Math.random().toString(16).slice(2)}`;
}

async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  resource: Resource,
  knobs: Knobs,
  record: RequestRecord,
  counters: OriginCounters,
): Promise<void> {
  const size = resource.sizeBytes;
  const etag = knobs.lastModifiedOnly || knobs.noValidators ? undefined : knobs.etag !== undefined ? `"${knobs.etag}"` : resource.etag;
  const lastModified = knobs.noValidators ? undefined : resource.lastModified;
  const headers: Record<string, string | number> = {
    ...corsHeaders(req, knobs),
    ...varyHeader(knobs),
    ...(knobs.securityHeaders ? SECURITY_HEADERS : {}),
    ...(knobs.noAcceptRanges ? {} : { 'Accept-Ranges': 'bytes' }),
    ...(etag === undefined ? {} : { ETag: etag }),
    ...(lastModified === undefined ? {} : { 'Last-Modified': lastModified.toUTCString() }),
    'Cache-Control': knobs.noStore ? 'no-store' : 'no-cache',
  };
  const ifRange = req.headers['if-range'] as string | undefined;
  const rangeHeader =
    knobs.ignoreRange || (ifRange !== undefined && !ifRangeMatches(ifRange, etag, lastModified)) ? undefined : req.headers.range;
  const request = parseRangeRequest(rangeHeader, size);
  const onWritten = (bytes: number): void => counters.sent(record, bytes);
  const isHead = req.method === 'HEAD';

  let status = 200;
  let pieces: Array<() => AsyncIterable<Uint8Array> | Iterable<Uint8Array>> = [];
  let contentLength = 0;
  if (request.kind === 'unsatisfiable') {
    status = 416;
    headers['Content-Range'] = `bytes */${size}`;
    headers['Content-Type'] = 'text/plain; charset=utf-8';
    const body = Buffer.from('Range Not Satisfiable\n');
    pieces = [() => [body]];
    contentLength = body.length;
  } else if (request.kind === 'full') {
    headers['Content-Type'] = resource.contentType;
    pieces = [() => resource.chunks(0, size)];
    contentLength = size;
  } else if (request.ranges.length === 1 || rangesCoalesce(request.ranges)) {
    // Ranges that touch or overlap into one span are served as that span (RFC 9110 §14.2 allows
    // coalescing; send does the same), others as multipart/byteranges.
    const { start, end } = request.ranges.length === 1 ? request.ranges[0]! : rangesCoalesce(request.ranges)!;
    status = 206;
    headers['Content-Type'] = resource.contentType;
    if (!knobs.noContentRange) {
      // badContentRange: the same length, labelled one segment away from the bytes sent.
      const forward = start + BAD_CONTENT_RANGE_SHIFT + (end - start) < size || start < BAD_CONTENT_RANGE_SHIFT;
      const claimed = !knobs.badContentRange ? start : forward ? start + BAD_CONTENT_RANGE_SHIFT : start - BAD_CONTENT_RANGE_SHIFT;
      headers['Content-Range'] = `bytes ${claimed}-${claimed + end - start}/${size}`;
    }
    pieces = [() => resource.chunks(start, end + 1)];
    contentLength = end - start + 1;
  } else {
    // RFC 9110 §14.6: parts in request order, each with its own Content-Type and Content-Range.
    status = 206;
    const boundary = multipartBoundary();
    headers['Content-Type'] = `multipart/byteranges; boundary=${boundary}`;
    const partHead = (range: ByteRange, first: boolean): Buffer =>
      Buffer.from(
        `${first ? '' : '\r\n'}--${boundary}\r\nContent-Type: ${resource.contentType}\r\n` +
          `Content-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`,
        'latin1',
      );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1');
    request.ranges.forEach((range: ByteRange, i: number) => {
      const head = partHead(range, i === 0);
      pieces.push(() => [head]);
      pieces.push(() => resource.chunks(range.start, range.end + 1));
      contentLength += head.length + range.end - range.start + 1;
    });
    pieces.push(() => [tail]);
    contentLength += tail.length;
  }
  headers['Content-Length'] = contentLength;
  record.status = status;
  record.bytesPlanned = isHead ? 0 : contentLength;
  res.writeHead(status, headers);
  if (isHead) {
    res.end();
    return;
  }
  await sendBody(res, pieces, contentLength, knobs, record, onWritten);
}

export interface OriginOptions {
  /** The folder served at `/` (the production build). */
  root: string;
  port?: number;
  host?: string;
}

export async function startOrigin(options: OriginOptions): Promise<RunningOrigin> {
  const root = resolve(options.root);
  const counters = new OriginCounters();
  const state = new OriginState();
  const sockets = new Set<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://origin.invalid');
    if (url.pathname === '/__origin/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(counters.snapshot()));
      return;
    }
    if (url.pathname === '/__origin/reset') {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST' }).end();
        return;
      }
      counters.reset();
      res.writeHead(204).end();
      return;
    }
    if (state.handleControl(url, req, res)) {
      // Unreachable from now on: answers already streaming end too (but this control request's).
      if (url.pathname === '/__origin/unreachable' && state.unreachable) {
        for (const socket of sockets) if (socket !== req.socket) socket.destroy();
      }
      return;
    }
    if (state.unreachable) {
      // The connection dies before any answer: to a browser, the network is gone.
      req.socket.destroy();
      return;
    }

    const record = counters.begin(req);
    res.on('close', () => {
      if (!res.writableFinished && !record.aborted && record.cut === null) {
        record.aborted = true;
        record.abortedAt = Date.now();
      }
    });
    res.on('finish', () => {
      record.finishedAt = Date.now();
    });

    const knobs = readKnobs(url.searchParams);
    if (knobs.gate) await state.passGate(knobs.gate);
    if (knobs.delayMs) await sleep(knobs.delayMs);
    if (res.destroyed) return;
    if (req.method === 'OPTIONS' && knobs.cors) {
      record.status = 204;
      res
        .writeHead(204, {
          ...corsHeaders(req, knobs),
          'Access-Control-Allow-Methods': 'GET, HEAD',
          'Access-Control-Allow-Headers': 'Range, If-Range',
          'Access-Control-Max-Age': '600',
        })
        .end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      record.status = 405;
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (knobs.requireCookie && !hasCookie(req, knobs.requireCookie)) {
      // A session that expired: what a login-walled lecture platform answers.
      record.status = 302;
      res.writeHead(302, { Location: `${LOGIN_PAGE_PATH}?next=${encodeURIComponent(req.url ?? '/')}`, 'Content-Length': 0 }).end();
      return;
    }
    const signature = knobs.oneUseSignature ? signatureOf(url.searchParams) : undefined;
    if (knobs.oneUseSignature && (signature === undefined || !state.useSignature(signature))) {
      record.status = 403;
      const body = Buffer.from('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>\n');
      res.writeHead(403, { 'Content-Type': 'application/xml', 'Content-Length': body.length }).end(body);
      return;
    }
    if (knobs.status !== undefined) {
      record.status = knobs.status;
      const body = Buffer.from(`status ${knobs.status}\n`);
      res.writeHead(knobs.status, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Content-Length': body.length,
        'Cache-Control': knobs.noStore ? 'no-store' : 'no-cache',
      });
      await sendBody(res, [() => [body]], body.length, knobs, record, (bytes) => counters.sent(record, bytes));
      return;
    }
    const portalType = state.portals.get(url.pathname);
    const version = knobs.versionPerRequest ? state.countRequest(req.url ?? '/') : state.versionOf(url.pathname);
    const resource = portalType ? pageResource(portalType) : await resolveResource(root, url, () => version);
    if (!resource) {
      record.status = 404;
      const body = Buffer.from('Not Found\n');
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length });
      res.end(body);
      return;
    }
    await handleResource(req, res, resource, knobs, record, counters);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      console.error('[origin]', req.url, error);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ready());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
