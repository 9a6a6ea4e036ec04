import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type LocalDynamo, startDynalite } from '../../../lib/local/dynalite.js';
import { createTable } from '../../../lib/model/table.js';
import { pythonDdl, pythonRowWriter } from '../../helpers/python-schema.js';

/**
 * SQLite files in the Python service's SQLAlchemy schema (test/helpers/python-schema.ts), so the
 * migration is tested against what a real user's database holds: naive
 * 'YYYY-MM-DD HH:MM:SS.ffffff' datetimes, 0/1 booleans, legacy statuses.
 */

export interface TempDb {
  dir: string;
  path: string;
  db: Database.Database;
  cleanup(): void;
}

/** A new database file in a temp dir with the Python service's tables and no rows. */
export function createPythonDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  const path = join(dir, 'python.db');
  const db = new Database(path);
  db.exec(pythonDdl('constraints'));
  return {
    dir,
    path,
    db,
    cleanup: () => {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const STATUSES = ['pending', 'processing', 'completed', 'failed', 'error', 'cancelled', 'disabled'];

/** A naive SQLAlchemy datetime string `n` minutes after 2024-03-01 10:00 UTC, with microseconds. */
export function sqlTime(n: number): string {
  const d = new Date(Date.UTC(2024, 2, 1, 10, 0, 0) + n * 60_000);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}.${String(n % 1_000_000).padStart(6, '0')}`;
}

/** Inserts `users` users (ids 1…) and `audio` audio rows with a spread of statuses and nulls. */
export function seedPythonDb(
  db: Database.Database,
  { users = 0, audio = 0 }: { users?: number; audio?: number },
): void {
  const write = pythonRowWriter(db);
  db.transaction(() => {
    for (let i = 1; i <= users; i++) {
      write.user({
        id: i,
        username: i % 3 === 0 ? `User_${i}` : `user-${i}`,
        email: i % 2 === 0 ? `u${i}@example.com` : null,
        hashed_password: `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$hash${i}`,
        is_active: i % 5 === 0 ? 0 : 1,
        is_admin: i === 1 ? 1 : 0,
        created_at: sqlTime(i),
        updated_at: sqlTime(i + 1),
        yoto_access_token: i % 4 === 0 ? `access-${i}` : null,
        yoto_refresh_token: i % 4 === 0 ? `refresh-${i}` : null,
        yoto_token_expires_at: i % 4 === 0 ? sqlTime(i + 100) : null,
      });
    }
    for (let i = 1; i <= audio; i++) {
      const status = STATUSES[i % STATUSES.length] as string;
      write.audio({
        id: i,
        filename: `Track ${String(i).padStart(5, '0')} Ünï.mp3`,
        size: 1000 + i,
        duration: i % 6 === 0 ? null : 30 + i,
        transcript: status === 'completed' ? `words of track ${i}` : null,
        transcript_status: status,
        transcript_error: status === 'failed' || (status === 'error' && i % 2 === 0) ? `boom ${i}` : null,
        created_at: sqlTime(i),
        updated_at: sqlTime(i + 2),
        transcribed_at: status === 'completed' ? sqlTime(i + 3) : null,
      });
    }
  })();
}

/** What a sqlite-to-dynamodb test works on; the fields are set by the hooks of useSqliteMigration. */
export interface SqliteMigration {
  dynamo: LocalDynamo;
  client: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** A new table (our definition) per test, named `<prefix>-<uuid>`. */
  table: string;
  /** A new, empty Python-schema SQLite file per test. */
  source: TempDb;
}

/** Starts dynalite for the calling test file and gives each test a new table and source file. */
export function useSqliteMigration(prefix: string): SqliteMigration {
  const state = {} as SqliteMigration;
  beforeAll(async () => {
    state.dynamo = await startDynalite();
  });
  afterAll(async () => {
    await state.dynamo?.close();
  });
  beforeEach(async () => {
    state.client = state.dynamo.client();
    state.doc = DynamoDBDocumentClient.from(state.client);
    state.table = `${prefix}-${randomUUID()}`;
    await createTable(state.client, state.table);
    state.source = createPythonDb();
  });
  afterEach(() => {
    state.source.cleanup();
    state.client.destroy();
  });
  return state;
}
