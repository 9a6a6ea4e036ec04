import { describe, expect, it } from 'vitest';
import type { Store } from '../../lib/store/store.js';

/** Session versions of the Store contract (part of storeContract): what token revocation stands on. */
export function sessionContract(current: () => Store): void {
  describe('session versions', () => {
    it('starts at 0 and is bumped by revokeSessions, by name, case-insensitively', async () => {
      const store = current();
      const user = await store.createUser({ username: 'Sam', hashedPassword: 'h' });
      expect(user.sessionVersion).toBe(0);
      await store.revokeSessions('SAM');
      expect(await store.getUser('sam')).toMatchObject({ username: 'Sam', sessionVersion: 1 });
      await store.revokeSessions('sam');
      expect((await store.getUserById(user.userId))?.sessionVersion).toBe(2);
    });

    it('is bumped in the same write as a change with revokeSessions, and only then', async () => {
      const store = current();
      const user = await store.createUser({ username: 'pat', hashedPassword: 'old' });
      const emailOnly = await store.updateUser(user.userId, { email: 'p@x.io' });
      expect(emailOnly.sessionVersion).toBe(0);
      const changed = await store.updateUser(user.userId, { hashedPassword: 'new', revokeSessions: true });
      expect(changed).toMatchObject({ hashedPassword: 'new', email: 'p@x.io', sessionVersion: 1 });
      const disabled = await store.updateUser(user.userId, { isActive: false, revokeSessions: true });
      expect(disabled).toMatchObject({ isActive: false, sessionVersion: 2 });
      expect(await store.getUser('pat')).toEqual(disabled);
    });

    it('revoking an unknown name changes nothing and creates nothing', async () => {
      const store = current();
      await store.revokeSessions('ghost');
      expect(await store.getUser('ghost')).toBeUndefined();
      expect(await store.userCount()).toBe(0);
    });

    it("never gives a deleted user's id to a new user (a token naming it stays dead)", async () => {
      const store = current();
      await store.createUser({ username: 'first', hashedPassword: 'h' });
      const newest = await store.createUser({ username: 'newest', hashedPassword: 'h' });
      await store.deleteUser(newest.userId);
      const again = await store.createUser({ username: 'newest', hashedPassword: 'h' });
      expect(again.userId).not.toBe(newest.userId);
      expect(again.userId).toBeGreaterThan(newest.userId);
    });

    it('reads a user by name right after it was created or changed (no index lag)', async () => {
      const store = current();
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.createUser({ username: `fresh${i}`, hashedPassword: 'h' })),
      );
      for (const user of created) expect(await store.getUser(user.username)).toEqual(user);
      const [first] = created;
      await store.revokeSessions(first!.username);
      expect((await store.getUser(first!.username))?.sessionVersion).toBe(1);
    });
  });
}
