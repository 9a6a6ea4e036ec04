import type Database from 'better-sqlite3';
import { transcriptWords } from '../../model/search-terms.js';
import { LEGACY_FAILED_STATUSES } from '../../model/status.js';

/**
 * Versioned, additive migrations of the Python service's SQLAlchemy schema. Each runs once, inside
 * the same BEGIN IMMEDIATE transaction as its `schema_migrations` row, so a crash leaves either
 * all of a migration or none of it and the next open resumes; concurrent openers queue on the
 * write lock and the later ones find nothing to do. Old columns are never dropped or renamed, so
 * the Python service can still open the file.
 */
export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** The Python service's tables, exactly as SQLAlchemy created them (columns and constraints). */
const PYTHON_SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  id INTEGER NOT NULL,
  username VARCHAR(50) NOT NULL,
  email VARCHAR(255),
  hashed_password VARCHAR(255) NOT NULL,
  is_active BOOLEAN,
  is_admin BOOLEAN,
  created_at DATETIME,
  updated_at DATETIME,
  yoto_access_token TEXT,
  yoto_refresh_token TEXT,
  yoto_token_expires_at DATETIME,
  PRIMARY KEY (id),
  UNIQUE (username)
);
CREATE TABLE IF NOT EXISTS audio_files (
  id INTEGER NOT NULL,
  filename VARCHAR(255) NOT NULL,
  size INTEGER,
  duration INTEGER,
  transcript TEXT,
  transcript_status VARCHAR(20),
  transcript_error TEXT,
  created_at DATETIME,
  updated_at DATETIME,
  transcribed_at DATETIME,
  PRIMARY KEY (id),
  UNIQUE (filename)
);
`;

const LEGACY_USER_COLUMNS = {
  email: 'VARCHAR(255)',
  is_active: 'BOOLEAN',
  is_admin: 'BOOLEAN',
  created_at: 'DATETIME',
  updated_at: 'DATETIME',
  yoto_access_token: 'TEXT',
  yoto_refresh_token: 'TEXT',
  yoto_token_expires_at: 'DATETIME',
};
const LEGACY_AUDIO_COLUMNS = {
  size: 'INTEGER',
  duration: 'INTEGER',
  transcript: 'TEXT',
  transcript_status: 'VARCHAR(20)',
  transcript_error: 'TEXT',
  created_at: 'DATETIME',
  updated_at: 'DATETIME',
  transcribed_at: 'DATETIME',
};

function columns(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[];
  return new Set(rows.map((row) => row.name));
}

function addColumns(db: Database.Database, table: string, definitions: Record<string, string>): void {
  const existing = columns(db, table);
  for (const [name, type] of Object.entries(definitions)) {
    if (!existing.has(name)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
  }
}

/** Whether some unique index covers exactly `column` (with any collation). */
function hasUniqueIndexOn(db: Database.Database, table: string, column: string): boolean {
  const indexes = db.prepare(`SELECT name, "unique" AS isUnique FROM pragma_index_list(?)`).all(table) as {
    name: string;
    isUnique: number;
  }[];
  return indexes.some((index) => {
    if (!index.isUnique) return false;
    const cols = db.prepare(`SELECT name FROM pragma_index_info(?)`).all(index.name) as { name: string }[];
    return cols.length === 1 && cols[0]?.name === column;
  });
}

/** Every migration in order; append new ones, never edit or renumber an applied one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'python-service schema (users, audio_files)',
    up(db) {
      db.exec(PYTHON_SCHEMA);
      // A file from an older release of the Python service may predate some of its columns.
      addColumns(db, 'users', LEGACY_USER_COLUMNS);
      addColumns(db, 'audio_files', LEGACY_AUDIO_COLUMNS);
      // A hand-made database may lack the UNIQUE constraint that keyset pagination and the upsert rely on.
      if (!hasUniqueIndexOn(db, 'audio_files', 'filename')) {
        db.exec('CREATE UNIQUE INDEX audio_files_filename_unique ON audio_files (filename)');
      }
    },
  },
  {
    version: 2,
    name: 'upload identity, transcript pointer and version columns',
    up(db) {
      addColumns(db, 'audio_files', {
        etag: 'TEXT',
        sequencer: 'TEXT',
        transcript_s3_key: 'TEXT',
        version: 'INTEGER NOT NULL DEFAULT 0',
      });
      addColumns(db, 'users', { version: 'INTEGER NOT NULL DEFAULT 0' });
    },
  },
  {
    version: 3,
    name: 'case-insensitive username index',
    up(db) {
      // The Python service compared usernames case-sensitively, so an old file may hold both
      // "Alice" and "alice"; refusing to open it would lock everyone out. Such a file gets a plain
      // index (lookups stay indexed) and createUser still refuses new case-duplicates in its
      // transaction; any other file gets the unique index that enforces it in the database too.
      const duplicate = db
        .prepare('SELECT 1 FROM users GROUP BY username COLLATE NOCASE HAVING count(*) > 1 LIMIT 1')
        .get();
      db.exec(
        `CREATE ${duplicate ? '' : 'UNIQUE '}INDEX IF NOT EXISTS users_username_nocase ON users (username COLLATE NOCASE)`,
      );
    },
  },
  {
    version: 4,
    name: 'trigram full-text index of filenames',
    up(db) {
      // External-content FTS5 over audio_files: triggers keep it in step inside the writing
      // transaction, and the trigram tokenizer makes any 3+ character substring an index lookup.
      db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS audio_files_fts USING fts5(
          filename, content='audio_files', content_rowid='id', tokenize='trigram case_sensitive 0'
        );
        CREATE TRIGGER IF NOT EXISTS audio_files_fts_insert AFTER INSERT ON audio_files BEGIN
          INSERT INTO audio_files_fts (rowid, filename) VALUES (new.id, new.filename);
        END;
        CREATE TRIGGER IF NOT EXISTS audio_files_fts_delete AFTER DELETE ON audio_files BEGIN
          INSERT INTO audio_files_fts (audio_files_fts, rowid, filename) VALUES ('delete', old.id, old.filename);
        END;
        CREATE TRIGGER IF NOT EXISTS audio_files_fts_rename AFTER UPDATE OF filename, id ON audio_files BEGIN
          INSERT INTO audio_files_fts (audio_files_fts, rowid, filename) VALUES ('delete', old.id, old.filename);
          INSERT INTO audio_files_fts (rowid, filename) VALUES (new.id, new.filename);
        END;
        INSERT INTO audio_files_fts (audio_files_fts) VALUES ('rebuild');
      `);
    },
  },
  {
    version: 5,
    name: 'legacy failure statuses become failed',
    up(db) {
      // Rewritten once so the column holds only the closed status set and the conditional
      // transition updates match it directly; the old value survives in transcript_error
      // (the same text the read path shows for a legacy row: legacyStatusError).
      const legacy = LEGACY_FAILED_STATUSES.map((status) => `'${status}'`).join(', ');
      db.exec(`
        UPDATE audio_files
        SET transcript_error = CASE
              WHEN transcript_error IS NULL OR transcript_error = '' THEN 'legacy status: ' || transcript_status
              ELSE transcript_error END,
            transcript_status = 'failed'
        WHERE transcript_status IN (${legacy})
      `);
    },
  },
  {
    version: 6,
    name: 'failed-login counters',
    up(db) {
      // One row per account and fixed window ('minute' or 'hour', `start` the epoch minute or
      // hour); the index lets each write delete ended windows cheaply. A new table: the Python
      // service never sees it.
      db.exec(`
        CREATE TABLE IF NOT EXISTS login_failures (
          username TEXT NOT NULL,
          "window" TEXT NOT NULL,
          start INTEGER NOT NULL,
          failures INTEGER NOT NULL,
          PRIMARY KEY (username, "window", start)
        );
        CREATE INDEX IF NOT EXISTS login_failures_start ON login_failures ("window", start);
      `);
    },
  },
  {
    version: 7,
    name: 'login-throttle counters',
    up(db) {
      // One row per throttle counter (account, client address, or both), times in epoch ms;
      // `expires_at` is when the counter has forgotten every failure, so writes prune by it. The
      // fixed-window counts of version 6 are replaced (they only ever held the last hour).
      db.exec(`
        CREATE TABLE IF NOT EXISTS login_throttle (
          key TEXT PRIMARY KEY,
          failures INTEGER NOT NULL,
          last_failure_at INTEGER NOT NULL,
          next_attempt_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL
        );
        CREATE INDEX IF NOT EXISTS login_throttle_expires ON login_throttle (expires_at);
        DROP TABLE IF EXISTS login_failures;
      `);
    },
  },
  {
    version: 8,
    name: 'session versions and the Yoto token refresh lease',
    up(db) {
      // NOT NULL DEFAULT 0: rows the Python service inserts later get version 0 too.
      addColumns(db, 'users', {
        session_version: 'INTEGER NOT NULL DEFAULT 0',
        yoto_token_lock_owner: 'TEXT',
        yoto_token_lock_expires_at: 'TEXT',
      });
    },
  },
  {
    version: 9,
    name: 'one-time markers (admin bootstrap) and the user id high-water mark',
    up(db) {
      // users.id is a rowid alias (the SQLAlchemy schema), which SQLite hands out again after the
      // highest row is deleted; the store takes ids above this mark instead, so a deleted user's
      // id (and the session tokens that name it) never comes back.
      db.exec(`
        CREATE TABLE IF NOT EXISTS store_markers (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS store_counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
        INSERT OR IGNORE INTO store_counters (name, value) SELECT 'user_id', coalesce(max(id), 0) FROM users;
      `);
    },
  },
  {
    version: 10,
    name: 'transcript word index',
    up(db) {
      // The words are computed in JavaScript (lib/model/search-terms.ts, the same terms the
      // DynamoDB index holds) and stored space-separated; the `ascii` tokenizer splits them back
      // exactly, and a prefix query reads the matching terms only. The store writes the rows
      // itself. The triggers are plain SQL, so the Python service can still write the file: its
      // deletes and transcript changes drop the stale row (re-indexed at the next store write).
      db.exec(`
        CREATE VIRTUAL TABLE IF NOT EXISTS audio_words_fts USING fts5(words, tokenize='ascii', detail='none');
        CREATE TRIGGER IF NOT EXISTS audio_words_fts_delete AFTER DELETE ON audio_files BEGIN
          DELETE FROM audio_words_fts WHERE rowid = old.id;
        END;
        CREATE TRIGGER IF NOT EXISTS audio_words_fts_transcript AFTER UPDATE OF transcript, id ON audio_files
        WHEN old.transcript IS NOT new.transcript OR old.id IS NOT new.id BEGIN
          DELETE FROM audio_words_fts WHERE rowid = old.id;
        END;
      `);
      const insert = db.prepare('INSERT INTO audio_words_fts (rowid, words) VALUES (?, ?)');
      // In batches by id: better-sqlite3 runs no other statement while one iterates.
      const batch = db.prepare(
        "SELECT id, transcript FROM audio_files WHERE id > ? AND transcript IS NOT NULL AND transcript <> '' ORDER BY id LIMIT 500",
      );
      for (let after = -1; ; ) {
        const rows = batch.all(after) as { id: number; transcript: string }[];
        for (const row of rows) {
          const words = transcriptWords(row.transcript);
          if (words.length > 0) insert.run(row.id, words.join(' '));
        }
        const last = rows.at(-1);
        if (!last) break;
        after = last.id;
      }
    },
  },
];

function appliedVersions(db: Database.Database): Set<number> {
  const table = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  if (!table) return new Set();
  const rows = db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[];
  return new Set(rows.map((row) => row.version));
}

/**
 * Brings the file up to the latest schema; returns the versions it applied (empty when the file
 * was current). Safe to call on every open and from several processes at once.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS): number[] {
  // Fast path without the write lock: an up-to-date file (the usual case) costs two reads.
  const done = appliedVersions(db);
  if (migrations.every((migration) => done.has(migration.version))) return [];
  return db
    .transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL
      )`);
      const applied = appliedVersions(db);
      const ran: number[] = [];
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
        if (applied.has(migration.version)) continue;
        migration.up(db);
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
          migration.version,
          migration.name,
          new Date().toISOString(),
        );
        ran.push(migration.version);
      }
      return ran;
    })
    .immediate();
}
