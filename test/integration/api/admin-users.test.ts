import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { UserRecord } from '../../../lib/store/store.js';
import { call, createHarness, type Harness } from './harness.js';

describe('/api/admin/users', () => {
  let h: Harness;
  let admin: UserRecord;
  let token: string;
  beforeEach(async () => {
    h = await createHarness();
    admin = await h.user('root', { isAdmin: true });
    token = await h.tokenFor(admin);
  });
  afterEach(() => h.close());

  it('lists users without any password hash', async () => {
    await h.user('alice');
    const res = await call('GET', '/api/admin/users', { token });
    expect(res.status).toBe(200);
    // A bare array, as the Python service's page reads it.
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body.map((u: { username: string }) => u.username).sort()).toEqual(['alice', 'root']);
    expect(Object.keys(res.body[0]).sort()).toEqual(['created_at', 'email', 'id', 'is_active', 'is_admin', 'username']);
    expect(res.raw).not.toMatch(/argon2|hashed|password/i);
  });

  it('creates a user (201) that can then log in', async () => {
    const res = await call('POST', '/api/admin/users', {
      token,
      body: { username: 'new_user-1', password: 'a long password', email: 'n@example.com', is_admin: false },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      success: true,
      user: { username: 'new_user-1', email: 'n@example.com', is_active: true, is_admin: false },
    });
    expect(typeof res.body.user.id).toBe('number');
    expect(res.raw).not.toMatch(/argon2|hashed_password/);
    const login = await call('POST', '/api/user/login', {
      body: { username: 'new_user-1', password: 'a long password' },
    });
    expect(login.status).toBe(200);
  });

  it('answers 409 for a taken username in any casing', async () => {
    await h.user('alice');
    const res = await call('POST', '/api/admin/users', {
      token,
      body: { username: 'ALICE', password: 'a long password' },
    });
    expect(res.status).toBe(409);
    expect(res.body.detail).toBeTruthy();
  });

  it.each([
    [{ username: 'ab', password: 'a long password' }, /body\.username/],
    [{ username: 'bad name!', password: 'a long password' }, /body\.username/],
    [{ username: 'x'.repeat(51), password: 'a long password' }, /body\.username/],
    [{ username: 'okname', password: 'short' }, /body\.password/],
    [{ username: 'okname', password: 'a long password', email: 'not-an-email' }, /body\.email/],
    [{ username: 'okname', password: 'a long password', is_admin: 'yes' }, /body\.is_admin/],
  ])('rejects invalid input %j with a 400 naming the field', async (body, field) => {
    const res = await call('POST', '/api/admin/users', { token, body });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(field);
  });

  it.each([
    ['role', { role: 'admin' }],
    ['is_active', { is_active: false }],
    ['hashed_password', { hashed_password: '$argon2id$x' }],
    ['id', { id: 1 }],
  ])('refuses mass assignment of %s (400, nothing created)', async (_field, extra) => {
    const res = await call('POST', '/api/admin/users', {
      token,
      body: { username: 'sneaky', password: 'a long password', ...extra },
    });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/unknown field/);
    expect(await h.deps.store.getUser('sneaky')).toBeUndefined();
  });

  it('needs a session (401) and an admin (403) on every admin route', async () => {
    const alice = await h.user('alice');
    const userToken = await h.tokenFor(alice);
    const requests: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/users'],
      ['POST', '/api/admin/users', { username: 'zed', password: 'a long password' }],
      ['PATCH', `/api/admin/users/${admin.userId}`, { is_admin: false }],
      ['DELETE', `/api/admin/users/${admin.userId}`],
    ];
    for (const [method, path, body] of requests) {
      expect((await call(method, path, { body })).status, `${method} ${path} anonymous`).toBe(401);
      expect((await call(method, path, { body, token: userToken })).status, `${method} ${path} non-admin`).toBe(403);
    }
    expect(await h.deps.store.getUser('zed')).toBeUndefined();
    expect((await h.deps.store.getUserById(admin.userId))!.isAdmin).toBe(true);
  });

  it('updates a user: email, password, flags; 404 for an unknown id; 400 for a bad id or empty change', async () => {
    const alice = await h.user('alice');
    const res = await call('PATCH', `/api/admin/users/${alice.userId}`, {
      token,
      body: { email: 'alice@example.com', is_admin: true, password: 'another long one' },
    });
    expect(res.status).toBe(200);
    expect(res.body.user).toMatchObject({ id: alice.userId, email: 'alice@example.com', is_admin: true });
    const login = await call('POST', '/api/user/login', { body: { username: 'alice', password: 'another long one' } });
    expect(login.status).toBe(200);
    expect((await call('PATCH', '/api/admin/users/99999', { token, body: { is_admin: true } })).status).toBe(404);
    expect((await call('PATCH', '/api/admin/users/abc', { token, body: { is_admin: true } })).status).toBe(400);
    expect((await call('PATCH', '/api/admin/users/1e3', { token, body: { is_admin: true } })).status).toBe(400);
    expect((await call('PATCH', `/api/admin/users/${alice.userId}`, { token, body: {} })).status).toBe(400);
    const roleEscalation = await call('PATCH', `/api/admin/users/${alice.userId}`, { token, body: { role: 'root' } });
    expect(roleEscalation.status).toBe(400);
  });

  it('deletes a user; their token stops working; 404 afterwards', async () => {
    const alice = await h.user('alice');
    const aliceToken = await h.tokenFor(alice);
    const res = await call('DELETE', `/api/admin/users/${alice.userId}`, { token });
    expect(res.status).toBe(200);
    expect(res.body.success).toBe(true);
    expect((await call('GET', '/api/audio/list', { token: aliceToken })).status).toBe(401);
    expect((await call('DELETE', `/api/admin/users/${alice.userId}`, { token })).status).toBe(404);
  });

  it('protects the last admin: no self-demotion, self-disable or self-deletion', async () => {
    for (const body of [{ is_admin: false }, { is_active: false }]) {
      const res = await call('PATCH', `/api/admin/users/${admin.userId}`, { token, body });
      expect(res.status).toBe(409);
    }
    expect((await call('DELETE', `/api/admin/users/${admin.userId}`, { token })).status).toBe(409);
    const stored = (await h.deps.store.getUserById(admin.userId))!;
    expect(stored.isAdmin && stored.isActive).toBe(true);
  });

  it('lets an admin demote or delete another admin while one remains, and a demoted admin loses access at once', async () => {
    const second = await h.user('second', { isAdmin: true });
    const secondToken = await h.tokenFor(second);
    expect((await call('GET', '/api/admin/users', { token: secondToken })).status).toBe(200);
    const res = await call('PATCH', `/api/admin/users/${second.userId}`, { token, body: { is_admin: false } });
    expect(res.status).toBe(200);
    expect((await call('GET', '/api/admin/users', { token: secondToken })).status).toBe(403);
    const third = await h.user('third', { isAdmin: true });
    expect((await call('DELETE', `/api/admin/users/${third.userId}`, { token })).status).toBe(200);
  });

  it('refuses to remove the only other active admin when the actor is no longer counted', async () => {
    // Two admins, one of them disabled: the active one cannot be demoted by the disabled one's
    // earlier token (which no longer works), and the active admin cannot demote themselves.
    const disabled = await h.user('disabled-admin', { isAdmin: true });
    await h.deps.store.updateUser(disabled.userId, { isActive: false });
    const disabledToken = await h.tokenFor(disabled);
    const res = await call('PATCH', `/api/admin/users/${admin.userId}`, {
      token: disabledToken,
      body: { is_admin: false },
    });
    expect(res.status).toBe(401);
    expect((await call('PATCH', `/api/admin/users/${admin.userId}`, { token, body: { is_admin: false } })).status).toBe(
      409,
    );
  });
});
