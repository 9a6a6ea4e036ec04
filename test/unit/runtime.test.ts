import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config.js';
import { ConfigError, StoreUnavailableError } from '../../lib/errors.js';
import { type LocalDynamo, startDynalite } from '../../lib/local/dynalite.js';
import { createTable } from '../../lib/model/table.js';
import { s3Client } from '../../lib/runtime/aws.js';
import { functionDeps } from '../../lib/runtime/lambda.js';
import { createLocalDeps } from '../../lib/runtime/local.js';
import { built, forwarding } from '../../lib/runtime/ports.js';
import { createDeps, deps, s3Of, setDeps } from '../../lib/runtime.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

/**
 * The composition root builds each port on its first use, once, with one mechanism, so a function
 * that uses a port never evaluates the modules of the others. Real SQLite files and a real
 * DynamoDB wire protocol (dynalite); module mocks only wrap the real modules to record which ones
 * were evaluated.
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

const quiet = (env: NodeJS.ProcessEnv = {}) => loadConfig({ LOG_LEVEL: 'SILENT', ...env });
const sqliteConfig = (file: string) => quiet({ DATABASE_URL: `sqlite://${file}` });

describe('built: the one way a port is built', () => {
  it('builds once for concurrent first uses, also for copies spread from the deps', async () => {
    const base = createDeps(quiet(), { store: {} as Store });
    const build = vi.fn(async () => ({ made: Math.random() }));
    const child = { ...base, logger: base.logger.createChild() };
    const [a, b, c] = await Promise.all([
      built(base, 'thing', build),
      built(base, 'thing', build),
      built(child, 'thing', build),
    ]);
    expect(a).toBe(b);
    expect(c).toBe(a);
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('rejects the use whose build failed and builds again on the next use', async () => {
    const base = createDeps(quiet(), { store: {} as Store });
    const build = vi.fn().mockRejectedValueOnce(new Error('secret not readable yet')).mockResolvedValue('key');
    await expect(built(base, 'key', build)).rejects.toThrow('secret not readable yet');
    await expect(built(base, 'key', build)).resolves.toBe('key');
    expect(build).toHaveBeenCalledTimes(2);
  });
});

describe('forwarding: the synchronous shape of a lazily built port', () => {
  it('builds on the first call and forwards every method to the built adapter', async () => {
    const open = vi.fn(async () => openSqliteStore(join(dir, 'forward.db')));
    const store = forwarding<Store>(['createUser', 'getUser', 'userCount', 'close'], open, { release: 'close' });
    expect(open).not.toHaveBeenCalled();
    const created = await store.createUser(user);
    expect(await store.getUser('ADA')).toEqual(created);
    await store.close();
  });

  it('releasing before use builds nothing and refuses later calls', async () => {
    const open = vi.fn(async () => openSqliteStore(join(dir, 'never.db')));
    const store = forwarding<Store>(['userCount', 'close'], open, {
      release: 'close',
      released: () => new StoreUnavailableError('closed before use'),
    });
    await store.close();
    await expect(store.userCount()).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(open).not.toHaveBeenCalled();
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
  });
});

describe('createLocalDeps (local mode)', () => {
  it('creates no SQLite file until the store is first used, then uses the file the config named', async () => {
    const file = join(dir, 'deferred.db');
    const created = createLocalDeps(sqliteConfig(file));
    expect(existsSync(file)).toBe(false);
    await created.store.createUser(user);
    expect(existsSync(file)).toBe(true);
    await created.store.close();
    const reopened = openSqliteStore(file);
    expect((await reopened.getUser('ada'))?.username).toBe('ada');
    await reopened.close();
  });

  it('surfaces a StoreUnavailableError on the first store call, not when the deps are created, and retries', async () => {
    const file = join(dir, 'garbage.db');
    writeFileSync(file, 'definitely not a SQLite database file, just some text in it');
    const created = createLocalDeps(sqliteConfig(file));
    await expect(created.store.listUsers()).rejects.toBeInstanceOf(StoreUnavailableError);
    rmSync(file);
    expect(await created.store.userCount()).toBe(0);
    await created.store.close();
  });

  it('traces nothing: the tracer is off and SDK clients are left as they are', async () => {
    const created = createLocalDeps(quiet({ S3_ENDPOINT: 'http://127.0.0.1:4569' }));
    expect(created.tracer.isTracingEnabled()).toBe(false);
    const s3 = await s3Of(created);
    expect(s3.middlewareStack.identify().join(' ')).not.toMatch(/XRay/i);
  });
});

describe('createDeps (AWS)', () => {
  it('creates the S3 client on first use, once, honouring S3_ENDPOINT', async () => {
    const created = createDeps(quiet({ S3_ENDPOINT: 'http://127.0.0.1:4569' }));
    expect(created.s3).toBeUndefined();
    const s3 = await s3Of(created);
    expect(s3).toBeInstanceOf(S3Client);
    expect(await s3Of(created)).toBe(s3);
    expect(await s3Of({ ...created })).toBe(s3);
    expect(await s3.config.forcePathStyle).toBe(true);
    expect((await s3.config.endpoint?.())?.port).toBe(4569);
  });

  it('needs DYNAMODB_TABLE for its store, and says so on the first store call', async () => {
    const created = createDeps(quiet());
    const error = await created.store.listUsers().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/DYNAMODB_TABLE: not set/);
  });

  it('keeps the adapters given as installed ones, and deps()/setDeps install and return them', () => {
    const s3 = new S3Client({ region: 'eu-west-1' });
    const store = {} as Store;
    const installed = createDeps(quiet(), { s3, store });
    expect(installed.s3).toBe(s3);
    expect(installed.store).toBe(store);
    expect({ ...installed }.s3).toBe(s3);
    expect(setDeps(installed)).toBeUndefined();
    expect(deps()).toBe(installed);
    expect(setDeps(undefined)).toBe(installed);
  });
});

describe('functionDeps (the entry of functions/**)', () => {
  it("builds the function's deps from the environment with only the adapters it names", async () => {
    process.env.S3_ENDPOINT = 'http://127.0.0.1:4569';
    process.env.LOG_LEVEL = 'SILENT';
    const getDeps = functionDeps('ingest/example', { s3: s3Client });
    const made = getDeps();
    expect(getDeps()).toBe(made);
    expect(deps()).toBe(made);
    const s3 = await s3Of(made);
    expect((await s3.config.endpoint?.())?.port).toBe(4569);
    const error = await made.store.getUser('ada').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(
      'functions/ingest/example.ts does not use the store port; name its adapter in functionDeps there.',
    );
  });

  it('gives way to installed deps (local mode, tests)', () => {
    const getDeps = functionDeps('ingest/example', {});
    const installed = createLocalDeps(quiet());
    setDeps(installed);
    expect(getDeps()).toBe(installed);
  });
});

describe('the store of the AWS root (DYNAMODB_TABLE set)', () => {
  let dynamo: LocalDynamo;
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(dynamo.client(), 'runtime-test');
  });
  afterAll(() => dynamo.close());
  afterEach(() => {
    vi.doUnmock('../../lib/store/dynamo.js');
    vi.doUnmock('../../lib/store/sqlite/index.js');
    // A fresh module graph per test: the mocks must see the runtime's store modules evaluate.
    vi.resetModules();
  });

  it('loads only the DynamoDB adapter, on the first store call, and talks to the table', async () => {
    vi.resetModules();
    const evaluated: string[] = [];
    for (const [name, path] of [
      ['dynamo', '../../lib/store/dynamo.js'],
      ['sqlite', '../../lib/store/sqlite/index.js'],
    ] as const) {
      vi.doMock(path, async (importOriginal) => {
        evaluated.push(name);
        return importOriginal();
      });
    }
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    const runtime = await import('../../lib/runtime.js');
    const created = runtime.createDeps(
      quiet({ DYNAMODB_TABLE: 'runtime-test', DYNAMODB_ENDPOINT: dynamo.endpoint, AWS_REGION: 'us-east-1' }),
    );
    expect(evaluated).toEqual([]);

    const stored = await created.store.createUser(user);
    expect(evaluated).toEqual(['dynamo']);
    const direct = await import('../../lib/store/dynamo.js');
    const check = direct.createDynamoStore({ client: dynamo.client(), tableName: 'runtime-test' });
    expect(await check.getUserById(stored.userId)).toEqual(stored);
    await created.store.close();
  });
});
