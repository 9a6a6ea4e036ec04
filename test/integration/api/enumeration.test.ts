import { hash } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, type Harness } from './harness.js';

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * The accounts a login can meet: one hash of each family the table can hold. The Python service
 * hashed with passlib's argon2 (argon2-cffi's defaults m=65536,t=3,p=4); bcrypt at passlib's
 * default cost 12 is the slowest.
 */
const FAMILIES = {
  current: 'argon2id m=19456,t=2,p=1',
  python: 'argon2id m=65536,t=3,p=4',
  bcrypt: 'bcrypt cost 12',
} as const;
type Family = keyof typeof FAMILIES;

describe('login does not reveal which usernames exist, whatever the account’s hash', () => {
  let h: Harness;
  beforeAll(async () => {
    // The throttle would otherwise answer 429 long before enough samples are taken.
    const unlimited = { free: 1e9, baseDelayMs: 0, maxDelayMs: 0, forgetOneEveryMs: 1 };
    h = await createHarness({ throttle: { accountAtAddress: unlimited, address: unlimited, account: unlimited } });
    await h.user('current-user', { password: 'the real password' });
    await h.user('python-user', {
      hash: await hash('the real password', { algorithm: 2 as never, memoryCost: 65_536, timeCost: 3, parallelism: 4 }),
    });
    await h.user('bcrypt-user', { hash: await bcrypt.hash('the real password', 12) });
  });
  afterAll(() => h.close());

  const login = (username: string) =>
    call('POST', '/api/user/login', { body: { username, password: 'a wrong guess' } });

  it('gives an unknown user and a wrong password the same status, headers and body for every family', async () => {
    const unknown = await login('nobody-here');
    expect(unknown.status).toBe(401);
    for (const family of Object.keys(FAMILIES) as Family[]) {
      const wrong = await login(`${family}-user`);
      expect(wrong.status, family).toBe(unknown.status);
      expect(wrong.raw, family).toBe(unknown.raw);
      expect(wrong.headers, family).toEqual(unknown.headers);
      expect(wrong.cookies, family).toEqual(unknown.cookies);
    }
  });

  it('takes the same time for an unknown user as for a wrong password of each family', async () => {
    const time = async (username: string) => {
      const start = performance.now();
      const res = await login(username);
      expect(res.status).toBe(401);
      return performance.now() - start;
    };
    const series: Record<Family | 'unknown', number[]> = { unknown: [], current: [], python: [], bcrypt: [] };
    const names = ['unknown', ...Object.keys(FAMILIES)] as (Family | 'unknown')[];
    // Warm-up: the first failure measures the reference hashes.
    for (const name of names) await time(name === 'unknown' ? 'nobody-warm' : `${name}-user`);
    // Interleaved, in a rotating order, so that load from other processes and any drift affect
    // every series alike; medians ignore the odd spike.
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length]!;
        series[name].push(await time(name === 'unknown' ? `nobody-${round}` : `${name}-user`));
      }
    }
    const unknown = median(series.unknown);
    for (const family of Object.keys(FAMILIES) as Family[]) {
      const ratio = median(series[family]) / unknown;
      // Without the equalizer a Python-era account answers ~4× and a bcrypt one ~40× slower than
      // an unknown name; the band tolerates a busy machine and still catches either.
      const label = `${FAMILIES[family]}: ${median(series[family]).toFixed(1)} ms vs unknown ${unknown.toFixed(1)} ms`;
      expect(ratio, label).toBeGreaterThan(0.8);
      expect(ratio, label).toBeLessThan(1.25);
    }
  }, 120_000);
});
