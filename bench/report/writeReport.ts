import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BenchResults } from '../results';
import { markdownReport } from './markdownReport';
import { memoryChartSvg, ttfbChartSvg } from './svgCharts';
import { evaluateTargets } from './targets';

/**
 * Writes one run's report: the JSON results (2-space indent, so a diff between runs reads well),
 * `memory.svg` and `ttfb.svg` in `chartsDir`, and the markdown, whose chart links are
 * `chartsLinkPrefix` + file name (relative to the markdown file, e.g. `bench/results`), and which
 * links `missedTargetsLink` (relative to it too) when a target is missed.
 */
export async function writeReport(
  results: BenchResults,
  options: { jsonPath: string; markdownPath: string; chartsDir: string; chartsLinkPrefix: string; missedTargetsLink?: string },
): Promise<void> {
  // The runner normally fills `targets`; when it did not, evaluate them so JSON and markdown agree.
  const complete: BenchResults = results.targets.length > 0 ? results : { ...results, targets: evaluateTargets(results) };
  const link = (file: string) => (options.chartsLinkPrefix ? `${options.chartsLinkPrefix.replace(/\/+$/, '')}/${file}` : file);

  await Promise.all([dirname(options.jsonPath), dirname(options.markdownPath), options.chartsDir].map((dir) => mkdir(dir, { recursive: true })));
  await Promise.all([
    writeFile(options.jsonPath, `${JSON.stringify(complete, null, 2)}\n`),
    writeFile(join(options.chartsDir, 'memory.svg'), memoryChartSvg(complete)),
    writeFile(join(options.chartsDir, 'ttfb.svg'), ttfbChartSvg(complete)),
    writeFile(options.markdownPath, markdownReport(complete, { memory: link('memory.svg'), ttfb: link('ttfb.svg'), missedTargets: options.missedTargetsLink })),
  ]);
}
