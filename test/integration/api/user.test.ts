import { hash, parseOptions } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BAD_CREDENTIALS } from '../../../lib/auth/login.js';
import { call, createHarness, type Harness } from './harness.js';

describe('POST /api/user/login, /logout, GET /api/user/session', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
  });
  afterEach(() => h.close());

  it('logs in: token in the body and an HttpOnly, SameSite=Lax session cookie (not Secure locally)', async () => {
    await h.user('Alice', { password: 'correct horse battery' });
    const res = await call('POST', '/api/user/login', {
      body: { username: 'alice', password: 'correct horse battery' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ success: true, username: 'Alice' });
    expect(typeof res.body.access_token).toBe('string');
    expect(res.cookies).toHaveLength(1);
    const cookie = res.cookies[0]!;
    expect(cookie).toMatch(new RegExp(`^session=${res.body.access_token};`));
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Path=/');
    expect(cookie).not.toContain('Secure');

    const viaCookie = await call('GET', '/api/user/session', { cookies: [`session=${res.body.access_token}`] });
    expect(viaCookie.body).toEqual({ authenticated: true, username: 'Alice', is_admin: false });
    const viaBearer = await call('GET', '/api/audio/list', { token: res.body.access_token });
    expect(viaBearer.status).toBe(200);
  });

  it('marks the cookie Secure when deployed', async () => {
    await h.close();
    h = await createHarness({ env: { APP_ENV: 'aws' } });
    await h.user('bob', { password: 'correct horse battery' });
    const res = await call('POST', '/api/user/login', { body: { username: 'bob', password: 'correct horse battery' } });
    expect(res.status).toBe(200);
    expect(res.cookies[0]).toMatch(/; Secure$/);
  });

  it('answers an unknown user and a wrong password with the same 401 body', async () => {
    await h.user('alice');
    const wrong = await call('POST', '/api/user/login', { body: { username: 'alice', password: 'wrong password' } });
    const unknown = await call('POST', '/api/user/login', {
      body: { username: 'mallory', password: 'wrong password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.raw).toBe(unknown.raw);
    expect(wrong.body).toEqual({ detail: BAD_CREDENTIALS });
    expect(wrong.cookies).toEqual([]);
  });

  it('refuses a disabled account with 403, but only after a correct password', async () => {
    const user = await h.user('carol', { password: 'correct horse battery' });
    await h.deps.store.updateUser(user.userId, { isActive: false });
    const right = await call('POST', '/api/user/login', {
      body: { username: 'carol', password: 'correct horse battery' },
    });
    expect(right.status).toBe(403);
    const wrong = await call('POST', '/api/user/login', { body: { username: 'carol', password: 'nope nope' } });
    expect(wrong.status).toBe(401);
  });

  it('rejects a bad login body with a 400 naming the field, and unknown fields', async () => {
    const missing = await call('POST', '/api/user/login', { body: { username: 'alice' } });
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/body\.password/);
    const extra = await call('POST', '/api/user/login', { body: { username: 'a', password: 'b', is_admin: true } });
    expect(extra.status).toBe(400);
    expect(extra.body.detail).toMatch(/is_admin/);
    const none = await call('POST', '/api/user/login');
    expect(none.status).toBe(400);
  });

  it('throttles repeated failures for one account (429 with Retry-After), even with the right password', async () => {
    await h.user('dave', { password: 'correct horse battery' });
    for (let i = 0; i < 5; i++) {
      const res = await call('POST', '/api/user/login', { body: { username: 'DAVE', password: `guess ${i}` } });
      expect(res.status).toBe(401);
    }
    const blocked = await call('POST', '/api/user/login', {
      body: { username: 'dave', password: 'correct horse battery' },
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    // Another account is unaffected.
    await h.user('erin', { password: 'correct horse battery' });
    const other = await call('POST', '/api/user/login', {
      body: { username: 'erin', password: 'correct horse battery' },
    });
    expect(other.status).toBe(200);
  });

  it('upgrades a legacy bcrypt hash to argon2id on a successful login', async () => {
    const legacy = bcrypt.hashSync('old password 1', 4).replace(/^\$2a\$/, '$2b$');
    const user = await h.user('frank', { hash: legacy });
    const res = await call('POST', '/api/user/login', { body: { username: 'frank', password: 'old password 1' } });
    expect(res.status).toBe(200);
    const stored = (await h.deps.store.getUserById(user.userId))!.hashedPassword;
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(parseOptions(stored).memoryCost).toBe(19_456);
    const again = await call('POST', '/api/user/login', { body: { username: 'frank', password: 'old password 1' } });
    expect(again.status).toBe(200);
  });

  it('upgrades a weak passlib argon2i hash, and leaves it alone on a failed login', async () => {
    const legacy = await hash('old password 2', {
      algorithm: 1 as never,
      memoryCost: 512,
      timeCost: 2,
      parallelism: 2,
    });
    const user = await h.user('grace', { hash: legacy });
    await call('POST', '/api/user/login', { body: { username: 'grace', password: 'wrong' } });
    expect((await h.deps.store.getUserById(user.userId))!.hashedPassword).toBe(legacy);
    const res = await call('POST', '/api/user/login', { body: { username: 'grace', password: 'old password 2' } });
    expect(res.status).toBe(200);
    expect((await h.deps.store.getUserById(user.userId))!.hashedPassword).toMatch(
      /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
    );
  });

  it('logs out by expiring the cookie and revoking the session; needs no session', async () => {
    const user = await h.user('heidi');
    const token = await h.tokenFor(user);
    const res = await call('POST', '/api/user/logout', { cookies: [`session=${token}`] });
    expect(res.status).toBe(200);
    expect(res.cookies[0]).toMatch(/^session=; Max-Age=0; Path=\/; HttpOnly; SameSite=Lax/);
    expect((await call('GET', '/api/user/session', { token })).body).toEqual({ authenticated: false });
    const anonymous = await call('POST', '/api/user/logout');
    expect(anonymous.status).toBe(200);
    expect(anonymous.cookies[0]).toMatch(/^session=; Max-Age=0;/);
  });

  it('reports no session as authenticated: false, and an admin as is_admin', async () => {
    expect((await call('GET', '/api/user/session')).body).toEqual({ authenticated: false });
    const admin = await h.user('ivan', { isAdmin: true });
    const res = await call('GET', '/api/user/session', { token: await h.tokenFor(admin) });
    expect(res.body).toEqual({ authenticated: true, username: 'ivan', is_admin: true });
  });

  it('ends a session when the user is deleted or disabled, though the token has not expired', async () => {
    const user = await h.user('judy');
    const token = await h.tokenFor(user);
    expect((await call('GET', '/api/audio/list', { token })).status).toBe(200);
    await h.deps.store.updateUser(user.userId, { isActive: false });
    expect((await call('GET', '/api/audio/list', { token })).status).toBe(401);
    expect((await call('GET', '/api/user/session', { token })).body).toEqual({ authenticated: false });
  });
});
