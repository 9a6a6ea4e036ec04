import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreCorruptError, StoreMisconfiguredError, StoreUnavailableError } from '../../lib/errors.js';
import { RETRYABLE_ERRORS } from '../../lib/ingest/errors.js';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';

/**
 * The error of opening `path`. Each of these needs the operator, not another attempt: a
 * StoreMisconfiguredError by name (or its StoreCorruptError), so the state machine, which retries
 * StoreUnavailableError by name, does not retry it; still a StoreUnavailableError to callers.
 */
function openError(path: string, name = StoreMisconfiguredError.name): StoreUnavailableError {
  try {
    openSqliteStore(path);
  } catch (error) {
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).name).toBe(name);
    expect(RETRYABLE_ERRORS).not.toContain(name);
    return error as StoreUnavailableError;
  }
  throw new Error(`openSqliteStore(${path}) succeeded`);
}

describe('SQLite: opening the file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-open-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates missing parent directories', async () => {
    const file = join(dir, 'a', 'b', 'local.db');
    const store = openSqliteStore(file);
    await store.upsertAudioFile({ filename: 'x.mp3', size: 1 });
    await store.close();
    expect(existsSync(file)).toBe(true);
  });

  it('a file that is not a SQLite database: names the file and the fix, and leaves the file alone', () => {
    const file = join(dir, 'random.db');
    const bytes = randomBytes(8192);
    writeFileSync(file, bytes);
    const error = openError(file);
    expect(error.message).toContain(file);
    expect(error.message).toContain('is not a SQLite database');
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).toContain('move');
    expect(readFileSync(file).equals(bytes)).toBe(true);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('a text file with a .db name gets the same clear error', () => {
    const file = join(dir, 'notes.db');
    writeFileSync(file, 'this is a text file, not a database\n'.repeat(200));
    expect(openError(file).message).toMatch(/notes\.db is not a SQLite database: point DATABASE_URL/);
  });

  it('a database whose pages were overwritten: StoreCorruptError, restore a backup', async () => {
    const file = join(dir, 'damaged.db');
    const store = openSqliteStore(file);
    for (let i = 0; i < 200; i++) await store.upsertAudioFile({ filename: `file ${i}.mp3`, size: i });
    await store.close();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16); // the header's page size (1 would mean 65536)
    for (let page = pageSize; page < bytes.length; page += pageSize) bytes.fill(0xab, page, page + 100);
    writeFileSync(file, bytes);
    const error = openError(file, StoreCorruptError.name);
    expect(error.message).toMatch(/damaged\.db is corrupt: restore a backup/);
  });

  it('a directory that cannot be created: names the directory and the fix', () => {
    const blocker = join(dir, 'plain-file');
    writeFileSync(blocker, 'x');
    const error = openError(join(blocker, 'sub', 'local.db'));
    expect(error.message).toContain(join(blocker, 'sub'));
    expect(error.message).toMatch(/writable location/);
  });

  it('a path that is a directory: says it cannot be opened and how to fix it', () => {
    const error = openError(dir);
    expect(error.message).toContain(dir);
    expect(error.message).toMatch(/DATABASE_URL/);
  });

  it('a closed store answers with StoreUnavailableError, not a driver TypeError', async () => {
    const store = openSqliteStore(join(dir, 'closed.db'));
    await store.close();
    await expect(store.listAudioFiles()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.createUser({ username: 'x', hashedPassword: 'h' })).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    await store.close();
  });
});
