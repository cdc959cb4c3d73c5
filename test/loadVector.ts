import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The folder of the Range test vectors (test/vectors/README.md names each file's source and licence). */
export const vectorsDir = fileURLToPath(new URL('./vectors/', import.meta.url));

/** One vector file of test/vectors, parsed. */
export function loadVector<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as T;
}
