import { hash, parseOptions } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createHarness, type Harness } from './harness.js';

describe('a Python-era password hash is upgraded at login', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(() => h.close());

  it('rehashes argon2-cffi’s m=65536,t=3,p=4 to the current parameters and keeps earlier sessions', async () => {
    const legacy = await hash('python era password', {
      algorithm: 2 as never,
      memoryCost: 65_536,
      timeCost: 3,
      parallelism: 4,
    });
    const user = await h.user('pyuser', { hash: legacy });
    const earlier = await h.tokenFor(user);
    const login = await call('POST', '/api/user/login', {
      body: { username: 'pyuser', password: 'python era password' },
    });
    expect(login.status).toBe(200);
    const stored = (await h.deps.store.getUserById(user.userId))!.hashedPassword;
    expect(stored).not.toBe(legacy);
    expect(parseOptions(stored)).toMatchObject({ memoryCost: 19_456, timeCost: 2, parallelism: 1 });

    // A rehash changes how the same password is stored, not who may be logged in.
    const session = await call('GET', '/api/user/session', { token: earlier });
    expect(session.body).toEqual({ authenticated: true, username: 'pyuser', is_admin: false });
    const again = await call('POST', '/api/user/login', {
      body: { username: 'pyuser', password: 'python era password' },
    });
    expect(again.status).toBe(200);
    expect((await h.deps.store.getUserById(user.userId))!.hashedPassword).toBe(stored);
  });
});
