import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import { storeContract } from './store-contract.js';

const dirs: string[] = [];

storeContract({
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    dirs.push(dir);
    return openSqliteStore(join(dir, 'local.db'));
  },
  async reopen() {
    const dir = dirs.at(-1);
    if (!dir) throw new Error('reopen() before open()');
    return openSqliteStore(join(dir, 'local.db'));
  },
  async cleanup() {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  },
});
