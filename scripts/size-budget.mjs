#!/usr/bin/env node
// `npm run size`: the gzip size of the production worker (and of the package's entries, where
// built), against the budgets in package.json's "sizeBudgets" (gzip bytes). Exits 1 when a
// budgeted file is missing or over its budget, so CI fails on a worker that grew.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = join(import.meta.dirname, '..');
const { sizeBudgets = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const shown = [...new Set([...Object.keys(sizeBudgets), 'lib/index.js', 'lib/sw.js'])];

let failed = false;
for (const file of shown) {
  const path = join(root, file);
  const budget = sizeBudgets[file];
  if (!existsSync(path)) {
    if (budget !== undefined) {
      console.error(`size: ${file} is missing (build it first: npm run build)`);
      failed = true;
    }
    continue;
  }
  const bytes = readFileSync(path);
  const gzip = gzipSync(bytes, { level: 9 }).length;
  const verdict = budget === undefined ? '' : gzip <= budget ? ` ≤ budget ${kib(budget)}` : ` OVER budget ${kib(budget)}`;
  if (budget !== undefined && gzip > budget) failed = true;
  console.log(`size: ${file}: ${kib(bytes.length)} (${kib(gzip)} gzip)${verdict}`);
}
process.exit(failed ? 1 : 0);

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
