import { describe, expect, it } from 'vitest';
import { backoffMs, chunk, mapLimit } from '../../../lib/store/dynamo/batch.js';

describe('batch backoff', () => {
  it('uses full jitter: anywhere from 0 up to a ceiling that doubles per attempt, capped', () => {
    const ceilings = [1, 2, 3, 4, 10].map((attempt) => backoffMs(attempt, {}, () => 1));
    expect(ceilings).toEqual([50, 100, 200, 400, 2_000]);
    // The low end is 0, not half the ceiling (that would be equal jitter).
    expect(backoffMs(4, {}, () => 0)).toBe(0);
    expect(backoffMs(3, { baseDelayMs: 50, maxDelayMs: 5_000 }, () => 0.5)).toBe(200);
    const spread = Array.from({ length: 200 }, () => backoffMs(3));
    expect(Math.min(...spread)).toBeLessThan(100);
    expect(Math.max(...spread)).toBeLessThanOrEqual(200);
  });

  it('splits into chunks and keeps input order with bounded concurrency', async () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    let inFlight = 0;
    let most = 0;
    const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });
});
