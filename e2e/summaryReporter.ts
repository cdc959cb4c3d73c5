import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

/**
 * After the list reporter's output: the `figure` annotations of the run (measurements the tests
 * record with `figure()` in fixtures.ts, not assertions), then one closing line,
 * `e2e: N passed, N failed, N skipped` (with `, N flaky` when a retried test passed on its retry;
 * flaky ones count as passed), which stays LAST (CI reads it).
 */
export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;
  private readonly flaky: string[] = [];
  private readonly failures: Array<{ test: string; error: string }> = [];
  private readonly figures: Array<{ test: string; description: string; outcome: string }> = [];

  onTestEnd(test: TestCase, result: TestResult): void {
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    if (result.status === 'skipped') this.skipped++;
    else if (test.outcome() === 'expected' || test.outcome() === 'flaky') this.passed++;
    else this.failed++;
    if (result.status !== 'skipped' && test.outcome() === 'flaky') this.flaky.push(test.title);
    if (test.outcome() === 'unexpected') {
      const error = result.errors.map((e) => e.message ?? e.value ?? '').join('\n');
      this.failures.push({ test: `${test.location.file.split(/[\\/]/).pop()}: ${test.title}`, error: firstLines(error, 12) });
    }
    // Runtime annotations are on the result (Playwright ≥ 1.52) and, in older versions, the test.
    const seen = new Set<string>();
    for (const annotation of [...(result.annotations ?? []), ...test.annotations]) {
      if (annotation.type !== 'figure' || !annotation.description || seen.has(annotation.description)) continue;
      seen.add(annotation.description);
      this.figures.push({ test: test.title, description: annotation.description, outcome: result.status });
    }
  }

  onEnd(result: FullResult): void {
    if (this.figures.length > 0) {
      const lines = ['', 'e2e figures (measured, not asserted):'];
      let current = '';
      for (const { test, description, outcome } of this.figures) {
        if (test !== current) {
          current = test;
          lines.push(`  ${test}${outcome === 'passed' ? '' : ` [${outcome}]`}`);
        }
        lines.push(`    - ${description}`);
      }
      console.log(lines.join('\n'));
    }
    // Failures again, right above the closing line: a CI log may keep only its tail.
    for (const { test, error } of this.failures) console.log(`\nFAILED ${test}\n${error}`);
    if (this.flaky.length > 0) console.log(`\nPassed on a retry: ${this.flaky.join('; ')}`);
    console.log(`e2e: ${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped${this.flaky.length > 0 ? `, ${this.flaky.length} flaky` : ''}`);
  }

  printsToStdio(): boolean {
    return true;
  }
}

/** The first `count` lines of `text`, without terminal colour codes. */
function firstLines(text: string, count: number): string {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, '');
  const lines = plain.split('\n');
  return lines.slice(0, count).join('\n') + (lines.length > count ? '\n  …' : '');
}
