import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, type Harness } from './harness.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

describe('login does not reveal which usernames exist', () => {
  let h: Harness;
  beforeAll(async () => {
    // The throttle would otherwise answer 429 long before enough samples are taken.
    h = await createHarness({ throttle: { perMinute: 10_000, perHour: 10_000 } });
    await h.user('existing', { password: 'the real password' });
  });
  afterAll(() => h.close());

  it('gives an unknown user and a wrong password the same status, headers and body', async () => {
    const unknown = await call('POST', '/api/user/login', { body: { username: 'nobody-here', password: 'guess' } });
    const wrong = await call('POST', '/api/user/login', { body: { username: 'existing', password: 'guess' } });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(unknown.status);
    expect(wrong.raw).toBe(unknown.raw);
    expect(wrong.headers).toEqual(unknown.headers);
    expect(wrong.cookies).toEqual(unknown.cookies);
  });

  it('takes the same time for both, within a tolerance, over many interleaved samples', async () => {
    const time = async (username: string) => {
      const start = performance.now();
      const res = await call('POST', '/api/user/login', { body: { username, password: 'guess' } });
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    await time('existing');
    await time('nobody-here');
    const unknown: number[] = [];
    const wrong: number[] = [];
    // Interleaved so that load from other processes affects both series alike; medians ignore spikes.
    for (let i = 0; i < 25; i++) {
      unknown.push(await time(`nobody-${i}`));
      wrong.push(await time('existing'));
    }
    const ratio = median(unknown) / median(wrong);
    // Skipping the dummy verify makes the unknown-user path ~100× faster (a store miss vs argon2),
    // so a loose band still catches it while tolerating a busy machine.
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms vs wrong ${median(wrong).toFixed(1)} ms`).toBeGreaterThan(
      0.6,
    );
    expect(ratio).toBeLessThan(1.67);
  });
});
