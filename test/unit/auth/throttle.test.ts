import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createStoreThrottle, DEFAULT_LIMITS, retryAfterSeconds } from '../../../lib/auth/throttle.js';
import { TooManyRequestsError } from '../../../lib/errors.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store } from '../../../lib/store/store.js';

/** The throttle on a real store's counters (a SQLite file), with the clock injected. */
describe('login throttle', () => {
  let dir: string;
  let store: Store;
  // 12:00:30 UTC: 30 s left in the minute, 3,570 s in the hour.
  let clock: number;
  const throttle = () => createStoreThrottle(store, DEFAULT_LIMITS, () => new Date(clock));
  const refusal = (promise: Promise<unknown>) => promise.then(() => undefined).catch((e: unknown) => e);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'throttle-'));
    store = openSqliteStore(join(dir, 'local.db'));
    clock = Date.UTC(2026, 0, 1, 12, 0, 30);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('allows 10 attempts a minute, then refuses until the minute ends, then allows again', async () => {
    const t = throttle();
    for (let i = 0; i < 10; i++) await t.beginAttempt('alice');
    const error = await refusal(t.beginAttempt('alice'));
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryAfterSeconds).toBe(30);
    await expect(t.beginAttempt('bob')).resolves.toBeUndefined();
    clock += 30_000;
    await expect(t.beginAttempt('alice')).resolves.toBeUndefined();
  });

  it('caps attempts at 100 an hour and lifts the cap when the hour ends (no permanent lock-out)', async () => {
    const t = throttle();
    for (let minute = 0; minute < 10; minute++) {
      for (let i = 0; i < 10; i++) await t.beginAttempt('alice');
      clock += 60_000;
    }
    const error = await refusal(t.beginAttempt('alice'));
    expect(error).toBeInstanceOf(TooManyRequestsError);
    expect((error as TooManyRequestsError).retryAfterSeconds).toBe(3_570 - 600);
    clock += 20 * 60_000;
    await expect(t.beginAttempt('alice')).rejects.toBeInstanceOf(TooManyRequestsError);
    clock = Date.UTC(2026, 0, 1, 13, 0, 0);
    await expect(t.beginAttempt('alice')).resolves.toBeUndefined();
  });

  it('counts refused attempts nowhere, so retrying while blocked never extends the block', async () => {
    const t = throttle();
    for (let i = 0; i < 10; i++) await t.beginAttempt('alice');
    for (let i = 0; i < 50; i++) await expect(t.beginAttempt('alice')).rejects.toBeInstanceOf(TooManyRequestsError);
    expect(await store.loginFailures('alice', new Date(clock))).toMatchObject({ minute: 10, hour: 10 });
  });

  it('forgets the failures once a password is right', async () => {
    const t = throttle();
    for (let i = 0; i < 10; i++) await t.beginAttempt('alice');
    await t.succeeded('alice');
    expect(await store.loginFailures('alice', new Date(clock))).toMatchObject({ minute: 0, hour: 0 });
    await expect(t.beginAttempt('alice')).resolves.toBeUndefined();
  });

  it('lets exactly 10 of 30 concurrent attempts through (the count is taken before the password check)', async () => {
    const t = throttle();
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => t.beginAttempt('alice')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(10);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect(r.reason).toBeInstanceOf(TooManyRequestsError);
    }
  });

  it('answers the later end when both windows are over their limits', () => {
    const failures = { minute: 10, hour: 100, minuteEndsInSeconds: 12, hourEndsInSeconds: 1_200 };
    expect(retryAfterSeconds(failures, DEFAULT_LIMITS)).toBe(1_200);
    expect(retryAfterSeconds({ ...failures, hour: 99 }, DEFAULT_LIMITS)).toBe(12);
    expect(retryAfterSeconds({ ...failures, minute: 9, hour: 99 }, DEFAULT_LIMITS)).toBe(0);
    expect(retryAfterSeconds(failures, DEFAULT_LIMITS, true)).toBe(0);
    expect(retryAfterSeconds({ ...failures, minute: 11 }, DEFAULT_LIMITS, true)).toBe(12);
  });
});
