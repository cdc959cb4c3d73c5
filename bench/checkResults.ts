/** `tsx bench/checkResults.ts <results.json>`: exits non-zero unless the run is complete and well-formed. */
import { readFileSync } from 'node:fs';
import type { BenchResults } from './results';
import { validateResults } from './validateResults';

const path = process.argv[2];
if (!path) throw new Error('usage: tsx bench/checkResults.ts <results.json>');
const problems = validateResults(JSON.parse(readFileSync(path, 'utf8')) as BenchResults);
if (problems.length > 0) {
  console.error(`${path}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exitCode = 1;
} else {
  console.log(`${path}: a complete run, well-formed`);
}
