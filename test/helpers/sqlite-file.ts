import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import type { Store } from '../../lib/store/store.js';

export interface SqliteFile {
  /** A path in a fresh temp dir, named like the Python service's database; no file exists yet. */
  readonly file: string;
  /** Opens the store on `file`; it is closed after the test. */
  open(): Store;
}

/**
 * Gives each test of the calling suite its own database path and removes it afterwards, closing
 * the store the test opened with `open()` first (an open store keeps the WAL files busy).
 */
export function useSqliteFile(prefix: string): SqliteFile {
  let dir = '';
  let store: Store | undefined;
  const state = {
    file: '',
    open(): Store {
      store = openSqliteStore(state.file);
      return store;
    },
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    state.file = join(dir, 'yoto_smart_stream.db');
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  return state;
}
