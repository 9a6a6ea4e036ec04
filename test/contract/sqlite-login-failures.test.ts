import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { ThrottleRule } from '../../lib/store/store.js';

const RULE: ThrottleRule = { free: 3, baseDelayMs: 1_000, maxDelayMs: 60_000, forgetOneEveryMs: 60_000 };

/** What the SQLite adapter adds to the contract's throttle counters: its table and pruning. */
describe('SQLite login-throttle counters', () => {
  let dir: string;
  let file: string;
  const T = Date.UTC(2026, 0, 1, 12, 0, 30);
  const rows = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT key, failures, expires_at FROM login_throttle ORDER BY key').all();
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-login-throttle-'));
    file = join(dir, 'local.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes every counter that has forgotten all its failures when a failure is recorded', async () => {
    const store = openSqliteStore(file);
    await store.recordLoginFailure([{ key: 'account:alice', rule: RULE }], new Date(T));
    await store.recordLoginFailure([{ key: 'account:bob', rule: RULE }], new Date(T));
    await store.recordLoginFailure([{ key: 'account:bob', rule: RULE }], new Date(T + 1));
    expect(rows()).toEqual([
      { key: 'account:alice', failures: 1, expires_at: T + 60_000 },
      { key: 'account:bob', failures: 2, expires_at: T + 1 + 120_000 },
    ]);
    // A minute and a bit later alice's one failure is forgotten; bob still remembers one.
    await store.recordLoginFailure([{ key: 'account:carol', rule: RULE }], new Date(T + 61_000));
    expect(rows()).toEqual([
      { key: 'account:bob', failures: 2, expires_at: T + 1 + 120_000 },
      { key: 'account:carol', failures: 1, expires_at: T + 61_000 + 60_000 },
    ]);
    await store.close();
  });

  it('replaces the fixed-window table of a file migrated before, and counts across connections', async () => {
    const old = new Database(file);
    migrate(
      old,
      MIGRATIONS.filter((m) => m.version <= 6),
    );
    expect(old.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'login_failures'`).get()).toBeDefined();
    old.close();
    const [one, two] = [openSqliteStore(file), openSqliteStore(file)];
    const tables = new Database(file, { readonly: true });
    expect(tables.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'login_failures'`).get()).toBeUndefined();
    tables.close();
    const counters = [{ key: 'pair:1.2.3.4|dave', rule: RULE }];
    for (let i = 0; i < 3; i++)
      expect((await (i % 2 ? one : two).recordLoginFailure(counters, new Date(T))).allowed).toBe(true);
    expect(await one.recordLoginFailure(counters, new Date(T))).toEqual({ allowed: false, retryAfterMs: 1_000 });
    expect((await two.loginFailures(['pair:1.2.3.4|dave'], new Date(T)))['pair:1.2.3.4|dave']?.failures).toBe(3);
    await Promise.all([one.close(), two.close()]);
  });
});
