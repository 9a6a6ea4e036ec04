import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { LockLostError, NotFoundError, ValidationError } from '../../lib/errors.js';
import type { Store } from '../../lib/store/store.js';

const T = Date.UTC(2026, 0, 1, 12, 0, 0);
const at = (seconds: number) => new Date(T + seconds * 1000);

/**
 * The Yoto tokens of the Store contract (part of storeContract): what the Python service's store
 * kept on its users, and the refresh lease (30 s, one owner, conditional writes).
 */
export function yotoContract(current: () => Store): void {
  describe('Yoto tokens', () => {
    let store: Store;

    beforeEach(async () => {
      store = current();
      await store.createUser({ username: 'admin', hashedPassword: 'h', isAdmin: true });
    });

    it('addresses the user case-insensitively and keeps its name as stored', async () => {
      await store.createUser({ username: 'MixedCase', hashedPassword: 'h' });
      await store.saveYotoTokens('mixedcase', { refreshToken: 'r' });
      expect(await store.acquireYotoTokenLock('MIXEDCASE', 'me')).toBe(true);
      expect(await store.releaseYotoTokenLock('mixedCASE', 'me')).toBe(true);
      expect(await store.getUser('mixedcase')).toMatchObject({ username: 'MixedCase', yotoRefreshToken: 'r' });
    });

    it('saves and loads the tokens; omitted fields stay, null clears', async () => {
      expect(await store.loadYotoTokens('admin')).toBeUndefined();
      await store.saveYotoTokens('admin', { refreshToken: 'r1', accessToken: 'a1', expiresAt: '2026-01-01T13:00:00Z' });
      expect(await store.loadYotoTokens('ADMIN')).toEqual({
        refreshToken: 'r1',
        accessToken: 'a1',
        expiresAt: '2026-01-01T13:00:00.000Z',
      });
      await store.saveYotoTokens('admin', { refreshToken: 'r2' });
      expect(await store.loadYotoTokens('admin')).toMatchObject({ refreshToken: 'r2', accessToken: 'a1' });
      await store.saveYotoTokens('admin', { refreshToken: 'r3', accessToken: null, expiresAt: null });
      expect(await store.loadYotoTokens('admin')).toEqual({ refreshToken: 'r3', accessToken: null, expiresAt: null });
      expect(await store.getUser('admin')).toMatchObject({ yotoRefreshToken: 'r3', yotoAccessToken: null });
    });

    it('refuses an unknown user or bad input, and creates nothing', async () => {
      await expect(store.saveYotoTokens('nobody', { refreshToken: 'r' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.acquireYotoTokenLock('nobody', 'me')).rejects.toBeInstanceOf(NotFoundError);
      expect(await store.releaseYotoTokenLock('nobody', 'me')).toBe(false);
      expect(await store.loadYotoTokens('nobody')).toBeUndefined();
      expect(await store.getUser('nobody')).toBeUndefined();
      await expect(store.saveYotoTokens('admin', { refreshToken: '' })).rejects.toBeInstanceOf(ValidationError);
      await expect(store.acquireYotoTokenLock('admin', '')).rejects.toBeInstanceOf(ValidationError);
      await expect(store.acquireYotoTokenLock('admin', 'me', { ttlSeconds: 0 })).rejects.toBeInstanceOf(
        ValidationError,
      );
    });

    it('leases for 30 s to one owner; the owner may extend it; an expired lease is taken over', async () => {
      expect(await store.acquireYotoTokenLock('admin', 'one', { now: at(0) })).toBe(true);
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(29) })).toBe(false);
      expect(await store.acquireYotoTokenLock('admin', 'one', { now: at(20) })).toBe(true); // now until 50 s
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(45) })).toBe(false);
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(51) })).toBe(true);
      expect(await store.acquireYotoTokenLock('admin', 'one', { now: at(52) })).toBe(false);
    });

    it('is released only by its owner, and can then be taken at once', async () => {
      await store.acquireYotoTokenLock('admin', 'one', { now: at(0) });
      expect(await store.releaseYotoTokenLock('admin', 'two')).toBe(false);
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(1) })).toBe(false);
      expect(await store.releaseYotoTokenLock('admin', 'one')).toBe(true);
      expect(await store.releaseYotoTokenLock('admin', 'one')).toBe(false);
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(2) })).toBe(true);
    });

    it('a save under the lease needs its owner; releaseLock frees it in the same write', async () => {
      await store.saveYotoTokens('admin', { refreshToken: 'before' });
      await store.acquireYotoTokenLock('admin', 'one', { now: at(0) });
      const error = await store.saveYotoTokens('admin', { refreshToken: 'stolen', lockOwner: 'two' }).catch((e) => e);
      expect(error).toBeInstanceOf(LockLostError);
      expect((await store.loadYotoTokens('admin'))?.refreshToken).toBe('before');
      await store.saveYotoTokens('admin', { refreshToken: 'after', lockOwner: 'one', releaseLock: true });
      expect((await store.loadYotoTokens('admin'))?.refreshToken).toBe('after');
      expect(await store.acquireYotoTokenLock('admin', 'two', { now: at(1) })).toBe(true);
    });

    it('exactly one of many racing owners gets a free or expired lease, none gets a live one', async () => {
      let round = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 8 }),
          fc.constantFrom('free', 'expired', 'held'),
          async (owners, state) => {
            const base = 1_000 * round++;
            await store.releaseYotoTokenLock('admin', 'holder');
            if (state !== 'free') await store.acquireYotoTokenLock('admin', 'holder', { now: at(base) });
            const now = at(base + (state === 'expired' ? 31 : 5));
            const results = await Promise.all(
              Array.from({ length: owners }, (_, i) =>
                store.acquireYotoTokenLock('admin', `racer-${base}-${i}`, { now }),
              ),
            );
            expect(results.filter(Boolean)).toHaveLength(state === 'held' ? 0 : 1);
            for (let i = 0; i < owners; i++) await store.releaseYotoTokenLock('admin', `racer-${base}-${i}`);
          },
        ),
        { numRuns: 20 },
      );
    });
  });
}
