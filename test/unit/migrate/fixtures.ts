import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/**
 * Builds SQLite files in the Python service's SQLAlchemy schema with raw SQL (the same DDL the
 * Python service's SQLAlchemy models produced), so the migration is tested against what a real
 * user's database holds: naive 'YYYY-MM-DD HH:MM:SS.ffffff' datetimes, 0/1 booleans, legacy statuses.
 */

export const PYTHON_DDL = `
CREATE TABLE users (
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
CREATE TABLE audio_files (
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

export interface TempDb {
  dir: string;
  path: string;
  db: Database.Database;
  cleanup(): void;
}

export function createPythonDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'migrate-'));
  const path = join(dir, 'python.db');
  const db = new Database(path);
  db.exec(PYTHON_DDL);
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
  const insertUser = db.prepare(
    `INSERT INTO users (id, username, email, hashed_password, is_active, is_admin, created_at, updated_at,
       yoto_access_token, yoto_refresh_token, yoto_token_expires_at) VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
  );
  const insertAudio = db.prepare(
    `INSERT INTO audio_files (id, filename, size, duration, transcript, transcript_status, transcript_error,
       created_at, updated_at, transcribed_at) VALUES (?,?,?,?,?,?,?,?,?,?)`,
  );
  db.transaction(() => {
    for (let i = 1; i <= users; i++) {
      insertUser.run(
        i,
        i % 3 === 0 ? `User_${i}` : `user-${i}`,
        i % 2 === 0 ? `u${i}@example.com` : null,
        `$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$hash${i}`,
        i % 5 === 0 ? 0 : 1,
        i === 1 ? 1 : 0,
        sqlTime(i),
        sqlTime(i + 1),
        i % 4 === 0 ? `access-${i}` : null,
        i % 4 === 0 ? `refresh-${i}` : null,
        i % 4 === 0 ? sqlTime(i + 100) : null,
      );
    }
    for (let i = 1; i <= audio; i++) {
      const status = STATUSES[i % STATUSES.length] as string;
      insertAudio.run(
        i,
        `Track ${String(i).padStart(5, '0')} Ünï.mp3`,
        1000 + i,
        i % 6 === 0 ? null : 30 + i,
        status === 'completed' ? `words of track ${i}` : null,
        status,
        status === 'failed' || (status === 'error' && i % 2 === 0) ? `boom ${i}` : null,
        sqlTime(i),
        sqlTime(i + 2),
        status === 'completed' ? sqlTime(i + 3) : null,
      );
    }
  })();
}
