import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import type { Store, ThrottleCounter, ThrottleRule } from '../../lib/store/store.js';

const T = Date.UTC(2026, 0, 1, 12, 0, 30);
const at = (ms = 0) => new Date(T + ms);

/** 2 free failures, then waits of 1 s, 2 s, 4 s (the cap); one failure forgotten per minute. */
const RULE: ThrottleRule = { free: 2, baseDelayMs: 1_000, maxDelayMs: 4_000, forgetOneEveryMs: 60_000 };
const counter = (key: string, rule = RULE): ThrottleCounter => ({ key, rule });

/**
 * The login-throttle counters of the Store contract (part of storeContract): free failures, then
 * doubling waits, forgetting over time, refused attempts counting nothing, atomic check-and-count
 * under concurrency, clearing, and no trace in user or audio listings.
 */
export function loginFailureContract(current: () => Store): void {
  describe('login-throttle counters', () => {
    it('reads a counter never written as zeros, and counts a failure with its time', async () => {
      const store = current();
      expect(await store.loginFailures(['account:nobody'], at())).toEqual({
        'account:nobody': { failures: 0, lastFailureAt: 0, nextAttemptAt: 0 },
      });
      expect(await store.recordLoginFailure([counter('account:alice'), counter('address:1.2.3.4')], at())).toEqual({
        allowed: true,
      });
      expect(await store.loginFailures(['account:alice', 'address:1.2.3.4', 'account:bob'], at(5))).toEqual({
        'account:alice': { failures: 1, lastFailureAt: T, nextAttemptAt: T },
        'address:1.2.3.4': { failures: 1, lastFailureAt: T, nextAttemptAt: T },
        'account:bob': { failures: 0, lastFailureAt: 0, nextAttemptAt: 0 },
      });
    });

    it('lets the free failures through, then makes each next attempt wait twice as long, up to the cap', async () => {
      const store = current();
      const c = [counter('pair:a')];
      expect(await store.recordLoginFailure(c, at(0))).toEqual({ allowed: true });
      expect(await store.recordLoginFailure(c, at(10))).toEqual({ allowed: true });
      // The second failure reached the free two: the next attempt waits 1 s from it.
      expect(await store.recordLoginFailure(c, at(20))).toEqual({ allowed: false, retryAfterMs: 990 });
      expect(await store.recordLoginFailure(c, at(1_010))).toEqual({ allowed: true });
      expect(await store.recordLoginFailure(c, at(2_000))).toEqual({ allowed: false, retryAfterMs: 1_010 });
      expect(await store.recordLoginFailure(c, at(3_010))).toEqual({ allowed: true });
      expect(await store.recordLoginFailure(c, at(7_010))).toEqual({ allowed: true });
      // 2 s, 4 s, then the cap holds at 4 s.
      expect(await store.recordLoginFailure(c, at(7_020))).toEqual({ allowed: false, retryAfterMs: 3_990 });
      expect((await store.loginFailures(['pair:a'], at(7_020)))['pair:a']).toEqual({
        failures: 5,
        lastFailureAt: T + 7_010,
        nextAttemptAt: T + 11_010,
      });
    });

    it('counts nothing for a refused attempt, on any of its counters', async () => {
      const store = current();
      for (let i = 0; i < 2; i++) await store.recordLoginFailure([counter('pair:x')], at());
      const before = await store.loginFailures(['pair:x', 'address:x'], at());
      for (let i = 0; i < 10; i++) {
        const verdict = await store.recordLoginFailure([counter('pair:x'), counter('address:x')], at(i));
        expect(verdict.allowed).toBe(false);
      }
      expect(await store.loginFailures(['pair:x', 'address:x'], at())).toEqual(before);
    });

    it('forgets one failure per interval, so the waits shrink again', async () => {
      const store = current();
      const c = [counter('pair:f')];
      for (const ms of [0, 1, 1_001, 3_001]) expect((await store.recordLoginFailure(c, at(ms))).allowed).toBe(true);
      // 4 remembered → a 4 s wait; 3 minutes later 3 are forgotten, so this makes 2 (a 1 s wait).
      expect(await store.recordLoginFailure(c, at(3_001 + 180_000))).toEqual({ allowed: true });
      expect((await store.loginFailures(['pair:f'], at()))['pair:f']).toMatchObject({
        failures: 2,
        nextAttemptAt: T + 3_001 + 180_000 + 1_000,
      });
    });

    it('clears some counters and takes one failure, and the wait it caused, back from others', async () => {
      const store = current();
      for (let i = 0; i < 2; i++) {
        await store.recordLoginFailure([counter('pair:c'), counter('address:c'), counter('account:c')], at(i));
      }
      // The second failure started a 1 s wait on each counter.
      expect(await store.recordLoginFailure([counter('address:c')], at(5))).toEqual({
        allowed: false,
        retryAfterMs: 996,
      });
      await store.clearLoginFailures(
        { clear: ['pair:c'], uncount: [counter('address:c'), counter('account:nobody')] },
        at(5),
      );
      const after = await store.loginFailures(['pair:c', 'address:c', 'account:c', 'account:nobody'], at(5));
      expect(after['pair:c']).toEqual({ failures: 0, lastFailureAt: 0, nextAttemptAt: 0 });
      expect(after['address:c']).toEqual({ failures: 1, lastFailureAt: T + 1, nextAttemptAt: T + 1 });
      expect(after['account:c']).toEqual({ failures: 2, lastFailureAt: T + 1, nextAttemptAt: T + 1_001 });
      expect(after['account:nobody']).toEqual({ failures: 0, lastFailureAt: 0, nextAttemptAt: 0 });
      expect(await store.recordLoginFailure([counter('address:c')], at(6))).toEqual({ allowed: true });
      await store.clearLoginFailures({ clear: [], uncount: [counter('address:c')] }, at(7));
      await store.clearLoginFailures({ clear: [], uncount: [counter('address:c'), counter('address:c')] }, at(7));
      expect((await store.loginFailures(['address:c'], at(7)))['address:c']?.failures).toBe(0);
    });

    it('lets exactly the free attempts through when 20 arrive at once', async () => {
      const store = current();
      const rule = { ...RULE, free: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 };
      const verdicts = await Promise.all(
        Array.from({ length: 20 }, () => store.recordLoginFailure([counter('pair:race', rule)], at())),
      );
      expect(verdicts.filter((v) => v.allowed)).toHaveLength(5);
      expect((await store.loginFailures(['pair:race'], at()))['pair:race']?.failures).toBe(5);
    });

    it('leaves no trace in user or audio listings, counts or searches', async () => {
      const store = current();
      const user = await store.createUser({ username: 'real', hashedPassword: 'h' });
      await store.upsertAudioFile({ filename: 'throttle login.mp3', size: 1 });
      for (const key of ['account:real', 'account:ghost', 'address:throttle', 'pair:1.2.3.4|login']) {
        await store.recordLoginFailure([counter(key)], at());
      }
      expect((await store.listUsers()).map((u) => u.userId)).toEqual([user.userId]);
      expect(await store.userCount()).toBe(1);
      expect(await store.getUser('ghost')).toBeUndefined();
      expect((await store.listAudioFiles()).items.map((a) => a.filename)).toEqual(['throttle login.mp3']);
      for (const query of ['throttle', 'login', 'ghost', 'account', 'real']) {
        const found = (await store.searchAudioFiles(query)).items.map((a) => a.filename);
        expect(found).toEqual(query === 'throttle' || query === 'login' ? ['throttle login.mp3'] : []);
      }
    });

    it('rejects an empty or oversized key and counts nothing', async () => {
      const store = current();
      await expect(store.recordLoginFailure([counter('account:ok'), counter('')], at())).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(store.loginFailures(['x'.repeat(1_501)], at())).rejects.toBeInstanceOf(ValidationError);
      await expect(store.clearLoginFailures({ clear: [], uncount: [counter('')] }, at())).rejects.toBeInstanceOf(
        ValidationError,
      );
      expect((await store.loginFailures(['account:ok', 'x'.repeat(1_500)], at()))['account:ok']?.failures).toBe(0);
      await expect(store.recordLoginFailure([counter('x', RULE)], new Date(Number.NaN))).rejects.toBeInstanceOf(
        ValidationError,
      );
    });
  });
}
