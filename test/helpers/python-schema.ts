import type Database from 'better-sqlite3';

/**
 * The Python service's SQLite database, written with raw SQL and kept apart from the production
 * copy of the schema (lib/store/sqlite/migrations.ts) on purpose: tests open files the way the
 * Python service made them, so a change to the production schema cannot change the fixture too.
 * Values are the Python service's: naive 'YYYY-MM-DD HH:MM:SS[.ffffff]' datetimes, 0/1 booleans,
 * legacy statuses.
 */

/** Attributes of the Python `User` model besides its id, in SQLAlchemy's column order. */
export const PYTHON_USER_FIELDS = [
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
] as const;

/** Attributes of the Python `AudioFile` model besides its id, in SQLAlchemy's column order. */
export const PYTHON_AUDIO_FIELDS = [
  'filename',
  'size',
  'duration',
  'transcript',
  'transcript_status',
  'transcript_error',
  'created_at',
  'updated_at',
  'transcribed_at',
] as const;

/** Column names of the Python service's SQLite tables, in order. */
export const PYTHON_USER_COLUMNS = ['id', ...PYTHON_USER_FIELDS];
export const PYTHON_AUDIO_COLUMNS = ['id', ...PYTHON_AUDIO_FIELDS];

/**
 * SQLAlchemy's create_all output. Models declared `unique=True` get UNIQUE constraints in the
 * CREATE TABLE; models declared `unique=True, index=True` (another release of the service) get
 * `ix_` indexes instead. Both kinds of file exist, so both are built.
 */
export type PythonUniqueness = 'constraints' | 'indexes';

export function pythonDdl(uniqueness: PythonUniqueness = 'constraints'): string {
  const unique = (column: string) => (uniqueness === 'constraints' ? `,\n  UNIQUE (${column})` : '');
  const indexes =
    uniqueness === 'indexes'
      ? `CREATE UNIQUE INDEX ix_users_username ON users (username);
CREATE INDEX ix_users_id ON users (id);
CREATE UNIQUE INDEX ix_audio_files_filename ON audio_files (filename);`
      : '';
  return `
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
  PRIMARY KEY (id)${unique('username')}
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
  PRIMARY KEY (id)${unique('filename')}
);
${indexes}
`;
}

type SqlValue = string | number | null;
/** One `users` row as the Python service stored it; columns left out are NULL. */
export type PythonUserRow = { id: number; username: string; hashed_password: string } & Partial<
  Record<(typeof PYTHON_USER_FIELDS)[number], SqlValue>
>;
/** One `audio_files` row as the Python service stored it; columns left out are NULL. */
export type PythonAudioRow = { id: number; filename: string } & Partial<
  Record<(typeof PYTHON_AUDIO_FIELDS)[number], SqlValue>
>;

/** Prepared inserts of Python-style rows into a database holding pythonDdl(). */
export function pythonRowWriter(db: Database.Database): {
  user(row: PythonUserRow): void;
  audio(row: PythonAudioRow): void;
} {
  const insert = (table: string, columns: readonly string[]) => {
    const statement = db.prepare(
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
    );
    return (row: Record<string, unknown>) => {
      statement.run(Object.fromEntries(columns.map((c) => [c, row[c] ?? null])));
    };
  };
  const user = insert('users', PYTHON_USER_COLUMNS);
  const audio = insert('audio_files', PYTHON_AUDIO_COLUMNS);
  return { user, audio };
}
