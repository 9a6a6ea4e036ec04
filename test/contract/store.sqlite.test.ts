import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../../lib/store/sqlite/index.js';
import { storeContract } from './store-contract.js';

let dir: string | undefined;

storeContract({
  name: 'SQLite',
  async open() {
    dir = mkdtempSync(join(tmpdir(), 'store-contract-'));
    return openSqliteStore(join(dir, 'local.db'));
  },
  async cleanup() {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  },
});
