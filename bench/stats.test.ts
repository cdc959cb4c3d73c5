import { describe, expect, it } from 'vitest';
import { median, quantile, ratio } from './stats';

describe('quantile', () => {
  it.each([
    { samples: [], p: 0.5, expected: null },
    { samples: [7], p: 0.95, expected: 7 },
    { samples: [3, 1, 2], p: 0.5, expected: 2 },
    { samples: [1, 2, 3, 4], p: 0.5, expected: 2.5 },
    { samples: [10, 20, 30, 40, 50], p: 0.95, expected: 48 },
    { samples: [5, 1], p: 0, expected: 1 },
    { samples: [5, 1], p: 1, expected: 5 },
  ])('$samples at $p is $expected', ({ samples, p, expected }) => {
    expect(quantile(samples, p)).toBe(expected);
  });

  it('does not reorder its input', () => {
    const samples = [3, 1, 2];
    median(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('ratio', () => {
  it.each([
    { a: 6, b: 3, expected: 2 },
    { a: 6, b: 0, expected: null },
    { a: null, b: 3, expected: null },
    { a: 6, b: undefined, expected: null },
  ])('$a / $b is $expected', ({ a, b, expected }) => {
    expect(ratio(a, b)).toBe(expected);
  });
});
