import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../../lib/auth/passwords.js';
import { createStoreThrottle, DEFAULT_POLICY, throttleCounters } from '../../../lib/auth/throttle.js';
import { TooManyRequestsError } from '../../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../../lib/local/dynalite.js';
import { createTable } from '../../../lib/model/table.js';
import { createDeps, type Deps, setDeps } from '../../../lib/runtime.js';
import { createDynamoStore } from '../../../lib/store/dynamo.js';
import { openSqliteStore } from '../../../lib/store/sqlite/index.js';
import type { Store } from '../../../lib/store/store.js';
import { type ApiResponse, apiEvent, createHarness, type Harness, invoke, throttleClock } from './harness.js';

const ATTACKER = '198.51.100.66';
const REAL_USER = '203.0.113.10';
const PASSWORD = 'correct horse battery';

/**
 * The failed-login throttle through the login route, as API Gateway delivers it (the client
 * address in `requestContext.http.sourceIp`), on two API "containers" (their own deps, throttle
 * and store instance: on SQLite their own connection to one file, on DynamoDB their own client on
 * one table): the counters are shared, so N warm Lambdas do not multiply a guesser's tries. The
 * harness clock stands still, so no wait ever runs out here (the waits themselves are tested in
 * test/unit/auth/throttle.test.ts and the store contract).
 */
describe.each(['sqlite', 'dynamodb'] as const)('login throttle across two API containers (%s)', (backend) => {
  let h: Harness;
  let stores: [Store, Store];
  let dynamo: LocalDynamo | undefined;
  let a: Deps;
  let b: Deps;

  const container = (store: Store) =>
    createDeps(h.deps.config, {
      store,
      tokens: h.tokens,
      logger: h.deps.logger,
      loginThrottle: createStoreThrottle(store, DEFAULT_POLICY, throttleClock),
    });

  /** A user in the containers' database. */
  const user = async (username: string, password: string) =>
    stores[0].createUser({ username, hashedPassword: await hashPassword(password) });

  /** A login from `address`, sent to one container's handler. */
  async function login(on: Deps, username: string, password: string, address: string): Promise<ApiResponse> {
    const event = apiEvent('POST', '/api/user/login', { body: { username, password } });
    event.requestContext.http.sourceIp = address;
    const previous = setDeps(on);
    try {
      return await invoke(event);
    } finally {
      setDeps(previous);
    }
  }

  beforeAll(async () => {
    h = await createHarness();
    if (backend === 'sqlite') {
      // Two connections to one file, as two local processes have.
      stores = [h.deps.store, openSqliteStore(join(h.dir, 'test.db'))];
    } else {
      // Two clients on one table, as two Lambda containers have.
      dynamo = await startDynalite();
      const setup = dynamo.client();
      await createTable(setup, 'throttle-test');
      setup.destroy();
      const open = () => createDynamoStore({ client: dynamo!.client(), tableName: 'throttle-test', ownsClient: true });
      stores = [open(), open()];
    }
    a = container(stores[0]);
    b = container(stores[1]);
  });
  afterAll(async () => {
    for (const store of stores) if (store !== h.deps.store) await store.close();
    await dynamo?.close();
    await h.close();
  });

  it('slows an attacker at one address with 429 and Retry-After, while the real user logs in from another', async () => {
    await user('dave', PASSWORD);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const res = await login(i % 2 === 0 ? a : b, i % 3 === 0 ? 'DAVE' : 'dave', `guess ${i}`, ATTACKER);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers['retry-after']).toBe('1');
        expect(res.body).toEqual({ detail: 'Too many failed logins; try again in 1 seconds.' });
      }
    }
    // Five guesses, then the attacker's address must wait (the clock stands still here).
    expect(statuses).toEqual([...Array(5).fill(401), ...Array(25).fill(429)]);
    // Even the right password waits at that address: the throttle runs before any password check.
    expect((await login(a, 'dave', PASSWORD, ATTACKER)).status).toBe(429);
    for (const on of [a, b]) expect((await login(on, 'dave', PASSWORD, REAL_USER)).status).toBe(200);
  });

  it('a right password at one container forgets that address’s failures for the account on the other', async () => {
    await user('erin', PASSWORD);
    for (let i = 0; i < 4; i++) expect((await login(a, 'erin', `guess ${i}`, REAL_USER)).status).toBe(401);
    expect((await login(b, 'erin', PASSWORD, REAL_USER)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await login(a, 'erin', `again ${i}`, REAL_USER)).status).toBe(401);
    expect((await login(b, 'erin', PASSWORD, REAL_USER)).status).toBe(429);
  });

  it('throttles an unknown username the same way, with the same response', async () => {
    await user('frank', PASSWORD);
    const address = '192.0.2.50';
    for (let i = 0; i < 5; i++) {
      const [unknown, known] = await Promise.all([
        login(i % 2 === 0 ? a : b, 'nobody-here', `guess ${i}`, address),
        login(i % 2 === 0 ? b : a, 'frank', `guess ${i}`, address),
      ]);
      expect([unknown.status, known.status]).toEqual([401, 401]);
    }
    const unknown = await login(a, 'nobody-here', 'guess', address);
    const known = await login(b, 'frank', 'guess', address);
    expect(unknown.status).toBe(429);
    expect(known.raw).toBe(unknown.raw);
    expect(known.headers).toEqual(unknown.headers);
  });

  it('slows one address trying one password on many usernames, and no other address', async () => {
    const sprayer = '192.0.2.99';
    for (let i = 0; i < 20; i++) {
      expect((await login(i % 2 === 0 ? a : b, `victim-${i}`, 'Winter2026!', sprayer)).status).toBe(401);
    }
    expect((await login(a, 'victim-20', 'Winter2026!', sprayer)).status).toBe(429);
    expect((await login(b, 'victim-21', 'Winter2026!', '192.0.2.100')).status).toBe(401);
  }, 60_000);

  it('lets no more than 5 of 30 concurrent guesses from one address reach a password check', async () => {
    await user('grace', PASSWORD);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(i % 2 === 0 ? a : b, 'grace', `guess ${i}`, '192.0.2.7')),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(25);
  });

  it('deps without an injected throttle count failures in their store (the deployed default)', async () => {
    const plain = createDeps(h.deps.config, { store: stores[1], tokens: h.tokens, logger: h.deps.logger });
    const throttle = plain.loginThrottle;
    const attempt = { username: 'HENRY', address: '192.0.2.8' };
    await throttle.beginAttempt(attempt);
    // Counted where every container reads it.
    const [pair] = throttleCounters(attempt);
    expect((await stores[0].loginFailures([pair!.key]))[pair!.key]?.failures).toBe(1);
    for (let i = 0; i < 4; i++) await throttle.beginAttempt(attempt);
    const refused = await throttle.beginAttempt(attempt).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsError);
  });
});
