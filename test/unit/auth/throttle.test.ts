import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  clientAddress,
  createStoreThrottle,
  DEFAULT_POLICY,
  type LoginAttempt,
  type LoginThrottle,
  throttleCounters,
} from '../../../lib/auth/throttle.js';
import { TooManyRequestsError } from '../../../lib/errors.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store } from '../../../lib/store/store.js';

const HOUR = 3_600_000;

describe('client addresses', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:85a3:0042:1000:8a2e:0370:7334', '2001:db8:85a3:42::/64'],
    ['2001:DB8:85A3:42::1', '2001:db8:85a3:42::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    [undefined, 'unknown'],
    ['', 'unknown'],
  ])('counts %s as %s (an IPv6 subscriber by its /64)', (ip, expected) => {
    expect(clientAddress(ip)).toBe(expected);
  });

  it('keys the three counters of an attempt by account, address, and both', () => {
    expect(throttleCounters({ username: 'Alice', address: '203.0.113.7' }).map((c) => c.key)).toEqual([
      'pair:203.0.113.7|alice',
      'address:203.0.113.7',
      'account:alice',
    ]);
  });
});

/** The throttle on a real store's counters (a SQLite file), with the clock injected. */
describe('login throttle', () => {
  let dir: string;
  let store: Store;
  let clock: number;
  let throttle: LoginThrottle;
  const attacker = (username = 'alice'): LoginAttempt => ({ username, address: '198.51.100.66' });
  const realUser: LoginAttempt = { username: 'alice', address: '203.0.113.10' };
  /** The Retry-After seconds of a refusal, or 0 when the attempt was let through. */
  const outcome = (attempt: LoginAttempt) =>
    throttle.beginAttempt(attempt).then(
      () => 0,
      (error: unknown) => {
        expect(error).toBeInstanceOf(TooManyRequestsError);
        return (error as TooManyRequestsError).retryAfterSeconds;
      },
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'throttle-'));
    store = openSqliteStore(join(dir, 'local.db'));
    clock = Date.UTC(2026, 0, 1, 12, 0, 30);
    throttle = createStoreThrottle(store, DEFAULT_POLICY, () => new Date(clock));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lets one address guess 5 times, then makes it wait 1 s, 2 s, 4 s … (a growing delay, not a lock)', async () => {
    for (let i = 0; i < 5; i++) expect(await outcome(attacker())).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const wait = await outcome(attacker());
      waits.push(wait);
      clock += wait * 1000;
      expect(await outcome(attacker())).toBe(0);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32]);
  });

  it('never makes the real user wait because of an attacker at another address, hour after hour', async () => {
    const attackerTries: number[] = [];
    for (let hour = 0; hour < 24; hour++) {
      const end = clock + HOUR;
      let tries = 0;
      // The attacker guesses as fast as the throttle allows, all hour long.
      while (clock < end) {
        const wait = await outcome(attacker());
        if (wait === 0) tries++;
        else clock += wait * 1000;
      }
      attackerTries.push(tries);
      // The account-wide counter never comes near making anyone wait.
      const account = `account:${realUser.username}`;
      const state = (await store.loginFailures([account]))[account];
      expect(state?.failures).toBeLessThan(DEFAULT_POLICY.account.free / 2);
      expect(await outcome(realUser), `hour ${hour}`).toBe(0);
      await throttle.succeeded(realUser);
    }
    // About 20 guesses in the first hour, then no more than 4 an hour.
    expect(attackerTries[0]).toBeLessThanOrEqual(20);
    expect(Math.max(...attackerTries.slice(1))).toBeLessThanOrEqual(5);
  }, 60_000);

  it('slows one address that names many usernames (password spraying)', async () => {
    for (let i = 0; i < 20; i++) expect(await outcome(attacker(`user-${i}`))).toBe(0);
    expect(await outcome(attacker('user-20'))).toBe(1);
    // Another address naming the same users is not slowed.
    expect(await outcome({ username: 'user-20', address: '203.0.113.99' })).toBe(0);
  });

  it('bounds an account’s failures from any number of addresses to about 90 an hour, never a lock', async () => {
    let allowed = 0;
    let longest = 0;
    const start = clock;
    for (let n = 0; clock < start + HOUR; n++) {
      const wait = await outcome({ username: 'alice', address: `10.0.${n >> 8}.${n & 255}` });
      if (wait === 0) allowed++;
      longest = Math.max(longest, wait);
      clock += Math.max(wait * 1000, 100);
    }
    expect(allowed).toBeGreaterThan(40);
    expect(allowed).toBeLessThanOrEqual(100);
    expect(longest).toBeLessThanOrEqual(15 * 60);
  }, 60_000);

  it('answers an unknown username exactly like a known one', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await outcome(attacker('alice'))).toBe(0);
      expect(await outcome(attacker('no-such-user'))).toBe(0);
    }
    expect(await outcome(attacker('alice'))).toBe(await outcome(attacker('no-such-user')));
  });

  it('counts refused attempts nowhere, so retrying while told to wait never makes the wait longer', async () => {
    for (let i = 0; i < 5; i++) await outcome(attacker());
    const keys = throttleCounters(attacker()).map((c) => c.key);
    const before = await store.loginFailures(keys);
    for (let i = 0; i < 50; i++) expect(await outcome(attacker())).toBe(1);
    expect(await store.loginFailures(keys)).toEqual(before);
  });

  it('a right password forgets the account’s failures at that address, but buys no other guesses', async () => {
    for (let i = 0; i < 4; i++) expect(await outcome(attacker())).toBe(0);
    for (let i = 0; i < 15; i++) expect(await outcome(attacker(`other-${i}`))).toBe(0);
    expect(await outcome(attacker())).toBe(0);
    await throttle.succeeded(attacker());
    const [pair, address, account] = throttleCounters(attacker()).map((c) => c.key) as [string, string, string];
    const after = await store.loginFailures([pair, address, account]);
    expect(after[pair]?.failures).toBe(0);
    // This attempt is taken back from the address and the account; the earlier failures stay.
    expect(after[address]?.failures).toBe(19);
    expect(after[account]?.failures).toBe(4);
    expect(await outcome(attacker('other-x'))).toBe(0);
    expect(await outcome(attacker('other-y'))).toBe(1);
  });

  it('lets exactly 5 of 30 concurrent guesses from one address through', async () => {
    const waits = await Promise.all(Array.from({ length: 30 }, () => outcome(attacker())));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(waits.filter((w) => w > 0)).toHaveLength(25);
  });
});
