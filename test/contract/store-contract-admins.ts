import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConflictError, LastAdminError, NotFoundError } from '../../lib/errors.js';
import type { Store, UserRecord } from '../../lib/store/store.js';

type Removal = 'demote' | 'disable' | 'delete';

/** Takes admin rights away from a user one of three ways. */
function remove(store: Store, user: UserRecord, how: Removal): Promise<unknown> {
  if (how === 'delete') return store.deleteUser(user.userId);
  return store.updateUser(user.userId, how === 'demote' ? { isAdmin: false } : { isActive: false });
}

async function activeAdmins(store: Store, users: readonly UserRecord[]): Promise<number> {
  const now = await Promise.all(users.map((u) => store.getUser(u.username)));
  return now.filter((u) => u?.isAdmin && u.isActive).length;
}

/**
 * The admin rules of the Store contract (part of storeContract): the last active admin stays, also
 * under racing removals, and the admin bootstrap happens once per table or database.
 */
export function adminContract(current: () => Store, fresh: () => Promise<Store>, reopen: () => Promise<Store>): void {
  describe('the last active admin', () => {
    it.each(['demote', 'disable', 'delete'] as const)(
      'cannot be removed (%s): LastAdminError, nothing written',
      async (how) => {
        const store = current();
        const root = await store.createUser({ username: 'root', hashedPassword: 'h', isAdmin: true });
        const bob = await store.createUser({ username: 'bob', hashedPassword: 'h' });
        const error = await remove(store, root, how).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(LastAdminError);
        expect(error).toBeInstanceOf(ConflictError);
        expect(await store.getUser('root')).toEqual(root);
        // Changes that keep the admin, and changes to others, are never refused.
        await store.updateUser(root.userId, { email: 'root@x.io', hashedPassword: 'h2', revokeSessions: true });
        await store.updateUser(bob.userId, { isActive: false });
        await store.deleteUser(bob.userId);
      },
    );

    it('one of two admins can be removed, then the other cannot; an inactive admin does not count', async () => {
      const store = current();
      const a = await store.createUser({ username: 'ann', hashedPassword: 'h', isAdmin: true });
      const b = await store.createUser({ username: 'ben', hashedPassword: 'h', isAdmin: true });
      const c = await store.createUser({ username: 'cid', hashedPassword: 'h', isAdmin: true });
      await store.updateUser(c.userId, { isActive: false });
      await store.updateUser(a.userId, { isAdmin: false });
      await expect(store.deleteUser(b.userId)).rejects.toBeInstanceOf(LastAdminError);
      // Re-enabling an admin makes room again.
      await store.updateUser(c.userId, { isActive: true });
      await store.deleteUser(b.userId);
      expect(await activeAdmins(store, [a, b, c])).toBe(1);
      await expect(store.updateUser(c.userId, { isAdmin: false, isActive: false })).rejects.toBeInstanceOf(
        LastAdminError,
      );
    });

    it('racing removals never leave the store without an active admin', async () => {
      const hows = fc.constantFrom<Removal>('demote', 'disable', 'delete');
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 2, max: 4 }),
          fc.array(fc.tuple(fc.nat(), hows), { minLength: 2, maxLength: 6 }),
          async (adminCount, removals) => {
            const store = await fresh();
            try {
              const admins: UserRecord[] = [];
              for (let i = 0; i < adminCount; i++) {
                admins.push(await store.createUser({ username: `admin${i}`, hashedPassword: 'h', isAdmin: true }));
              }
              const results = await Promise.allSettled(
                removals.map(([i, how]) => remove(store, admins[i % adminCount] as UserRecord, how)),
              );
              for (const r of results) {
                if (r.status === 'rejected') {
                  // Refused as the last admin, or the target was already gone or changed by a racer.
                  expect([LastAdminError, NotFoundError, ConflictError].some((E) => r.reason instanceof E)).toBe(true);
                }
              }
              expect(await activeAdmins(store, admins)).toBeGreaterThanOrEqual(1);
              const targets = new Set(removals.map(([i]) => i % adminCount));
              if (targets.size === adminCount) expect(results.some((r) => r.status === 'rejected')).toBe(true);
            } finally {
              await store.close();
            }
          },
        ),
        { numRuns: 15 },
      );
    }, 120_000);
  });

  describe('admin bootstrap', () => {
    it('happens once: a deleted admin is not created again, also by a new store on the same data (cold start)', async () => {
      const store = current();
      expect(await store.adminBootstrapped()).toBe(false);
      const first = await store.ensureAdminUser({ hashedPassword: 'boot' });
      expect(first).toMatchObject({ created: true, user: { username: 'admin', isAdmin: true } });
      expect(await store.adminBootstrapped()).toBe(true);
      await store.createUser({ username: 'other', hashedPassword: 'h', isAdmin: true });
      await store.deleteUser(first.user!.userId);

      const cold = await reopen();
      try {
        expect(await cold.adminBootstrapped()).toBe(true);
        expect(await cold.ensureAdminUser({ hashedPassword: 'again' })).toEqual({ created: false });
        expect(await cold.getUser('admin')).toBeUndefined();
      } finally {
        await cold.close();
      }
      expect(await store.ensureAdminUser({ hashedPassword: 'again' })).toEqual({ created: false });
    });

    it('on data where the admin already exists, sets the marker and leaves the user as it is', async () => {
      const store = current();
      const existing = await store.createUser({ username: 'Admin', hashedPassword: 'original', isAdmin: true });
      const result = await store.ensureAdminUser({ hashedPassword: 'new', email: 'x@y.z' });
      expect(result).toEqual({ created: false, user: existing });
      expect(await store.getUser('admin')).toEqual(existing);
      expect(await store.adminBootstrapped()).toBe(true);
    });

    it('two cold starts at once create one admin', async () => {
      const store = current();
      const other = await reopen();
      try {
        const results = await Promise.all([
          store.ensureAdminUser({ hashedPassword: 'one' }),
          other.ensureAdminUser({ hashedPassword: 'two' }),
        ]);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(await store.userCount()).toBe(1);
      } finally {
        await other.close();
      }
    });

    it('deleting an admin closes the bootstrap even when it never ran', async () => {
      const store = current();
      const a = await store.createUser({ username: 'a1', hashedPassword: 'h', isAdmin: true });
      await store.createUser({ username: 'a2', hashedPassword: 'h', isAdmin: true });
      await store.deleteUser(a.userId);
      expect(await store.adminBootstrapped()).toBe(true);
      expect(await store.ensureAdminUser({ hashedPassword: 'x' })).toEqual({ created: false });
    });
  });
}
