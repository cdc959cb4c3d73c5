/**
 * Stock nginx as a second origin for the e2e suite (Debian's package; scripts/ensure-system-deps.mjs
 * installs it where missing). It serves a folder made of the production build (`dist/`, linked)
 * and generated media files written as real files, with the configuration in nginx.conf: nginx
 * itself answers Range, multiple ranges, ETag and If-Range, as it would for a user's deployment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../freePort';
import { generatedBytes } from '../origin/content';

export const NGINX_PATH = process.env.NGINX_PATH || '/usr/sbin/nginx';

/** The generated files nginx serves under /media/gen/, by name: their bytes are `generatedBytes(0, size)` (version 1). */
export const NGINX_FILES: Record<string, number> = {
  'small.bin': 300_000,
  'three-segments.bin': 3 * 512 * 1024 + 12_345,
  'changing.bin': 16 * 1024 * 1024 + 777,
};

export interface RunningNginx {
  url: string;
  /** The folder nginx serves (the tests rewrite a file in it to make a new version). */
  root: string;
  /** The access log, one line per request (format `rangelog` in nginx.conf). */
  accessLogPath: string;
  close(): Promise<void>;
}

/** Starts nginx on a free port of 127.0.0.1 serving `dist` and the generated files. */
export async function startNginx(dist: string): Promise<RunningNginx> {
  const prefix = mkdtempSync(join(tmpdir(), 'media-range-cache-nginx-'));
  const root = join(prefix, 'root');
  mkdirSync(join(root, 'media', 'gen'), { recursive: true });
  for (const name of readdirSync(dist)) {
    if (name !== 'media') symlinkSync(resolve(dist, name), join(root, name));
  }
  for (const name of readdirSync(join(dist, 'media'))) symlinkSync(resolve(dist, 'media', name), join(root, 'media', name));
  for (const [name, size] of Object.entries(NGINX_FILES)) writeFileSync(join(root, 'media', 'gen', name), generatedBytes(0, size));

  const port = await freePort();
  const template = readFileSync(new URL('./nginx.conf', import.meta.url), 'utf8');
  const conf = template.replaceAll('@PREFIX@', prefix).replaceAll('@ROOT@', root).replaceAll('@PORT@', String(port));
  const confPath = join(prefix, 'nginx.conf');
  writeFileSync(confPath, conf);
  const child = spawn(NGINX_PATH, ['-p', prefix, '-c', confPath, '-e', join(prefix, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  child.once('error', (error) => (stderr += String(error)));
  try {
    await waitForPort(port, exited, () => stderr);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(prefix, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    root,
    accessLogPath: join(prefix, 'access.log'),
    close: () => stop(child, exited).finally(() => rmSync(prefix, { recursive: true, force: true })),
  };
}

async function stop(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGQUIT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function waitForPort(port: number, exited: Promise<number | null>, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let gone = false;
  void exited.then(() => (gone = true));
  while (Date.now() < deadline) {
    if (gone) throw new Error(`nginx exited at start: ${stderr() || 'no output'}`);
    const open = await new Promise<boolean>((resolveOpen) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolveOpen(true);
      });
      socket.once('error', () => resolveOpen(false));
    });
    if (open) return;
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 10 s: ${stderr() || 'no output'}`);
}
