import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { StoreUnavailableError } from '../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { createDeps, deps, s3Of, setDeps } from '../../lib/runtime.js';
import { lazyStore } from '../../lib/store/lazy.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

/**
 * The composition root opens the store on its first call and builds the S3 client on first
 * access, so a function that uses neither never evaluates their modules. Real SQLite files and a
 * real DynamoDB wire protocol (dynalite); module mocks only wrap the real modules to record which
 * ones were evaluated.
 */

let dir: string;
const savedEnv = { ...process.env };
const user = { username: 'ada', hashedPassword: 'x' };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'runtime-'));
});
afterEach(() => {
  process.env = { ...savedEnv };
  setDeps(undefined);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Process env for the SQLite store at `file` (no table, so openStore picks SQLite). */
function sqliteEnv(file: string): void {
  delete process.env.DYNAMODB_TABLE;
  process.env.DATABASE_URL = `sqlite://${file}`;
}

describe('lazyStore', () => {
  it('opens on the first call, once for concurrent callers, and forwards arguments and results', async () => {
    const file = join(dir, 'forward.db');
    const open = vi.fn(() => openSqliteStore(file));
    const store = lazyStore(open);
    expect(open).not.toHaveBeenCalled();
    expect(existsSync(file)).toBe(false);

    expect(await Promise.all([store.userCount(), store.userCount(), store.listUsers()])).toEqual([0, 0, []]);
    expect(open).toHaveBeenCalledTimes(1);
    const created = await store.createUser(user);
    expect(await store.getUserById(created.userId)).toEqual(created);
    expect(await store.getUser('ADA')).toEqual(created);
    await store.close();
  });

  it('rejects the first call with the error from opening, and opens again on the next call', async () => {
    const file = join(dir, 'not-a-database.db');
    writeFileSync(file, 'this is not SQLite, and long enough to have a header that is wrong');
    const open = vi.fn(() => openSqliteStore(file));
    const store = lazyStore(open);

    const error = await store.userCount().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toContain(file);

    rmSync(file);
    expect(await store.userCount()).toBe(0);
    expect(open).toHaveBeenCalledTimes(2);
    await store.close();
  });

  it('closes the store it opened; later calls answer StoreUnavailableError like a closed adapter', async () => {
    const store = lazyStore(() => openSqliteStore(join(dir, 'close.db')));
    await store.createUser(user);
    await store.close();
    await expect(store.userCount()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('opens nothing to close a store never used, and refuses calls after that', async () => {
    const open = vi.fn<() => Store>();
    const store = lazyStore(open);
    await store.close();
    await expect(store.listUsers()).rejects.toThrow(/closed before it was used; open a new store/);
    expect(open).not.toHaveBeenCalled();
  });
});

describe('createDeps', () => {
  it('creates no SQLite file until the store is first used, then uses the file the environment named', async () => {
    const file = join(dir, 'deferred.db');
    sqliteEnv(file);
    const created = createDeps(loadConfig());
    // The environment as it was when the deps were created, not when the store is first used.
    process.env.DATABASE_URL = `sqlite://${join(dir, 'other.db')}`;
    expect(existsSync(file)).toBe(false);

    await created.store.createUser(user);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(dir, 'other.db'))).toBe(false);
    await created.store.close();
    const reopened = openSqliteStore(file);
    expect((await reopened.getUser('ada'))?.username).toBe('ada');
    await reopened.close();
  });

  it('surfaces a StoreUnavailableError on the first store call, not when the deps are created', async () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, 'definitely not a SQLite database file, just some text in it');
    sqliteEnv(file);
    const created = createDeps(loadConfig());
    await expect(created.store.listUsers()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('creates the S3 client on first use, once, honouring S3_ENDPOINT', async () => {
    const created = createDeps(loadConfig({ ...process.env, S3_ENDPOINT: 'http://127.0.0.1:4569' }));
    expect(created.s3).toBeUndefined();
    const s3 = await s3Of(created);
    expect(s3).toBeInstanceOf(S3Client);
    expect(await s3Of(created)).toBe(s3);
    expect(created.s3).toBe(s3);
    expect(await s3.config.forcePathStyle).toBe(true);
    expect((await s3.config.endpoint?.())?.port).toBe(4569);
    await created.store.close();
  });

  it('keeps the adapters given as overrides, and deps()/setDeps install and return them', () => {
    const s3 = new S3Client({ region: 'eu-west-1' });
    const store = lazyStore(() => {
      throw new Error('not used');
    });
    const installed = createDeps(loadConfig(), { s3, store });
    expect(installed.s3).toBe(s3);
    expect(installed.store).toBe(store);
    // Spreading the deps (as taskDeps does) copies the client, not the getter.
    expect({ ...installed }.s3).toBe(s3);
    expect(setDeps(installed)).toBeUndefined();
    expect(deps()).toBe(installed);
    expect(setDeps(undefined)).toBe(installed);
  });
});

describe('the store picked for AWS (DYNAMODB_TABLE set)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(dynamo.client(), 'runtime-test');
  });
  afterAll(() => dynamo.close());
  afterEach(() => {
    vi.doUnmock('../../lib/store/dynamo.js');
    vi.doUnmock('../../lib/store/sqlite/index.js');
    vi.doUnmock('../../lib/store/index.js');
    // A fresh module graph per test: the mocks must see the runtime's store modules evaluate.
    vi.resetModules();
  });

  /** Wraps the real store modules so the test sees which of them were evaluated. */
  function recordEvaluation(): string[] {
    vi.resetModules();
    const evaluated: string[] = [];
    for (const [name, path] of [
      ['dynamo', '../../lib/store/dynamo.js'],
      ['sqlite', '../../lib/store/sqlite/index.js'],
      ['openStore', '../../lib/store/index.js'],
    ] as const) {
      vi.doMock(path, async (importOriginal) => {
        evaluated.push(name);
        return importOriginal();
      });
    }
    return evaluated;
  }

  it('loads only the DynamoDB adapter, on the first store call, and talks to the table', async () => {
    Object.assign(process.env, {
      DYNAMODB_TABLE: 'runtime-test',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const evaluated = recordEvaluation();
    const runtime = await import('../../lib/runtime.js');
    const created = runtime.createDeps();
    expect(evaluated).toEqual([]);

    const stored = await created.store.createUser(user);
    expect(evaluated).toEqual(['dynamo']);
    const direct = await import('../../lib/store/dynamo.js');
    const check = direct.createDynamoStore({ client: dynamo.client(), tableName: 'runtime-test' });
    expect(await check.getUserById(stored.userId)).toEqual(stored);
    await created.store.close();
  });

  it('loads openStore (and with it SQLite) when no table is set', async () => {
    sqliteEnv(join(dir, 'local-mode.db'));
    const evaluated = recordEvaluation();
    const runtime = await import('../../lib/runtime.js');
    const created = runtime.createDeps();
    expect(evaluated).toEqual([]);
    expect(await created.store.userCount()).toBe(0);
    expect(evaluated).toContain('sqlite');
    expect(evaluated).toContain('openStore');
    await created.store.close();
  });
});
