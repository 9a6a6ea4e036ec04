import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../lib/errors.js';
import type { Store } from '../../lib/store/store.js';

/** 12:00:30 UTC plus `seconds`: the minute window ends 30 s after T, the hour 3,570 s after. */
const T = Date.UTC(2026, 0, 1, 12, 0, 30);
const at = (seconds = 0) => new Date(T + seconds * 1000);

/**
 * The failed-login counters of the Store contract (part of storeContract): fixed minute and hour
 * windows, lower-cased names, atomic increments, and no trace in user or audio listings.
 */
export function loginFailureContract(current: () => Store): void {
  describe('failed-login counters', () => {
    it('counts failures in the current minute and hour, with the seconds left in each', async () => {
      const store = current();
      expect(await store.loginFailures('nobody', at())).toEqual({
        minute: 0,
        hour: 0,
        minuteEndsInSeconds: 30,
        hourEndsInSeconds: 3_570,
      });
      expect(await store.recordLoginFailure('alice', at())).toMatchObject({ minute: 1, hour: 1 });
      await store.recordLoginFailure('alice', at(5));
      expect(await store.recordLoginFailure('alice', at(10))).toEqual({
        minute: 3,
        hour: 3,
        minuteEndsInSeconds: 20,
        hourEndsInSeconds: 3_560,
      });
      expect(await store.loginFailures('alice', at(10))).toMatchObject({ minute: 3, hour: 3 });
      expect(await store.loginFailures('bob', at(10))).toMatchObject({ minute: 0, hour: 0 });
    });

    it('treats usernames case-insensitively', async () => {
      const store = current();
      await store.recordLoginFailure('Alice', at());
      expect(await store.recordLoginFailure('ALICE', at())).toMatchObject({ minute: 2, hour: 2 });
      expect(await store.loginFailures('alice', at())).toMatchObject({ minute: 2, hour: 2 });
    });

    it('starts each window at 0: a new minute keeps the hour, a new hour keeps nothing', async () => {
      const store = current();
      await store.recordLoginFailure('alice', at());
      await store.recordLoginFailure('alice', at(29));
      expect(await store.loginFailures('alice', at(30))).toMatchObject({ minute: 0, hour: 2, minuteEndsInSeconds: 60 });
      expect(await store.recordLoginFailure('alice', at(40))).toMatchObject({ minute: 1, hour: 3 });
      expect(await store.loginFailures('alice', at(3_570))).toEqual({
        minute: 0,
        hour: 0,
        minuteEndsInSeconds: 60,
        hourEndsInSeconds: 3_600,
      });
      expect(await store.recordLoginFailure('alice', at(3_571))).toMatchObject({ minute: 1, hour: 1 });
    });

    it('clears one account, whatever the case, and leaves the others', async () => {
      const store = current();
      for (let i = 0; i < 4; i++) await store.recordLoginFailure('alice', at(i));
      await store.recordLoginFailure('bob', at());
      await store.clearLoginFailures('ALICE', at(5));
      expect(await store.loginFailures('alice', at(5))).toMatchObject({ minute: 0, hour: 0 });
      expect(await store.loginFailures('bob', at(5))).toMatchObject({ minute: 1, hour: 1 });
      await store.clearLoginFailures('nobody', at(5));
      expect(await store.recordLoginFailure('alice', at(6))).toMatchObject({ minute: 1, hour: 1 });
    });

    it('loses no update under 20 concurrent failures', async () => {
      const store = current();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.recordLoginFailure('racer', at())));
      expect(results.map((r) => r.minute).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(results.map((r) => r.hour).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(await store.loginFailures('racer', at())).toMatchObject({ minute: 20, hour: 20 });
    });

    it('leaves no trace in user or audio listings, counts or searches', async () => {
      const store = current();
      const user = await store.createUser({ username: 'real', hashedPassword: 'h' });
      await store.upsertAudioFile({ filename: 'throttle hour.mp3', size: 1 });
      for (const name of ['real', 'ghost', 'throttle', 'minute', 'hour']) await store.recordLoginFailure(name, at());
      await store.recordLoginFailure('ghost');
      expect((await store.listUsers()).map((u) => u.userId)).toEqual([user.userId]);
      expect(await store.userCount()).toBe(1);
      expect(await store.getUser('ghost')).toBeUndefined();
      expect((await store.listAudioFiles()).items.map((a) => a.filename)).toEqual(['throttle hour.mp3']);
      for (const query of ['throttle', 'hour', 'minute', 'ghost', 'real']) {
        const found = (await store.searchAudioFiles(query)).items.map((a) => a.filename);
        expect(found).toEqual(query === 'throttle' || query === 'hour' ? ['throttle hour.mp3'] : []);
      }
    });

    it('rejects an empty or oversized username and counts nothing', async () => {
      const store = current();
      await expect(store.recordLoginFailure('', at())).rejects.toBeInstanceOf(ValidationError);
      await expect(store.loginFailures('x'.repeat(1_025), at())).rejects.toBeInstanceOf(ValidationError);
      await expect(store.clearLoginFailures('', at())).rejects.toBeInstanceOf(ValidationError);
      expect(await store.loginFailures('x'.repeat(1_024), at())).toMatchObject({ minute: 0, hour: 0 });
    });
  });
}
