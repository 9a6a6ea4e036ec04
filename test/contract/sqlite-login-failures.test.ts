import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate, openSqliteStore } from '../../lib/store/sqlite/index.js';

/** What the SQLite adapter adds to the contract's failed-login counters: its table and pruning. */
describe('SQLite failed-login counters', () => {
  let dir: string;
  let file: string;
  const T = Date.UTC(2026, 0, 1, 12, 0, 30);
  const rows = () => {
    const db = new Database(file, { readonly: true });
    try {
      return db.prepare('SELECT username, "window", failures FROM login_failures ORDER BY username, "window"').all();
    } finally {
      db.close();
    }
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-login-failures-'));
    file = join(dir, 'local.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deletes every account’s ended windows when a failure is recorded', async () => {
    const store = openSqliteStore(file);
    await store.recordLoginFailure('Alice', new Date(T));
    await store.recordLoginFailure('bob', new Date(T));
    await store.recordLoginFailure('carol', new Date(T + 2 * 60_000));
    expect(rows()).toEqual([
      { username: 'alice', window: 'hour', failures: 1 },
      { username: 'bob', window: 'hour', failures: 1 },
      { username: 'carol', window: 'hour', failures: 1 },
      { username: 'carol', window: 'minute', failures: 1 },
    ]);
    await store.recordLoginFailure('carol', new Date(T + 2 * 3_600_000));
    expect(rows()).toEqual([
      { username: 'carol', window: 'hour', failures: 1 },
      { username: 'carol', window: 'minute', failures: 1 },
    ]);
    await store.close();
  });

  it('adds its table to a file migrated before it existed, and counts across connections', async () => {
    const old = new Database(file);
    migrate(old, MIGRATIONS.slice(0, 5));
    expect(old.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'login_failures'`).get()).toBeUndefined();
    old.close();
    const [one, two] = [openSqliteStore(file), openSqliteStore(file)];
    await one.recordLoginFailure('dave', new Date(T));
    expect(await two.recordLoginFailure('DAVE', new Date(T))).toMatchObject({ minute: 2, hour: 2 });
    expect(await one.loginFailures('dave', new Date(T))).toMatchObject({ minute: 2, hour: 2 });
    await Promise.all([one.close(), two.close()]);
  });
});
