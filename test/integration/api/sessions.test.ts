import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../lib/auth/passwords.js';
import { putRawItems, pythonUserItem } from '../../helpers/python-items.js';
import { call, createHarness, type Harness } from './harness.js';

const login = (username: string, password: string) => call('POST', '/api/user/login', { body: { username, password } });

describe('sessions of users the Python service wrote (DynamoDB, no index attributes)', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ backend: 'dynamodb' });
  });
  afterEach(() => h.close());

  it('log in and use the routes with no repair step', async () => {
    const { client, table } = h.dynamo!;
    // As boto3 wrote it: no GSI keys, no ElectroDB markers, no session_version.
    const item = pythonUserItem('Legacy', 1_700_000_000_123, {
      hashed_password: await hashPassword('legacy password'),
      is_admin: true,
    });
    expect(Object.keys(item).filter((k) => k.startsWith('GSI') || k.startsWith('__edb'))).toEqual([]);
    await putRawItems(DynamoDBDocumentClient.from(client), table, [item]);
    await h.deps.store.upsertAudioFile({ filename: 'old song.mp3', size: 10, duration: 3 });

    const res = await login('legacy', 'legacy password');
    expect(res.status).toBe(200);
    const token = res.body.access_token as string;
    const list = await call('GET', '/api/audio/list', { token });
    expect(list.status).toBe(200);
    expect(JSON.stringify(list.body)).toContain('old song.mp3');
    expect((await call('GET', '/api/user/session', { token })).body).toEqual({
      authenticated: true,
      username: 'Legacy',
      is_admin: true,
    });
    expect((await call('GET', '/api/admin/users', { token })).status).toBe(200);
    // Logout revokes the token by the user's own key, which a Python item has.
    expect((await call('POST', '/api/user/logout', { token })).status).toBe(200);
    expect((await call('GET', '/api/audio/list', { token })).status).toBe(401);
  });

  it('a user created a moment ago is accepted at once (read by its key, strongly consistent)', async () => {
    const user = await h.user('newcomer', { password: 'fresh password' });
    const token = await h.tokenFor(user);
    expect((await call('GET', '/api/audio/list', { token })).status).toBe(200);
  });
});

describe.each(['sqlite', 'dynamodb'] as const)('session revocation on the %s store', (backend) => {
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness({ backend });
    await h.user('root', { isAdmin: true, password: 'root password' });
    await h.user('uma', { password: 'first password' });
  });
  afterEach(() => h.close());

  const tokenOf = async (username: string, password: string) => (await login(username, password)).body.access_token;
  const works = async (token: string) => (await call('GET', '/api/audio/list', { token })).status;

  it('logout ends every older token of the user, not only the one sent; a new login works', async () => {
    const first = await tokenOf('uma', 'first password');
    const second = await tokenOf('uma', 'first password');
    expect(await works(first)).toBe(200);
    const res = await call('POST', '/api/user/logout', { cookies: [`session=${first}`] });
    expect(res.cookies[0]).toMatch(/^session=; Max-Age=0;/);
    expect([await works(first), await works(second)]).toEqual([401, 401]);
    expect(await works(await tokenOf('uma', 'first password'))).toBe(200);
  });

  it('a password change by an admin ends older tokens; the new password logs in', async () => {
    const admin = await tokenOf('root', 'root password');
    const old = await tokenOf('uma', 'first password');
    const uma = (await h.deps.store.getUser('uma'))!;
    const patch = await call('PATCH', `/api/admin/users/${uma.userId}`, {
      token: admin,
      body: { password: 'second password' },
    });
    expect(patch.status).toBe(200);
    expect(await works(old)).toBe(401);
    expect(await works(admin)).toBe(200);
    expect(await works(await tokenOf('uma', 'second password'))).toBe(200);
  });

  it('disabling ends older tokens, and they stay dead after re-enabling', async () => {
    const admin = await tokenOf('root', 'root password');
    const old = await tokenOf('uma', 'first password');
    const uma = (await h.deps.store.getUser('uma'))!;
    const path = `/api/admin/users/${uma.userId}`;
    expect((await call('PATCH', path, { token: admin, body: { is_active: false } })).status).toBe(200);
    expect(await works(old)).toBe(401);
    expect((await call('PATCH', path, { token: admin, body: { is_active: true } })).status).toBe(200);
    expect(await works(old)).toBe(401);
  });

  it('a token for a deleted and re-created user of the same name is refused (user id checked)', async () => {
    const admin = await tokenOf('root', 'root password');
    const old = await tokenOf('uma', 'first password');
    const uma = (await h.deps.store.getUser('uma'))!;
    expect((await call('DELETE', `/api/admin/users/${uma.userId}`, { token: admin })).status).toBe(200);
    await h.user('uma', { password: 'first password' });
    expect(await works(old)).toBe(401);
  });

  it('two admins demoting each other at once leave one admin; the other gets 409', async () => {
    await h.user('second', { isAdmin: true, password: 'second admin pw' });
    const [a, b] = [await tokenOf('root', 'root password'), await tokenOf('second', 'second admin pw')];
    const root = (await h.deps.store.getUser('root'))!;
    const second = (await h.deps.store.getUser('second'))!;
    const results = await Promise.all([
      call('PATCH', `/api/admin/users/${second.userId}`, { token: a, body: { is_admin: false } }),
      call('PATCH', `/api/admin/users/${root.userId}`, { token: b, body: { is_admin: false } }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    // Either one demotion wins and the other is refused, or the loser's session lost its admin first (403).
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = (await h.deps.store.listUsers()).filter((u) => u.isAdmin && u.isActive);
    expect(admins).toHaveLength(1);
  });
});
