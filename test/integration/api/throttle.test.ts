import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginThrottle } from '../../../lib/auth/context.js';
import { createStoreThrottle, DEFAULT_LIMITS } from '../../../lib/auth/throttle.js';
import { TooManyRequestsError } from '../../../lib/errors.js';
import { createDeps, type Deps, setDeps } from '../../../lib/runtime.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store } from '../../../lib/store/store.js';
import { type ApiResponse, call, createHarness, type Harness, throttleClock } from './harness.js';

/**
 * The failed-login budget is per account, not per container: two API "containers" (their own
 * deps and throttle; on SQLite their own connection to one file, as two local processes have;
 * on DynamoDB one table) share it, so N warm Lambdas do not multiply an attacker's guesses.
 */
describe.each(['sqlite', 'dynamodb'] as const)('failed-login budget across two API containers (%s)', (backend) => {
  let h: Harness;
  let secondStore: Store;
  let a: Deps;
  let b: Deps;

  const container = (store: Store) =>
    createDeps(h.deps.config, {
      store,
      tokens: h.tokens,
      logger: h.deps.logger,
      loginThrottle: createStoreThrottle(store, DEFAULT_LIMITS, throttleClock),
    });

  /** A login sent to one container's handler. */
  async function login(on: Deps, username: string, password: string): Promise<ApiResponse> {
    const previous = setDeps(on);
    try {
      return await call('POST', '/api/user/login', { body: { username, password } });
    } finally {
      setDeps(previous);
    }
  }

  beforeAll(async () => {
    h = await createHarness({ backend });
    secondStore = backend === 'sqlite' ? openSqliteStore(join(h.dir, 'test.db')) : h.deps.store;
    a = container(h.deps.store);
    b = container(secondStore);
  });
  afterAll(async () => {
    if (secondStore !== h.deps.store) await secondStore.close();
    await h.close();
  });

  it('10 failures spread over both → the 11th is 429 on either, even with the right password', async () => {
    await h.user('dave', { password: 'correct horse battery' });
    for (let i = 0; i < 10; i++) {
      const res = await login(i % 2 === 0 ? a : b, i % 3 === 0 ? 'DAVE' : 'dave', `guess ${i}`);
      expect(res.status).toBe(401);
    }
    for (const on of [a, b]) {
      const blocked = await login(on, 'dave', 'correct horse battery');
      expect(blocked.status).toBe(429);
      // The frozen clock is 30 s into its minute.
      expect(blocked.headers['retry-after']).toBe('30');
    }
  });

  it('a right password on one container clears the count the other one sees', async () => {
    await h.user('erin', { password: 'correct horse battery' });
    for (let i = 0; i < 9; i++) expect((await login(a, 'erin', `guess ${i}`)).status).toBe(401);
    expect((await login(b, 'erin', 'correct horse battery')).status).toBe(200);
    for (let i = 0; i < 10; i++) expect((await login(a, 'erin', `again ${i}`)).status).toBe(401);
    expect((await login(b, 'erin', 'correct horse battery')).status).toBe(429);
  });

  it('throttles an unknown username the same way, with the same response', async () => {
    await h.user('frank', { password: 'correct horse battery' });
    for (let i = 0; i < 10; i++) {
      const [unknown, known] = await Promise.all([
        login(i % 2 === 0 ? a : b, 'nobody-here', `guess ${i}`),
        login(i % 2 === 0 ? b : a, 'frank', `guess ${i}`),
      ]);
      expect([unknown.status, known.status]).toEqual([401, 401]);
    }
    const unknown = await login(a, 'nobody-here', 'guess');
    const known = await login(b, 'frank', 'guess');
    expect(unknown.status).toBe(429);
    expect(known.raw).toBe(unknown.raw);
    expect(known.headers).toEqual(unknown.headers);
  });

  it('lets no more than 10 of 30 concurrent guesses reach a password check', async () => {
    await h.user('grace', { password: 'correct horse battery' });
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(i % 2 === 0 ? a : b, 'grace', `guess ${i}`)),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
  });

  it('deps without an injected throttle count failures in their store (the deployed default)', async () => {
    const plain = createDeps(h.deps.config, { store: secondStore, tokens: h.tokens, logger: h.deps.logger });
    const throttle = loginThrottle(plain);
    await throttle.beginAttempt('henry');
    // Counted where every container reads it (the hour window: safe at a minute boundary).
    expect((await h.deps.store.loginFailures('HENRY')).hour).toBe(1);
    // 99 more failures from elsewhere use up the hour's budget.
    await Promise.all(Array.from({ length: 99 }, () => h.deps.store.recordLoginFailure('henry')));
    const refused = await throttle.beginAttempt('henry').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
  });
});
