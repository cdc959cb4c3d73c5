/**
 * The sanity CI checks after a quick run (bench/checkResults.ts): that the run completed and wrote
 * well-formed results, not its timings (CI machines are noisy). Every figure present, every
 * sample a finite number, our worker measured without an error; another contender may fail (the
 * naive worker can run out of memory) as long as the failure is recorded.
 */
import { CONTENDERS, type BenchResults, type ContenderId } from './results';

const OURS: readonly ContenderId[] = ['ours-cold', 'ours-warm'];

function finiteSamples(samples: unknown, where: string, problems: string[]): void {
  if (!Array.isArray(samples) || samples.length === 0) problems.push(`${where}: no samples`);
  else if (!samples.every((value) => typeof value === 'number' && Number.isFinite(value) && value >= 0)) problems.push(`${where}: a sample is not a finite number ≥ 0`);
}

/** The problems found in `results` (empty when it is a complete, well-formed run). */
export function validateResults(results: BenchResults): string[] {
  const problems: string[] = [];
  if (results.schema !== 1) return [`schema ${String(results.schema)}, expected 1`];
  if (!Array.isArray(results.sizesBytes) || results.sizesBytes.length === 0) problems.push('no file sizes');
  for (const sizeBytes of results.sizesBytes ?? []) {
    for (const contender of CONTENDERS) {
      const figure = results.sequential?.find((entry) => entry.contender === contender && entry.sizeBytes === sizeBytes);
      if (!figure) problems.push(`sequential ${contender} ${sizeBytes}: missing`);
      else if (figure.error && OURS.includes(contender)) problems.push(`sequential ${contender} ${sizeBytes}: ${figure.error}`);
      else if (!figure.error) finiteSamples(figure.samples, `sequential ${contender} ${sizeBytes}`, problems);
    }
    for (const contender of OURS) {
      const figure = results.heap?.find((entry) => entry.contender === contender && entry.sizeBytes === sizeBytes);
      if (!figure) problems.push(`heap ${contender} ${sizeBytes}: missing`);
      else if (figure.error) problems.push(`heap ${contender} ${sizeBytes}: ${figure.error}`);
      else finiteSamples(figure.samples, `heap ${contender} ${sizeBytes}`, problems);
    }
    const cold = results.heap?.find((entry) => entry.contender === 'ours-cold' && entry.sizeBytes === sizeBytes);
    if (cold && !cold.held) problems.push(`held heap ours-cold ${sizeBytes}: missing`);
    else if (cold?.held?.error) problems.push(`held heap ours-cold ${sizeBytes}: ${cold.held.error}`);
    else if (cold?.held) finiteSamples(cold.held.samples, `held heap ours-cold ${sizeBytes}`, problems);
  }
  for (const contender of OURS) {
    const ttfb = results.ttfb?.find((entry) => entry.contender === contender);
    if (!ttfb || ttfb.error) problems.push(`ttfb ${contender}: ${ttfb?.error ?? 'missing'}`);
    else finiteSamples(ttfb.samplesMs, `ttfb ${contender}`, problems);
    const seek = results.seek?.find((entry) => entry.contender === contender);
    if (!seek || seek.error) problems.push(`seek ${contender}: ${seek?.error ?? 'missing'}`);
    else finiteSamples(seek.samples, `seek ${contender}`, problems);
  }
  const origin = results.originBytes?.find((entry) => entry.contender === 'ours-cold');
  if (!origin || origin.error) problems.push(`origin bytes ours-cold: ${origin?.error ?? 'missing'}`);
  else finiteSamples(origin.samples, 'origin bytes ours-cold', problems);
  if (!results.download) problems.push('download: missing');
  else for (const key of ['downloadMs', 'plainFetchMs', 'fetchThroughWorkerMs'] as const) finiteSamples(results.download[key], `download ${key}`, problems);
  if (!results.disk?.some((entry) => entry.contender === 'ours-warm' && Number.isFinite(entry.ratio))) problems.push('disk ours-warm: missing');
  if (!Array.isArray(results.targets) || results.targets.length === 0) problems.push('targets: none evaluated');
  return problems;
}
