/** Test fixture: a SQLite file as the Python service (SQLAlchemy create_all) left it. */
import Database from 'better-sqlite3';

/** The Python service's database, as SQLAlchemy's create_all made it (with its ix_ indexes). */
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
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE INDEX ix_users_id ON users (id);
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
  PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_audio_files_filename ON audio_files (filename);
`;

export const OLD_USER_COLUMNS = [
  'id',
  'username',
  'email',
  'hashed_password',
  'is_active',
  'is_admin',
  'created_at',
  'updated_at',
  'yoto_access_token',
  'yoto_refresh_token',
  'yoto_token_expires_at',
];
export const OLD_AUDIO_COLUMNS = [
  'id',
  'filename',
  'size',
  'duration',
  'transcript',
  'transcript_status',
  'transcript_error',
  'created_at',
  'updated_at',
  'transcribed_at',
];

/** Writes the Python service's schema and rows (Python-style values) into a new file. */
export function makePythonDatabase(file: string, extraSql = ''): void {
  const db = new Database(file);
  db.exec(PYTHON_DDL);
  db.exec(`
    INSERT INTO users VALUES (1, 'alice', 'alice@example.com', '$argon2id$v=19$m=65536,t=3,p=4$x$y', 1, 0,
      '2024-03-01 12:34:56.789012', '2024-03-02 08:00:00.000001', 'acc', 'ref', '2024-03-03 09:10:11.5');
    INSERT INTO users VALUES (7, 'admin', NULL, '$2b$12$abc', 1, 1, '2024-01-01 00:00:00', NULL, NULL, NULL, NULL);
    INSERT INTO users VALUES (9, 'sleepy', NULL, 'h', 0, NULL, '2024-01-05 10:00:00+02:00', NULL, NULL, NULL, NULL);
    INSERT INTO audio_files VALUES (1, 'Done Song.mp3', 1000, 120, 'hello there', 'completed', NULL,
      '2024-02-01 10:00:00.123456', '2024-02-01 10:05:00.654321', '2024-02-01 10:05:00.654321');
    INSERT INTO audio_files VALUES (2, 'broken.wav', 10, NULL, NULL, 'error', NULL, '2024-02-02 10:00:00', NULL, NULL);
    INSERT INTO audio_files VALUES (3, 'stopped.mp3', 10, 5, NULL, 'cancelled', 'user cancelled it', '2024-02-03 10:00:00', NULL, NULL);
    INSERT INTO audio_files VALUES (4, 'off.mp3', 10, 5, NULL, 'disabled', '', '2024-02-04 10:00:00', NULL, NULL);
    INSERT INTO audio_files VALUES (5, 'queued.mp3', 10, 5, NULL, 'pending', NULL, '2024-02-05 10:00:00', NULL, NULL);
    INSERT INTO audio_files VALUES (6, 'no status.mp3', 10, 5, NULL, NULL, NULL, '2024-02-06 10:00:00', NULL, NULL);
    ${extraSql}
  `);
  db.close();
}

/** The schema and every row, to compare a file before and after. */
export function schemaOf(file: string): { sql: unknown[]; users: unknown[]; audio: unknown[] } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      sql: db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY type, name').all(),
      users: db.prepare('SELECT * FROM users ORDER BY id').all(),
      audio: db.prepare('SELECT * FROM audio_files ORDER BY id').all(),
    };
  } finally {
    db.close();
  }
}

/** Column names of a table, in order. */
export function columnNames(file: string, table: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as { name: string }[]).map((c) => c.name);
  } finally {
    db.close();
  }
}
