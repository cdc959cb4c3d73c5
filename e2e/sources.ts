import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedBytes, generatedSha256, vectorBody } from './origin/content';

/** The bytes a resource must have, so a response can be checked range by range. */
export interface ByteSource {
  sizeBytes: number;
  bytes(start: number, endExclusive: number): Buffer;
  sha256(start: number, endExclusive: number): string;
}

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(repoRoot, 'dist');

/** A generated file (origin/content.ts) of `version` (1 unless the origin was told otherwise). */
export function generatedSource(sizeBytes: number, version = 1): ByteSource {
  return {
    sizeBytes,
    bytes: (start, end) => generatedBytes(start, end, version),
    sha256: (start, end) => generatedSha256(start, end, version),
  };
}

export function bufferSource(body: Buffer): ByteSource {
  return {
    sizeBytes: body.length,
    bytes: (start, end) => body.subarray(start, end),
    sha256: (start, end) => createHash('sha256').update(body.subarray(start, end)).digest('hex'),
  };
}

export function vectorSource(name: string): ByteSource {
  const body = vectorBody(name);
  if (!body) throw new Error(`no vector resource ${name}`);
  return bufferSource(body);
}

/** A file on disk, read only in the ranges asked for. */
export function fileSource(path: string): ByteSource {
  const sizeBytes = statSync(path).size;
  const bytes = (start: number, end: number): Buffer => {
    const out = Buffer.alloc(end - start);
    const fd = openSync(path, 'r');
    try {
      let at = 0;
      while (at < out.length) {
        const read = readSync(fd, out, at, out.length - at, start + at);
        if (read === 0) break;
        at += read;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  };
  return {
    sizeBytes,
    bytes,
    sha256: (start, end) => createHash('sha256').update(bytes(start, end)).digest('hex'),
  };
}

/** The committed sample media in the production build, by extension (e.g. `.mp4`), largest first. */
export function distMedia(extension: string): Array<{ url: string; path: string; sizeBytes: number }> {
  const mediaDir = join(distDir, 'media');
  let names: string[] = [];
  try {
    names = readdirSync(mediaDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.toLowerCase().endsWith(extension))
    .map((name) => ({ url: `/media/${name}`, path: join(mediaDir, name), sizeBytes: statSync(join(mediaDir, name)).size }))
    .sort((a, b) => b.sizeBytes - a.sizeBytes);
}
