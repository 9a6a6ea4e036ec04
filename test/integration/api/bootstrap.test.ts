import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapAdmin, ensureAdminOnce } from '../../../lib/auth/bootstrap.js';
import { verifyPassword } from '../../../lib/auth/passwords.js';
import { StoreUnavailableError } from '../../../lib/errors.js';
import { createDynamoStore } from '../../../lib/store/dynamo.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import { call, createHarness, type Harness } from './harness.js';

describe('admin bootstrap', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());
  const base = { ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: undefined, ADMIN_PASSWORD_SECRET_ARN: undefined };

  it('creates the admin from ADMIN_PASSWORD, hashed, and returns no password', async () => {
    const result = await bootstrapAdmin(
      { ...base, ADMIN_PASSWORD: 'from the environment', APP_ENV: 'local' },
      h.deps.store,
    );
    expect(result).toEqual({ username: 'admin', created: true });
    const admin = (await h.deps.store.getUser('admin'))!;
    expect(admin.isAdmin).toBe(true);
    expect(admin.hashedPassword).toMatch(/^\$argon2id\$/);
    expect((await verifyPassword(admin.hashedPassword, 'from the environment')).ok).toBe(true);
  });

  it('generates a random password locally when none is configured, never a default', async () => {
    const first = await bootstrapAdmin({ ...base, APP_ENV: 'local' }, h.deps.store);
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    const admin = (await h.deps.store.getUser('admin'))!;
    expect((await verifyPassword(admin.hashedPassword, first.generatedPassword!)).ok).toBe(true);
    for (const guess of ['admin', 'yoto', 'password', '']) {
      expect((await verifyPassword(admin.hashedPassword, guess)).ok).toBe(false);
    }
  });

  it('leaves an existing admin alone (password unchanged, nothing printed)', async () => {
    await bootstrapAdmin({ ...base, ADMIN_PASSWORD: 'first password', APP_ENV: 'local' }, h.deps.store);
    const again = await bootstrapAdmin({ ...base, ADMIN_PASSWORD: 'second password', APP_ENV: 'local' }, h.deps.store);
    expect(again).toEqual({ username: 'admin', created: false });
    const admin = (await h.deps.store.getUser('admin'))!;
    expect((await verifyPassword(admin.hashedPassword, 'first password')).ok).toBe(true);
  });

  it('honours ADMIN_USERNAME, reads the deployed secret, and never generates a password when deployed', async () => {
    const reads: string[] = [];
    const deployed = { ...base, ADMIN_USERNAME: 'boss', ADMIN_PASSWORD_SECRET_ARN: 'arn:pw', APP_ENV: 'aws' as const };
    const result = await bootstrapAdmin(deployed, h.deps.store, async (id) => {
      reads.push(id);
      return 'secret from secrets manager';
    });
    expect(result).toEqual({ username: 'boss', created: true });
    expect(reads).toEqual(['arn:pw']);
    const none = await bootstrapAdmin({ ...base, ADMIN_USERNAME: 'other', APP_ENV: 'aws' }, h.deps.store);
    expect(none).toEqual({ username: 'other', created: false });
    expect(await h.deps.store.getUser('other')).toBeUndefined();
  });
});

describe('admin bootstrap when deployed', () => {
  it('creates the admin on the first login of a container, from ADMIN_PASSWORD', async () => {
    const h = await createHarness({ env: { APP_ENV: 'aws', ADMIN_PASSWORD: 'deployed admin password' } });
    try {
      const res = await call('POST', '/api/user/login', {
        body: { username: 'admin', password: 'deployed admin password' },
      });
      expect(res.status).toBe(200);
      expect(res.cookies[0]).toContain('Secure');
    } finally {
      await h.close();
    }
  });

  it('retries a bootstrap that failed on a transient store error at the next login of the container', async () => {
    const h = await createHarness({ env: { APP_ENV: 'aws', ADMIN_PASSWORD: 'deployed admin password' } });
    try {
      let failures = 1;
      const store = new Proxy(h.deps.store, {
        get(target, property, receiver) {
          if (property === 'adminBootstrapped' && failures-- > 0) {
            return async () => {
              throw new StoreUnavailableError('DynamoDB is throttling requests (injected)');
            };
          }
          return Reflect.get(target, property, receiver);
        },
      });
      const deps = { ...h.deps, store };
      await ensureAdminOnce(deps);
      expect(await h.deps.store.getUser('admin')).toBeUndefined();
      await ensureAdminOnce(deps);
      expect(await h.deps.store.getUser('admin')).toMatchObject({ username: 'admin', isAdmin: true });
    } finally {
      await h.close();
    }
  });
});

describe.each(['sqlite', 'dynamodb'] as const)('admin bootstrap happens once per %s store', (backend) => {
  const config = {
    ADMIN_USERNAME: 'admin',
    ADMIN_PASSWORD: 'bootstrap password',
    ADMIN_PASSWORD_SECRET_ARN: undefined,
    APP_ENV: 'aws' as const,
  };

  it('a deleted admin is not re-created at the next cold start (a new store on the same data)', async () => {
    const h = await createHarness({ backend });
    const coldStore = () =>
      h.dynamo
        ? createDynamoStore({ client: h.dynamo.client, tableName: h.dynamo.table })
        : openSqliteStore(join(h.dir, 'test.db'));
    try {
      expect(await bootstrapAdmin(config, h.deps.store)).toEqual({ username: 'admin', created: true });
      await h.user('keeper', { isAdmin: true });
      await h.deps.store.deleteUser((await h.deps.store.getUser('admin'))!.userId);
      const cold = coldStore();
      try {
        expect(await bootstrapAdmin(config, cold)).toEqual({ username: 'admin', created: false });
        expect(await cold.getUser('admin')).toBeUndefined();
      } finally {
        await cold.close();
      }
      expect(
        (await call('POST', '/api/user/login', { body: { username: 'admin', password: 'bootstrap password' } })).status,
      ).toBe(401);
    } finally {
      await h.close();
    }
  });

  it('on data that already has the admin, closes the bootstrap without touching it', async () => {
    const h = await createHarness({ backend });
    try {
      const existing = await h.user('admin', { isAdmin: true, password: 'the old password' });
      expect(await bootstrapAdmin(config, h.deps.store)).toEqual({ username: 'admin', created: false });
      expect(await h.deps.store.getUser('admin')).toEqual(existing);
      expect(await h.deps.store.adminBootstrapped()).toBe(true);
    } finally {
      await h.close();
    }
  });
});
